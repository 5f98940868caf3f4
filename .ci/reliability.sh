#!/usr/bin/env bash
# Reliability suites of docs/RELIABILITY.md: crash, torn reads, bad input, fuzz smoke.
#
#   .ci/reliability.sh            everything, CI-sized (about 5 minutes on the 2-core VM)
#   .ci/reliability.sh tests      only the crash / torn-read / bad-input integration tests
#   .ci/reliability.sh fuzz [S]   only the fuzz smoke, S seconds per target (default 20)
#
# Sizes (env): KSANA_CRASH_TRIALS (10; the full campaign is 100), KSANA_TORN_SECONDS (10; full
# 60), KSANA_FUZZ_SECONDS (20). The fuzz targets are built for libFuzzer with the coverage flags
# cargo-fuzz uses, on stable Rust (no sanitizer, which would need nightly: the readers are safe
# Rust, so what is looked for is panics, overflows, hangs and runaway allocation). Run from the
# repository root, as .ci/run does.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
start=$SECONDS
section() { printf '\n=== [reliability %4ds] %s ===\n' "$((SECONDS - start))" "$*"; }

if [ "$what" = all ] || [ "$what" = tests ]; then
  section "crash suite: ${KSANA_CRASH_TRIALS:=10} kills, disk full, sim restart"
  export KSANA_CRASH_TRIALS
  cargo test -q -p ksana --test crash -- --nocapture --test-threads 1
  section "torn-read suite: ${KSANA_TORN_SECONDS:=10} s per protocol"
  export KSANA_TORN_SECONDS
  cargo test -q -p ksana --test torn_read -- --nocapture
  section "bad-input matrix"
  cargo test -q -p ksana --test bad_input -- --nocapture
fi

if [ "$what" = all ] || [ "$what" = fuzz ]; then
  secs="${2:-${KSANA_FUZZ_SECONDS:-20}}"
  target=x86_64-unknown-linux-gnu
  fuzz_dir="$PWD/target/fuzz"
  bin="$fuzz_dir/$target/release"
  corpus="$fuzz_dir/corpus"
  section "fuzz targets: build (libFuzzer, coverage instrumentation)"
  # The flags cargo-fuzz passes (cargo fuzz build -s none --debug-assertions); --target keeps
  # them off build scripts.
  RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
    CARGO_TARGET_DIR="$fuzz_dir" \
    cargo build -q --release --manifest-path fuzz/Cargo.toml --target "$target" --bins
  section "fuzz seeds"
  cargo build -q -p ksana
  for t in recording recording_crc_fixed; do
    mkdir -p "$corpus/$t"
    for p in acc iracing; do
      [ -f "$corpus/$t/seed-$p" ] ||
        target/debug/ksana synth --profile "$p" --seconds 0.3 -o "$corpus/$t/seed-$p" >/dev/null
    done
  done
  mkdir -p "$corpus/iracing_session"
  # A small session-info document in iRacing's dialect (unquoted values, `:` in strings).
  printf '%s\n' '---' 'WeekendInfo:' ' TrackName: spa 2024 up' ' TrackLength: 6.93 km' \
    ' TrackDisplayName: Circuit de Spa-Francorchamps' 'SessionInfo:' ' Sessions:' \
    ' - SessionNum: 0' '   SessionLaps: unlimited' '   SessionTime: 1800.0000 sec' \
    'DriverInfo:' ' DriverCarIdx: 0' ' Drivers:' ' - CarIdx: 0' '   UserName: A B: C' \
    '   CarNumber: "7"' '...' >"$corpus/iracing_session/seed"
  # The first 120 kB of a real .ibt (header, var headers, YAML, ~80 rows: the salvage path
  # reads them), from the shared fixtures when they are there; never copied into the repository.
  fixtures="${KSANA_FIXTURES:-$PWD/../shared/fixtures}"
  mkdir -p "$corpus/ibt"
  if [ -f "$fixtures/iracing/ibt_2024_390rows.ibt" ]; then
    head -c 120000 "$fixtures/iracing/ibt_2024_390rows.ibt" >"$corpus/ibt/seed-ibt-head"
  fi
  targets=(recording recording_crc_fixed testpattern_page iracing_layout iracing_session assetto_pages ibt legacy)
  for t in "${targets[@]}"; do
    section "fuzz $t for $secs s"
    mkdir -p "$corpus/$t" "$fuzz_dir/artifacts/$t"
    # A crash, panic, timeout (10 s for one input) or out-of-memory (2 GB) fails the run and
    # leaves the input in target/fuzz/artifacts/$t/; turn it into a regression test (docs).
    log="$fuzz_dir/$t.log"
    rc=0
    max_len=65536
    [ "$t" = ibt ] && max_len=131072
    "$bin/$t" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$fuzz_dir/artifacts/$t/" "$corpus/$t" >"$log" 2>&1 || rc=$?
    grep -E '(DONE|^Done |stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
    if [ "$rc" -ne 0 ]; then
      tail -n 40 "$log" >&2
      echo "fuzz target $t failed (exit $rc); input in $fuzz_dir/artifacts/$t/" >&2
      exit 1
    fi
  done
fi

section "reliability done in $((SECONDS - start)) s"
