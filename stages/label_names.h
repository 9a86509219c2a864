// The option shape `labeldrop` and `labelallow` share: a non-empty YAML list of label names.
#pragma once

#include <string>
#include <vector>

#include "pipeline/config/node.h"
#include "pipeline/result.h"

namespace tailcast::stages {

Result<std::vector<std::string>> read_label_names(const config::ConfigNode& node);

}  // namespace tailcast::stages
