#include "pipeline/batcher.h"

#include <atomic>

namespace tailcast {

Batcher::Batcher(Sink& sink, BatcherOptions options) : sink_(sink), options_(std::move(options)) {}

void Batcher::add(Entry& entry) {
  // External labels apply to this sink only: add them for the key, then take them back off the
  // shared entry for the next sink.
  added_labels_.clear();
  for (const auto& [name, value] : options_.external_labels) {
    if (entry.labels.get(name)) continue;
    entry.labels.set(name, value);
    added_labels_.push_back(name);
  }
  format_stream_key(entry.labels, key_scratch_);

  std::string_view tenant = entry.tenant.empty() ? std::string_view(options_.tenant) : entry.tenant;
  auto it = open_.find(tenant);
  if (it == open_.end()) {
    it = open_.emplace(std::string(tenant), std::make_unique<Batch>(std::string(tenant))).first;
  }
  size_t entry_bytes = entry.line.size();
  for (const Label& pair : entry.structured_metadata) entry_bytes += pair.name.size() + pair.value.size();
  if (!it->second->empty() && it->second->bytes() + entry_bytes > options_.batchsize) {
    send(std::move(it->second));
    it->second = std::make_unique<Batch>(std::string(tenant));
  }
  it->second->add(entry, key_scratch_);

  for (std::string_view name : added_labels_) entry.labels.erase(name);
}

void Batcher::tick(std::chrono::steady_clock::time_point now) {
  for (auto& [tenant, batch] : open_) {
    if (batch && !batch->empty() && now - batch->created() >= options_.batchwait) {
      send(std::move(batch));
      batch = std::make_unique<Batch>(tenant);
    }
  }
}

void Batcher::flush_all() {
  for (auto& [tenant, batch] : open_) {
    if (batch && !batch->empty()) {
      send(std::move(batch));
      batch = std::make_unique<Batch>(tenant);
    }
  }
}

std::chrono::steady_clock::time_point Batcher::next_deadline() const {
  auto next = std::chrono::steady_clock::time_point::max();
  for (const auto& [tenant, batch] : open_) {
    if (batch && !batch->empty()) {
      auto due = batch->created() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        options_.batchwait);
      if (due < next) next = due;
    }
  }
  return next;
}

void Batcher::send(std::unique_ptr<Batch> batch) {
  // std::function must be copyable, so the holds travel behind a shared_ptr. If the sink never
  // reports (abandoned at shutdown), the holds are destroyed unreleased and the position stays.
  auto holds = std::make_shared<std::vector<AckHold>>(batch->take_holds());
  auto in_flight = in_flight_;
  ++*in_flight;
  sink_.send(std::move(batch), [holds, in_flight](Delivery) {
    for (AckHold& hold : *holds) hold.release();
    holds->clear();
    --*in_flight;
  });
}

}  // namespace tailcast
