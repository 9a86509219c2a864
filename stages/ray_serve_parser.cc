// Line parser for the `ray_serve` stage. Detection is per line, never per Ray version: Serve wrote
// four text generations and two JSON encodings, and one file may hold lines from several.
#include "stages/ray_serve_parser.h"

#include <cstring>

namespace tailcast::stages::ray {
namespace {

constexpr size_t kMaxPrefixSize = 256;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_upper_word_char(char c) noexcept { return (c >= 'A' && c <= 'Z') || c == '_'; }

bool all_digits(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text)
    if (!is_digit(c)) return false;
  return true;
}

bool is_upper_word(std::string_view text) noexcept {
  if (text.empty() || text.size() > 16) return false;
  for (char c : text)
    if (!is_upper_word_char(c)) return false;
  return true;
}

bool is_level(std::string_view text) noexcept {
  switch (text.size()) {
    case 4: return text == "INFO";
    case 5: return text == "DEBUG" || text == "ERROR";
    case 7: return text == "WARNING";
    case 8: return text == "CRITICAL";
    default: return false;
  }
}

// `replica.py:373`: a file name with an extension, a colon and a line number.
bool split_file_line(std::string_view token, std::string_view& file, std::string_view& line) {
  const size_t colon = token.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view digits = token.substr(colon + 1);
  std::string_view name = token.substr(0, colon);
  if (!all_digits(digits) || name.find('.') == std::string_view::npos) return false;
  file = name;
  line = digits;
  return true;
}

// Drops colour codes and spaces from the end of `text`.
std::string_view trim_ansi_back(std::string_view text) noexcept {
  for (;;) {
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty() || text.back() != 'm') return text;
    size_t pos = text.size() - 1;
    while (pos > 0 && (is_digit(text[pos - 1]) || text[pos - 1] == ';')) --pos;
    if (pos < 2 || text[pos - 1] != '[' || text[pos - 2] != '\x1b') return text;
    text = text.substr(0, pos - 2);
  }
}

// Removes the driver's `[repeated Nx across cluster]` (and the note that follows it the first
// time) from the end of `text`; returns N, or an empty view when the suffix is absent.
std::string_view cut_dedup_suffix(std::string_view& text) noexcept {
  std::string_view rest = trim_ansi_back(text);
  if (!rest.empty() && rest.back() == ')') {
    const size_t note = rest.rfind(" (Ray deduplicates logs");
    if (note != std::string_view::npos) rest = trim_ansi_back(rest.substr(0, note));
  }
  constexpr std::string_view kTail = "x across cluster]";
  constexpr std::string_view kHead = "[repeated ";
  if (rest.size() < kTail.size() + kHead.size() + 1 || !rest.ends_with(kTail)) return {};
  size_t digits_begin = rest.size() - kTail.size();
  while (digits_begin > 0 && is_digit(rest[digits_begin - 1])) --digits_begin;
  const size_t digits_end = rest.size() - kTail.size();
  if (digits_begin == digits_end || digits_begin < kHead.size()) return {};
  if (rest.substr(digits_begin - kHead.size(), kHead.size()) != kHead) return {};
  std::string_view count = rest.substr(digits_begin, digits_end - digits_begin);
  text = trim_ansi_back(rest.substr(0, digits_begin - kHead.size()));
  return count;
}

// Serve's access-log messages: `[client ]METHOD [route ]STATUS LATENCYms`, STATUS being an HTTP
// code or a word (OK, ERROR) for handle calls.
void parse_access(ParsedLine& out, std::string_view message) noexcept {
  if (message.size() < 7 || !message.ends_with("ms")) return;
  std::array<std::string_view, 5> tokens;
  size_t count = 0, pos = 0;
  while (pos < message.size()) {
    if (count == tokens.size()) return;
    tokens[count++] = next_token(message, pos);
  }
  if (count < 3) return;
  std::string_view latency = tokens[count - 1];
  latency.remove_suffix(2);
  if (latency.empty() || !is_digit(latency.front()) || !is_digit(latency.back())) return;
  for (char c : latency)
    if (!is_digit(c) && c != '.') return;
  const std::string_view status = tokens[count - 2];
  if (!all_digits(status) && !is_upper_word(status)) return;
  std::string_view route;
  size_t method_at = count - 3;
  if (!tokens[method_at].empty() && tokens[method_at].front() == '/') {
    if (count < 4) return;
    route = tokens[method_at];
    --method_at;
  }
  if (method_at > 1 || !is_upper_word(tokens[method_at])) return;
  out.set(Slot::kMethod, tokens[method_at]);
  out.set(Slot::kStatus, status);
  out.set(Slot::kLatencyMs, latency);
  if (!route.empty() && out.get(Slot::kRoute).empty()) out.set(Slot::kRoute, route);
}

