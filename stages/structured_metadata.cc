// `structured_metadata` stage: copies extracted values into the entry's structured metadata (sent
// beside the line, not indexed), with the rules of `labels`.
#include "pipeline/stage_registry.h"
#include "stages/copy_extracted.h"

namespace tailcast::stages {
namespace {

struct StructuredMetadata {
  static constexpr std::string_view kName = "structured_metadata";
  static constexpr const char* kWhat = "metadata";
  static constexpr LabelSet Entry::*kSet = &Entry::structured_metadata;
};
using StructuredMetadataStage = CopyExtractedStage<StructuredMetadata>;
TC_REGISTER_STAGE(StructuredMetadataStage);

}  // namespace
}  // namespace tailcast::stages
