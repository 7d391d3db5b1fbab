//! The `gcmc` command line: `list`, `check`, `explore`, `replay`, `power`, `orderings`, `pin`, `bench`.
//!
//! Exit codes: 0 when everything matched (check), held (explore), reproduced (replay) or was
//! pinned (pin); 1 when a case mismatched, an exploration found a violation, a replay diverged, or
//! pin could not pin a case or refused a changed count without --accept; 2 on bad input, with one
//! line `error: ...` on stderr; 3 when `explore` ran out of budget before finishing; 141 when
//! stdout or stderr was closed before gcmc finished writing (`gcmc list | head -1`), silently;
//! 130 (SIGINT, Ctrl-C) or 143 (SIGTERM) when `check` was interrupted, after the rows of the cases
//! that finished.

mod broken_pipe;
mod commands;
mod explore;
mod interrupt;
mod list;
mod live;
pub mod quiet;

use crate::engine::EngineKind;
use crate::engine_spec::EngineSpec;
use crate::error::{one_line, GcmcError};
use crate::shard::Shard;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "gcmc",
    version,
    about = "Deterministic model checking of Go runtime GC allocation mechanisms under loom and shuttle",
    after_help = "Exit codes: 0 all matched / held / reproduced / pinned; 1 a mismatch, a violation found, a replay that diverged, \
                  or a pin not made (a changed count on a holds case needs --accept); \
                  2 bad input (one line `error: ...` on stderr); 3 explore ran out of budget; \
                  141 stdout or stderr closed early (`gcmc list | head -1`); \
                  130 / 143 check interrupted by SIGINT (Ctrl-C) / SIGTERM, after the rows of the cases that finished."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the models' variants (regression id, origin, meaning) and the catalogue's cases.
    List {
        /// Print the upper bound on every size instead (refused above it, with the reason).
        #[arg(long, conflicts_with = "markdown")]
        limits: bool,
        /// Print the variant table in Markdown instead, with the engines whose cases catch each
        /// broken variant (the README's table).
        #[arg(long)]
        markdown: bool,
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
    /// Run the catalogue: one row per case; exit 0 only when every outcome matches its expectation.
    Check(CheckArgs),
    /// Explore one configuration ad hoc; a failure is shrunk, saved, and its replay command printed.
    Explore(ExploreArgs),
    /// Replay a saved failure and print its trace.
    Replay {
        /// A replay file (written by check, explore or pin).
        file: PathBuf,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Row power: run every known bug (each broken variant with a violation row) in place of the
    /// correct variant in each holds case FILTER selects, under the case's engine and budget, and
    /// show which rows catch which bugs. Exit 1 if a bug that an engine sees is caught by none of
    /// that engine's rows, or by fewer than two rows in all.
    Power(PowerArgs),
    /// The ordering sweep: weaken each atomic call site the loom holds cases FILTER selects reach
    /// to Relaxed, one at a time, and show which weakenings a case catches (the orderings a proof
    /// rests on) and which none does (stronger than these cases need). Reports; never fails.
    Orderings {
        /// A model or variant name, or whole `-`-separated words of case ids.
        filter: Option<String>,
        /// Include the cases marked `deep` (a case named by its full id is always included).
        #[arg(long)]
        deep: bool,
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
    /// (Re)record what the cases FILTER selects pin: execution counts and pinned replays. Every
    /// change is shown (old and new count, first differing trace line); a changed case that must
    /// hold needs --accept, else nothing is written.
    Pin {
        /// A model or variant name, or whole `-`-separated words of case ids (`R1` selects R1-loom, not R12-loom).
        filter: Option<String>,
        /// Record a changed execution count of a case that must hold (investigate it first).
        #[arg(long)]
        accept: bool,
        /// Include the cases marked `deep` (a case named by its full id is always included).
        #[arg(long)]
        deep: bool,
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
    /// Measure gcmc against the bare engines and a stress test, how far each engine proves, time
    /// to each bug, the seed's contention claim and determinism; write `OUT/benchmarks.md` and its
    /// SVG plots. The full run takes about an hour on two cores.
    Bench {
        /// A reduced grid in seconds (the test suite's check that the report renders).
        #[arg(long)]
        quick: bool,
        /// The directory the report and plots are written to.
        #[arg(long, value_name = "DIR", default_value = "docs")]
        out: PathBuf,
        #[command(flatten)]
        catalogue: CatalogueArg,
    },
    /// gcmc's own: runs one catalogue case for `check --jobs`, which starts it (a request on
    /// stdin, the row on stdout).
    #[command(name = "case-worker", hide = true)]
    CaseWorker {
        /// The case's id, so that `ps` shows which case a worker runs.
        #[arg(long, value_name = "ID")]
        case: Option<String>,
    },
}

/// Which catalogue cases a command takes (check, power).
#[derive(Args, Debug)]
pub struct Selection {
    /// A model or variant name, or whole `-`-separated words of case ids (`R1` selects R1-loom, not R12-loom).
    pub filter: Option<String>,
    /// Only cases under this engine.
    #[arg(long, value_name = "E")]
    pub engine: Option<EngineKind>,
    /// Also the cases marked `deep`.
    #[arg(long)]
    pub deep: bool,
}

/// An engine and its parameters, as `explore` takes them; validated by [`EngineSpec::resolve`],
/// as a catalogue entry's `engine` table is.
#[derive(Args, Debug)]
pub struct EngineArgs {
    #[arg(long = "engine", value_name = "E", default_value = "loom")]
    pub kind: EngineKind,
    /// loom: preemption bound (default: none, exhaustive).
    #[arg(long, value_name = "B")]
    pub bound: Option<usize>,
    /// pct/random: executions (default 10000); std: runs (default 1000).
    #[arg(long, value_name = "N")]
    pub iterations: Option<usize>,
    /// pct: bug depth (default 3).
    #[arg(long, value_name = "D")]
    pub depth: Option<usize>,
    /// pct/random: seed (default 0).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// dfs: cap on executions.
    #[arg(long, value_name = "N")]
    pub max_iterations: Option<usize>,
    /// stateful: store full states instead of 128-bit fingerprints (small configurations).
    #[arg(long)]
    pub exact_states: bool,
    /// stateful: ignore the models' local-state declarations (a thread's local state is then its
    /// whole history: the unreduced search).
    #[arg(long)]
    pub no_local_states: bool,
    /// stateful: no sleep sets (explore every order of independent steps).
    #[arg(long)]
    pub no_sleep_sets: bool,
    /// stateful: no partial-order reduction (explore every transition from every state).
    #[arg(long)]
    pub no_por: bool,
}

impl EngineArgs {
    pub fn spec(&self) -> EngineSpec {
        EngineSpec {
            name: self.kind,
            bound: self.bound,
            iterations: self.iterations,
            depth: self.depth,
            seed: self.seed,
            max_iterations: self.max_iterations,
            exact_states: self.exact_states.then_some(true),
            local_states: self.no_local_states.then_some(false),
            sleep_sets: self.no_sleep_sets.then_some(false),
            por: self.no_por.then_some(false),
        }
    }
}

/// How a failing execution is shown (replay, explore).
#[derive(Args, Debug, Default)]
pub struct ViewArgs {
    /// Show the trace as a table, one column per thread (main's set-up and audits in their own),
    /// the steps the violation points at marked `*`.
    #[arg(long)]
    pub columns: bool,
    /// The table's width in characters (default 120): cells wrap to fit; a column is never
    /// narrower than 12, so many threads may make the table wider.
    #[arg(long, value_name = "N", requires = "columns", value_parser = clap::value_parser!(u16).range(24..))]
    pub width: Option<u16>,
    /// Also draw the failing execution as a sequence chart (threads as lanes, steps as boxes, the
    /// objects each step touched, the marked steps in red) to this SVG file.
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
}

impl ViewArgs {
    pub fn trace_view(&self) -> crate::explain::TraceView {
        match self.columns {
            false => crate::explain::TraceView::Lines,
            true => crate::explain::TraceView::Columns { width: self.width.map_or(crate::view::columns::DEFAULT_WIDTH, usize::from) },
        }
    }
}

#[derive(Args, Debug)]
pub struct CatalogueArg {
    /// The catalogue to use (default: models/catalogue.toml in the current directory or the nearest
    /// one above it, else the checkout gcmc was built from; the report says which).
    #[arg(long, value_name = "PATH")]
    pub catalogue: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Print a JSON array instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Cases expected to hold: raise a bounded loom case's preemption bound to B (never lowers it;
    /// unbounded cases stay exhaustive). Broken cases keep their pinned budgets.
    #[arg(long, value_name = "B")]
    pub bound: Option<usize>,
    /// Cases expected to hold: raise pct/random/std iterations to N (never lowers them).
    #[arg(long, value_name = "N")]
    pub iterations: Option<usize>,
    /// Cases expected to hold: the pct/random seed.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Cases expected to hold: raise a capped dfs case's cap to N (uncapped cases stay exhaustive).
    #[arg(long, value_name = "N")]
    pub max_iterations: Option<usize>,
    /// For cases expected to hold: time limit per case, in seconds.
    #[arg(long, value_name = "S")]
    pub max_seconds: Option<f64>,
    /// Do not replay the pinned files.
    #[arg(long)]
    pub skip_pinned: bool,
    /// Where to write replay files of failures (default: target/gcmc/replays).
    #[arg(long, value_name = "DIR")]
    pub replay_dir: Option<PathBuf>,
    /// Cases run side by side, N at a time, each in a child process of its own (default: the
    /// number of cores). Rows are printed in catalogue order and are the same for any N except
    /// their seconds; 1 runs the cases one after another in catalogue order.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only part I of N of the selected cases (I counts from 1), split by the catalogue's
    /// recorded cost so the parts take about as long: a CI matrix of N runners, each given the
    /// same filter and options, runs every case exactly once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

#[derive(Args, Debug)]
pub struct PowerArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Print the rows and their probes as JSON instead of the matrix.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

#[derive(Args, Debug)]
pub struct ExploreArgs {
    /// The model: see `gcmc list`.
    pub model: String,
    /// The variant: see `gcmc list`.
    #[arg(long, value_name = "V")]
    pub variant: String,
    /// Model threads (default: the variant's default configuration's).
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// Operations per thread (default: the variant's default configuration's).
    #[arg(long, value_name = "K")]
    pub ops: Option<usize>,
    /// A configuration field, as in a catalogue `[config]` table: --set counter_bits=2 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// stateful: cap on states stored (default 200,000,000 compact, 2,000,000 exact).
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    /// Time limit, in seconds (default 600).
    #[arg(long, value_name = "S")]
    pub max_seconds: Option<f64>,
    /// Cap on executions.
    #[arg(long, value_name = "N")]
    pub max_executions: Option<u64>,
    /// Report the failure at the sizes given, without shrinking it.
    #[arg(long)]
    pub no_shrink: bool,
    /// Time limit for shrinking, in seconds.
    #[arg(long, value_name = "S", default_value_t = 120.0)]
    pub shrink_seconds: f64,
    /// Where to write the replay file (default: target/gcmc/replays).
    #[arg(long, value_name = "DIR")]
    pub replay_dir: Option<PathBuf>,
    #[command(flatten)]
    pub view: ViewArgs,
    /// pct/random: run the chunks of 1,000 executions on N worker threads (default: the number of
    /// cores). Execution i depends only on the seed and i, so the verdict, the executions and the
    /// failing schedule are the same for any N. The other engines run on one thread.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Explore only part I of N (I counts from 1), for a CI matrix: dfs and stateful split the tree
    /// of scheduling decisions into subtrees at --split-depth and deal them round robin (a proof
    /// is every shard holding); pct/random deal their chunks. loom cannot be split (its DPOR walk
    /// cannot start at a prefix) and std trials are independent: both refuse --shard.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// dfs/stateful shards: cut the tree at the D-th decision with a choice (default 8). Every
    /// shard of one split must be given the same D.
    #[arg(long, value_name = "D", requires = "shard")]
    pub split_depth: Option<usize>,
}

/// Parses `args` (with the program name first) and runs the command; returns the exit code.
pub fn main_with(args: Vec<String>) -> i32 {
    broken_pipe::exit_quietly_on_broken_pipe();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help, --version.
            print!("{e}");
            return 0;
        }
        Err(e) => {
            // clap's message, up to its usage section, on one line.
            let rendered = e.render().to_string();
            let message: Vec<&str> = rendered.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            let message = message.join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            return fail(&GcmcError::Usage(format!("{message} (see gcmc --help)")));
        }
    };
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// The longest error line: the loaders bound the names they quote, and this is the net under
/// the rest (clap quotes a mistyped argument whole, and one may be 128 KiB long).
const MAX_ERROR_CHARS: usize = 2_000;

fn fail(e: &GcmcError) -> i32 {
    let line = one_line(&e.to_string());
    match line.char_indices().nth(MAX_ERROR_CHARS) {
        None => eprintln!("error: {line}"),
        Some((cut, _)) => eprintln!("error: {}... (cut at {MAX_ERROR_CHARS} characters)", &line[..cut]),
    }
    GcmcError::EXIT_CODE
}
