// Doublestar matching and discovery over real directories.
#include "pipeline/tail/glob.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace tailcast::tail {
namespace {

Glob compile(std::string_view pattern) {
  Result<Glob> glob = Glob::compile(pattern);
  EXPECT_TRUE(glob.has_value()) << pattern;
  return glob ? std::move(*glob) : *Glob::compile("/nothing");
}

bool match(std::string_view pattern, std::string_view path) {
  return compile(pattern).matches(path);
}

std::vector<std::string> relative(const testing::TempDir& dir, const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& path : v) {
    out.push_back(std::filesystem::path(path).lexically_relative(dir.path()).string());
  }
  return out;
}

TEST(Glob, StarAndQuestionMarkStayWithinOneSegment) {
  EXPECT_TRUE(match("/var/log/*.log", "/var/log/app.log"));
  EXPECT_FALSE(match("/var/log/*.log", "/var/log/sub/app.log"));
  EXPECT_TRUE(match("/var/log/app?.log", "/var/log/app1.log"));
  EXPECT_FALSE(match("/var/log/app?.log", "/var/log/app.log"));
  EXPECT_TRUE(match("/var/log/*", "/var/log/.hidden"));     // like Go's doublestar
  EXPECT_TRUE(match("/a/caf?.log", "/a/caf\xC3\xA9.log"));  // '?' is one character, not one byte
}

TEST(Glob, DoubleStarMatchesZeroOrMoreDirectories) {
  EXPECT_TRUE(match("/logs/**/*.log", "/logs/a.log"));
  EXPECT_TRUE(match("/logs/**/*.log", "/logs/x/y/z/a.log"));
  EXPECT_FALSE(match("/logs/**/*.log", "/other/a.log"));
  EXPECT_TRUE(match("/logs/**", "/logs/x/y"));
  EXPECT_TRUE(match("/logs/**/serve/*.log", "/logs/session/serve/replica.log"));
  EXPECT_FALSE(match("/logs/**/serve/*.log", "/logs/session/serve/x/replica.log"));
}

TEST(Glob, ClassesRangesAndNegation) {
  EXPECT_TRUE(match("/l/worker-[0-9a-f]*.out", "/l/worker-3fa.out"));
  EXPECT_FALSE(match("/l/worker-[0-9a-f]*.out", "/l/worker-zz.out"));
  EXPECT_TRUE(match("/l/[!a]pp.log", "/l/bpp.log"));
  EXPECT_FALSE(match("/l/[!a]pp.log", "/l/app.log"));
  EXPECT_TRUE(match("/l/[^a]pp.log", "/l/bpp.log"));
  EXPECT_TRUE(match("/l/[]]x", "/l/]x"));
  EXPECT_TRUE(match("/l/a\\*b", "/l/a*b"));
  EXPECT_FALSE(match("/l/a\\*b", "/l/axb"));
}

TEST(Glob, BracesAreAlternativesAndMayNestOrSpanDirectories) {
  EXPECT_TRUE(match("/l/*.{out,err}", "/l/w.out"));
  EXPECT_TRUE(match("/l/*.{out,err}", "/l/w.err"));
  EXPECT_FALSE(match("/l/*.{out,err}", "/l/w.log"));
  EXPECT_TRUE(match("/l/{a/b,c}/x.log", "/l/a/b/x.log"));
  EXPECT_TRUE(match("/l/{a,b{1,2}}.log", "/l/b2.log"));
  EXPECT_FALSE(match("/l/{a,b{1,2}}.log", "/l/b3.log"));
}

TEST(Glob, MalformedPatternsAreErrors) {
  EXPECT_FALSE(Glob::compile("/l/{a,b").has_value());
  EXPECT_FALSE(Glob::compile("/l/[abc").has_value());
  EXPECT_FALSE(Glob::compile("/l/abc\\").has_value());
}

TEST(GlobScan, FindsFilesThroughDoubleStarAndLeavesOutExcludes) {
  testing::TempDir dir;
  dir.write("logs/a.log", "");
  dir.write("logs/x/b.log", "");
  dir.write("logs/x/y/c.log", "");
  dir.write("logs/x/y/c.txt", "");
  dir.write("logs/x/y/skip.log", "");
  GlobScan scan = scan_globs({compile((dir / "logs/**/*.log").string())},
                             {compile((dir / "**/skip.log").string())});
  EXPECT_EQ(relative(dir, scan.files),
            (std::vector<std::string>{"logs/a.log", "logs/x/b.log", "logs/x/y/c.log"}));
  // Every directory whose content decides the result is reported for watching.
  EXPECT_EQ(relative(dir, scan.dirs), (std::vector<std::string>{"logs", "logs/x", "logs/x/y"}));
}

TEST(GlobScan, FollowsASymlinkedDirectoryAndKeepsTheLinkInThePath) {
  testing::TempDir dir;
  dir.write("session_2024/logs/serve/replica_1.log", "");
  dir.write("session_2024/logs/raylet.out", "");
  std::filesystem::create_directory_symlink(dir / "session_2024", dir / "session_latest");
  GlobScan scan = scan_globs({compile((dir / "session_latest/logs/**/*.{log,out}").string())}, {});
  EXPECT_EQ(relative(dir, scan.files),
            (std::vector<std::string>{"session_latest/logs/raylet.out",
                                      "session_latest/logs/serve/replica_1.log"}));
}

TEST(GlobScan, SymlinkLoopsEndTheWalk) {
  testing::TempDir dir;
  dir.write("d/a.log", "");
  std::filesystem::create_directory_symlink(dir / "d", dir / "d/loop");
  GlobScan scan = scan_globs({compile((dir / "**/*.log").string())}, {});
  EXPECT_EQ(relative(dir, scan.files), (std::vector<std::string>{"d/a.log"}));
}

TEST(GlobScan, MissingPrefixWatchesTheDeepestExistingDirectory) {
  testing::TempDir dir;
  GlobScan scan = scan_globs({compile((dir / "not/yet/*.log").string())}, {});
  EXPECT_TRUE(scan.files.empty());
  ASSERT_EQ(scan.dirs.size(), 1u);
  EXPECT_EQ(scan.dirs[0], dir.path().string());
}

TEST(GlobScan, LiteralPathMatchesOnlyThatFile) {
  testing::TempDir dir;
  dir.write("app.log", "");
  dir.write("app.log.1", "");
  GlobScan scan = scan_globs({compile((dir / "app.log").string())}, {});
  EXPECT_EQ(relative(dir, scan.files), (std::vector<std::string>{"app.log"}));
}

}  // namespace
}  // namespace tailcast::tail
