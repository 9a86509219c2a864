// The positions file: lookup and update of saved places, pruning, and the atomic write. The text
// format is read line by line (see positions_text.cc) so that a torn or NUL-filled file still
// yields every entry that survived.
#include "pipeline/tail/positions.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "pipeline/log.h"
#include "pipeline/tail/positions_text.h"

namespace tailcast::tail {
namespace {

int64_t unix_seconds(PositionsFile::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Error io_error(const std::string& filename, const char* what) {
  return make_error(Errc::kIo,
                    "positions file " + filename + ": " + what + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Result<std::string> read_whole(const std::string& filename, bool& exists) {
  exists = false;
  int fd = ::open(filename.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return io_error(filename, "open");
  }
  exists = true;
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error error = io_error(filename, "read");
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace

Result<std::unique_ptr<PositionsFile>> PositionsFile::open(PositionsOptions options) {
  auto file = std::make_unique<PositionsFile>(std::move(options));
  bool exists = false;
  Result<std::string> text = read_whole(file->options_.filename, exists);
  if (!text) return std::move(text).error();
  if (auto parsed = file->parse(*text, Clock::now()); !parsed) return parsed.error();
  if (file->skipped_lines_ > 0) {
    log::warn("Positions file has lines that could not be read; they were skipped.",
              {{"path", file->options_.filename}, {"lines", std::to_string(file->skipped_lines_)}});
  }
  return file;
}

Result<void> PositionsFile::parse(std::string_view text, Clock::time_point now) {
  ParsedPositions parsed;
  auto bad = [&](size_t line, const std::string& why) -> Result<void> {
    if (options_.ignore_invalid_yaml) {
      ++skipped_lines_;
      return {};
    }
    return make_error(Errc::kInvalidConfig, "positions file " + options_.filename + ":" +
                                                std::to_string(line) + ": " + why +
                                                " (set positions.ignore_invalid_yaml to skip)");
  };
  if (auto r = parse_positions_text(text, parsed, bad); !r) return r;
  int64_t seen_default = unix_seconds(now);
  for (auto& record : parsed.files) {
    if (record.seen_unix == 0) record.seen_unix = seen_default;
    record.update_seq = next_seq_++;
    Key key{record.identity.dev, record.identity.inode};
    records_[key] = std::move(record);
  }
  for (auto& [path, value] : parsed.paths) {
    uint64_t offset = 0;
    if (!parse_offset(value, offset)) {
      opaque_[path] = value;
      continue;
    }
    bool covered = false;
    for (const auto& [key, record] : records_) covered = covered || record.path == path;
    if (!covered) paths_[path] = {offset, seen_default};
  }
  return {};
}

std::optional<uint64_t> PositionsFile::find(std::string_view path, int fd,
                                            const FileIdentity& id) const {
  auto it = records_.find(Key{id.dev, id.inode});
  if (it != records_.end() && matches(fd, id, it->second.identity)) {
    // Shorter than the saved place: truncated while nobody watched. Start again.
    return it->second.offset <= id.size ? it->second.offset : 0;
  }
  auto by_path = paths_.find(path);
  if (by_path != paths_.end() && by_path->second.first <= id.size) return by_path->second.first;
  return std::nullopt;
}

void PositionsFile::update(std::string_view path, const FileIdentity& id, uint64_t offset,
                           Clock::time_point now) {
  PositionRecord& record = records_[Key{id.dev, id.inode}];
  record.path = std::string(path);
  record.identity = id;
  record.identity.size = 0;
  record.offset = offset;
  record.seen_unix = unix_seconds(now);
  record.update_seq = next_seq_++;
  if (auto it = paths_.find(path); it != paths_.end()) paths_.erase(it);
}

void PositionsFile::forget(const FileIdentity& id) { records_.erase(Key{id.dev, id.inode}); }

const PositionRecord* PositionsFile::record(const FileIdentity& id) const {
  auto it = records_.find(Key{id.dev, id.inode});
  return it == records_.end() ? nullptr : &it->second;
}

void PositionsFile::prune(Clock::time_point now) {
  int64_t oldest = unix_seconds(now) - options_.retention.count();
  std::erase_if(records_, [&](const auto& item) { return item.second.seen_unix < oldest; });
  std::erase_if(paths_, [&](const auto& item) { return item.second.second < oldest; });
}

std::string PositionsFile::render() const {
  // One record per path in the Promtail view: the most recently updated one (a rotated file's
  // record still names the path its successor now has).
  std::map<std::string_view, const PositionRecord*> latest;
  for (const auto& [key, record] : records_) {
    if (record.path.empty()) continue;
    const PositionRecord*& slot = latest[record.path];
    if (slot == nullptr || slot->update_seq < record.update_seq) slot = &record;
  }
  std::vector<std::pair<std::string, std::string>> view;
  for (const auto& [path, record] : latest) {
    view.emplace_back(std::string(path), std::to_string(record->offset));
  }
  for (const auto& [path, value] : paths_) {
    if (!latest.contains(path)) view.emplace_back(path, std::to_string(value.first));
  }
  for (const auto& [path, value] : opaque_) {
    if (!latest.contains(path) && !paths_.contains(path)) view.emplace_back(path, value);
  }
  std::vector<const PositionRecord*> files;
  for (const auto& [key, record] : records_) files.push_back(&record);
  return render_positions_text(view, files);
}

Result<void> PositionsFile::save(Clock::time_point now) {
  prune(now);
  const std::string& filename = options_.filename;
  std::filesystem::path target(filename);
  std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // Built by appending: GCC 12's -Wrestrict misfires on `"." + std::string&&` at -O3.
  std::string temp_name = ".";
  temp_name += target.filename().string();
  temp_name += ".tmp-XXXXXX";
  std::string temp = (dir / temp_name).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return io_error(filename, "create temporary file");
  std::string text = render();
  bool ok = ::fchmod(fd, 0600) == 0 && write_all(fd, text) && ::fsync(fd) == 0;
  Error error = ok ? Error{} : io_error(filename, "write");
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = io_error(filename, "close");
  }
  if (ok && ::rename(temp.c_str(), filename.c_str()) != 0) {
    ok = false;
    error = io_error(filename, "rename");
  }
  if (!ok) {
    ::unlink(temp.c_str());
    return error;
  }
  // The rename is durable only once the directory entry is.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

}  // namespace tailcast::tail
