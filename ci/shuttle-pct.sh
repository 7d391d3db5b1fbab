#!/usr/bin/env bash
# The catalogue's shuttle PCT cases: probabilistic, with a guarantee per execution of finding a
# depth-d bug (>= 1/(n k^(d-1))), seeded so every run explores the same schedules.
#
#   GCMC_PCT_ITERATIONS  raise the executions of the cases expected to hold to this (default: each case's own, 20000)
#   GCMC_PCT_SEED        seed for the cases expected to hold (default: each case's own)
#   plus GCMC_DEEP, GCMC_FILTER, GCMC_MAX_SECONDS, GCMC_BIN (see ci/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
extra=()
[[ -n "${GCMC_PCT_ITERATIONS:-}" ]] && extra+=(--iterations "$GCMC_PCT_ITERATIONS")
[[ -n "${GCMC_PCT_SEED:-}" ]] && extra+=(--seed "$GCMC_PCT_SEED")
check_engine pct "${extra[@]}"
