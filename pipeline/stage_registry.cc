#include "pipeline/stage_registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace tailcast {
namespace {

// Construct on first use: registrars in other translation units run before main in any order.
std::map<std::string, StageFactory, std::less<>>& factories() {
  static auto* map = new std::map<std::string, StageFactory, std::less<>>();
  return *map;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

bool StageRegistry::add(std::string_view name, StageFactory factory) {
  auto [it, inserted] = factories().emplace(std::string(name), factory);
  if (!inserted) {
    std::fprintf(stderr, "tailcast: stage \"%.*s\" registered twice\n",
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return true;
}

StageFactory StageRegistry::find(std::string_view name) {
  auto it = factories().find(name);
  return it == factories().end() ? nullptr : it->second;
}

std::vector<std::string> StageRegistry::names() {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories()) out.push_back(name);
  return out;
}

std::string StageRegistry::closest(std::string_view name) {
  std::string best;
  size_t best_distance = 3;  // further than two edits is not a typo
  for (const auto& [candidate, factory] : factories()) {
    size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace tailcast
