// ProtoWriter: the protobuf wire format written straight into a byte string, for encoders that
// serialize from a batch's arena without building message objects. Lengths of nested messages are
// computed up front with the *_size functions, so every byte is written once, in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tailcast::sinks {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

constexpr size_t varint_size(uint64_t value) noexcept {
  size_t bytes = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++bytes;
  }
  return bytes;
}

constexpr size_t tag_size(uint32_t field) noexcept {
  return varint_size(static_cast<uint64_t>(field) << 3);
}

// Size of a length-delimited field (string, bytes or nested message) whose payload has `payload`
// bytes: tag, length prefix and payload.
constexpr size_t length_delimited_size(uint32_t field, size_t payload) noexcept {
  return tag_size(field) + varint_size(payload) + payload;
}

// Size of an int64/int32/uint64 varint field. Negative values take ten bytes, as protobuf
// sign-extends them.
constexpr size_t varint_field_size(uint32_t field, int64_t value) noexcept {
  return tag_size(field) + varint_size(static_cast<uint64_t>(value));
}

// proto3 leaves fields at their default value (0, "") off the wire; these sizes and the matching
// writer calls below do the same, so the output is what libprotobuf itself would produce.
constexpr size_t string_field_size(uint32_t field, size_t bytes) noexcept {
  return bytes == 0 ? 0 : length_delimited_size(field, bytes);
}

constexpr size_t int_field_size(uint32_t field, int64_t value) noexcept {
  return value == 0 ? 0 : varint_field_size(field, value);
}

// Appends to a caller-owned string, so the same buffer (and its capacity) serves every batch.
class ProtoWriter {
 public:
  explicit ProtoWriter(std::string& out) noexcept : out_(out) {}

  void varint(uint64_t value) {
    char buffer[10];
    size_t n = 0;
    while (value >= 0x80) {
      buffer[n++] = static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    buffer[n++] = static_cast<char>(value);
    out_.append(buffer, n);
  }

  void tag(uint32_t field, WireType type) {
    varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type));
  }

  void varint_field(uint32_t field, int64_t value) {
    tag(field, WireType::kVarint);
    varint(static_cast<uint64_t>(value));
  }

  void fixed64_field(uint32_t field, uint64_t value) {
    tag(field, WireType::kFixed64);
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
    out_.append(bytes, 8);
  }

  void bytes_field(uint32_t field, std::string_view bytes) {
    tag(field, WireType::kLengthDelimited);
    varint(bytes.size());
    out_.append(bytes.data(), bytes.size());
  }

  void string_field(uint32_t field, std::string_view text) {
    if (!text.empty()) bytes_field(field, text);
  }

  void int_field(uint32_t field, int64_t value) {
    if (value != 0) varint_field(field, value);
  }

  // Opens a nested message whose serialized size the caller computed; the caller then writes
  // exactly `payload` bytes of fields.
  void begin_message(uint32_t field, size_t payload) {
    tag(field, WireType::kLengthDelimited);
    varint(payload);
  }

  size_t size() const noexcept { return out_.size(); }

 private:
  std::string& out_;
};

}  // namespace tailcast::sinks
