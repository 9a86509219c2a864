#include "stages/label_names.h"

namespace tailcast::stages {

Result<std::vector<std::string>> read_label_names(const config::ConfigNode& node) {
  if (node.is_null() || !node.yaml().IsSequence() || node.yaml().size() == 0)
    return node.error("expected a list of label names");
  std::vector<std::string> names;
  for (size_t i = 0; i < node.yaml().size(); ++i) {
    config::ConfigNode item = node.element(i);
    auto name = item.scalar();
    if (!name || name->empty()) return item.error("expected a label name");
    names.push_back(std::move(*name));
  }
  return names;
}

}  // namespace tailcast::stages
