// tc_kafka_mock_broker: librdkafka's mock Kafka cluster as a process of its own, for tests that run
// the real tailcast binary. Prints the bootstrap servers as the first line on stdout, then serves
// until stdin closes (or only until SIGTERM/SIGINT with --until-signal). With --consume it also
// reads a topic back and appends each message to a file as one JSON line. With --control it
// follows a file of fault-injection commands, one a line, and serves until a signal:
//
//   down ID | up ID            broker ID (1..N; all for every broker) refuses / accepts connections
//   produce-errors COUNT NAME  the next COUNT Produce requests fail with error NAME, e.g.
//                              NOT_LEADER_FOR_PARTITION (librdkafka's name without RD_KAFKA_RESP_ERR_)
//
// Each command applied is echoed to stdout as "applied: <command>" (or "failed: <command>").
//
//   tc_kafka_mock_broker [--brokers N] [--topic NAME[:PARTITIONS]]... [--until-signal]
//                        [--consume TOPIC --output FILE] [--control FILE]
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/kafka_cluster.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

void append_json_string(const std::string& text, std::string& out) {
  out.push_back('"');
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\u%04x", c);
      out += hex;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

std::string to_json(const tailcast::testing::ConsumedMessage& message) {
  std::string out = "{\"topic\":";
  append_json_string(message.topic, out);
  out += ",\"partition\":" + std::to_string(message.partition);
  out += ",\"offset\":" + std::to_string(message.offset);
  out += ",\"timestamp_ms\":" + std::to_string(message.timestamp_ms);
  out += ",\"key\":";
  append_json_string(message.key, out);
  out += ",\"value\":";
  append_json_string(message.value, out);
  out += ",\"headers\":{";
  for (size_t i = 0; i < message.headers.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(message.headers[i].first, out);
    out.push_back(':');
    append_json_string(message.headers[i].second, out);
  }
  out += "}}\n";
  return out;
}

// True once stdin reached end of file (or failed); waits at most `timeout_ms` for it.
bool stdin_closed(int timeout_ms) {
  pollfd fd{0, POLLIN, 0};
  if (::poll(&fd, 1, timeout_ms) <= 0) return false;
  char buffer[256];
  ssize_t n = ::read(0, buffer, sizeof buffer);
  return n <= 0;
}

rd_kafka_resp_err_t error_named(const std::string& name) {
  const struct rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i)
    if (descs[i].name && name == descs[i].name) return descs[i].code;
  return RD_KAFKA_RESP_ERR_UNKNOWN;
}

bool apply(tailcast::testing::KafkaCluster& cluster, int brokers, const std::string& command) {
  std::istringstream words(command);
  std::string verb, target;
  words >> verb >> target;
  if (verb == "down" || verb == "up") {
    std::vector<int> ids;
    if (target == "all") {
      for (int id = 1; id <= brokers; ++id) ids.push_back(id);
    } else {
      ids.push_back(std::atoi(target.c_str()));
    }
    bool ok = true;
    for (int id : ids) ok &= verb == "down" ? cluster.set_broker_down(id) : cluster.set_broker_up(id);
    return ok;
  }
  if (verb == "produce-errors") {
    std::string name;
    words >> name;
    int count = std::atoi(target.c_str());
    rd_kafka_resp_err_t err = error_named(name);
    if (count <= 0 || err == RD_KAFKA_RESP_ERR_UNKNOWN) return false;
    cluster.push_request_errors(0 /* Produce */, std::vector<rd_kafka_resp_err_t>(count, err));
    return true;
  }
  return false;
}

// Applies the complete lines appended to the control file since the last call.
void follow_control(std::ifstream& control, std::string& partial,
                    tailcast::testing::KafkaCluster& cluster, int brokers) {
  control.clear();
  std::string chunk;
  for (char c; control.get(c);) chunk.push_back(c);
  partial += chunk;
  for (size_t end; (end = partial.find('\n')) != std::string::npos;) {
    std::string command = partial.substr(0, end);
    partial.erase(0, end + 1);
    if (command.empty()) continue;
    bool ok = apply(cluster, brokers, command);
    std::printf("%s: %s\n", ok ? "applied" : "failed", command.c_str());
  }
  std::fflush(stdout);
}

