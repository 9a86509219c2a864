// File identity: fstat for device and inode, pread of the head for the fingerprint.
#include "pipeline/tail/file_identity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tailcast::tail {
namespace {

// Reads up to `length` bytes from offset 0; returns how many were read, or -1.
ssize_t read_head(int fd, char* buffer, uint32_t length) noexcept {
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, buffer + got, length - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

uint64_t fnv1a64(std::string_view bytes) noexcept {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

bool hash_head(int fd, uint32_t length, uint64_t& hash) noexcept {
  char buffer[kFingerprintBytes];
  if (length > kFingerprintBytes) return false;
  ssize_t got = read_head(fd, buffer, length);
  if (got < 0 || static_cast<uint32_t>(got) < length) return false;
  hash = fnv1a64(std::string_view(buffer, length));
  return true;
}

Result<FileIdentity> identify(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return make_error(Errc::kIo, std::string("fstat: ") + std::strerror(errno));
  }
  FileIdentity id;
  id.dev = static_cast<uint64_t>(st.st_dev);
  id.inode = static_cast<uint64_t>(st.st_ino);
  id.size = static_cast<uint64_t>(st.st_size);
  char buffer[kFingerprintBytes];
  ssize_t got = read_head(fd, buffer, kFingerprintBytes);
  if (got < 0) return make_error(Errc::kIo, std::string("read: ") + std::strerror(errno));
  id.fingerprint_bytes = static_cast<uint32_t>(got);
  id.fingerprint = fnv1a64(std::string_view(buffer, static_cast<size_t>(got)));
  return id;
}

namespace {

// Reads exactly `length` bytes at `from`; false when the file has fewer.
bool read_exactly(int fd, char* buffer, size_t length, uint64_t from) noexcept {
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, buffer + got, length - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool bytes_before(int fd, uint64_t end, std::string_view bytes) noexcept {
  char buffer[kTailWindowBytes];
  if (bytes.size() > sizeof buffer || bytes.size() > end) return false;
  return read_exactly(fd, buffer, bytes.size(), end - bytes.size()) &&
         std::memcmp(buffer, bytes.data(), bytes.size()) == 0;
}

bool same_bytes_before(int fd, int other_fd, uint64_t end) noexcept {
  char buffer[kTailWindowBytes];
  if (end < kTailWindowBytes) return false;
  return read_exactly(fd, buffer, kTailWindowBytes, end - kTailWindowBytes) &&
         bytes_before(other_fd, end, std::string_view(buffer, kTailWindowBytes));
}

bool matches(int fd, const FileIdentity& current, const FileIdentity& saved) noexcept {
  if (!current.same_inode(saved)) return false;
  if (saved.fingerprint_bytes == 0) return true;
  if (saved.fingerprint_bytes == current.fingerprint_bytes) {
    return saved.fingerprint == current.fingerprint;
  }
  uint64_t hash = 0;
  return hash_head(fd, saved.fingerprint_bytes, hash) && hash == saved.fingerprint;
}

}  // namespace tailcast::tail
