// StageRegistry: finds a stage's factory by the name used in YAML (`- regex: {...}`). Each file in
// stages/ registers itself with TC_REGISTER_STAGE; stages/ is an OBJECT library so the linker keeps
// every registrar.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/stage.h"

namespace tailcast {

class StageRegistry {
 public:
  // Aborts on a duplicate name: two files claiming one YAML key is a build mistake.
  static bool add(std::string_view name, StageFactory factory);
  static StageFactory find(std::string_view name);
  static std::vector<std::string> names();
  // The registered name closest to `name`, for "did you mean" hints; empty if none is close.
  static std::string closest(std::string_view name);
};

}  // namespace tailcast

#define TC_REGISTER_STAGE(Type)                                                  \
  static_assert(::tailcast::StageType<Type>);                                    \
  [[maybe_unused]] static const bool tc_registered_##Type =                      \
      ::tailcast::StageRegistry::add(Type::kName, &Type::create)
