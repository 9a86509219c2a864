// Every log file of the shared Ray session, run through `ray_serve` with no options, must yield
// exactly the records its expectation file lists: first line, line count, labels, structured
// metadata and fields (with JSON number types), and must give back every chunk it retained.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/stages/ray_test_util.h"

namespace tailcast::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kSession = "session_2026-11-20_09-00-00_690579_1652";

fs::path logs_dir() { return fs::path(TC_FIXTURES_DIR) / "ray" / kSession / "logs"; }
fs::path expected_dir() { return fs::path(TC_FIXTURES_DIR) / "expected" / kSession / "logs"; }

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The log files that have a record expectation (span files have span expectations instead).
std::vector<fs::path> expected_logs() {
  std::vector<fs::path> out;
  for (const auto& item : fs::recursive_directory_iterator(expected_dir())) {
    const std::string name = item.path().filename().string();
    if (!name.ends_with(".jsonl") || name.ends_with(".spans.jsonl")) continue;
    fs::path relative = fs::relative(item.path(), expected_dir());
    out.push_back(relative.replace_extension(""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

void expect_string_map(simdjson::dom::object expected, const std::map<std::string, std::string>& got,
                       const std::string& what) {
  size_t count = 0;
  for (auto [key, value] : expected) {
    ++count;
    const std::string name(key);
    auto found = got.find(name);
    if (found == got.end()) {
      ADD_FAILURE() << what << " lacks " << name;
      continue;
    }
    std::string_view text;
    ASSERT_EQ(value.get(text), simdjson::SUCCESS) << what << "." << name << " is not a string";
    EXPECT_EQ(found->second, text) << what << "." << name;
  }
  EXPECT_EQ(got.size(), count) << what << " has extra keys";
}

// Extracted keys that became labels or metadata are compared there; the rest must be `fields`.
void expect_fields(simdjson::dom::element record, const RayOutput& out, const std::string& where) {
  simdjson::dom::object labels = record["labels"];
  simdjson::dom::object metadata = record["structured_metadata"];
  simdjson::dom::object fields = record["fields"];
  size_t field_count = 0;
  for (auto [key, value] : fields) {
    ++field_count;
    const std::string name(key);
    auto found = out.fields.find(name);
    if (found == out.fields.end()) {
      ADD_FAILURE() << where << ": no field " << name;
      continue;
    }
    const FieldType type = out.field_types.at(name);
    if (value.is_string()) {
      EXPECT_EQ(found->second, std::string_view(value.get_string().value())) << where << " " << name;
      EXPECT_EQ(type, FieldType::kString) << where << " " << name;
    } else if (value.is_int64()) {
      EXPECT_EQ(found->second, std::to_string(int64_t(value))) << where << " " << name;
      EXPECT_EQ(type, FieldType::kNumber) << where << " " << name;
    } else if (value.is_uint64()) {
      EXPECT_EQ(found->second, std::to_string(uint64_t(value))) << where << " " << name;
      EXPECT_EQ(type, FieldType::kNumber) << where << " " << name;
    } else {
      EXPECT_DOUBLE_EQ(std::stod(found->second), double(value)) << where << " " << name;
      EXPECT_EQ(type, FieldType::kNumber) << where << " " << name;
    }
  }
  size_t other = 0;
  for (const auto& [name, text] : out.fields) {
    std::string_view ignored;
    const bool elsewhere = labels[name].get(ignored) == simdjson::SUCCESS ||
                           metadata[name].get(ignored) == simdjson::SUCCESS;
    if (!elsewhere) ++other;
  }
  EXPECT_EQ(other, field_count) << where << ": extracted keys beyond the expected fields";
}

TEST(RayFixtures, EveryLogFileHasAnExpectation) {
  // Guards the comparison below against a fixture tree it silently no longer finds.
  EXPECT_EQ(expected_logs().size(), 10u);
}

TEST(RayFixtures, DefaultStageYieldsTheExpectedRecords) {
  for (const fs::path& relative : expected_logs()) {
    SCOPED_TRACE(relative.string());
    const fs::path log = logs_dir() / relative;
    const std::string path = log.string();
    RayHarness harness;
    for (const std::string& line : read_lines(log)) harness.feed(path, line);
    harness.flush_all();

    simdjson::dom::parser parser;
    fs::path expectation = expected_dir() / relative;
    expectation += ".jsonl";
    const std::vector<std::string> expected = read_lines(expectation);
    const std::vector<RayOutput>& outputs = harness.outputs();
    ASSERT_EQ(outputs.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const std::string where = relative.string() + " record " + std::to_string(i);
      simdjson::dom::element record;
      ASSERT_EQ(parser.parse(expected[i]).get(record), simdjson::SUCCESS);
      const RayOutput& out = outputs[i];
      // One chunk per physical line: chunk ids are zero-based line numbers.
      EXPECT_EQ(out.first_chunk + 1, uint64_t(int64_t(record["line"]))) << where;
      EXPECT_EQ(out.last_chunk - out.first_chunk + 1, uint64_t(int64_t(record["lines"]))) << where;
      expect_string_map(record["labels"], out.labels, where + " labels");
      expect_string_map(record["structured_metadata"], out.metadata, where + " metadata");
      expect_fields(record, out, where);
      int64_t timestamp_ns = 0;
      if (record["fields"]["timestamp_ns"].get(timestamp_ns) == simdjson::SUCCESS) {
        EXPECT_EQ(out.timestamp_ns, timestamp_ns) << where;
      } else if (out.fields.count("timestamp")) {
        EXPECT_NE(out.timestamp_ns, RayHarness::kReadTime) << where << ": timestamp not parsed";
      } else {
        EXPECT_EQ(out.timestamp_ns, RayHarness::kReadTime) << where << ": read time kept";
      }
    }
    EXPECT_EQ(harness.committed_offset(path), harness.offset(path))
        << "every retained chunk is given back";
  }
}

TEST(RayFixtures, DriverTracebacksFoldWithoutPrefixesOrColours) {
  const fs::path log = logs_dir() / "job-driver-raysubmit_ngvqevuf.log";
  RayHarness harness;
  for (const std::string& line : read_lines(log)) harness.feed(log.string(), line);
  harness.flush_all();
  ASSERT_GE(harness.outputs().size(), 6u);
  const RayOutput& folded = harness.outputs()[5];
  EXPECT_EQ(folded.line,
            "ERROR 2026-11-20 09:00:06,106 default_Model 3i6lemef "
            "c4d8c5a5-7939-4676-a685-83148c4d3462 /predict replica.py:373 - cache miss for key "
            "user:42 [repeated 3x across cluster]\n"
            "Traceback (most recent call last):\n"
            "  File \"/home/ray/app/model.py\", line 88, in __call__\n"
            "    out = self.model(batch)\n"
            "  File \"/home/ray/app/model.py\", line 41, in forward\n"
            "    raise RuntimeError(\"CUDA out of memory\")\n"
            "RuntimeError: CUDA out of memory");
  EXPECT_EQ(folded.fields.at("repeated"), "3");
}

TEST(RayFixtures, WorkerMagicLinesAreNotShipped) {
  const fs::path log = logs_dir() /
                       "worker-471843a414d1ba6314672c1afb5aca462921c0b4be2200519e0999d6-01000000-2700.out";
  RayHarness harness;
  for (const std::string& line : read_lines(log)) harness.feed(log.string(), line);
  harness.flush_all();
  EXPECT_EQ(harness.dropped(), 2u);
  ASSERT_FALSE(harness.outputs().empty());
  EXPECT_EQ(harness.outputs().front().line, "task 0 done");
}

}  // namespace
}  // namespace tailcast::testing
