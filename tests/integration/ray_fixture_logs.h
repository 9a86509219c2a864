// The shared Ray session fixtures as the integration tests use them: a copy of the session's log
// files to tail, and what the ray_serve stage must make of each record.
#pragma once

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace tailcast::testing {

inline const std::filesystem::path kFixtureSession = std::filesystem::path(TC_FIXTURES_DIR) / "ray" /
                                                     "session_2026-11-20_09-00-00_690579_1652" / "logs";
inline const std::filesystem::path kFixtureExpected = std::filesystem::path(TC_FIXTURES_DIR) /
                                                      "expected" /
                                                      "session_2026-11-20_09-00-00_690579_1652" / "logs";

// Copies the session's log files below `to`, keeping their relative paths; the span files too
// when `with_spans`.
inline void copy_fixture_logs(const std::filesystem::path& to, bool with_spans = false) {
  namespace fs = std::filesystem;
  for (const auto& item : fs::recursive_directory_iterator(kFixtureSession)) {
    if (!item.is_regular_file()) continue;
    std::string name = item.path().filename().string();
    const bool span_file =
        item.path().parent_path().filename() == "spans" || name.rfind("job-driver-spans", 0) == 0;
    if (span_file && !with_spans) continue;
    fs::path target = to / fs::relative(item.path(), kFixtureSession);
    fs::create_directories(target.parent_path());
    fs::copy_file(item.path(), target);
  }
}

// Stream labels the stage sets, and structured metadata.
using FixtureRecord = std::pair<std::map<std::string, std::string>, std::map<std::string, std::string>>;
using FixtureRecords = std::map<std::string, std::multiset<FixtureRecord>>;  // by file name

inline FixtureRecords expected_fixture_records() {
  namespace fs = std::filesystem;
  FixtureRecords out;
  simdjson::dom::parser parser;
  for (const auto& item : fs::recursive_directory_iterator(kFixtureExpected)) {
    std::string name = item.path().filename().string();
    if (!item.is_regular_file() || name.find(".spans.") != std::string::npos) continue;
    std::string file = name.substr(0, name.size() - std::string(".jsonl").size());
    std::ifstream in(item.path());
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      simdjson::dom::element doc = parser.parse(line);
      FixtureRecord record;
      for (auto [key, value] : doc["labels"].get_object())
        record.first[std::string(key)] = std::string(value.get_string().value());
      for (auto [key, value] : doc["structured_metadata"].get_object())
        record.second[std::string(key)] = std::string(value.get_string().value());
      out[file].insert(record);
    }
  }
  return out;
}

inline size_t record_count(const FixtureRecords& records) {
  size_t total = 0;
  for (const auto& [file, set] : records) total += set.size();
  return total;
}

// What the fixtures expect of the Serve logs copied to `logs`/serve: records, and how many of them
// carry a request_id.
struct ServeRecordCounts {
  std::set<std::string> files;
  size_t records = 0;
  size_t with_request_id = 0;
};

inline ServeRecordCounts serve_record_counts(const std::filesystem::path& logs) {
  ServeRecordCounts out;
  for (const auto& item : std::filesystem::directory_iterator(logs / "serve"))
    if (item.is_regular_file()) out.files.insert(item.path().filename().string());
  for (const auto& [file, records] : expected_fixture_records()) {
    if (!out.files.count(file)) continue;
    out.records += records.size();
    for (const auto& record : records) out.with_request_id += record.second.count("request_id");
  }
  return out;
}

}  // namespace tailcast::testing
