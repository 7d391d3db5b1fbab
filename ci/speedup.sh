#!/usr/bin/env bash
# The README's scale-out figures, measured side by side in one run: wall-clock seconds of
# `check --jobs 1` against `--jobs N` on the default catalogue and on `--deep`, and of one long PCT
# exploration on 1 and N workers. Prints a markdown table; every run must also match (exit 1 if not).
#
#   GCMC_SPEEDUP_JOBS   N, default: the number of cores
#   GCMC_SPEEDUP_DEEP   0 to skip the --deep pair (about 20 minutes on 2 cores), default 1
#   GCMC_BIN            a built gcmc binary (default: build and use target/release/gcmc)
#   GCMC_SPEEDUP_OUT    a folder to keep each run's output in (a file named after its arguments),
#                       default: none
#
# Opt-in (not in ci/all.sh): it measures the machine, so run it on an otherwise idle one.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${GCMC_SPEEDUP_JOBS:-$(nproc)}
if [[ -z "${GCMC_BIN:-}" ]]; then
    cargo build --release --quiet
    GCMC_BIN=target/release/gcmc
fi
out=${GCMC_SPEEDUP_OUT:-}
[[ -n "$out" ]] && mkdir -p "$out"
seconds() {
    local start end keep=/dev/null
    if [[ -n "$out" ]]; then
        keep="$out/$(echo "$*" | tr -cs 'a-zA-Z0-9' '-' | cut -c1-80).txt"
        echo "gcmc $*" >"$keep"
    fi
    start=$(date +%s.%N)
    # A run that fails (a mismatch, bad input) stops the script: its figure would mean nothing.
    "$GCMC_BIN" "$@" >>"$keep" || { echo "error: \`gcmc $*\` failed" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
row() {
    local what=$1
    shift
    local one many
    one=$(seconds "$@" --jobs 1)
    many=$(seconds "$@" --jobs "$jobs")
    printf '| %s | %.1f | %.1f | %.2fx |\n' "$what" "$one" "$many" "$(echo "$one / $many" | bc -l)"
}
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); gcmc $(git rev-parse --short HEAD)"
echo
echo "| run | --jobs 1 (s) | --jobs $jobs (s) | speed-up |"
echo "|---|---|---|---|"
row '`check` (default catalogue)' check
[[ "${GCMC_SPEEDUP_DEEP:-1}" == 1 ]] && row '`check --deep`' check --deep
row '`explore gcbits --variant v2 --engine pct --iterations 200000`' \
    explore gcbits --variant v2 --set threads=4 --set allocs=4 --set arena_words=2 --set 'nelems=[64,128]' --set 'rotations=[1,2,3]' \
    --engine pct --iterations 200000 --depth 4 --seed 1816825113
