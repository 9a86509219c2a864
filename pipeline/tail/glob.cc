// Doublestar matching and the directory walk behind file discovery. Braces are expanded once at
// compile time, so matching and walking only ever see `*`, `?`, classes, escapes and `**`.
#include "pipeline/tail/glob.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace tailcast::tail {
namespace {

constexpr size_t kMaxAlternatives = 4096;  // a brace bomb is a config error, not a walk
constexpr size_t kMaxDepth = 64;           // `**` below this is a loop or a mistake

// Index of the '}' closing the '{' at `open`, or npos. Skips escapes and classes.
size_t closing_brace(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

size_t first_open_brace(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '{') {
      return i;
    }
  }
  return std::string_view::npos;
}

Result<void> expand_braces(std::string_view s, std::vector<std::string>& out) {
  size_t open = first_open_brace(s);
  if (open == std::string_view::npos) {
    if (out.size() >= kMaxAlternatives) {
      return make_error(Errc::kInvalidConfig, "too many brace alternatives");
    }
    out.emplace_back(s);
    return {};
  }
  size_t close = closing_brace(s, open);
  if (close == std::string_view::npos) return make_error(Errc::kInvalidConfig, "unclosed '{'");
  std::string_view prefix = s.substr(0, open);
  std::string_view body = s.substr(open + 1, close - open - 1);
  std::string_view suffix = s.substr(close + 1);
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size() && body[i] == '\\') {
      ++i;
      continue;
    }
    if (i < body.size() && body[i] == '{') ++depth;
    if (i < body.size() && body[i] == '}') --depth;
    if (i == body.size() || (body[i] == ',' && depth == 0)) {
      std::string candidate(prefix);
      candidate.append(body.substr(start, i - start)).append(suffix);
      if (auto r = expand_braces(candidate, out); !r) return r;
      start = i + 1;
    }
  }
  return {};
}

// Checks classes and escapes of one segment so matching never meets a malformed pattern.
Result<void> validate_segment(std::string_view seg) {
  for (size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == '\\') {
      if (++i == seg.size()) return make_error(Errc::kInvalidConfig, "trailing '\\'");
    } else if (seg[i] == '[') {
      size_t j = i + 1;
      if (j < seg.size() && (seg[j] == '!' || seg[j] == '^')) ++j;
      bool first = true;
      while (j < seg.size() && (seg[j] != ']' || first)) {
        if (seg[j] == '\\') ++j;
        ++j;
        first = false;
      }
      if (j >= seg.size()) return make_error(Errc::kInvalidConfig, "unclosed '['");
      i = j;
    }
  }
  return {};
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > i) parts.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return parts;
}

size_t utf8_length(std::string_view s, size_t at) noexcept {
  size_t n = 1;
  while (at + n < s.size() && (static_cast<unsigned char>(s[at + n]) & 0xC0) == 0x80) ++n;
  return n;
}

// `p` points at '['; on return it points past the closing ']'.
bool class_matches(std::string_view pat, size_t& p, unsigned char c) noexcept {
  ++p;
  bool negate = p < pat.size() && (pat[p] == '!' || pat[p] == '^');
  if (negate) ++p;
  bool matched = false;
  bool first = true;
  while (p < pat.size() && (pat[p] != ']' || first)) {
    if (pat[p] == '\\' && p + 1 < pat.size()) ++p;
    auto lo = static_cast<unsigned char>(pat[p++]);
    auto hi = lo;
    if (p + 1 < pat.size() && pat[p] == '-' && pat[p + 1] != ']') {
      ++p;
      if (pat[p] == '\\' && p + 1 < pat.size()) ++p;
      hi = static_cast<unsigned char>(pat[p++]);
    }
    if (lo <= c && c <= hi) matched = true;
    first = false;
  }
  ++p;
  return matched != negate;
}

bool has_meta(std::string_view seg) { return seg.find_first_of("*?[\\") != std::string_view::npos; }

bool match_segments(const std::vector<std::string>& pats,
                    const std::vector<std::string_view>& names) noexcept {
  size_t i = 0;
  size_t j = 0;
  size_t star_i = std::string::npos;
  size_t star_j = 0;
  while (j < names.size()) {
    if (i < pats.size() && pats[i] == "**") {
      star_i = ++i;
      star_j = j;
      continue;
    }
    if (i < pats.size() && match_segment(pats[i], names[j])) {
      ++i;
      ++j;
      continue;
    }
    if (star_i == std::string::npos) return false;
    i = star_i;
    j = ++star_j;
  }
  while (i < pats.size() && pats[i] == "**") ++i;
  return i == pats.size();
}

