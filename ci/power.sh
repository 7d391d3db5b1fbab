#!/usr/bin/env bash
# Row power: every known bug (each broken variant with a violation row) run in place of the correct
# variant in every holds row, under that row's engine and budget. Fails if a bug that a checker
# sees is caught by none of that checker's holds rows, or by fewer than two holds rows in all.
# About twenty minutes on two cores for the default catalogue; GCMC_DEEP=1 adds the deep rows.
#
#   GCMC_DEEP, GCMC_FILTER, GCMC_BIN (see ci/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
args=()
[[ "${GCMC_DEEP:-0}" == 1 ]] && args+=(--deep)
[[ -n "${GCMC_FILTER:-}" ]] && args+=("$GCMC_FILTER")
gcmc power "${args[@]}"
