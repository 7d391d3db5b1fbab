#!/usr/bin/env bash
# The catalogue's stateful-engine cases: exhaustive searches with a visited set of state
# fingerprints (sequential consistency, like every shuttle engine). With GCMC_DEEP=1 the larger
# proofs (gcbits v1 4x2, lfstack go 4x2x1) run too.
#
#   GCMC_DEEP, GCMC_FILTER, GCMC_MAX_SECONDS, GCMC_BIN (see ci/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
check_engine stateful
