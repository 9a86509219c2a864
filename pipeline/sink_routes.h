// SinkRoutes: which sinks each scrape config's entries go to (its `sinks:` list, or every sink),
// and which scrape configs share the very same sinks. Each such group gets a reader of its own, so
// a full sink pauses only the jobs that ship to it. Built once at startup; read-only afterwards.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/result.h"
#include "pipeline/sink.h"

namespace tailcast {

struct SinkGroup {
  std::vector<size_t> sinks;    // indexes into the runtime's sinks, ascending
  std::vector<size_t> scrapes;  // the scrape configs that ship to exactly these sinks
};

class SinkRoutes {
 public:
  // `selections[s]` names the sinks of scrape config s (empty: all); `sink_names[i]` is the name
  // of sink i. An unknown name is an error (the config loader reports it with its location first).
  static Result<SinkRoutes> build(const std::vector<std::vector<std::string>>& selections,
                                  const std::vector<std::string>& sink_names);

  const std::vector<size_t>& sinks_of(size_t scrape) const { return groups_[group_of_[scrape]].sinks; }
  size_t group_of(size_t scrape) const { return group_of_[scrape]; }
  const std::vector<SinkGroup>& groups() const noexcept { return groups_; }

  // Bytes the readers of `group` may take now: the least room any of its sinks has (every entry
  // goes to all of them), at most `cap`.
  size_t room(size_t group, const std::vector<std::unique_ptr<Sink>>& sinks, size_t cap) const;

 private:
  std::vector<SinkGroup> groups_;
  std::vector<size_t> group_of_;  // by scrape config
};

}  // namespace tailcast
