#!/usr/bin/env bash
# The catalogue's shuttle random-scheduler cases, seeded.
#
#   GCMC_RANDOM_ITERATIONS  raise the executions of the cases expected to hold to this (default: each case's own)
#   GCMC_RANDOM_SEED        seed for the cases expected to hold (default: each case's own)
#   plus GCMC_DEEP, GCMC_FILTER, GCMC_MAX_SECONDS, GCMC_BIN (see ci/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
extra=()
[[ -n "${GCMC_RANDOM_ITERATIONS:-}" ]] && extra+=(--iterations "$GCMC_RANDOM_ITERATIONS")
[[ -n "${GCMC_RANDOM_SEED:-}" ]] && extra+=(--seed "$GCMC_RANDOM_SEED")
check_engine random "${extra[@]}"
