// RayLogGenerator: realistic Ray Serve logs for benchmarks and load tests — every text generation,
// JSON-encoded records, access logs, controller and proxy lines and tracebacks, in a fixed mix.
// Deterministic from the seed: the same seed and size give the same bytes.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace tailcast::bench {

class RayLogGenerator {
 public:
  explicit RayLogGenerator(uint64_t seed) : rng_(seed) {}

  // Appends whole records until `out` holds at least `bytes` more bytes.
  void append_logs(std::string& out, size_t bytes);
  // Appends one record (one line, or several for a traceback).
  void append_record(std::string& out);
  // Appends pretty-printed OpenTelemetry spans as Ray Serve's ConsoleSpanExporter writes them.
  void append_spans(std::string& out, size_t bytes);

 private:
  uint64_t next(uint64_t bound) { return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng_); }
  void append_timestamp(std::string& out);
  void append_uuid(std::string& out);
  void append_hex(std::string& out, int digits);

  std::mt19937_64 rng_;
  uint64_t millis_ = 0;
};

}  // namespace tailcast::bench
