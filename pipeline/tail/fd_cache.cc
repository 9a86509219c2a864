// The least-recently-active order of open tailed files, and fitting the bound to RLIMIT_NOFILE.
#include "pipeline/tail/fd_cache.h"

#include <sys/resource.h>

#include <algorithm>
#include <string>

#include "pipeline/log.h"

namespace tailcast::tail {

void FdCache::touch(TailedFile* file) {
  if (auto it = where_.find(file); it != where_.end()) {
    order_.splice(order_.end(), order_, it->second);
    return;
  }
  order_.push_back(file);
  where_.emplace(file, std::prev(order_.end()));
}

void FdCache::forget(TailedFile* file) noexcept {
  if (auto it = where_.find(file); it != where_.end()) {
    order_.erase(it->second);
    where_.erase(it);
  }
}

size_t fit_fd_bound(size_t requested) {
  requested = std::max<size_t>(requested, 1);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return requested;
  const rlim_t needed = static_cast<rlim_t>(requested + kReservedFds);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return requested;
  size_t fitted = limit.rlim_cur > kReservedFds + 1 ? limit.rlim_cur - kReservedFds : 1;
  log::warn("Open file limit is below target_config.max_open_files; using a smaller bound.",
            {{"max_open_files", std::to_string(requested)},
             {"rlimit_nofile", std::to_string(limit.rlim_cur)},
             {"bound", std::to_string(fitted)}});
  return fitted;
}

}  // namespace tailcast::tail
