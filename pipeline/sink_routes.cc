#include "pipeline/sink_routes.h"

#include <algorithm>

namespace tailcast {

Result<SinkRoutes> SinkRoutes::build(const std::vector<std::vector<std::string>>& selections,
                                     const std::vector<std::string>& sink_names) {
  SinkRoutes routes;
  for (const auto& selection : selections) {
    std::vector<size_t> sinks;
    if (selection.empty()) {
      for (size_t i = 0; i < sink_names.size(); ++i) sinks.push_back(i);
    }
    for (const std::string& name : selection) {
      auto found = std::find(sink_names.begin(), sink_names.end(), name);
      if (found == sink_names.end())
        return make_error(Errc::kInvalidConfig, "no sink is named \"" + name + "\"");
      sinks.push_back(static_cast<size_t>(found - sink_names.begin()));
    }
    std::sort(sinks.begin(), sinks.end());
    sinks.erase(std::unique(sinks.begin(), sinks.end()), sinks.end());
    auto group = std::find_if(routes.groups_.begin(), routes.groups_.end(),
                              [&](const SinkGroup& g) { return g.sinks == sinks; });
    if (group == routes.groups_.end()) {
      routes.groups_.push_back(SinkGroup{std::move(sinks), {}});
      group = std::prev(routes.groups_.end());
    }
    group->scrapes.push_back(routes.group_of_.size());
    routes.group_of_.push_back(static_cast<size_t>(group - routes.groups_.begin()));
  }
  return routes;
}

size_t SinkRoutes::room(size_t group, const std::vector<std::unique_ptr<Sink>>& sinks,
                        size_t cap) const {
  size_t room = cap;
  for (size_t sink : groups_[group].sinks) room = std::min(room, sinks[sink]->free_bytes());
  return room;
}

}  // namespace tailcast
