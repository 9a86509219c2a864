// ProtoSize and ProtoEmit: one encoding function, written once as a generic lambda, either
// measures a message (ProtoSize) or writes it (ProtoEmit over sinks/common/proto_writer.h). A
// nested message is measured just before it is written, so the length prefix is always right
// without building message objects. Used by the OTLP encoders on the sink's sender thread.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "sinks/common/proto_writer.h"

namespace tailcast::sinks::otlp {

// Measures what ProtoEmit would write for the same calls.
class ProtoSize {
 public:
  void string_field(uint32_t field, std::string_view text) noexcept {
    size_ += string_field_size(field, text.size());
  }
  // A field that is written even when empty or zero (a set member of a oneof).
  void string_always(uint32_t field, std::string_view text) noexcept {
    size_ += length_delimited_size(field, text.size());
  }
  void varint_field(uint32_t field, int64_t value) noexcept {
    size_ += int_field_size(field, value);
  }
  void varint_always(uint32_t field, int64_t value) noexcept {
    size_ += varint_field_size(field, value);
  }
  void fixed64_field(uint32_t field, uint64_t value) noexcept {
    if (value != 0) size_ += tag_size(field) + 8;
  }
  void double_always(uint32_t field, double) noexcept { size_ += tag_size(field) + 8; }
  void fixed32_field(uint32_t field, uint32_t value) noexcept {
    if (value != 0) size_ += tag_size(field) + 4;
  }
  template <class Fn>
  void message(uint32_t field, Fn&& fn) {
    ProtoSize inner;
    fn(inner);
    size_ += length_delimited_size(field, inner.size_);
  }
  size_t size() const noexcept { return size_; }

 private:
  size_t size_ = 0;
};

class ProtoEmit {
 public:
  // Appends to `out`, whose capacity the caller keeps between batches.
  explicit ProtoEmit(std::string& out) noexcept : out_(out), writer_(out) {}

  void string_field(uint32_t field, std::string_view text) { writer_.string_field(field, text); }
  void string_always(uint32_t field, std::string_view text) { writer_.bytes_field(field, text); }
  void varint_field(uint32_t field, int64_t value) { writer_.int_field(field, value); }
  void varint_always(uint32_t field, int64_t value) { writer_.varint_field(field, value); }
  void fixed64_field(uint32_t field, uint64_t value) {
    if (value != 0) writer_.fixed64_field(field, value);
  }
  void double_always(uint32_t field, double value) {
    writer_.fixed64_field(field, std::bit_cast<uint64_t>(value));
  }
  void fixed32_field(uint32_t field, uint32_t value) {
    if (value == 0) return;
    writer_.tag(field, WireType::kFixed32);
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  template <class Fn>
  void message(uint32_t field, Fn&& fn) {
    ProtoSize size;
    fn(size);
    writer_.begin_message(field, size.size());
    fn(*this);
  }

 private:
  std::string& out_;
  ProtoWriter writer_;
};

}  // namespace tailcast::sinks::otlp
