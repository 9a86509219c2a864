// The positions file: round trip, Promtail's format, damaged files, atomic writes, pruning.
#include "pipeline/tail/positions.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

#include "tests/support/temp_dir.h"

namespace tailcast::tail {
namespace {

using namespace std::chrono_literals;

// An open file and its identity, closed at the end of the test.
struct OpenFile {
  explicit OpenFile(const std::filesystem::path& path)
      : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    EXPECT_GE(fd, 0) << path;
    Result<FileIdentity> identified = identify(fd);
    EXPECT_TRUE(identified.has_value());
    if (identified) id = *identified;
  }
  ~OpenFile() { ::close(fd); }
  int fd;
  FileIdentity id;
};

std::unique_ptr<PositionsFile> open_positions(const std::filesystem::path& path,
                                              bool ignore_invalid = false) {
  Result<std::unique_ptr<PositionsFile>> file =
      PositionsFile::open(PositionsOptions{path.string(), ignore_invalid});
  EXPECT_TRUE(file.has_value()) << (file ? "" : file.error().message);
  return file ? std::move(*file) : nullptr;
}

TEST(PositionsFile, MissingFileIsAnEmptyStore) {
  testing::TempDir dir;
  auto positions = open_positions(dir / "positions.yaml");
  ASSERT_NE(positions, nullptr);
  EXPECT_EQ(positions->size(), 0u);
}

TEST(PositionsFile, IdentityRecordsSurviveARoundTripAndFollowRenames) {
  testing::TempDir dir;
  dir.write("app.log", "first line\nsecond line\n");
  {
    OpenFile file(dir / "app.log");
    auto positions = open_positions(dir / "positions.yaml");
    positions->update((dir / "app.log").string(), file.id, 11);
    ASSERT_TRUE(positions->save().has_value());
  }
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  dir.write("app.log", "a new file that is long enough\n");
  auto positions = open_positions(dir / "positions.yaml");
  ASSERT_NE(positions, nullptr);
  OpenFile renamed(dir / "app.log.1");
  EXPECT_EQ(positions->find((dir / "app.log.1").string(), renamed.fd, renamed.id), 11u);
  // The path is only an attribute: the new file at the old path is not the saved one.
  OpenFile fresh(dir / "app.log");
  EXPECT_EQ(positions->find((dir / "app.log").string(), fresh.fd, fresh.id), std::nullopt);
}

TEST(PositionsFile, WritesPromtailsViewBesideTheIdentityRecords) {
  testing::TempDir dir;
  dir.write("x.log", "hello\n");
  OpenFile file(dir / "x.log");
  auto positions = open_positions(dir / "positions.yaml");
  positions->update("/var/log/x \"quoted\".log", file.id, 6);
  std::string text = positions->render();
  EXPECT_NE(text.find("positions:\n  \"/var/log/x \\\"quoted\\\".log\": \"6\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("files:\n  - {path: \"/var/log/x \\\"quoted\\\".log\", dev: "),
            std::string::npos)
      << text;
}

TEST(PositionsFile, WrittenFileIsYamlThatAnotherParserReads) {
  testing::TempDir dir;
  dir.write("x.log", "hello\n");
  OpenFile file(dir / "x.log");
  PositionsFile positions(PositionsOptions{(dir / "p.yaml").string()});
  std::string path = "/var/log/odd: name #1 \\ 'q' \t.log";
  positions.update(path, file.id, 6);
  YAML::Node root = YAML::Load(positions.render());
  EXPECT_EQ(root["positions"][path].as<std::string>(), "6");
  ASSERT_EQ(root["files"].size(), 1u);
  EXPECT_EQ(root["files"][0]["path"].as<std::string>(), path);
  EXPECT_EQ(root["files"][0]["inode"].as<uint64_t>(), file.id.inode);
  EXPECT_EQ(root["files"][0]["offset"].as<uint64_t>(), 6u);
}

TEST(PositionsFile, PromtailFileIsHonouredByPathWhenTheFileIsLongEnough) {
  testing::TempDir dir;
  dir.write("long.log", "0123456789\n");
  dir.write("short.log", "012\n");
  std::string long_path = (dir / "long.log").string();
  std::string short_path = (dir / "short.log").string();
  dir.write("positions.yaml", "positions:\n  " + long_path + ": \"5\"\n  '" + short_path +
                                  "': \"9\"\n  journal-abc: \"s=cursor;i=1\"\n");
  auto positions = open_positions(dir / "positions.yaml");
  ASSERT_NE(positions, nullptr);
  OpenFile long_file(long_path);
  OpenFile short_file(short_path);
  EXPECT_EQ(positions->find(long_path, long_file.fd, long_file.id), 5u);
  // Shorter than the saved offset: Promtail starts such a file again; so do we.
  EXPECT_EQ(positions->find(short_path, short_file.fd, short_file.id), std::nullopt);
  // Once identified, the entry becomes an identity record; cursors of other sources are kept.
  positions->update(long_path, long_file.id, 8);
  std::string text = positions->render();
  EXPECT_NE(text.find("\"" + long_path + "\": \"8\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"journal-abc\": \"s=cursor;i=1\""), std::string::npos) << text;
}

TEST(PositionsFile, IdentityMatchOnATruncatedFileStartsAtZero) {
  testing::TempDir dir;
  dir.write("app.log", "0123456789\n");
  OpenFile file(dir / "app.log");
  PositionsFile positions(PositionsOptions{(dir / "p.yaml").string()});
  positions.update("app.log", file.id, 11);
  FileIdentity shrunk = file.id;
  shrunk.size = 4;
  EXPECT_EQ(positions.find("app.log", file.fd, shrunk), 0u);
}

TEST(PositionsFile, ReusedInodeWithOtherContentDoesNotMatch) {
  testing::TempDir dir;
  dir.write("app.log", "original content\n");
  OpenFile file(dir / "app.log");
  PositionsFile positions(PositionsOptions{(dir / "p.yaml").string()});
  FileIdentity saved = file.id;
  saved.fingerprint ^= 1;  // as if another file had had this inode
  positions.update("app.log", saved, 9);
  EXPECT_EQ(positions.find("other.log", file.fd, file.id), std::nullopt);
}

TEST(PositionsFile, CorruptFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  dir.write("positions.yaml", "positions:\n  /a.log: \"12\"\n  /b.log: \"3");  // torn write
  Result<std::unique_ptr<PositionsFile>> opened =
      PositionsFile::open(PositionsOptions{(dir / "positions.yaml").string()});
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find((dir / "positions.yaml").string() + ":3"),
            std::string::npos)
      << opened.error().message;
}

TEST(PositionsFile, IgnoreInvalidYamlKeepsWhatIsReadable) {
  testing::TempDir dir;
  dir.write("a.log", "0123456789\n");
  std::string a = (dir / "a.log").string();
  dir.write("positions.yaml", "positions:\n  " + a + ": \"7\"\n  /b.log: \"3\n{{{ garbage\n" +
                                  std::string(64, '\0') + "\n");
  auto positions = open_positions(dir / "positions.yaml", true);
  ASSERT_NE(positions, nullptr);
  EXPECT_EQ(positions->skipped_lines(), 3u);
  OpenFile file(a);
  EXPECT_EQ(positions->find(a, file.fd, file.id), 7u);
}

TEST(PositionsFile, NulFilledFileIsHandledEitherWay) {
  testing::TempDir dir;
  dir.write("positions.yaml", std::string(4096, '\0'));
  Result<std::unique_ptr<PositionsFile>> strict =
      PositionsFile::open(PositionsOptions{(dir / "positions.yaml").string()});
  EXPECT_FALSE(strict.has_value());
  auto lenient = open_positions(dir / "positions.yaml", true);
  ASSERT_NE(lenient, nullptr);
  EXPECT_EQ(lenient->size(), 0u);
}

TEST(PositionsFile, SaveIsAtomicAndPrivate) {
  testing::TempDir dir;
  dir.write("app.log", "x\n");
  OpenFile file(dir / "app.log");
  std::filesystem::path path = dir / "state" / "positions.yaml";
  PositionsFile positions(PositionsOptions{path.string()});
  positions.update("app.log", file.id, 2);
  ASSERT_TRUE(positions.save().has_value());
  positions.update("app.log", file.id, 2);
  ASSERT_TRUE(positions.save().has_value());
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "state")) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "positions.yaml");  // no temporary file left behind
  }
  EXPECT_EQ(entries, 1u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(testing::read_file(path), positions.render());
}

