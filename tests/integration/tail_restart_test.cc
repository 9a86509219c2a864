// The real tailcast binary restarted under a writing process: kill -9 at random moments, inode
// numbers given to new files, files with identical heads, and damaged positions files. No line may
// be lost; duplicates only where a batch was not acknowledged before the kill.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <random>
#include <sstream>

#include "tests/integration/tail_harness.h"

namespace tailcast {
namespace {

using namespace testing;

TEST(TailRestart, KillNineLoop) {
  TempDir dir;
  fs::create_directories(dir / "logs");
  TailcastUnderTest tailcast(dir, (dir / "logs" / "x.log*").string());
  LogWriter writer(dir, "writer", dir / "logs" / "x.log",
                   {"--prefix=k", "--rate=5000", "--rotate=rename", "--every-ms=1000",
                    "--backups=5"});
  std::mt19937 random(20261123);  // fixed: the same kill moments on every run
  std::uniform_int_distribution<int> alive_ms(100, 1200);
  for (int round = 0; round < 20; ++round) {
    tailcast.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(alive_ms(random)));
    tailcast.kill9();
  }
  tailcast.start();
  std::this_thread::sleep_for(300ms);
  long long last = writer.stop();
  ASSERT_GT(last, 20000);
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"k", last}}, 30s)) << tailcast.log();
  EXPECT_EQ(tailcast.stop(), 0);
  Tally got = tally(tailcast.receiver().entries());
  Losses losses = count_losses(got.seen["k"], last);
  EXPECT_EQ(losses.missing, 0) << "first missing: " << losses.first_missing;
  EXPECT_EQ(got.malformed, 0u);
  // Lines of batches that were sent but not acknowledged in the positions file when the kill came.
  RecordProperty("duplicates", std::to_string(losses.duplicates));
  std::cout << "KillNineLoop: " << last + 1 << " lines, " << losses.duplicates
            << " duplicates after 20 kills\n";
}

std::string numbered(const std::string& prefix, int from, int to) {
  std::string text;
  for (int n = from; n < to; ++n) {
    text += prefix + " seq=" + std::to_string(n) + " " + std::string(kWriterPadding, 'x') + "\n";
  }
  return text;
}

void overwrite(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

uint64_t inode_of(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

// Creates files beside `path` until one gets `inode`, fills it with `content` and renames it to
// `path`. False when the file system never gave the number back.
bool recreate_with_inode(const fs::path& path, uint64_t inode, const std::string& content) {
  std::vector<fs::path> misses;
  bool found = false;
  for (int attempt = 0; attempt < 2000 && !found; ++attempt) {
    fs::path probe = path.string() + ".probe" + std::to_string(attempt);
    int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) break;
    ::close(fd);
    if (inode_of(probe) == inode) {
      overwrite(probe, content);
      fs::rename(probe, path);
      found = true;
    } else {
      misses.push_back(probe);
    }
  }
  for (const auto& miss : misses) fs::remove(miss);
  return found;
}

TEST(TailRestart, InodeReuseReadsTheNewFileFromItsStart) {
  TempDir dir;
  fs::create_directories(dir / "logs");
  const fs::path file = dir / "logs" / "a.log";
  TailcastUnderTest tailcast(dir, (dir / "logs" / "*.log").string());
  tailcast.start();
  dir.write("logs/a.log", numbered("a", 0, 100));
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"a", 99}}, 10s)) << tailcast.log();

  // While running: a.log is deleted, closed, and its inode comes back with other content.
  uint64_t inode = inode_of(file);
  fs::remove(file);
  ASSERT_TRUE(wait_until([&] { return !tailcast.holds_open("a.log"); }, 10s)) << tailcast.log();
  if (!recreate_with_inode(file, inode, numbered("b", 0, 150))) {
    GTEST_SKIP() << "this file system did not reuse inode " << inode << " within 2000 files";
  }
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"b", 149}}, 10s)) << tailcast.log();

  // Across a restart: the positions file holds b's place at this inode; c reuses it, longer.
  ASSERT_EQ(tailcast.stop(), 0);
  fs::remove(file);
  ASSERT_TRUE(recreate_with_inode(file, inode, numbered("c", 0, 200)));
  tailcast.start();
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"c", 199}}, 10s)) << tailcast.log();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(tailcast.stop(), 0);
  Tally got = tally(tailcast.receiver().entries());
  EXPECT_EQ(count_losses(got.seen["a"], 99).duplicates, 0);
  EXPECT_EQ(count_losses(got.seen["b"], 149).duplicates, 0);
  EXPECT_EQ(count_losses(got.seen["c"], 199).duplicates, 0);
}

