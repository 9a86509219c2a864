// FileIdentity: what makes a file the same file across renames and restarts — device and inode,
// plus a hash of its first bytes so that an inode number reused by a new file is not mistaken for
// the old one. The path is only an attribute: rotation renames, identity stays.
#pragma once

#include <cstdint>
#include <string_view>

#include "pipeline/result.h"

namespace tailcast::tail {

// Bytes hashed at most. Files shorter than this are hashed over what they have; the count is kept
// so that the same prefix can be hashed again later when the file has grown.
inline constexpr uint32_t kFingerprintBytes = 1024;

struct FileIdentity {
  uint64_t dev = 0;
  uint64_t inode = 0;
  uint64_t fingerprint = 0;        // FNV-1a 64 of the first fingerprint_bytes bytes
  uint32_t fingerprint_bytes = 0;  // 0: the file was empty, any content matches
  uint64_t size = 0;               // at the time of identification

  bool same_inode(const FileIdentity& other) const noexcept {
    return dev == other.dev && inode == other.inode;
  }
};

// FNV-1a, 64 bit: simple, stable across versions and platforms, good enough to tell file heads
// apart (it is not a defence against crafted collisions, nor does it need to be).
uint64_t fnv1a64(std::string_view bytes) noexcept;

// Identifies an open file: fstat plus the hash of its first up-to-kFingerprintBytes bytes.
Result<FileIdentity> identify(int fd);

// Hash of the file's first `length` bytes, or false when the file has fewer (or reading fails).
bool hash_head(int fd, uint32_t length, uint64_t& hash) noexcept;

// Bytes kept from just before the end of what was read, so that a copy of a file's content can be
// told apart from another file with the same head (copytruncate; see tailer.h).
inline constexpr uint32_t kTailWindowBytes = 256;

// True when the file holds exactly `bytes` just before offset `end`.
bool bytes_before(int fd, uint64_t end, std::string_view bytes) noexcept;
// True when both files hold the same kTailWindowBytes just before offset `end`.
bool same_bytes_before(int fd, int other_fd, uint64_t end) noexcept;

// True when `fd` is the file `saved` describes: same device and inode, and its first
// saved.fingerprint_bytes bytes still hash to saved.fingerprint.
bool matches(int fd, const FileIdentity& current, const FileIdentity& saved) noexcept;

}  // namespace tailcast::tail
