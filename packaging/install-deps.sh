#!/usr/bin/env bash
# Installs exactly the Debian 12 packages tailcast's build, tests and benchmarks need. Idempotent:
# packages already present are left alone, and apt is not touched when nothing is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # runtime libraries
  libsimdjson-dev libre2-dev libyaml-cpp-dev libsnappy-dev libzstd-dev liblz4-dev
  libcurl4-openssl-dev libprotobuf-dev protobuf-compiler librdkafka-dev prometheus-cpp-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # fuzzing (tests/fuzz/run.sh): clang and its libFuzzer + sanitizer runtimes
  clang-14 libclang-rt-14-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