TEST(TailRestart, IdenticalHeadsAreReadCompletelyAndSeparately) {
  TempDir dir;
  TailcastUnderTest tailcast(dir, (dir / "logs" / "*.log").string());
  const std::string head = numbered("h", 0, 30);  // 30 × 60 bytes: the first KiB and more
  dir.write("logs/one.log", head + numbered("one", 0, 50));
  dir.write("logs/two.log", head + numbered("two", 0, 70));
  tailcast.start();
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"one", 49}, {"two", 69}}, 10s)) << tailcast.log();
  ASSERT_EQ(tailcast.stop(), 0);
  dir.write("logs/one.log", numbered("one", 50, 80), true);
  dir.write("logs/two.log", numbered("two", 70, 90), true);
  tailcast.start();
  ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"one", 79}, {"two", 89}}, 10s)) << tailcast.log();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(tailcast.stop(), 0);
  Tally got = tally(tailcast.receiver().entries(), true);
  for (const auto& [key, last] : std::map<std::string, long long>{
           {"one.log/h", 29}, {"two.log/h", 29}, {"one.log/one", 79}, {"two.log/two", 89}}) {
    Losses losses = count_losses(got.seen[key], last);
    EXPECT_EQ(losses.missing, 0) << key;
    EXPECT_EQ(losses.duplicates, 0) << key;
  }
  EXPECT_EQ(got.seen.size(), 4u);
}

// The positions text without any line naming b.log.
std::string without_b(const std::string& text, std::string* b_record) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find("b.log") == std::string::npos) {
      out += line + "\n";
    } else if (line.find("inode:") != std::string::npos) {
      *b_record = line;
    }
  }
  return out;
}

// Ways a positions file that named a.log and b.log gets damaged; a's entries survive each.
std::string damage(const std::string& how, const std::string& text) {
  std::string b_record;
  std::string kept = without_b(text, &b_record);
  if (how == "torn write") return kept + b_record.substr(0, b_record.size() / 2);
  if (how == "NUL-filled") return kept + std::string(4096, '\0');
  // Wrong types: a sequence where a path belongs, words where numbers do, a scalar section.
  return kept + "  - {path: [1, 2], dev: abc, inode: {x: 1}, fingerprint: 12, offset: -5}\n" +
         "files: not-a-list\npositions: 7\n";
}

TEST(TailRestart, CorruptPositionsFile) {
  for (std::string how : {"torn write", "NUL-filled", "wrong types"}) {
    SCOPED_TRACE(how);
    TempDir dir;
    TailcastUnderTest tailcast(dir, (dir / "logs" / "*.log").string(),
                               "  ignore_invalid_yaml: true\n");
    dir.write("logs/a.log", numbered("a", 0, 40));
    dir.write("logs/b.log", numbered("b", 0, 40));
    tailcast.start();
    ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"a", 39}, {"b", 39}}, 10s)) << tailcast.log();
    ASSERT_EQ(tailcast.stop(), 0);
    std::string saved = read_file(tailcast.positions());
    ASSERT_NE(saved.find("a.log"), std::string::npos) << saved;
    overwrite(tailcast.positions(), damage(how, saved));
    dir.write("logs/a.log", numbered("a", 40, 60), true);
    dir.write("logs/b.log", numbered("b", 40, 60), true);

    tailcast.start();
    ASSERT_TRUE(wait_for_all(tailcast.receiver(), {{"a", 59}, {"b", 59}}, 10s)) << tailcast.log();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(tailcast.stop(), 0);
    EXPECT_NE(tailcast.log().find("Positions file has lines that could not be read"),
              std::string::npos)
        << tailcast.log();
    Tally got = tally(tailcast.receiver().entries());
    // a resumed from its surviving record; b, whose record was lost, was read again from 0.
    EXPECT_EQ(count_losses(got.seen["a"], 59).duplicates, 0);
    EXPECT_EQ(count_losses(got.seen["b"], 59).duplicates, 40);
  }
}

}  // namespace
}  // namespace tailcast
