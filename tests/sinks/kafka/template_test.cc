// KafkaTemplate: `{{ .label }}` substitution for the Kafka sink's topic and key.
#include "sinks/kafka/template.h"

#include <gtest/gtest.h>

namespace tailcast::sinks::kafka {
namespace {

std::string render(std::string_view text, const std::vector<Label>& labels) {
  std::string out;
  KafkaTemplate::compile(text).render(labels, out);
  return out;
}

const std::vector<Label> kLabels = {{"app", "web"}, {"env", "prod"}, {"job", "ray"}};

TEST(KafkaTemplate, LabelReferenceIsReplacedByItsValue) {
  EXPECT_EQ(render("logs-{{ .app }}", kLabels), "logs-web");
}

TEST(KafkaTemplate, SpacesInsideBracesAreOptional) {
  EXPECT_EQ(render("{{.app}}.{{ .env}}.{{.job }}.{{  .app  }}", kLabels), "web.prod.ray.web");
}

TEST(KafkaTemplate, AbsentLabelRendersEmpty) {
  EXPECT_EQ(render("a-{{ .missing }}-b", kLabels), "a--b");
}

TEST(KafkaTemplate, TextWithoutReferencesIsLiteral) {
  auto compiled = KafkaTemplate::compile("plain.topic");
  EXPECT_TRUE(compiled.is_constant());
  std::string out;
  compiled.render(kLabels, out);
  EXPECT_EQ(out, "plain.topic");
}

TEST(KafkaTemplate, AnythingButALabelReferenceStaysLiteral) {
  EXPECT_EQ(render("{{ app }}", kLabels), "{{ app }}");
  EXPECT_EQ(render("{{ .app", kLabels), "{{ .app");
  EXPECT_EQ(render("{{ .app | upper }}", kLabels), "{{ .app | upper }}");
  EXPECT_EQ(render("{ .app }", kLabels), "{ .app }");
  EXPECT_EQ(render("{{{{ .app }}}}", kLabels), "{{web}}");
}

TEST(KafkaTemplate, ReferencesMakeItDependOnLabels) {
  EXPECT_FALSE(KafkaTemplate::compile("x{{ .app }}").is_constant());
}

TEST(KafkaTemplate, EmptyTemplateIsEmpty) {
  EXPECT_TRUE(KafkaTemplate::compile("").empty());
  EXPECT_FALSE(KafkaTemplate::compile("k").empty());
}

TEST(KafkaTemplate, RenderAppends) {
  std::string out = "prefix:";
  KafkaTemplate::compile("{{ .env }}").render(kLabels, out);
  EXPECT_EQ(out, "prefix:prod");
}

}  // namespace
}  // namespace tailcast::sinks::kafka
