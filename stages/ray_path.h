// What Ray's log layout says about a file from its path alone: which component wrote it and the
// ids in its name (worker, job, pid, replica). Computed once per file; views into the path.
#pragma once

#include <cstdint>
#include <string_view>

namespace tailcast::stages::ray {

enum class FileKind : uint8_t {
  kOther,
  kServeReplica,     // serve/replica_<app>_<deployment>_<replica_id>.log
  kServeDeployment,  // serve/deployment_<name>_<replica_tag>.log (Ray <= 2.8)
  kServeController,  // serve/controller_<pid>.log
  kServeProxy,       // serve/proxy_<ip>.log, serve/http_proxy_<ip>.log
  kWorker,           // worker-<worker_id>-<job_id>-<pid>.out|.err
  kCoreWorker,       // python-core-worker-<worker_id>_<pid>.log
  kJobDriver,        // job-driver-<submission_id>.log
};

struct RayPath {
  FileKind kind = FileKind::kOther;
  std::string_view application;
  std::string_view deployment;
  std::string_view replica;
  std::string_view component_id;
  std::string_view worker_id;
  std::string_view job_id;
  std::string_view pid;
  std::string_view submission_id;
};

// `path` may be absolute or a bare file name; rotated backups (`.log.1`) are recognised too.
RayPath parse_ray_path(std::string_view path) noexcept;

}  // namespace tailcast::stages::ray
