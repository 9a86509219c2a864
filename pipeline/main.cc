// tailcast's command line: Promtail's flags (-config.file, -config.expand-env, -dry-run,
// -check-syntax, -print-config-stderr, -inspect, -version) plus -once. Parses, validates, runs, and turns
// SIGINT/SIGTERM into an orderly shutdown that flushes and writes positions.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "pipeline/config/config.h"
#include "pipeline/config/print.h"
#include "pipeline/log.h"
#include "pipeline/metrics.h"
#include "pipeline/runtime.h"
#include "pipeline/stage_inspector.h"
#include "pipeline/server/http_server.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

constexpr const char* kHelp = R"(Usage: tailcast -config.file=FILE [flags]

tailcast tails log files, runs Promtail-compatible pipeline stages (and ray_serve, which knows Ray
Serve's formats), and ships the entries to Loki, or to stdout/a file. A file's position moves
forward only after the sink acknowledged delivery.

Flags (one or two leading dashes; booleans take =true/=false or nothing):
  -config.file=FILE         the pipeline YAML (Promtail's shape). Required.
  -config.expand-env        expand ${VAR} and ${VAR:-default} in the config file before parsing.
  -check-syntax             load and validate the config, build every pipeline, then exit:
                            0 when valid, 1 with file:line:column and the key path otherwise.
  -dry-run                  read files and run stages, print entries to stdout instead of
                            sending them; positions are neither read nor written.
  -once                     read every file to its end, deliver, write positions and exit.
  -inspect                  print what each stage changed in each entry (extracted values,
                            labels, timestamp, line) to stderr; coloured on a terminal.
  -print-config-stderr      print the effective config (secrets redacted) to stderr at start.
  -log.level=LEVEL          debug, info, warn or error (overrides server.log_level).
  -version                  print the version and exit.
  -help                     this text.

Signals: SIGINT and SIGTERM stop reading, flush batches, wait for deliveries (at most 10s),
write positions and exit 0.

Endpoints (server.http_listen_address:http_listen_port, 127.0.0.1:9080 by default):
  /metrics  Prometheus metrics with Promtail's names    /ready  200 once running
  /config   the effective config, secrets redacted
)";

struct Flags {
  std::string config_file;
  std::string log_level;
  bool expand_env = false;
  bool check_syntax = false;
  bool dry_run = false;
  bool once = false;
  bool inspect = false;
  bool print_config = false;
  bool version = false;
  bool help = false;
};

bool parse_bool(std::string_view value, bool& out) {
  if (value.empty() || value == "true" || value == "1") out = true;
  else if (value == "false" || value == "0") out = false;
  else return false;
  return true;
}

bool parse_flags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.rfind("--", 0) == 0) arg.remove_prefix(2);
    else if (arg.rfind("-", 0) == 0) arg.remove_prefix(1);
    else {
      std::fprintf(stderr, "tailcast: unexpected argument \"%s\" (see -help)\n", argv[i]);
      return false;
    }
    std::string_view name = arg, value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    auto take_value = [&](std::string& out) {
      if (!has_value && i + 1 < argc) value = argv[++i];
      out = std::string(value);
      return !out.empty();
    };
    bool ok = true;
    if (name == "config.file") ok = take_value(flags.config_file);
    else if (name == "log.level") ok = take_value(flags.log_level);
    else if (name == "config.expand-env") ok = parse_bool(value, flags.expand_env);
    else if (name == "check-syntax") ok = parse_bool(value, flags.check_syntax);
    else if (name == "dry-run") ok = parse_bool(value, flags.dry_run);
    else if (name == "once") ok = parse_bool(value, flags.once);
    else if (name == "inspect") ok = parse_bool(value, flags.inspect);
    else if (name == "print-config-stderr") ok = parse_bool(value, flags.print_config);
    else if (name == "version") ok = parse_bool(value, flags.version);
    else if (name == "help" || name == "h") flags.help = true;
    else {
      std::fprintf(stderr, "tailcast: unknown flag \"%s\" (see -help)\n", argv[i]);
      return false;
    }
    if (!ok) {
      std::fprintf(stderr, "tailcast: bad value for flag \"%s\"\n", argv[i]);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tailcast;
  Flags flags;
  if (!parse_flags(argc, argv, flags)) return 2;
  if (flags.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (flags.version) {
    std::printf("tailcast %s\n", TC_VERSION);
    return 0;
  }
  if (flags.config_file.empty()) {
    std::fputs("tailcast: -config.file is required (see -help)\n", stderr);
    return 2;
  }

  auto config = config::load_config(flags.config_file, flags.expand_env);
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 1;
  }
  if (!log::set_level(flags.log_level.empty() ? config->server.log_level : flags.log_level)) {
    std::fprintf(stderr, "%s: unknown log level (debug, info, warn, error)\n",
                 flags.config_file.c_str());
    return 1;
  }
  for (const auto& warning : config->warnings) log::warn("Config key ignored.", {{"where", warning}});
  if (flags.print_config) std::fputs(config::to_redacted_yaml(*config).c_str(), stderr);

  Metrics metrics;
  RuntimeOptions options;
  options.dry_run = flags.dry_run;
  options.once = flags.once;
  StageInspector inspector = StageInspector::for_terminal(stderr);
  if (flags.inspect) options.inspector = &inspector;
  // -check-syntax builds everything a start would build, short of touching files.
  if (flags.check_syntax) options.dry_run = true;
  auto runtime = Runtime::create(*config, options, metrics);
  if (!runtime) {
    std::fprintf(stderr, "%s\n", runtime.error().message.c_str());
    return 1;
  }
  if (flags.check_syntax) {
    std::printf("Valid config file! No syntax issues found\n");
    return 0;
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<server::HttpServer> http;
  if (!config->server.disable && !flags.dry_run) {
    http = std::make_unique<server::HttpServer>(metrics, config::to_redacted_yaml(*config));
    auto port = http->start(config->server.http_listen_address, config->server.http_listen_port);
    if (!port) {
      std::fprintf(stderr, "%s\n", port.error().message.c_str());
      return 1;
    }
    log::info("Serving status endpoints.",
              {{"address", config->server.http_listen_address + ":" + std::to_string(*port)}});
    http->set_ready(true);
  }
  log::info("Starting tailcast.", {{"version", TC_VERSION}, {"config", flags.config_file}});
  auto result = (*runtime)->run(g_stop);
  if (http) http->stop();
  if (!result) {
    log::error("Stopped with an error.", {{"error", result.error().message}});
    return 1;
  }
  log::info("Stopped.");
  return 0;
}