std::string_view component_of(std::string_view name) noexcept {
  if (name == "replica") return "replica";
  if (name == "controller") return "controller";
  if (name == "proxy" || name == "http_proxy") return "proxy";
  return {};
}

// Application and deployment of a replica. `name` is the deployment as the line writes it:
// `<app>_<deployment>` when `has_app_prefix` (text lines and the older JSON), else bare.
void resolve_replica(ParsedLine& out, std::string_view name, std::string_view app,
                     bool has_app_prefix) noexcept {
  std::string_view deployment = name;
  if (!app.empty()) {
    if (name.size() > app.size() && name.starts_with(app) && name[app.size()] == '_')
      deployment = name.substr(app.size() + 1);
  } else if (const size_t underscore = name.find('_');
             has_app_prefix && underscore != std::string_view::npos && underscore > 0) {
    app = name.substr(0, underscore);
    deployment = name.substr(underscore + 1);
  } else {
    // Ray >= 2.10 replica ids read `app#deployment#suffix`.
    const std::string_view replica = out.get(Slot::kReplica);
    const size_t first = replica.find('#');
    if (first != std::string_view::npos && first > 0 &&
        replica.find('#', first + 1) != std::string_view::npos)
      app = replica.substr(0, first);
  }
  out.set(Slot::kComponent, "replica");
  out.set(Slot::kApplication, app);
  out.set(Slot::kDeployment, deployment);
}

bool parse_text(ParsedLine& out, std::string_view text) noexcept {
  size_t pos = 0;
  const std::string_view level = next_token(text, pos);
  if (!is_level(level) || pos + kAsctimeSize >= text.size()) return false;
  const std::string_view stamp = text.substr(pos, kAsctimeSize);
  if (text[pos + kAsctimeSize] != ' ' || !parse_asctime(stamp, out.time)) return false;
  out.has_time = true;
  pos += kAsctimeSize + 1;
  out.kind = LineKind::kText;
  out.set(Slot::kLevel, level);
  out.set(Slot::kTimestamp, stamp);
  const std::string_view name = next_token(text, pos);
  const std::string_view id = next_token(text, pos);
  const size_t rest_at = pos;

  std::array<std::string_view, 3> attrs;
  size_t attr_count = 0;
  bool marker = false;
  while (pos < text.size()) {
    const std::string_view token = next_token(text, pos);
    std::string_view file, line;
    if (token == "--") {
      marker = true;
      break;
    }
    if (text.substr(pos - 1, 3) == " - " && split_file_line(token, file, line)) {
      out.set(Slot::kFile, file);
      out.set(Slot::kLine, line);
      pos += 2;
      marker = true;
      break;
    }
    if (attr_count < attrs.size()) attrs[attr_count] = token;
    ++attr_count;
  }
  if (!marker) {
    attr_count = 0;
    pos = rest_at;
  }
  out.set(Slot::kMessage, pos < text.size() ? text.substr(pos) : std::string_view{});

  // `[request_id ][route ][application ]`: A and C write the first two, B all three, D only the id.
  std::string_view app;
  size_t i = 0;
  const size_t known = attr_count < attrs.size() ? attr_count : attrs.size();
  auto is_route = [](std::string_view token) { return token.starts_with('/'); };
  if (i < known && !is_route(attrs[i])) out.set(Slot::kRequestId, attrs[i++]);
  if (i < known && is_route(attrs[i])) {
    out.set(Slot::kRoute, attrs[i++]);
    if (i < known) app = attrs[i];
  }

  if (const std::string_view component = component_of(name);
      !component.empty() && component != "replica") {
    out.set(Slot::kComponent, component);
    out.set(Slot::kComponentId, id);
  } else if (name == "serve") {
    out.set(Slot::kComponent, name);
    out.set(Slot::kComponentId, id);
  } else {
    out.set(Slot::kReplica, id);
    resolve_replica(out, name, app, true);
  }
  return true;
}

