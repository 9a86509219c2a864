// The real tailcast binary following files that a real writer process rotates while writing:
// rename rotation at 20,000 lines/s, copytruncate, and a `session_latest` symlink re-pointed to new
// Ray sessions. Every numbered line must reach the Loki receiver exactly once.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/integration/tail_harness.h"

namespace tailcast {
namespace {

using namespace testing;

TEST(TailRotation, RenameRotationStorm) {
  TempDir dir;
  fs::create_directories(dir / "logs");
  TailcastUnderTest tailcast(dir, (dir / "logs" / "x.log*").string());
  tailcast.start();
  ASSERT_TRUE(tailcast.wait_ready()) << tailcast.log();
  // 4,000 lines (~340 KB) per file; a file is dropped 6 rotations (1.2 s) after it was created, so
  // the test relies on tailcast opening each new x.log within that time (it does so within
  // milliseconds, on inotify's IN_CREATE); a file it holds open stays readable after the drop.
  LogWriter writer(dir, "writer", dir / "logs" / "x.log",
                   {"--prefix=r", "--rate=20000", "--rotate=rename", "--every-ms=200",
                    "--backups=5", "--duration-ms=10000"});
  long long last = writer.finish();
  ASSERT_GE(last, 190000) << "the writer kept its rate";
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"r", last}}, 30s)) << tailcast.log();
  EXPECT_EQ(tailcast.stop(), 0);
  Tally got = tally(tailcast.receiver().entries());
  Losses losses = count_losses(got.seen["r"], last);
  EXPECT_EQ(losses.missing, 0) << "first missing: " << losses.first_missing;
  EXPECT_EQ(losses.duplicates, 0);
  EXPECT_EQ(got.malformed, 0u);
}

// The numbers in the files that exist now.
std::set<long long> numbers_on_disk(const fs::path& logs) {
  std::set<long long> out;
  for (const auto& item : fs::directory_iterator(logs)) {
    std::ifstream in(item.path());
    for (std::string line; std::getline(in, line);) {
      size_t at = line.find(" seq=");
      if (at != std::string::npos) out.insert(std::stoll(line.substr(at + 5)));
    }
  }
  return out;
}

TEST(TailRotation, CopytruncateEveryHalfSecond) {
  TempDir dir;
  fs::create_directories(dir / "logs");
  TailcastUnderTest tailcast(dir, (dir / "logs" / "x.log*").string());
  tailcast.start();
  ASSERT_TRUE(tailcast.wait_ready()) << tailcast.log();
  // Five rotations and five backups: no copy is dropped, so every number is still on disk at the
  // end and must arrive once — from x.log, or from the copy (x.log.1, matched by the glob too)
  // when the truncation came before tailcast read it, but never from both.
  LogWriter writer(dir, "writer", dir / "logs" / "x.log",
                   {"--prefix=c", "--rate=5000", "--rotate=copytruncate", "--every-ms=500",
                    "--backups=5", "--duration-ms=2700"});
  long long last = writer.finish();
  ASSERT_GE(last, 10000);
  std::set<long long> on_disk = numbers_on_disk(dir / "logs");
  ASSERT_EQ(on_disk.size(), static_cast<size_t>(last + 1)) << "the writer itself lost lines";
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"c", last}}, 20s)) << tailcast.log();
  std::this_thread::sleep_for(500ms);  // a copy read twice would show up by now
  EXPECT_EQ(tailcast.stop(), 0);
  Tally got = tally(tailcast.receiver().entries());
  Losses losses = count_losses(got.seen["c"], last);
  EXPECT_EQ(losses.missing, 0) << "first missing: " << losses.first_missing;
  EXPECT_EQ(losses.duplicates, 0);
  EXPECT_EQ(got.malformed, 0u);
}

// Points `link` at `target` atomically, as Ray does with session_latest.
void repoint(const fs::path& link, const fs::path& target) {
  fs::path temporary = link.string() + ".new";
  fs::create_directory_symlink(target, temporary);
  fs::rename(temporary, link);
}

TEST(TailRotation, SessionLatestRepointedThreeTimes) {
  TempDir dir;
  auto logs = [&](int session) { return dir / ("session_" + std::to_string(session)) / "logs"; };
  fs::create_directories(logs(1));
  repoint(dir / "session_latest", dir / "session_1");
  TailcastUnderTest tailcast(dir, (dir / "session_latest" / "logs" / "*.log").string());
  tailcast.start();
  ASSERT_TRUE(tailcast.wait_ready()) << tailcast.log();

  std::map<std::string, long long> last;
  auto writer = std::make_unique<LogWriter>(dir, "writer1", logs(1) / "serve.log",
                                            std::vector<std::string>{"--prefix=s1", "--rate=2000"});
  for (int session = 2; session <= 4; ++session) {
    std::this_thread::sleep_for(500ms);
    // The next session starts writing before the link moves, the old one stops before: the link
    // never names a directory whose writer is still adding to a file the glob no longer reaches.
    fs::create_directories(logs(session));
    auto next = std::make_unique<LogWriter>(
        dir, "writer" + std::to_string(session), logs(session) / "serve.log",
        std::vector<std::string>{"--prefix=s" + std::to_string(session), "--rate=2000"});
    last["s" + std::to_string(session - 1)] = writer->stop();
    writer = std::move(next);
    repoint(dir / "session_latest", dir / ("session_" + std::to_string(session)));
    // The periodic rescan is 10 s away: only watching the link's directory finds the new session.
    std::string prefix = "s" + std::to_string(session);
    auto started = [&] { return !tally(tailcast.receiver().entries()).seen[prefix].empty(); };
    EXPECT_TRUE(wait_until(started, 3s))
        << "session " << session << " not found within 3 s of the re-point\n" << tailcast.log();
  }
  std::this_thread::sleep_for(500ms);
  last["s4"] = writer->stop();
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), last, 20s)) << tailcast.log();
  // Drained, then released: no descriptor on an earlier session's file stays open.
  for (int session = 1; session <= 3; ++session) {
    std::string dir_name = "session_" + std::to_string(session) + "/";
    EXPECT_TRUE(wait_until([&] { return !tailcast.holds_open(dir_name); }, 5s)) << dir_name;
  }
  EXPECT_TRUE(tailcast.holds_open("session_4/logs/serve.log"));
  EXPECT_EQ(tailcast.stop(), 0);
  Tally got = tally(tailcast.receiver().entries());
  for (const auto& [prefix, n] : last) {
    ASSERT_GE(n, 0) << prefix;
    Losses losses = count_losses(got.seen[prefix], n);
    EXPECT_EQ(losses.missing, 0) << prefix << " first missing: " << losses.first_missing;
    EXPECT_EQ(losses.duplicates, 0) << prefix;
  }
  EXPECT_EQ(got.malformed, 0u);
}

}  // namespace
}  // namespace tailcast
