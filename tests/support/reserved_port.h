// ReservedPort: a loopback TCP port bound but not listening. Connecting to it is refused at once,
// and no other socket gets it while it is held.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace tailcast::testing {

class ReservedPort {
 public:
  ReservedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~ReservedPort() { ::close(fd_); }
  ReservedPort(const ReservedPort&) = delete;
  ReservedPort& operator=(const ReservedPort&) = delete;

  bool bound() const noexcept { return bound_; }
  int port() const noexcept { return port_; }
  std::string loki_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/loki/api/v1/push";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  bool bound_ = false;
};

}  // namespace tailcast::testing
