#!/usr/bin/env bash
# The catalogue's loom cases: exhaustive DPOR with weak memory (the only engine that sees R3, R4,
# R10), optionally preemption-bounded.
#
#   GCMC_LOOM_BOUND   raise the preemption bound of the bounded cases expected to hold to this
#                     (default: each case's own, 3 for the 3-thread shapes). Unbounded cases stay
#                     exhaustive, and a value below a case's own bound is ignored. Deeper is
#                     opt-in: GCMC_LOOM_BOUND=4 costs several times bound 3.
#   plus GCMC_DEEP, GCMC_FILTER, GCMC_MAX_SECONDS, GCMC_BIN (see ci/lib.sh).
#
# Broken cases always run with the bound they were pinned at (which catches them), so their
# pinned replays stay valid. Exit 0 only when every case matches its expectation.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
extra=()
[[ -n "${GCMC_LOOM_BOUND:-}" ]] && extra+=(--bound "$GCMC_LOOM_BOUND")
check_engine loom "${extra[@]}"
