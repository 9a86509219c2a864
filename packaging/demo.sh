#!/usr/bin/env bash
# Quick start (a): installs what is missing, builds tailcast, and ships the sample Ray Serve logs in
# configs/samples through configs/demo.yaml to stdout, showing each entry's labels.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTC_BUILD_TESTS=OFF -DTC_BUILD_BENCH=OFF >/dev/null
ninja -C build tailcast

# A fresh positions file, so that every run of the demo ships the whole sample again.
export TAILCAST_DEMO_POSITIONS="${TMPDIR:-/tmp}/tailcast-demo-positions.yaml"
rm -f "$TAILCAST_DEMO_POSITIONS"
build/tailcast -config.file=configs/demo.yaml -config.expand-env=true -once
echo "demo: positions written to $TAILCAST_DEMO_POSITIONS" >&2
