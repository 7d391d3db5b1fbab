#!/usr/bin/env bash
# Mutation testing of the protocol code with cargo-mutants: every mutant of models/src/lfstack/,
# models/src/gcbits/arenas.rs and models/src/workbufs/ is built, and the catalogue cases of its
# model (tests/catalogue.rs, `catalogue::<model>::`, the deep ones excluded, and its `meta::`
# checks of the catalogue as a whole), tests/limits.rs (the size bounds), the model's own
# tests (tests/<model>*.rs: figures, refusals, what the catalogue does not pin) and the models
# crate's unit tests run against it under cargo-nextest, which stops at the first failing test
# and kills the tests still running (a mutant can make another case run to its time limit). A
# mutant no case catches is a survivor:
# kill it with a new check, or list it in docs/mutants.md as equivalent, with the reason.
#
# Opt-in and slow: about 700 mutants, half a minute to a few minutes each on two cores. Split it
# over runners with GCMC_MUTANTS_SHARD=k/n (cargo-mutants' own --shard, round-robin).
#
#   GCMC_MUTANTS_SHARD    k/n, default 0/1 (everything)
#   GCMC_MUTANTS_MODELS   which models' files, default "lfstack gcbits workbufs"
#   GCMC_MUTANTS_TIMEOUT  seconds for one mutant's tests, default 600
#   GCMC_MUTANTS_OUT      where the reports go, default target/mutants (one folder per model)
#   GCMC_MUTANTS_ITERATE  1: test again only the mutants an earlier run into GCMC_MUTANTS_OUT did not
#                         catch (cargo-mutants' --iterate), e.g. after adding a test
#   GCMC_MUTANTS_IN_DIFF  a unified diff (`git diff BASE -- models/src`): only the mutants on lines it
#                         adds or changes (cargo-mutants' --in-diff), e.g. the code changed since a
#                         full run
#
# Needs cargo-mutants and cargo-nextest (`cargo install cargo-mutants cargo-nextest --locked`).
# Mutants are made in place (the build reuses target/ incrementally): do not edit the tree while
# it runs; cargo-mutants restores every file afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
shard=${GCMC_MUTANTS_SHARD:-0/1}
timeout=${GCMC_MUTANTS_TIMEOUT:-600}
out=${GCMC_MUTANTS_OUT:-target/mutants}
if [[ -n "${GCMC_MUTANTS_IN_DIFF:-}" && ! -r "$GCMC_MUTANTS_IN_DIFF" ]]; then
    echo "error: GCMC_MUTANTS_IN_DIFF names $GCMC_MUTANTS_IN_DIFF, which is not a readable file" >&2
    exit 2
fi
models=${GCMC_MUTANTS_MODELS:-lfstack gcbits workbufs}
for model in $models; do
    case $model in
        lfstack | gcbits | workbufs) ;;
        *) echo "error: unknown model \`$model\` in GCMC_MUTANTS_MODELS (known: lfstack gcbits workbufs)" >&2; exit 2 ;;
    esac
done
[[ $shard =~ ^[0-9]+/[1-9][0-9]*$ ]] && (( ${shard%/*} < ${shard#*/} )) ||
    { echo "error: GCMC_MUTANTS_SHARD=$shard is not k/n with 0 <= k < n" >&2; exit 2; }
for tool in cargo-mutants cargo-nextest; do
    command -v "$tool" >/dev/null || { echo "error: $tool is not installed (cargo install $tool --locked)" >&2; exit 2; }
done
status=0
for model in $models; do
    case $model in
        lfstack) files=(-f 'models/src/lfstack/*.rs'); tests=(--test lfstack --test lfstack_packing) ;;
        gcbits) files=(-f models/src/gcbits/arenas.rs); tests=(--test gcbits --test gcbits_config) ;;
        workbufs) files=(-f 'models/src/workbufs/*.rs'); tests=(--test workbufs) ;;
    esac
    mkdir -p "$out/$model"
    echo "+ cargo mutants ${files[*]} --shard $shard (catalogue::$model::)" >&2
    # Exit 2 from cargo-mutants means survivors, 3 timeouts: report them all, fail at the end.
    iterate=()
    [[ "${GCMC_MUTANTS_ITERATE:-0}" == 1 ]] && iterate=(--iterate)
    in_diff=()
    [[ -n "${GCMC_MUTANTS_IN_DIFF:-}" ]] && in_diff=(--in-diff "$GCMC_MUTANTS_IN_DIFF")
    cargo mutants "${files[@]}" "${iterate[@]}" "${in_diff[@]}" --in-place --shard "$shard" --timeout "$timeout" \
        --baseline skip --package gcmc-models --test-package gcmc,gcmc-models --test-tool nextest --profile release \
        --output "$out/$model" --no-shuffle \
        -- --lib --test catalogue --test limits "${tests[@]}" --max-fail 1:immediate \
        -E "test(/^catalogue::$model::/) | test(/^meta::/) | binary(/^$model/) | binary(=limits) | (package(gcmc-models) & kind(lib))" || status=1
done
exit "$status"
