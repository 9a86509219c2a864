#include "bench/ray_log_generator.h"

#include <cstdio>

namespace tailcast::bench {
namespace {

constexpr const char* kLevels[] = {"INFO", "INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR"};
constexpr const char* kApps[] = {"default", "chat", "search"};
constexpr const char* kDeployments[] = {"Model", "Router", "Tokenizer", "LLMServer"};
constexpr const char* kReplicas[] = {"256v3hq4", "iovwnesr", "w5457or0", "xlz2i2ae", "gsslcw9t"};
constexpr const char* kRoutes[] = {"/", "/predict", "/healthz", "/chat/completions"};
constexpr const char* kMessages[] = {
    "Started executing request.", "cache miss for key user:42", "batch size 16, queue depth 3",
    "tokens=512 latency_ms=38.2", "Loaded model weights in 1.3s.",
    "Finished request in 12.4ms with 3 retries and a very long explanation of what happened"};
constexpr const char* kFiles[] = {"replica.py:373", "replica.py:719", "router.py:96", "model.py:57"};
constexpr const char* kTraceback =
    "Traceback (most recent call last):\n"
    "  File \"/home/ray/app/model.py\", line 88, in __call__\n"
    "    out = self.model(batch)\n"
    "  File \"/home/ray/app/model.py\", line 41, in forward\n"
    "    raise RuntimeError(\"CUDA out of memory\")\n"
    "RuntimeError: CUDA out of memory\n";

}  // namespace

void RayLogGenerator::append_timestamp(std::string& out) {
  millis_ += next(40);
  uint64_t ms = millis_ % 1000, s = (millis_ / 1000) % 60, m = (millis_ / 60000) % 60,
           h = (millis_ / 3600000) % 24;
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "2026-11-20 %02u:%02u:%02u,%03u", static_cast<unsigned>(h),
                static_cast<unsigned>(m), static_cast<unsigned>(s), static_cast<unsigned>(ms));
  out += buffer;
}

void RayLogGenerator::append_hex(std::string& out, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < digits; ++i) out.push_back(kHex[next(16)]);
}

void RayLogGenerator::append_uuid(std::string& out) {
  append_hex(out, 8);
  out.push_back('-');
  append_hex(out, 4);
  out += "-4";
  append_hex(out, 3);
  out.push_back('-');
  append_hex(out, 4);
  out.push_back('-');
  append_hex(out, 12);
}

void RayLogGenerator::append_record(std::string& out) {
  const char* level = kLevels[next(7)];
  const char* app = kApps[next(3)];
  const char* deployment = kDeployments[next(4)];
  const char* replica = kReplicas[next(5)];
  const char* route = kRoutes[next(4)];
  const char* message = kMessages[next(6)];
  const char* file = kFiles[next(4)];
  uint64_t kind = next(100);
  if (kind < 10) {  // JSON-encoded (Ray's structured logging)
    out += "{\"asctime\": \"";
    append_timestamp(out);
    out += "\", \"levelname\": \"";
    out += level;
    out += "\", \"message\": \"";
    out += message;
    out += "\", \"filename\": \"model.py\", \"lineno\": 57, \"route\": \"";
    out += route;
    out += "\", \"request_id\": \"";
    append_uuid(out);
    out += "\", \"application\": \"";
    out += app;
    out += "\", \"deployment\": \"";
    out += deployment;
    out += "\", \"replica\": \"";
    out += replica;
    out += "\", \"component_name\": \"replica\"}\n";
    return;
  }
  out += level;
  out.push_back(' ');
  append_timestamp(out);
  if (kind < 20) {  // proxy access log
    out += " proxy 10.0.0.5 ";
    append_uuid(out);
    out.push_back(' ');
    out += route;
    out += " proxy.py:538 - GET 200 ";
    out += std::to_string(next(1000));
    out += ".";
    out += std::to_string(next(10));
    out += "ms\n";
    return;
  }
  if (kind < 25) {  // controller
    out += " controller 2693 -- Adding 1 replica to Deployment(name='";
    out += deployment;
    out += "', app='";
    out += app;
    out += "').\n";
    return;
  }
  out.push_back(' ');
  out += app;
  out.push_back('_');
  out += deployment;
  out.push_back(' ');
  out += replica;
  out.push_back(' ');
  if (kind < 90) {  // generation C: request id, route, file:line
    append_uuid(out);
    out.push_back(' ');
    out += route;
    out.push_back(' ');
    out += file;
    out += " - ";
    out += message;
  } else {  // generation D: request id, then "-- message"
    append_uuid(out);
    out += " -- ";
    out += message;
  }
  out.push_back('\n');
  if (level[0] == 'E' && next(4) == 0) out += kTraceback;
}

void RayLogGenerator::append_logs(std::string& out, size_t bytes) {
  size_t target = out.size() + bytes;
  while (out.size() < target) append_record(out);
}

void RayLogGenerator::append_spans(std::string& out, size_t bytes) {
  size_t target = out.size() + bytes;
  while (out.size() < target) {
    std::string trace, span, parent, request;
    append_hex(trace, 32);
    append_hex(span, 16);
    append_hex(parent, 16);
    append_uuid(request);
    out += "{\n    \"name\": \"replica_handle_request\",\n    \"context\": {\n        \"trace_id\": \"0x";
    out += trace;
    out += "\",\n        \"span_id\": \"0x";
    out += span;
    out += "\",\n        \"trace_state\": \"[]\"\n    },\n    \"kind\": \"SpanKind.SERVER\",\n";
    out += "    \"parent_id\": \"0x";
    out += parent;
    out += "\",\n    \"start_time\": \"2026-11-20T09:00:01.000000Z\",\n";
    out += "    \"end_time\": \"2026-11-20T09:00:01.012000Z\",\n";
    out += "    \"status\": {\n        \"status_code\": \"OK\"\n    },\n    \"attributes\": {\n";
    out += "        \"request_id\": \"";
    out += request;
    out += "\",\n        \"deployment\": \"Model\",\n        \"app\": \"default\"\n    },\n";
    out += "    \"events\": [],\n    \"links\": [],\n    \"resource\": {\n        \"attributes\": {\n";
    out += "            \"service.name\": \"unknown_service\"\n        },\n";
    out += "        \"schema_url\": \"\"\n    }\n}\n";
  }
}

}  // namespace tailcast::bench
