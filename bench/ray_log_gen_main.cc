// tc_ray_log_gen: writes generated Ray Serve logs (or span files) for benchmarks and load tests.
//   tc_ray_log_gen --out DIR [--files N] [--bytes SIZE_PER_FILE] [--seed S] [--spans]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/ray_log_generator.h"

int main(int argc, char** argv) {
  std::string out_dir;
  int files = 1;
  size_t bytes = 64 << 20;
  uint64_t seed = 1;
  bool spans = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--out") out_dir = value();
    else if (arg == "--files") files = std::atoi(value().c_str());
    else if (arg == "--bytes") bytes = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--spans") spans = true;
    else {
      std::fprintf(stderr, "usage: %s --out DIR [--files N] [--bytes N] [--seed S] [--spans]\n",
                   argv[0]);
      return 2;
    }
  }
  if (out_dir.empty()) {
    std::fprintf(stderr, "--out is required\n");
    return 2;
  }
  std::filesystem::create_directories(out_dir);
  for (int f = 0; f < files; ++f) {
    tailcast::bench::RayLogGenerator generator(seed + static_cast<uint64_t>(f));
    std::string text;
    if (spans) generator.append_spans(text, bytes);
    else generator.append_logs(text, bytes);
    std::string name = out_dir + "/" + (spans ? "replica_" + std::to_string(f) + "_tracing.json"
                                              : "replica_default_Model_" + std::to_string(f) + ".log");
    std::ofstream(name, std::ios::binary).write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  return 0;
}