int usage(const char* message) {
  std::fprintf(stderr,
               "tc_kafka_mock_broker: %s\nusage: tc_kafka_mock_broker [--brokers N] "
               "[--topic NAME[:PARTITIONS]]... [--until-signal] [--consume TOPIC --output FILE] "
               "[--control FILE]\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  bool until_signal = false;
  std::vector<std::pair<std::string, int>> topics;
  std::string consume_topic, output, control_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--brokers" && has_value) {
      brokers = std::atoi(argv[++i]);
    } else if (arg == "--topic" && has_value) {
      std::string spec = argv[++i];
      size_t colon = spec.rfind(':');
      int partitions = colon == std::string::npos ? 4 : std::atoi(spec.c_str() + colon + 1);
      topics.emplace_back(spec.substr(0, colon), partitions);
    } else if (arg == "--consume" && has_value) {
      consume_topic = argv[++i];
    } else if (arg == "--output" && has_value) {
      output = argv[++i];
    } else if (arg == "--control" && has_value) {
      control_path = argv[++i];
      until_signal = true;
    } else if (arg == "--until-signal") {
      until_signal = true;
    } else {
      return usage(("unknown or incomplete argument " + arg).c_str());
    }
  }
  if (brokers < 1) return usage("--brokers must be at least 1");
  if (consume_topic.empty() != output.empty()) return usage("--consume needs --output");

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  std::string error;
  auto cluster = tailcast::testing::KafkaCluster::start(brokers, &error);
  if (!cluster) return usage(("cannot start the mock cluster: " + error).c_str());
  bool consume_topic_listed = false;
  for (const auto& [name, partitions] : topics) {
    consume_topic_listed |= name == consume_topic;
    int replication = brokers < 3 ? brokers : 3;
    if (!cluster->create_topic(name, partitions, replication))
      return usage(("cannot create topic " + name).c_str());
  }
  if (!consume_topic.empty() && !consume_topic_listed &&
      !cluster->create_topic(consume_topic, 4, brokers < 3 ? brokers : 3))
    return usage(("cannot create topic " + consume_topic).c_str());

  std::unique_ptr<tailcast::testing::KafkaConsumer> consumer;
  std::FILE* out = nullptr;
  if (!consume_topic.empty()) {
    out = std::fopen(output.c_str(), "a");
    if (!out) return usage(("cannot open " + output).c_str());
    consumer = tailcast::testing::KafkaConsumer::open(cluster->bootstraps(), consume_topic,
                                                      std::chrono::seconds(30), &error);
    if (!consumer) return usage(("cannot consume: " + error).c_str());
  }

  std::ifstream control;
  std::string partial;
  if (!control_path.empty()) {
    std::ofstream(control_path, std::ios::app).flush();  // exists before the test appends to it
    control.open(control_path, std::ios::binary);
    if (!control) return usage(("cannot open " + control_path).c_str());
  }

  std::printf("%s\n", cluster->bootstraps().c_str());
  std::fflush(stdout);

  while (!g_stop) {
    if (control.is_open()) follow_control(control, partial, *cluster, brokers);
    if (consumer) {
      for (const auto& message : consumer->poll(std::chrono::milliseconds(100))) {
        std::string line = to_json(message);
        std::fwrite(line.data(), 1, line.size(), out);
      }
      std::fflush(out);
      if (!until_signal && stdin_closed(0)) break;
    } else if (until_signal) {
      ::poll(nullptr, 0, 50);
    } else if (stdin_closed(500)) {
      break;
    }
  }
  consumer.reset();
  if (out) std::fclose(out);
  return 0;
}