TEST(PositionsFile, SaveFailureIsAnErrorAndLeavesNoTemporaryFile) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir / "positions.yaml");  // rename onto a directory fails
  PositionsFile positions(PositionsOptions{(dir / "positions.yaml").string()});
  Result<void> saved = positions.save();
  ASSERT_FALSE(saved.has_value());
  EXPECT_NE(saved.error().message.find("positions.yaml"), std::string::npos);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST(PositionsFile, EntriesNotSeenForTheRetentionArePruned) {
  testing::TempDir dir;
  dir.write("old.log", "old\n");
  dir.write("new.log", "new\n");
  OpenFile old_file(dir / "old.log");
  OpenFile new_file(dir / "new.log");
  PositionsFile positions(PositionsOptions{(dir / "p.yaml").string(), false, 1h});
  auto now = PositionsFile::Clock::now();
  positions.update("old.log", old_file.id, 4, now - 2h);
  positions.update("new.log", new_file.id, 4, now - 10min);
  ASSERT_TRUE(positions.save(now).has_value());
  EXPECT_EQ(positions.record(old_file.id), nullptr);
  ASSERT_NE(positions.record(new_file.id), nullptr);
  auto reread = open_positions(dir / "p.yaml");
  EXPECT_EQ(reread->size(), 1u);
}

}  // namespace
}  // namespace tailcast::tail
