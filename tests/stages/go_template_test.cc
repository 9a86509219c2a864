// The Go template engine on its own: Go's text/template semantics as Promtail runs them, and the
// functions of Promtail's map and Sprig.
#include "stages/go_template.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace tailcast::stages {
namespace {

class MapData final : public TemplateData {
 public:
  MapData(std::initializer_list<std::pair<const std::string, std::string>> values)
      : values_(values) {}
  std::optional<std::string_view> find(std::string_view key) const noexcept override {
    auto found = values_.find(key);
    if (found == values_.end()) return std::nullopt;
    return std::string_view(found->second);
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// The output, or "<error>" when execution failed; a compile error fails the test.
std::string render(std::string_view text, const MapData& data = MapData{}) {
  auto compiled = GoTemplate::compile(text);
  if (!compiled) {
    ADD_FAILURE() << text << ": " << compiled.error().message;
    return "<compile error>";
  }
  std::string out;
  return compiled->render(data, out) ? out : std::string("<error>");
}

std::string compile_error(std::string_view text) {
  auto compiled = GoTemplate::compile(text);
  return compiled ? std::string() : compiled.error().message;
}

TEST(GoTemplate, TextAndFieldsRender) {
  const MapData data{{"Value", "v"}, {"app", "web"}};
  EXPECT_EQ(render("plain text"), "plain text");
  EXPECT_EQ(render("{{ .Value }}-{{.app}}", data), "v-web");
  EXPECT_EQ(render("{{ $.app }}", data), "web");
}

TEST(GoTemplate, MissingKeyRendersNoValue) {
  EXPECT_EQ(render("[{{ .nope }}]"), "[<no value>]");
}

TEST(GoTemplate, TrimMarkersEatSurroundingSpace) {
  const MapData data{{"a", "x"}};
  EXPECT_EQ(render("a  {{- .a -}}  \n b", data), "axb");
  EXPECT_EQ(render("a {{/* a comment */}}b"), "a b");
  EXPECT_EQ(render("a {{- /* a comment */ -}} b"), "ab");
}

TEST(GoTemplate, PipelinesPassTheValueAsLastArgument) {
  const MapData data{{"Value", "Hello World"}};
  EXPECT_EQ(render("{{ .Value | ToUpper }}", data), "HELLO WORLD");
  EXPECT_EQ(render("{{ .Value | Replace \"o\" \"0\" -1 }}", data), "<error>")
      << "Replace(s, old, new, n): the piped string lands in n";
  EXPECT_EQ(render("{{ Replace .Value \"o\" \"0\" 1 }}", data), "Hell0 World");
  EXPECT_EQ(render("{{ Replace .Value \"o\" \"0\" -1 }}", data), "Hell0 W0rld");
  EXPECT_EQ(render("{{ .Value | trunc 5 | upper }}", data), "HELLO");
  EXPECT_EQ(render("{{ (ToUpper .Value) | printf \"%s!\" }}", data), "HELLO WORLD!");
}

TEST(GoTemplate, IfElseAndComparisons) {
  const MapData data{{"level", "warn"}, {"n", "12"}};
  EXPECT_EQ(render("{{ if eq .level \"warn\" }}W{{ else }}other{{ end }}", data), "W");
  EXPECT_EQ(render("{{ if eq .level \"info\" \"warn\" }}yes{{ end }}", data), "yes");
  EXPECT_EQ(render("{{ if ne .level \"warn\" }}A{{ else if eq .n \"12\" }}B{{ else }}C{{ end }}",
                   data),
            "B");
  EXPECT_EQ(render("{{ if .missing }}yes{{ else }}no{{ end }}"), "no");
  EXPECT_EQ(render("{{ if gt (atoi .n) 10 }}big{{ end }}", data), "big");
  EXPECT_EQ(render("{{ if lt .level \"x\" }}less{{ end }}", data), "less");
  EXPECT_EQ(render("{{ if lt (atoi .n) \"x\" }}less{{ end }}", data), "<error>")
      << "Go refuses to order values of different kinds";
  EXPECT_EQ(render("{{ if and .level (not .missing) }}both{{ end }}", data), "both");
  EXPECT_EQ(render("{{ or .missing \"fallback\" }}", data), "fallback");
  EXPECT_EQ(render("{{ with .level }}[{{ . }}]{{ end }}", data), "[warn]");
  EXPECT_EQ(render("{{ if eq .missing \"x\" }}y{{ else }}n{{ end }}"), "n");
}

TEST(GoTemplate, PromtailStringFunctions) {
  const MapData data{{"v", "  xxhixx  "}, {"p", "prefix-body-suffix"}};
  EXPECT_EQ(render("{{ TrimSpace .v }}", data), "xxhixx");
  EXPECT_EQ(render("{{ Trim (TrimSpace .v) \"x\" }}", data), "hi");
  EXPECT_EQ(render("{{ TrimLeft (TrimSpace .v) \"x\" }}", data), "hixx");
  EXPECT_EQ(render("{{ TrimRight (TrimSpace .v) \"x\" }}", data), "xxhi");
  EXPECT_EQ(render("{{ TrimPrefix .p \"prefix-\" }}", data), "body-suffix");
  EXPECT_EQ(render("{{ TrimSuffix .p \"-suffix\" }}", data), "prefix-body");
  EXPECT_EQ(render("{{ ToUpper \"straße\" }}"), "STRAßE")
      << "Go maps rune by rune: ß has no single-rune upper case";
  EXPECT_EQ(render("{{ ToLower \"İSTANBUL\" }}"), "istanbul");
}

TEST(GoTemplate, HashSaltsTheInputAndArgumentOrderMatters) {
  const MapData data{{"Value", "secret"}};
  // SHA3-256("s" + "secret") and SHA3-256("secret" + "s").
  const std::string piped = render("{{ .Value | Hash \"s\" }}", data);
  const std::string direct = render("{{ Hash .Value \"s\" }}", data);
  EXPECT_EQ(piped.size(), 64u);
  EXPECT_NE(piped, direct);
  EXPECT_EQ(render("{{ Hash \"\" \"abc\" }}"),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  EXPECT_EQ(render("{{ Sha2Hash \"\" \"abc\" }}"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(render("{{ Sha2Hash \"a\" \"bc\" }}"), render("{{ sha256sum \"abc\" }}"));
}

TEST(GoTemplate, RegexReplaceAllExpandsGroupsAndLiteralDoesNot) {
  const MapData data{{"Value", "user=alice id=7"}};
  EXPECT_EQ(render("{{ regexReplaceAll \"(\\\\w+)=(\\\\w+)\" .Value \"${2}:$1\" }}", data),
            "alice:user 7:id");
  EXPECT_EQ(render("{{ regexReplaceAllLiteral \"=\\\\w+\" .Value \"=$1\" }}", data),
            "user=$1 id=$1");
  EXPECT_EQ(render("{{ regexReplaceAll \"a*\" \"baaac\" \"-\" }}"), "-b-c-")
      << "Go skips an empty match right after a match";
  EXPECT_EQ(render("{{ regexReplaceAll \"(?P<k>\\\\w+)=\" .Value \"$k:\" }}", data),
            "user:alice id:7");
  EXPECT_EQ(render("{{ regexReplaceAll \"(\" .Value \"x\" }}", data), "<error>")
      << "an invalid regex panics in Go: the template fails";
  EXPECT_EQ(render("{{ regexReplaceAll \"x\" .missing \"y\" }}"), "<error>")
      << "nil given as a string fails";
}

TEST(GoTemplate, SprigFunctions) {
  const MapData data{{"Value", "Hello"}, {"empty", ""}, {"n", "42"}};
  EXPECT_EQ(render("{{ .missing | default \"d\" }}"), "d");
  EXPECT_EQ(render("{{ .empty | default \"d\" }}", data), "d");
  EXPECT_EQ(render("{{ .Value | default \"d\" }}", data), "Hello");
  EXPECT_EQ(render("{{ contains \"ell\" .Value }}", data), "true");
  EXPECT_EQ(render("{{ hasPrefix \"He\" .Value }} {{ hasSuffix \"x\" .Value }}", data),
            "true false");
  EXPECT_EQ(render("{{ trunc 3 \"héllo\" }}"), "h\xC3\xA9") << "trunc counts bytes";
  EXPECT_EQ(render("{{ len \"héllo\" }}"), "6") << "len counts bytes";
  EXPECT_EQ(render("{{ trunc -2 .Value }}", data), "lo");
  EXPECT_EQ(render("{{ add (atoi .n) 8 }}", data), "50");
  EXPECT_EQ(render("{{ atoi \"nope\" }}"), "0");
  EXPECT_EQ(render("{{ atoi .missing }}"), "<error>") << "atoi of a missing key fails";
  EXPECT_EQ(render("{{ quote .Value }} {{ squote .Value }}", data), "\"Hello\" 'Hello'");
  EXPECT_EQ(render("{{ replace \"l\" \"L\" .Value }}", data), "HeLLo");
  EXPECT_EQ(render("{{ substr 1 3 .Value }}", data), "el");
  EXPECT_EQ(render("{{ b64enc .Value }}|{{ b64dec \"SGVsbG8=\" }}", data), "SGVsbG8=|Hello");
  EXPECT_EQ(render("{{ ternary \"y\" \"n\" (eq .Value \"Hello\") }}", data), "y");
  EXPECT_EQ(render("{{ printf \"%s=%d %q %05.1f\" .Value 7 \"q\" 3.14159 }}", data),
            "Hello=7 \"q\" 003.1");
  EXPECT_EQ(render("{{ print 1 2 \"a\" \"b\" }}"), "1 2ab");
  EXPECT_EQ(render("{{ 1.5 }} {{ 1e21 }} {{ true }}"), "1.5 1e+21 true");
}

TEST(GoTemplate, DatesParseInGoLayoutsAndFormat) {
  const MapData data{{"ts", "2023-04-05 08:07:08 +0200"}};
  EXPECT_EQ(render("{{ toDate \"2006-01-02 15:04:05 -0700\" .ts | unixEpoch }}", data),
            "1680674828");
  EXPECT_EQ(render("{{ toDate \"2006-01-02\" \"garbage\" | unixEpoch }}"), "-62135596800")
      << "unparsable text gives Go's zero time";
  EXPECT_EQ(render("{{ dateInZone \"Jan 2 2006 15:04:05.000 MST\" 1680674828 \"UTC\" }}"),
            "Apr 5 2023 06:07:08.000 UTC");
  EXPECT_EQ(render("{{ unixEpoch .ts }}", data), "<error>") << "unixEpoch wants a time";
}

TEST(GoTemplate, CompileErrorsNameLineAndColumn) {
  EXPECT_EQ(compile_error("{{ .a }}\n  {{ nosuch .b }}"),
            "template:2:6: function \"nosuch\" not defined");
  EXPECT_EQ(compile_error("{{ if .a }}x"), "template:1:6: unexpected end of template: missing {{end}}");
  EXPECT_EQ(compile_error("{{ end }}"), "template:1:4: unexpected {{end}}");
  EXPECT_EQ(compile_error("{{ .a "), "template:1:7: unclosed action");
  EXPECT_EQ(compile_error("{{ ToUpper }}"), "template:1:4: wrong number of args for ToUpper: want 1 got 0");
  EXPECT_EQ(compile_error("{{ \"abc }}"), "template:1:4: unterminated quoted string");
  EXPECT_EQ(compile_error("{{ .a \"b\" }}"), "template:1:4: can't give argument to non-function");
  EXPECT_EQ(compile_error("{{ range .a }}{{ end }}"), "template:1:4: {{range}} is not supported");
  EXPECT_EQ(compile_error("{{ $x := .a }}"), "template:1:4: variables are not supported");
}

TEST(GoTemplate, FieldsOfStringsFailAtExecution) {
  const MapData data{{"a", "x"}};
  EXPECT_EQ(render("{{ .a.b }}", data), "<error>");
}

}  // namespace
}  // namespace tailcast::stages
