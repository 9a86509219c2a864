// File-name rules of Ray's log directory (python/ray/serve/_private/logging_utils.py and
// log_monitor.py name the files this way).
#include "stages/ray_path.h"

namespace tailcast::stages::ray {
namespace {

bool is_digits(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

bool is_hex(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// Drops a rotation index (`.1`) and then `ext`; false when the name does not end with `ext`.
bool cut_extension(std::string_view& name, std::string_view ext) noexcept {
  std::string_view stem = name;
  const size_t dot = stem.rfind('.');
  if (dot != std::string_view::npos && is_digits(stem.substr(dot + 1))) stem = stem.substr(0, dot);
  if (!stem.ends_with(ext) || stem.size() == ext.size()) return false;
  name = stem.substr(0, stem.size() - ext.size());
  return true;
}

void split_app(RayPath& out, std::string_view name) noexcept {
  const size_t underscore = name.find('_');
  if (underscore == std::string_view::npos || underscore == 0) {
    out.deployment = name;
    return;
  }
  out.application = name.substr(0, underscore);
  out.deployment = name.substr(underscore + 1);
}

bool parse_serve(RayPath& out, std::string_view stem) noexcept {
  if (stem.starts_with("replica_")) {
    stem.remove_prefix(8);
    const size_t last = stem.rfind('_');
    if (last == std::string_view::npos || last == 0) return false;
    out.kind = FileKind::kServeReplica;
    out.replica = stem.substr(last + 1);
    split_app(out, stem.substr(0, last));
    return true;
  }
  if (stem.starts_with("deployment_")) {
    stem.remove_prefix(11);
    out.kind = FileKind::kServeDeployment;
    // `<name>_<name>#<suffix>`: the tag repeats the name, which may itself hold underscores.
    const size_t hash = stem.find('#');
    if (hash != std::string_view::npos && hash % 2 == 1) {
      const size_t half = hash / 2;
      if (stem[half] == '_' && stem.substr(0, half) == stem.substr(half + 1, half)) {
        out.replica = stem.substr(half + 1);
        split_app(out, stem.substr(0, half));
        return true;
      }
    }
    out.deployment = stem;
    return true;
  }
  if (stem.starts_with("controller_")) {
    out.kind = FileKind::kServeController;
    out.component_id = stem.substr(11);
    return true;
  }
  if (stem.starts_with("http_proxy_") || stem.starts_with("proxy_")) {
    out.kind = FileKind::kServeProxy;
    out.component_id = stem.substr(stem.find('_', stem.front() == 'h' ? 5 : 0) + 1);
    return true;
  }
  return false;
}

bool parse_worker(RayPath& out, std::string_view stem) noexcept {
  // worker-<worker_id>-<job_id>-<pid>
  stem.remove_prefix(7);
  const size_t first = stem.find('-');
  const size_t second = first == std::string_view::npos ? first : stem.find('-', first + 1);
  if (second == std::string_view::npos) return false;
  const std::string_view worker = stem.substr(0, first);
  const std::string_view job = stem.substr(first + 1, second - first - 1);
  const std::string_view pid = stem.substr(second + 1);
  if (!is_hex(worker) || !is_hex(job) || !is_digits(pid)) return false;
  out = RayPath{};
  out.kind = FileKind::kWorker;
  out.worker_id = worker;
  out.job_id = job;
  out.pid = pid;
  return true;
}

}  // namespace

RayPath parse_ray_path(std::string_view path) noexcept {
  RayPath out;
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string_view dir;
  if (slash != std::string_view::npos) {
    dir = path.substr(0, slash);
    const size_t parent = dir.rfind('/');
    if (parent != std::string_view::npos) dir = dir.substr(parent + 1);
  }

  std::string_view stem = name;
  if (name.starts_with("worker-") &&
      (cut_extension(stem, ".out") || cut_extension(stem, ".err"))) {
    parse_worker(out, stem);
    return out;
  }
  stem = name;
  if (!cut_extension(stem, ".log")) return out;
  if (slash == std::string_view::npos || dir == "serve") {
    if (parse_serve(out, stem)) return out;
  }
  if (stem.starts_with("python-core-worker-")) {
    stem.remove_prefix(19);
    const size_t underscore = stem.rfind('_');
    if (underscore != std::string_view::npos && is_hex(stem.substr(0, underscore)) &&
        is_digits(stem.substr(underscore + 1))) {
      out.kind = FileKind::kCoreWorker;
      out.worker_id = stem.substr(0, underscore);
      out.pid = stem.substr(underscore + 1);
    }
  } else if (stem.starts_with("job-driver-")) {
    out.kind = FileKind::kJobDriver;
    out.submission_id = stem.substr(11);
  }
  return out;
}

}  // namespace tailcast::stages::ray
