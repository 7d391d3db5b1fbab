#!/usr/bin/env bash
# The catalogue's shuttle DFS cases: exhaustive when they finish under their cap (no partial-order
# reduction, so only small shapes).
#
#   GCMC_DFS_MAX_ITERATIONS  raise the cap on executions of the capped cases expected to hold to
#                            this (default: each case's own; uncapped cases run to the end)
#   plus GCMC_DEEP, GCMC_FILTER, GCMC_MAX_SECONDS, GCMC_BIN (see ci/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
extra=()
[[ -n "${GCMC_DFS_MAX_ITERATIONS:-}" ]] && extra+=(--max-iterations "$GCMC_DFS_MAX_ITERATIONS")
check_engine dfs "${extra[@]}"
