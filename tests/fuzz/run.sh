#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs each for a bounded
# time on a corpus seeded from the sample Ray session in configs/samples/ray. Exits non-zero when a
# target crashes, leaks, times out or breaks one of its checks; the input that did it is written
# to $BUILD/crashes/ and can be replayed with `$BUILD/tests/fuzz/<target> <file>`.
#
#   tests/fuzz/run.sh [seconds per target, default 20] [target ...]
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_TARGET="${1:-20}"
shift || true
BUILD="${FUZZ_BUILD_DIR:-build-fuzz}"
JOBS="${JOBS:-$(nproc)}"
CXX_FUZZ="${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++)}"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(spans_fuzz ray_serve_fuzz json_fuzz logfmt_fuzz regex_fuzz timestamp_fuzz)
fi

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DTC_BUILD_FUZZ=ON -DTC_BUILD_TESTS=OFF -DTC_BUILD_BENCH=OFF \
  >/dev/null
ninja -C "$BUILD" -j "$JOBS" "${TARGETS[@]}"

SESSION=configs/samples/ray/session_2026-11-20_09-00-00_690579_1652/logs

# seed TARGET OPTION_BYTE FILE...: each file becomes one input, after the byte that picks the
# target's options.
seed() {
  local dir="$BUILD/seeds/$1" option="$2"
  shift 2
  mkdir -p "$dir"
  for file in "$@"; do
    { printf "\\x$option"; cat "$file"; } >"$dir/$option-$(basename "$file")"
  done
}
# seed_text TARGET OPTION_BYTE NAME TEXT: a hand-written input.
seed_text() {
  mkdir -p "$BUILD/seeds/$1"
  { printf "\\x$2"; printf '%s' "$4"; } >"$BUILD/seeds/$1/$2-$3"
}

rm -rf "$BUILD/seeds"
seed spans_fuzz 00 "$SESSION"/serve/spans/*.json "$SESSION/job-driver-spans-5ng53kdr.log"
seed spans_fuzz 01 "$SESSION"/serve/spans/*.json
seed spans_fuzz 02 "$SESSION/serve/spans/proxy_10.0.0.5_tracing.json"
seed ray_serve_fuzz 00 "$SESSION"/serve/*.log "$SESSION"/*.log "$SESSION"/*.out
seed ray_serve_fuzz 01 "$SESSION/serve/replica_default_Model_vKGXNm.log"
seed json_fuzz 00 "$SESSION"/serve/replica_chat_*.log
seed_text json_fuzz 00 nested '{"a": [{"b": [1, {"c": "x"}]}, 2], "b": {"c": {"d": "\u00e9\n"}}, "x.y": null, "all": 1.5e300}'
seed regex_fuzz 00 "$SESSION"/serve/replica_default_*.log
seed regex_fuzz 01 "$SESSION/serve/controller_2693.log"
seed logfmt_fuzz 00 "$SESSION/serve/proxy_10.0.0.5.log"
seed_text logfmt_fuzz 00 quoted 'level=info msg="hello \"world\"" duration=3ms bare other= msg=again'
seed_text timestamp_fuzz 00 rfc3339 '2026-11-20T09:00:02.315123456+01:00'
seed_text timestamp_fuzz 01 python '2026-11-20 09:00:02,315'
seed_text timestamp_fuzz 02 unix '1764000000217'
seed_text timestamp_fuzz 03 stamp 'Nov 20 09:00:02.315000 UTC'
seed_text timestamp_fuzz 04 rfc1123 'Fri, 20 Nov 2026 09:00:02 +0530'
seed_text timestamp_fuzz 05 unixus '1764000000217592'

mkdir -p "$BUILD/crashes"
failed=()
for target in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  if ! "$BUILD/tests/fuzz/$target" "$corpus" "$BUILD/seeds/$target" \
      -max_total_time="$SECONDS_PER_TARGET" -max_len=32768 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$BUILD/crashes/$target-" -print_final_stats=1 \
      >"$BUILD/$target.log" 2>&1; then
    failed+=("$target")
    tail -n 40 "$BUILD/$target.log" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$BUILD/$target.log" || true
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failed: ${failed[*]} (inputs in $BUILD/crashes/)" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets ran ${SECONDS_PER_TARGET}s each without a failure"
