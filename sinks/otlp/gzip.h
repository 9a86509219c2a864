// gzip (RFC 1952) of a request body with zlib, for OTLP's `Content-Encoding: gzip`.
#pragma once

#include <string>
#include <string_view>

namespace tailcast::sinks::otlp {

// Writes the gzip of `input` into `out` (cleared first; capacity reused). False only when zlib
// fails (out of memory).
bool gzip_compress(std::string_view input, std::string& out) noexcept;

}  // namespace tailcast::sinks::otlp
