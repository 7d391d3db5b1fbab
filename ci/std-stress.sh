#!/usr/bin/env bash
# The catalogue's real-thread stress cases: what the hardware happens to do, the baseline the
# checkers beat (`gcmc bench`'s time-to-first-bug section measures it against them). Racy-by-design variants are refused under std.
#
#   GCMC_STD_ITERATIONS  raise the runs of the cases expected to hold to this (default: each case's own, 1000)
#   plus GCMC_DEEP, GCMC_FILTER, GCMC_MAX_SECONDS, GCMC_BIN (see ci/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
extra=()
[[ -n "${GCMC_STD_ITERATIONS:-}" ]] && extra+=(--iterations "$GCMC_STD_ITERATIONS")
check_engine std "${extra[@]}"
