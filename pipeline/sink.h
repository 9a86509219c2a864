// Sink: where batches leave the process. The contract (sinks/README.md): a sink calls `done`
// exactly once per batch, from any thread, and only after the remote accepted the batch or the
// batch met an explicit rule (a permanent rejection, retries exhausted). Positions move on `done`.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pipeline/batch.h"

namespace tailcast {

enum class Delivery : uint8_t {
  kDelivered,  // the remote stored every entry
  kRejected,   // the remote refused some or all entries for good (Loki 400); never resent
  kDropped,    // given up after the configured retries; counted, never silent
};

using DoneFn = std::function<void(Delivery)>;

class Sink {
 public:
  virtual ~Sink() = default;
  // Takes the batch. Retries transient failures itself; never blocks the caller on the network.
  virtual void send(std::unique_ptr<Batch> batch, DoneFn done) noexcept = 0;
  // Bytes of batches the sink accepts now; at 0 the readers pause (backpressure).
  virtual size_t free_bytes() const noexcept = 0;
  // Finishes in-flight work until the deadline; batches still undelivered then stay
  // unacknowledged, so their lines are read again after a restart.
  virtual void drain(std::chrono::steady_clock::time_point deadline) noexcept = 0;
  virtual std::string_view name() const noexcept = 0;
};

}  // namespace tailcast
