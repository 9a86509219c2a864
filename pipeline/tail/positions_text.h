// The text of the positions file: a strict subset of YAML that Promtail's positions.yaml fits in,
// read line by line so that one damaged line costs only its own entry.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/result.h"
#include "pipeline/tail/positions.h"

namespace tailcast::tail {

struct ParsedPositions {
  std::vector<std::pair<std::string, std::string>> paths;  // `positions:` key → value as written
  std::vector<PositionRecord> files;                       // `files:` records
};

// Called for a line that cannot be read (1-based number, reason). An Error stops the parse.
using BadLineFn = std::function<Result<void>(size_t line, const std::string& why)>;

Result<void> parse_positions_text(std::string_view text, ParsedPositions& out,
                                  const BadLineFn& bad);

// A decimal offset, as Promtail writes it (quoted in the YAML, unquoted here).
bool parse_offset(std::string_view text, uint64_t& offset) noexcept;

std::string render_positions_text(const std::vector<std::pair<std::string, std::string>>& view,
                                  const std::vector<const PositionRecord*>& files);

}  // namespace tailcast::tail
