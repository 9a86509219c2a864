// The effective configuration as YAML, with every secret replaced by <secret>: what
// -print-config-stderr and /config show.
#pragma once

#include <string>

#include "pipeline/config/config.h"

namespace tailcast::config {

std::string to_redacted_yaml(const Config& config);

}  // namespace tailcast::config
