// One entry in the batches of several sinks: its chunk's position moves only when every one of them
// reported, whatever the order and whatever the outcome.
#include <gtest/gtest.h>

#include "pipeline/batcher.h"

namespace tailcast {
namespace {

class RecordingSink : public Sink {
 public:
  void send(std::unique_ptr<Batch> batch, DoneFn done) noexcept override {
    batches.push_back(std::move(batch));
    dones.push_back(std::move(done));
  }
  size_t free_bytes() const noexcept override { return 1 << 20; }
  void drain(std::chrono::steady_clock::time_point) noexcept override {}
  std::string_view name() const noexcept override { return "recording"; }

  std::vector<std::unique_ptr<Batch>> batches;
  std::vector<DoneFn> dones;
};

struct TwoSinks {
  RecordingSink loki, kafka;
  Batcher to_loki{loki, BatcherOptions{std::chrono::seconds(60), 1 << 20, "", {}}};
  Batcher to_kafka{kafka, BatcherOptions{std::chrono::seconds(60), 1 << 20, "", {}}};
  std::shared_ptr<SourceAcks> acks = std::make_shared<SourceAcks>(0);

  // Reads one chunk ending at `end` and hands its one line to both sinks, as Runtime::deliver does.
  void read_chunk(uint64_t end) {
    uint64_t chunk = acks->open_chunk(end);
    Entry entry;
    entry.line = "line";
    entry.labels.set("job", "test");
    entry.source = SourceRef{acks.get(), chunk, chunk};
    to_loki.add(entry);
    to_kafka.add(entry);
    acks->release(chunk);
    to_loki.flush_all();
    to_kafka.flush_all();
  }
};

TEST(FanoutAcks, OneSinksReportDoesNotMoveThePosition) {
  TwoSinks run;
  run.read_chunk(100);
  ASSERT_EQ(run.loki.dones.size(), 1u);
  ASSERT_EQ(run.kafka.dones.size(), 1u);
  run.kafka.dones[0](Delivery::kDelivered);
  EXPECT_EQ(run.acks->committed_offset(), 0u) << "Loki has not reported";
  run.loki.dones[0](Delivery::kDelivered);
  EXPECT_EQ(run.acks->committed_offset(), 100u);
}

TEST(FanoutAcks, ALaterChunkDeliveredEverywhereWaitsForAnEarlierOne) {
  TwoSinks run;
  run.read_chunk(100);
  run.read_chunk(250);
  ASSERT_EQ(run.loki.dones.size(), 2u);
  ASSERT_EQ(run.kafka.dones.size(), 2u);
  run.loki.dones[1](Delivery::kDelivered);
  run.kafka.dones[1](Delivery::kDelivered);
  run.kafka.dones[0](Delivery::kDelivered);
  EXPECT_EQ(run.acks->committed_offset(), 0u) << "chunk 1 still waits for Loki";
  run.loki.dones[0](Delivery::kDelivered);
  EXPECT_EQ(run.acks->committed_offset(), 250u);
}

TEST(FanoutAcks, ARejectionCountsAsAReportButAnAbandonedBatchPinsThePosition) {
  TwoSinks run;
  run.read_chunk(100);
  run.loki.dones[0](Delivery::kRejected);
  EXPECT_EQ(run.acks->committed_offset(), 0u);
  run.kafka.dones[0](Delivery::kDropped);
  EXPECT_EQ(run.acks->committed_offset(), 100u);

  run.read_chunk(180);
  run.loki.dones[1](Delivery::kDelivered);
  run.kafka.dones.pop_back();  // abandoned at shutdown: destroyed without a report
  run.kafka.batches.clear();
  EXPECT_EQ(run.acks->committed_offset(), 100u);
}

}  // namespace
}  // namespace tailcast