std::string child_path(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out = dir;
  if (out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

bool match_segment(std::string_view pat, std::string_view name) noexcept {
  size_t p = 0;
  size_t n = 0;
  size_t star_p = std::string_view::npos;
  size_t star_n = 0;
  while (n < name.size()) {
    if (p < pat.size()) {
      char c = pat[p];
      if (c == '*') {
        star_p = ++p;
        star_n = n;
        continue;
      }
      if (c == '?') {
        n += utf8_length(name, n);
        ++p;
        continue;
      }
      if (c == '[') {
        size_t q = p;
        if (class_matches(pat, q, static_cast<unsigned char>(name[n]))) {
          p = q;
          ++n;
          continue;
        }
      } else if (c == '\\' && p + 1 < pat.size()) {
        if (pat[p + 1] == name[n]) {
          p += 2;
          ++n;
          continue;
        }
      } else if (c == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    n = ++star_n;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

Result<Glob> Glob::compile(std::string_view pattern) {
  Glob glob;
  glob.pattern_ = std::string(pattern);
  std::vector<std::string> expanded;
  if (auto r = expand_braces(pattern, expanded); !r) {
    return make_error(Errc::kInvalidConfig, "glob \"" + glob.pattern_ + "\": " + r.error().message);
  }
  for (const std::string& text : expanded) {
    Alternative alt;
    alt.absolute = !text.empty() && text.front() == '/';
    for (std::string_view seg : split_path(text)) {
      if (auto r = validate_segment(seg); !r) {
        return make_error(Errc::kInvalidConfig,
                          "glob \"" + glob.pattern_ + "\": " + r.error().message);
      }
      // `a/**/**/b` means the same as `a/**/b`; collapsing keeps the walk linear.
      if (seg == "**" && !alt.segments.empty() && alt.segments.back() == "**") continue;
      alt.segments.emplace_back(seg);
    }
    glob.alternatives_.push_back(std::move(alt));
  }
  return glob;
}

bool Glob::matches(std::string_view path) const noexcept {
  bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string_view> names = split_path(path);
  for (const Alternative& alt : alternatives_) {
    if (alt.absolute == absolute && match_segments(alt.segments, names)) return true;
  }
  return false;
}

// One walk over one brace alternative. Directories on the current `**` descent are remembered by
// (dev, inode) so a symlink pointing back up cannot loop.
class GlobWalker {
 public:
  explicit GlobWalker(GlobScan& out) : out_(out) {}

  void walk(const Glob& glob) {
    for (const Glob::Alternative& alt : glob.alternatives_) walk(alt);
  }

 private:
  void walk(const Glob::Alternative& alt) {
    const auto& segs = alt.segments;
    size_t fixed = 0;
    while (fixed + 1 < segs.size() && !has_meta(segs[fixed]) && segs[fixed] != "**") ++fixed;
    std::string base = alt.absolute ? "/" : "";
    for (size_t i = 0; i < fixed; ++i) base = child_path(base, segs[i]);
    // Watch the deepest directory that exists, so that a missing prefix is noticed appearing.
    std::string existing = base;
    while (!is_dir(existing)) {
      size_t slash = existing.find_last_of('/');
      if (slash == std::string::npos) {
        existing.clear();
        break;
      }
      existing.resize(slash == 0 ? 1 : slash);
    }
    out_.dirs.push_back(existing.empty() ? "." : existing);
    if (existing == base) descend(segs, fixed, base, 0);
  }

  static bool stat_path(const std::string& path, struct stat& st) {
    return ::stat(path.empty() ? "." : path.c_str(), &st) == 0;
  }
  static bool is_dir(const std::string& path) {
    struct stat st {};
    return stat_path(path, st) && S_ISDIR(st.st_mode);
  }

  void descend(const std::vector<std::string>& segs, size_t i, const std::string& path,
               size_t depth) {
    if (i == segs.size()) {
      struct stat st {};
      if (stat_path(path, st) && S_ISREG(st.st_mode)) out_.files.push_back(path);
      return;
    }
    const std::string& seg = segs[i];
    if (seg != "**" && !has_meta(seg)) {
      std::string next = child_path(path, seg);
      if (i + 1 == segs.size() || is_dir(next)) descend(segs, i + 1, next, depth);
      return;
    }
    struct stat self {};
    if (!stat_path(path, self) || !S_ISDIR(self.st_mode)) return;
    out_.dirs.push_back(path.empty() ? "." : path);
    if (seg == "**") {
      if (depth >= kMaxDepth) return;
      auto key =
          std::make_pair(static_cast<uint64_t>(self.st_dev), static_cast<uint64_t>(self.st_ino));
      if (std::find(stack_.begin(), stack_.end(), key) != stack_.end()) return;
      stack_.push_back(key);
      descend(segs, i + 1, path, depth);  // `**` as zero directories
      for (const std::string& name : list(path)) {
        std::string next = child_path(path, name);
        if (is_dir(next)) descend(segs, i, next, depth + 1);
      }
      stack_.pop_back();
      return;
    }
    for (const std::string& name : list(path)) {
      if (!match_segment(seg, name)) continue;
      std::string next = child_path(path, name);
      if (i + 1 == segs.size() || is_dir(next)) descend(segs, i + 1, next, depth);
    }
  }

  static std::vector<std::string> list(const std::string& path) {
    std::vector<std::string> names;
    DIR* dir = ::opendir(path.empty() ? "." : path.c_str());
    if (dir == nullptr) return names;
    while (const dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());  // deterministic discovery order
    return names;
  }

  GlobScan& out_;
  std::vector<std::pair<uint64_t, uint64_t>> stack_;
};

GlobScan scan_globs(const std::vector<Glob>& include, const std::vector<Glob>& exclude) {
  GlobScan scan;
  GlobWalker walker(scan);
  for (const Glob& glob : include) walker.walk(glob);
  sort_unique(scan.files);
  sort_unique(scan.dirs);
  std::erase_if(scan.files, [&](const std::string& path) {
    return std::any_of(exclude.begin(), exclude.end(),
                       [&](const Glob& ex) { return ex.matches(path); });
  });
  return scan;
}

}  // namespace tailcast::tail
