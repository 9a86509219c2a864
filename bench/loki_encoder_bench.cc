// Throughput of the Loki encoder: batch → PushRequest protobuf → snappy, in line bytes per second.
#include <benchmark/benchmark.h>

#include <string>

#include "sinks/loki/encoder.h"

namespace tailcast::sinks::loki {
namespace {

// A batch shaped like Ray Serve logs: a few streams, 200-byte lines, two metadata pairs.
std::unique_ptr<Batch> ray_like_batch(int lines, int streams) {
  auto batch = std::make_unique<Batch>("");
  std::string key;
  std::string line;
  for (int i = 0; i < lines; ++i) {
    Entry entry;
    line = "INFO 2024-05-01 12:00:00,123 default_Model abcd1234 " + std::to_string(i) +
           " replica.py:376 - GET /predict 200 12.3ms request_id=0f3e" + std::string(120, 'x');
    entry.line = line;
    entry.timestamp_ns = 1'714'564'800'123'000'000 + i;
    std::string stream = std::to_string(i % streams);
    entry.labels.set("job", "ray");
    entry.labels.set("application", "default");
    entry.labels.set("replica", stream);
    entry.structured_metadata.set("request_id", "0f3e8a9b-1234-5678");
    entry.structured_metadata.set("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    format_stream_key(entry.labels, key);
    batch->add(entry, key);
  }
  return batch;
}

void BM_EncodePushRequest(benchmark::State& state) {
  auto batch = ray_like_batch(static_cast<int>(state.range(0)), 8);
  std::string out;
  for (auto _ : state) {
    encode_push_request(*batch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch->bytes()));
}
BENCHMARK(BM_EncodePushRequest)->Arg(1000)->Arg(5000);

void BM_EncodeAndCompress(benchmark::State& state) {
  auto batch = ray_like_batch(static_cast<int>(state.range(0)), 8);
  Encoder encoder;
  for (auto _ : state) {
    std::string_view body = encoder.encode(*batch);
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch->bytes()));
}
BENCHMARK(BM_EncodeAndCompress)->Arg(1000)->Arg(5000);

}  // namespace
}  // namespace tailcast::sinks::loki
