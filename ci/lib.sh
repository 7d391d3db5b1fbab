# Shared by the ci/ scripts: how to run gcmc.
#
#   GCMC_BIN    a built gcmc binary to use instead of `cargo run --release --` (the test suite sets
#               it to the binary it built, so the scripts run inside `cargo test --release`)
#   GCMC_DEEP   1: also run the catalogue's `deep = true` cases (default 0)
#   GCMC_FILTER a case filter (a model or variant name, or whole -separated words of ids; default: all)
#   GCMC_MAX_SECONDS  per-case time limit for cases expected to hold (default: the catalogue's)
#   GCMC_SHARD  I/N: only part I of N of the selected cases (`check --shard`), for a CI matrix
#   GCMC_JOBS   cases run side by side (`check --jobs`; default: the number of cores)

gcmc() {
    if [[ -n "${GCMC_BIN:-}" ]]; then
        "$GCMC_BIN" "$@"
    else
        cargo run --release --quiet -- "$@"
    fi
}

# check ENGINE [extra options...]: the catalogue's cases under ENGINE, with the common options.
check_engine() {
    local engine=$1
    shift
    local args=(check --engine "$engine")
    [[ -n "${GCMC_FILTER:-}" ]] && args+=("$GCMC_FILTER")
    [[ "${GCMC_DEEP:-0}" == 1 ]] && args+=(--deep)
    [[ -n "${GCMC_MAX_SECONDS:-}" ]] && args+=(--max-seconds "$GCMC_MAX_SECONDS")
    [[ -n "${GCMC_SHARD:-}" ]] && args+=(--shard "$GCMC_SHARD")
    [[ -n "${GCMC_JOBS:-}" ]] && args+=(--jobs "$GCMC_JOBS")
    echo "+ gcmc ${args[*]} $*" >&2
    gcmc "${args[@]}" "$@"
}
