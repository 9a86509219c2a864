// Self-logs: one logfmt line per event on stderr, `level=… msg="…" key=value…`. Nothing on the hot
// path logs per line; per-file warnings are rate-limited by their callers.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tailcast::log {

enum class Level : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Returns false for an unknown level name (debug, info, warn, error).
bool set_level(std::string_view name);
bool enabled(Level level);

using Fields = std::vector<std::pair<std::string_view, std::string>>;
void write(Level level, std::string_view message, const Fields& fields = {});

inline void debug(std::string_view m, const Fields& f = {}) { write(Level::kDebug, m, f); }
inline void info(std::string_view m, const Fields& f = {}) { write(Level::kInfo, m, f); }
inline void warn(std::string_view m, const Fields& f = {}) { write(Level::kWarn, m, f); }
inline void error(std::string_view m, const Fields& f = {}) { write(Level::kError, m, f); }

}  // namespace tailcast::log
