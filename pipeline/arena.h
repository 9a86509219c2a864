// Arena: a bump allocator for strings that stages compute (template output, formatted values) and
// for the lines and labels a batch owns. Views into an arena stay valid until reset() or
// destruction; nothing is freed one by one.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace tailcast {

class Arena {
 public:
  explicit Arena(size_t block_bytes = 64 * 1024) noexcept : block_bytes_(block_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) noexcept = default;
  Arena& operator=(Arena&&) noexcept = default;

  char* allocate(size_t bytes) {
    if (bytes > remaining_) grow(bytes);
    char* out = cursor_;
    cursor_ += bytes;
    remaining_ -= bytes;
    used_ += bytes;
    return out;
  }

  std::string_view copy(std::string_view text) {
    if (text.empty()) return {};
    char* out = allocate(text.size());
    std::char_traits<char>::copy(out, text.data(), text.size());
    return {out, text.size()};
  }

  // Bytes handed out since the last reset; what the memory budget charges.
  size_t used_bytes() const noexcept { return used_; }

  // Keeps the first block so a reused arena does not allocate again.
  void reset() noexcept {
    if (blocks_.size() > 1) blocks_.resize(1);
    if (!blocks_.empty()) {
      cursor_ = blocks_.front().data.get();
      remaining_ = blocks_.front().size;
    }
    used_ = 0;
  }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };

  void grow(size_t at_least) {
    size_t size = at_least > block_bytes_ ? at_least : block_bytes_;
    blocks_.push_back(Block{std::make_unique<char[]>(size), size});
    cursor_ = blocks_.back().data.get();
    remaining_ = size;
  }

  size_t block_bytes_;
  std::vector<Block> blocks_;
  char* cursor_ = nullptr;
  size_t remaining_ = 0;
  size_t used_ = 0;
};

}  // namespace tailcast
