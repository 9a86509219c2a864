// StageInspector: Promtail's -inspect. The stage chain shows it each entry before and after every
// stage, and it prints what the stage changed — extracted values, labels, structured metadata,
// timestamp, line — to a stream (stderr), coloured only when that stream is a terminal. A chain
// without an inspector pays one pointer test per entry.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/entry.h"
#include "pipeline/stage.h"

namespace tailcast {

class StageInspector {
 public:
  // `colour`: write ANSI colours (Promtail's choice when the output is a terminal).
  StageInspector(std::FILE* out, bool colour) : out_(out), colour_(colour) {}
  // For the stream the user sees: colours when it is a terminal.
  static StageInspector for_terminal(std::FILE* out);

  // Called on the pipeline thread around each stage's process().
  void before(const Entry& entry);
  void after(std::string_view stage, const Entry& entry, Verdict verdict);

 private:
  struct Snapshot {
    std::string line;
    int64_t timestamp_ns = 0;
    std::string tenant;
    std::vector<std::pair<std::string, std::string>> labels, metadata, extracted;
  };
  static void take(const Entry& entry, Snapshot& into);
  void diff_maps(std::string_view path, const std::vector<std::pair<std::string, std::string>>& old_map,
                 const std::vector<std::pair<std::string, std::string>>& new_map);
  void change(const std::string& path, const std::string* old_value, const std::string* new_value);
  std::string paint(std::string_view colour, std::string_view text) const;

  std::FILE* out_;
  bool colour_;
  Snapshot before_, after_;
  std::string report_;  // reused for every stage
};

}  // namespace tailcast
