// GoTemplate: the subset of Go's text/template that Promtail's `template` and `replace` stages run,
// with Promtail's function map and the Sprig functions configs use. Compiled once at config load;
// render() runs on the pipeline thread and reuses its scratch memory from line to line.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/result.h"

namespace tailcast::stages {

namespace go_template {
struct Program;
class Scratch;
}  // namespace go_template

// The data a template reads: the keys of Promtail's template map (extracted values as strings,
// plus `Value` and `Entry`). A key that is absent renders as "<no value>", as in Go.
class TemplateData {
 public:
  virtual std::optional<std::string_view> find(std::string_view key) const noexcept = 0;

 protected:
  ~TemplateData() = default;
};

class GoTemplate {
 public:
  // Errors read "template: LINE:COL: what", counted in the template text.
  static Result<GoTemplate> compile(std::string_view text);

  GoTemplate(GoTemplate&&) noexcept;
  GoTemplate& operator=(GoTemplate&&) noexcept;
  ~GoTemplate();

  // Writes the output to `out` (replacing its contents). False when execution failed, as Go's
  // Execute returning an error (a function given a missing value, a bad regex); `out` is then
  // unspecified. Not thread-safe: one template per stage, used on the pipeline thread.
  bool render(const TemplateData& data, std::string& out) const noexcept;

 private:
  GoTemplate();

  std::shared_ptr<const go_template::Program> program_;
  std::unique_ptr<go_template::Scratch> scratch_;
};

}  // namespace tailcast::stages
