#include "pipeline/acks.h"

#include <gtest/gtest.h>

namespace tailcast {
namespace {

TEST(SourceAcks, PositionMovesOnlyPastChunksNobodyHolds) {
  auto acks = std::make_shared<SourceAcks>(0);
  uint64_t first = acks->open_chunk(100);
  uint64_t second = acks->open_chunk(250);
  AckHold batch_a(acks, first);
  AckHold batch_b(acks, second);
  acks->release(first);   // the reader handed every entry of both chunks on
  acks->release(second);
  EXPECT_EQ(acks->committed_offset(), 0u);
  batch_b.release();  // the later batch is delivered first: the position must wait
  EXPECT_EQ(acks->committed_offset(), 0u);
  batch_a.release();
  EXPECT_EQ(acks->committed_offset(), 250u);
  EXPECT_EQ(acks->pending_chunks(), 0u);
}

TEST(SourceAcks, ChunkWhoseEntriesWereAllDroppedCommitsAtOnce) {
  auto acks = std::make_shared<SourceAcks>(10);
  uint64_t chunk = acks->open_chunk(40);
  acks->release(chunk);
  EXPECT_EQ(acks->committed_offset(), 40u);
}

TEST(AckHold, DestroyedUnreleasedPinsThePosition) {
  auto acks = std::make_shared<SourceAcks>(0);
  uint64_t chunk = acks->open_chunk(100);
  { AckHold abandoned(acks, chunk); }
  acks->release(chunk);
  EXPECT_EQ(acks->committed_offset(), 0u);
}

}  // namespace
}  // namespace tailcast
