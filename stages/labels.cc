// `labels` stage: copies extracted values into the entry's stream labels.
#include "pipeline/stage_registry.h"
#include "stages/copy_extracted.h"

namespace tailcast::stages {
namespace {

struct StreamLabels {
  static constexpr std::string_view kName = "labels";
  static constexpr const char* kWhat = "label";
  static constexpr LabelSet Entry::*kSet = &Entry::labels;
};
using LabelsStage = CopyExtractedStage<StreamLabels>;
TC_REGISTER_STAGE(LabelsStage);

}  // namespace
}  // namespace tailcast::stages
