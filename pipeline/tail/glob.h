// Doublestar globs for `__path__` / `__path_exclude__`: matching a path against a pattern, and
// walking the file system to find the files a set of patterns names (the tailer's discovery).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace tailcast::tail {

// A compiled pattern. Supports `*` and `?` (never crossing '/'), `[a-z]` / `[!a-z]` / `[^a-z]`
// classes, `\` escapes, `{a,b}` alternatives (nested, may contain '/') and `**` as a whole path
// segment, matching zero or more directories. Like Go's doublestar, `*` also matches names that
// start with a dot. Immutable once compiled; safe to share between threads.
class Glob {
 public:
  static Result<Glob> compile(std::string_view pattern);

  bool matches(std::string_view path) const noexcept;
  const std::string& pattern() const noexcept { return pattern_; }

 private:
  friend class GlobWalker;

  struct Alternative {
    bool absolute = false;
    std::vector<std::string> segments;  // no empty segments
  };

  std::string pattern_;
  std::vector<Alternative> alternatives_;  // one per brace expansion
};

// Matches one path segment (no '/') against a segment pattern without braces or `**`.
bool match_segment(std::string_view pattern, std::string_view name) noexcept;

// What one scan of the file system found.
struct GlobScan {
  std::vector<std::string> files;  // regular files (after following symlinks), sorted, unique
  std::vector<std::string> dirs;   // directories whose changes can change `files`, sorted, unique
};

// Finds the regular files that match any of `include` and none of `exclude`. Paths are spelled as
// the patterns spell them, through symlinks (a `session_latest` link stays in the path); `**`
// follows symlinked directories but never loops. Unreadable directories are skipped silently: they
// may appear later and the next scan will see them.
GlobScan scan_globs(const std::vector<Glob>& include, const std::vector<Glob>& exclude);

}  // namespace tailcast::tail
