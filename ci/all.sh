#!/usr/bin/env bash
# Every engine's script in turn, with the same environment (see each script for its variables).
# Deeper run: GCMC_DEEP=1 GCMC_LOOM_BOUND=4 GCMC_PCT_ITERATIONS=200000 ci/all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for script in loom shuttle-pct shuttle-random shuttle-dfs stateful std-stress power; do
    ci/"$script".sh || status=1
done
exit "$status"
