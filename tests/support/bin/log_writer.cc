// tc_log_writer: a log-writing process for the file-source integration tests. Appends numbered
// lines `<prefix> seq=<n> <padding>` to a file at a steady rate and rotates it the way real
// writers do, so tests can check that every number reaches the sink exactly once. Prints the last
// sequence number written (-1 when none) on stdout when it ends: after --duration-ms, or on
// SIGTERM/SIGINT.
//
//   tc_log_writer --path=FILE [--prefix=P] [--rate=LINES_PER_S] [--duration-ms=MS] [--padding=N]
//                 [--rotate=none|rename|copytruncate] [--every-ms=MS] [--backups=N]
//
// rename: Python's RotatingFileHandler — FILE.(N-1)→FILE.N … FILE→FILE.1, a new FILE; the oldest
// backup is dropped. copytruncate: logrotate's — backups shift the same way, FILE is copied to a
// new FILE.1, then truncated in place while the writer keeps its O_APPEND descriptor.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

struct Options {
  std::string path;
  std::string prefix = "line";
  std::string rotate = "none";
  long rate = 1000;
  long duration_ms = 0;  // 0: until a signal
  long every_ms = 200;
  int backups = 5;
  int padding = 48;
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "tc_log_writer: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

bool parse_flag(std::string_view arg, std::string_view name, std::string& value) {
  if (arg.substr(0, name.size()) != name || arg.size() <= name.size() || arg[name.size()] != '=')
    return false;
  value = std::string(arg.substr(name.size() + 1));
  return true;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    if (parse_flag(arg, "--path", value)) options.path = value;
    else if (parse_flag(arg, "--prefix", value)) options.prefix = value;
    else if (parse_flag(arg, "--rotate", value)) options.rotate = value;
    else if (parse_flag(arg, "--rate", value)) options.rate = std::stol(value);
    else if (parse_flag(arg, "--duration-ms", value)) options.duration_ms = std::stol(value);
    else if (parse_flag(arg, "--every-ms", value)) options.every_ms = std::stol(value);
    else if (parse_flag(arg, "--backups", value)) options.backups = std::stoi(value);
    else if (parse_flag(arg, "--padding", value)) options.padding = std::stoi(value);
    else {
      std::fprintf(stderr, "tc_log_writer: unknown argument %s\n", argv[i]);
      std::exit(2);
    }
  }
  bool known = options.rotate == "none" || options.rotate == "rename" ||
               options.rotate == "copytruncate";
  if (options.path.empty() || !known || options.rate <= 0 || options.backups < 1) {
    std::fprintf(stderr, "tc_log_writer: --path is required; --rotate=none|rename|copytruncate\n");
    std::exit(2);
  }
  return options;
}

int open_log(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail("open " + path);
  return fd;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string backup(const Options& options, int index) {
  return options.path + "." + std::to_string(index);
}

// FILE.(N-1)→FILE.N … FILE.1→FILE.2; the rename over FILE.N drops the oldest.
void shift_backups(const Options& options) {
  for (int i = options.backups - 1; i >= 1; --i) {
    if (::rename(backup(options, i).c_str(), backup(options, i + 1).c_str()) != 0 &&
        errno != ENOENT)
      fail("rename " + backup(options, i));
  }
}

// Copies FILE into a new FILE.1 (its own inode, as logrotate creates it), then truncates FILE.
void copy_then_truncate(const Options& options, int fd) {
  int in = ::open(options.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail("open " + options.path);
  int out = ::open(backup(options, 1).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) fail("create " + backup(options, 1));
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read " + options.path);
    if (n == 0) break;
    write_all(out, std::string_view(buffer, static_cast<size_t>(n)));
  }
  ::close(in);
  ::close(out);
  if (::ftruncate(fd, 0) != 0) fail("ftruncate " + options.path);
}

int rotate(const Options& options, int fd) {
  shift_backups(options);
  if (options.rotate == "copytruncate") {
    copy_then_truncate(options, fd);
    return fd;
  }
  ::close(fd);
  if (::rename(options.path.c_str(), backup(options, 1).c_str()) != 0) fail("rename");
  return open_log(options.path);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto every = std::chrono::milliseconds(options.every_ms);
  auto next_rotation = start + every;
  const std::string padding(static_cast<size_t>(options.padding), 'x');
  int fd = open_log(options.path);
  long long next_seq = 0;
  std::string batch;
  while (!g_stop) {
    auto now = Clock::now();
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - start).count();
    bool last = options.duration_ms > 0 && elapsed >= options.duration_ms * 1000;
    if (last) elapsed = options.duration_ms * 1000;
    // Lines owed by now at the target rate, written in one append so a rotation never cuts one.
    long long due = static_cast<long long>(elapsed) * options.rate / 1000000;
    batch.clear();
    for (; next_seq < due; ++next_seq) {
      batch += options.prefix + " seq=" + std::to_string(next_seq) + " " + padding + "\n";
    }
    if (!batch.empty()) write_all(fd, batch);
    if (last) break;
    if (options.rotate != "none" && now >= next_rotation) {
      fd = rotate(options, fd);
      next_rotation += every;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::close(fd);
  std::printf("%lld\n", next_seq - 1);
  return 0;
}