bool parse_json(ParsedLine& out, std::string_view text) noexcept {
  JsonScanner scanner(text);
  if (!scanner.begin()) return false;
  std::string_view key;
  JsonValue value;
  JsonValue component_name, deployment;
  bool has_filename = false;
  auto take = [&](Slot slot) {
    out.set(slot, value.text);
    if (value.escaped) out.escaped |= 1u << static_cast<unsigned>(slot);
  };
  while (scanner.next(key, value)) {
    switch (key.size()) {
      case 5: if (key == "route") take(Slot::kRoute); break;
      case 6: if (key == "lineno") take(Slot::kLine); break;
      case 7:
        if (key == "asctime") take(Slot::kTimestamp);
        else if (key == "message") take(Slot::kMessage);
        else if (key == "replica") take(Slot::kReplica);
        break;
      case 8: if (key == "filename") { take(Slot::kFile); has_filename = true; } break;
      case 9: if (key == "levelname") take(Slot::kLevel); break;
      case 10:
        if (key == "deployment") deployment = value;
        else if (key == "request_id") take(Slot::kRequestId);
        break;
      case 11: if (key == "application") take(Slot::kApplication); break;
      case 12:
        if (key == "component_id") take(Slot::kComponentId);
        else if (key == "timestamp_ns") take(Slot::kTimestampNs);
        break;
      case 14: if (key == "component_name") component_name = value; break;
      default: break;
    }
  }
  if (!scanner.ok() || out.get(Slot::kLevel).empty() || out.get(Slot::kTimestamp).empty()) {
    out = ParsedLine{};
    return false;
  }
  out.kind = LineKind::kJson;
  // Ray 2.9-2.32 wrote the message as `file.py:line - text`.
  std::string_view message = out.get(Slot::kMessage);
  if (!has_filename && !message.empty()) {
    size_t pos = 0;
    const std::string_view token = next_token(message, pos);
    std::string_view file, line;
    if (message.substr(pos - 1, 3) == " - " && split_file_line(token, file, line)) {
      out.set(Slot::kFile, file);
      out.set(Slot::kLine, line);
      out.set(Slot::kMessage, message.substr(pos + 2));
    }
  }
  const std::string_view component = component_of(component_name.text);
  if (component == "replica" || (component_name.text.empty() && !deployment.text.empty())) {
    if (deployment.escaped) out.escaped |= 1u << static_cast<unsigned>(Slot::kDeployment);
    resolve_replica(out, deployment.text, out.get(Slot::kApplication), !has_filename);
  } else if (!component_name.text.empty()) {
    out.set(Slot::kComponent, component.empty() ? component_name.text : component);
    if (component_name.escaped) out.escaped |= 1u << static_cast<unsigned>(Slot::kComponent);
  }
  return true;
}

}  // namespace

std::string_view slot_name(Slot slot) noexcept {
  static constexpr std::array<std::string_view, kSlotCount> kNames = {
      "level",   "timestamp", "component", "component_id", "application", "deployment",
      "replica", "request_id", "route",    "file",         "line",        "message",
      "method",  "status",    "latency_ms", "timestamp_ns", "repeated"};
  return kNames[static_cast<size_t>(slot)];
}

bool slot_is_numeric(Slot slot, std::string_view value) noexcept {
  switch (slot) {
    case Slot::kLine:
    case Slot::kLatencyMs:
    case Slot::kTimestampNs:
    case Slot::kRepeated: return !value.empty();
    case Slot::kStatus: return all_digits(value);
    default: return false;
  }
}

ParsedLine parse_line(std::string_view line) noexcept {
  ParsedLine out;
  size_t pos = skip_ansi(line, 0);
  if (pos < line.size() && line[pos] == '(') {
    const size_t close = line.substr(0, pos + kMaxPrefixSize).find(')', pos);
    if (close != std::string_view::npos) {
      const std::string_view inner = line.substr(pos + 1, close - pos - 1);
      if (inner.find('(') == std::string_view::npos &&
          (inner.find("pid=") != std::string_view::npos || inner.starts_with("raylet") ||
           inner.starts_with("autoscaler "))) {
        out.prefix = line.substr(pos, close - pos + 1);
        pos = skip_ansi(line, close + 1);
        if (pos < line.size() && line[pos] == ' ') ++pos;
      }
    }
  }
  out.body = line.substr(pos);
  if (std::memchr(out.body.data(), '\x1b', out.body.size())) {
    out.needs_cleaning = true;
    return out;
  }
  if (out.body.empty()) return out;

  const char first = out.body.front();
  if (first == ':' && out.prefix.empty()) {
    struct Tag {
      std::string_view text;
      Magic magic;
    };
    static constexpr Tag kTags[] = {{":job_id:", Magic::kJobId},
                                    {":actor_name:", Magic::kActorName},
                                    {":task_name:", Magic::kTaskName}};
    for (const Tag& tag : kTags) {
      if (out.body.starts_with(tag.text)) {
        out.kind = LineKind::kMagic;
        out.magic = tag.magic;
        out.magic_value = out.body.substr(tag.text.size());
        return out;
      }
    }
    return out;
  }
  if (first != '{' && (first < 'A' || first > 'Z')) return out;

  std::string_view content = out.body;
  const std::string_view repeated = cut_dedup_suffix(content);
  const bool parsed = first == '{' ? parse_json(out, content) : parse_text(out, content);
  if (!parsed) return out;
  out.set(Slot::kRepeated, repeated);
  if (!out.is_escaped(Slot::kMessage)) parse_access(out, out.get(Slot::kMessage));
  return out;
}

}  // namespace tailcast::stages::ray
