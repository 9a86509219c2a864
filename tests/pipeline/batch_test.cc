#include "pipeline/batch.h"

#include <gtest/gtest.h>

namespace tailcast {
namespace {

TEST(FormatStreamKey, SortsNamesAndQuotesValuesLikePromtail) {
  LabelSet labels;
  labels.set("job", "ray");
  labels.set("app", "say \"hi\"\n");
  std::string key;
  format_stream_key(labels, key);
  EXPECT_EQ(key, R"({app="say \"hi\"\n", job="ray"})");
}

TEST(Batch, GroupsEntriesByStreamAndCountsLineAndMetadataBytes) {
  Batch batch("tenant");
  Entry entry;
  std::string key;
  entry.labels.set("job", "a");
  entry.line = "one";
  entry.structured_metadata.set("request_id", "r1");
  format_stream_key(entry.labels, key);
  batch.add(entry, key);
  entry.structured_metadata.clear();
  entry.line = "two";
  batch.add(entry, key);
  entry.labels.set("job", "b");
  entry.line = "three";
  format_stream_key(entry.labels, key);
  batch.add(entry, key);

  ASSERT_EQ(batch.streams().size(), 2u);
  EXPECT_EQ(batch.streams()[0].entries.size(), 2u);
  EXPECT_EQ(batch.streams()[1].key, R"({job="b"})");
  EXPECT_EQ(batch.bytes(), 3u + 10u + 2u + 3u + 5u);
  ASSERT_EQ(batch.metadata_of(batch.entries()[0]).size(), 1u);
  EXPECT_EQ(batch.metadata_of(batch.entries()[0])[0].value, "r1");
  EXPECT_TRUE(batch.metadata_of(batch.entries()[1]).empty());
}

TEST(Batch, OwnsItsBytesOnceTheSourceIsGone) {
  Batch batch("");
  std::string key;
  {
    std::string line = "transient line";
    std::string value = "v";
    Entry entry;
    entry.labels.set("k", value);
    entry.line = line;
    format_stream_key(entry.labels, key);
    batch.add(entry, key);
    line.assign(line.size(), 'x');
    value = "z";
  }
  EXPECT_EQ(batch.entries()[0].line, "transient line");
  EXPECT_EQ(batch.streams()[0].labels[0].value, "v");
}

}  // namespace
}  // namespace tailcast
