#include "pipeline/batcher.h"

#include <gtest/gtest.h>

namespace tailcast {
namespace {

// Keeps batches and their report callbacks so a test decides when delivery happens.
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

Entry make_entry(SourceAcks& acks, uint64_t chunk, std::string_view line) {
  Entry entry;
  entry.line = line;
  entry.labels.set("job", "test");
  entry.source = SourceRef{&acks, chunk, chunk};
  return entry;
}

TEST(Batcher, SendsWhenTheNextEntryWouldPassBatchsize) {
  RecordingSink sink;
  Batcher batcher(sink, BatcherOptions{std::chrono::seconds(60), 10, "", {}});
  auto acks = std::make_shared<SourceAcks>(0);
  uint64_t chunk = acks->open_chunk(30);
  Entry a = make_entry(*acks, chunk, "123456");
  Entry b = make_entry(*acks, chunk, "abcdef");
  batcher.add(a);
  EXPECT_TRUE(sink.batches.empty());
  batcher.add(b);
  ASSERT_EQ(sink.batches.size(), 1u);
  EXPECT_EQ(sink.batches[0]->size(), 1u);
  acks->release(chunk);
  batcher.flush_all();
  ASSERT_EQ(sink.batches.size(), 2u);
}

TEST(Batcher, PositionMovesOnlyAfterEveryBatchOfTheChunkIsDelivered) {
  RecordingSink sink;
  Batcher batcher(sink, BatcherOptions{std::chrono::seconds(60), 6, "", {}});
  auto acks = std::make_shared<SourceAcks>(0);
  uint64_t chunk = acks->open_chunk(20);
  Entry a = make_entry(*acks, chunk, "123456");
  Entry b = make_entry(*acks, chunk, "abcdef");
  batcher.add(a);
  batcher.add(b);
  acks->release(chunk);
  batcher.flush_all();
  ASSERT_EQ(sink.dones.size(), 2u);
  EXPECT_EQ(batcher.in_flight(), 2u);
  sink.dones[1](Delivery::kDelivered);
  EXPECT_EQ(acks->committed_offset(), 0u);
  sink.dones[0](Delivery::kRejected);  // a permanent rejection is an explicit rule: it releases
  EXPECT_EQ(acks->committed_offset(), 20u);
  EXPECT_EQ(batcher.in_flight(), 0u);
}

TEST(Batcher, WaitsBatchwaitBeforeSending) {
  RecordingSink sink;
  Batcher batcher(sink, BatcherOptions{std::chrono::milliseconds(100), 1 << 20, "", {}});
  auto acks = std::make_shared<SourceAcks>(0);
  uint64_t chunk = acks->open_chunk(5);
  Entry a = make_entry(*acks, chunk, "line");
  batcher.add(a);
  const auto created = std::chrono::steady_clock::now();
  batcher.tick(created);
  EXPECT_TRUE(sink.batches.empty());
  EXPECT_LE(batcher.next_deadline(), created + std::chrono::milliseconds(100));
  batcher.tick(created + std::chrono::milliseconds(150));
  EXPECT_EQ(sink.batches.size(), 1u);
}

TEST(Batcher, ExternalLabelsJoinTheStreamButNotTheSharedEntry) {
  RecordingSink sink;
  Batcher batcher(sink, BatcherOptions{std::chrono::seconds(1), 1 << 20, "t1",
                                       {{"cluster", "prod"}, {"job", "ignored"}}});
  Entry entry;
  entry.line = "x";
  entry.labels.set("job", "test");
  batcher.add(entry);
  batcher.flush_all();
  ASSERT_EQ(sink.batches.size(), 1u);
  EXPECT_EQ(sink.batches[0]->streams()[0].key, R"({cluster="prod", job="test"})");
  EXPECT_EQ(sink.batches[0]->tenant(), "t1");
  EXPECT_EQ(entry.labels.size(), 1u);
}

TEST(Batcher, AnEntrysOwnTenantGetsItsOwnBatch) {
  RecordingSink sink;
  Batcher batcher(sink, BatcherOptions{std::chrono::seconds(1), 1 << 20, "default", {}});
  Entry entry;
  entry.line = "x";
  entry.labels.set("job", "test");
  batcher.add(entry);
  entry.tenant = "other";
  batcher.add(entry);
  batcher.flush_all();
  ASSERT_EQ(sink.batches.size(), 2u);
  EXPECT_EQ(sink.batches[0]->tenant(), "default");
  EXPECT_EQ(sink.batches[1]->tenant(), "other");
}

}  // namespace
}  // namespace tailcast
