#include "pipeline/stage_chain.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "pipeline/stage_registry.h"

namespace tailcast {
namespace {

// Appends "+" to every line: shows that a stage ran on an entry.
class MarkStage : public Stage {
 public:
  static constexpr std::string_view kName = "test_mark";
  static Result<StagePtr> create(const config::ConfigNode&, BuildContext&) {
    return StagePtr(std::make_unique<MarkStage>());
  }
  Verdict process(Entry& entry, Arena& arena) noexcept override {
    char* out = arena.allocate(entry.line.size() + 1);
    std::copy(entry.line.begin(), entry.line.end(), out);
    out[entry.line.size()] = '+';
    entry.line = {out, entry.line.size() + 1};
    return Verdict::kPass;
  }
};
TC_REGISTER_STAGE(MarkStage);

// Drops lines that are "drop".
class DropStage : public Stage {
 public:
  static constexpr std::string_view kName = "test_drop";
  static Result<StagePtr> create(const config::ConfigNode&, BuildContext&) {
    return StagePtr(std::make_unique<DropStage>());
  }
  Verdict process(Entry& entry, Arena&) noexcept override {
    return entry.line == "drop" ? Verdict::kDrop : Verdict::kPass;
  }
};
TC_REGISTER_STAGE(DropStage);

// Joins every two lines into one, holding the first until the second comes or a flush.
class PairStage : public Stage {
 public:
  static constexpr std::string_view kName = "test_pair";
  static Result<StagePtr> create(const config::ConfigNode&, BuildContext&) {
    return StagePtr(std::make_unique<PairStage>());
  }
  Verdict process(Entry& entry, Arena&) noexcept override {
    if (held_.empty()) {
      held_ = std::string(entry.line);
      return Verdict::kHold;
    }
    text_ = held_ + "|" + std::string(entry.line);
    held_.clear();
    out_.clear();
    out_.line = text_;
    due_ = true;
    return Verdict::kHold;
  }
  Entry* release() noexcept override {
    if (!due_) return nullptr;
    due_ = false;
    return &out_;
  }
  void flush(std::chrono::steady_clock::time_point, bool everything) noexcept override {
    if (everything && !held_.empty()) {
      text_ = held_;
      held_.clear();
      out_.clear();
      out_.line = text_;
      due_ = true;
    }
  }

 private:
  std::string held_, text_;
  Entry out_;
  bool due_ = false;
};
TC_REGISTER_STAGE(PairStage);

StageChain build(const std::string& yaml) {
  config::ConfigNode node(YAML::Load(yaml), std::make_shared<const std::string>("t.yaml"), "pipeline_stages");
  BuildContext ctx;
  auto chain = StageChain::build(&node, ctx);
  EXPECT_TRUE(chain) << chain.error().message;
  return std::move(*chain);
}

std::vector<std::string> run(StageChain& chain, std::vector<std::string> lines, bool flush) {
  std::vector<std::string> out;
  Arena arena;
  EntryFn deliver = [&](Entry& entry) { out.emplace_back(entry.line); };
  for (const auto& line : lines) {
    Entry entry;
    entry.line = line;
    chain.run(entry, arena, deliver);
  }
  if (flush) chain.flush(std::chrono::steady_clock::now(), true, arena, deliver);
  return out;
}

TEST(StageChain, RunsStagesInOrderAndStopsAtADrop) {
  StageChain chain = build("[{test_drop: }, {test_mark: {}}]");
  EXPECT_EQ(run(chain, {"a", "drop", "b"}, false), (std::vector<std::string>{"a+", "b+"}));
}

TEST(StageChain, HeldEntriesContinueThroughTheStagesAfterTheHoldingOne) {
  StageChain chain = build("[{test_pair: }, {test_mark: }]");
  EXPECT_EQ(run(chain, {"a", "b", "c"}, false), (std::vector<std::string>{"a|b+"}));
  StageChain flushed = build("[{test_pair: }, {test_mark: }]");
  EXPECT_EQ(run(flushed, {"a", "b", "c"}, true), (std::vector<std::string>{"a|b+", "c+"}));
}

TEST(StageChain, UnknownStageSuggestsTheClosestName) {
  config::ConfigNode node(YAML::Load("[{test_mrak: {}}]"), std::make_shared<const std::string>("t.yaml"),
                          "pipeline_stages");
  BuildContext ctx;
  auto chain = StageChain::build(&node, ctx);
  ASSERT_FALSE(chain);
  EXPECT_EQ(chain.error().message,
            "t.yaml:1:3: pipeline_stages[0].test_mrak: unknown stage \"test_mrak\" (did you mean "
            "\"test_mark\"?)");
}

TEST(StageChain, AStageItemMustHaveExactlyOneKey) {
  config::ConfigNode node(YAML::Load("[{test_mark: {}, test_drop: {}}]"),
                          std::make_shared<const std::string>("t.yaml"), "pipeline_stages");
  BuildContext ctx;
  EXPECT_FALSE(StageChain::build(&node, ctx));
}

}  // namespace
}  // namespace tailcast
