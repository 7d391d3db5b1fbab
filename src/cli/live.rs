//! The live progress line of a run on a terminal: executions (and states, for the stateful
//! engine), their rate, the time so far and how much of the budget is left, redrawn five times a
//! second from the counters the engines bump ([`Progress`]). Nothing is drawn when stderr is not a
//! terminal or the output is JSON, and the line is cleared before the report, so what is printed
//! after a run is the same with or without it.
//!
//! loom does not expose its preemption depth or branch count while it explores, so a loom run
//! shows executions only.

use super::quiet::{FileTerm, Silenced};
use crate::bench::count as thousands;
use crate::engine::{Budget, Engine, Progress, Watch};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The redraw interval.
const TICK: Duration = Duration::from_millis(200);

/// The limits the line measures the run against: the budget's, and the executions the engine is
/// asked for (pct, random and std run a fixed number; a dfs cap), spread over `shards`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Limits {
    pub seconds: Option<f64>,
    pub executions: Option<u64>,
    pub states: Option<u64>,
}

impl Limits {
    pub(super) fn of(engine: &Engine, budget: &Budget, shards: usize) -> Limits {
        let asked = match engine {
            Engine::Pct { iterations, .. } | Engine::Random { iterations, .. } | Engine::Std { iterations } => Some(*iterations as u64),
            Engine::Dfs { max_iterations } => max_iterations.map(|m| m as u64),
            Engine::Loom { .. } | Engine::Stateful { .. } => None,
        };
        let asked = asked.map(|n| n.div_ceil(shards.max(1) as u64));
        let executions = match (asked, budget.max_executions) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Limits { seconds: budget.max_seconds, executions, states: budget.max_states }
    }
}

/// The progress line for these counts after `elapsed`, and the fraction of the budget used (the
/// largest over the limits that are set; none when no limit is).
pub(super) fn line(executions: u64, states: u64, elapsed: Duration, limits: &Limits) -> (String, Option<f64>) {
    let seconds = elapsed.as_secs_f64();
    let mut text = format!("{} executions", thousands(executions));
    // A rate over less than a tick is noise.
    if elapsed >= TICK {
        let _ = std::fmt::Write::write_fmt(&mut text, format_args!(" ({}/s)", thousands((executions as f64 / seconds).round() as u64)));
    }
    if states > 0 {
        let _ = std::fmt::Write::write_fmt(&mut text, format_args!(", {} states", thousands(states)));
    }
    let _ = std::fmt::Write::write_fmt(&mut text, format_args!(", {seconds:.1} s"));
    let used = [
        (limits.seconds.map(|s| seconds / s), "time"),
        (limits.executions.map(|n| executions as f64 / n as f64), "executions"),
        (limits.states.map(|n| states as f64 / n as f64), "states"),
    ];
    let nearest = used.iter().filter_map(|&(u, what)| Some((u?.clamp(0.0, 1.0), what))).max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((used, what)) = nearest {
        let _ = std::fmt::Write::write_fmt(&mut text, format_args!(", {:.0}% of the budget left ({what})", 100.0 * (1.0 - used)));
    }
    (text, nearest.map(|(u, _)| u))
}

/// A progress line being redrawn; cleared when dropped.
pub(super) struct Live {
    bar: ProgressBar,
    ticker: Option<Ticker>,
}

/// A thread that calls `redraw` every [`TICK`] until dropped.
pub(super) struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    pub(super) fn start(redraw: impl Fn() + Send + 'static) -> Ticker {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                redraw();
                std::thread::park_timeout(TICK);
            }
        });
        Ticker { stop, thread: Some(thread) }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// What `check`'s progress line says of a running case: its id, engine and counts so far.
pub(super) fn running_case(id: &str, engine: &str, progress: &Progress) -> String {
    let states = match progress.states() {
        0 => String::new(),
        n => format!(", {} states", thousands(n)),
    };
    format!("{id} ({engine}) {} executions{states}", thousands(progress.executions()))
}

/// Starts redrawing the line for the run `watch` observes, on the real stderr that `silenced` kept
/// (stderr itself is silenced while the engines run); none unless `show` (stderr was a terminal
/// and the output is not JSON).
pub(super) fn start(show: bool, silenced: Option<&Silenced>, watch: &Watch, limits: Limits, prefix: String) -> Option<Live> {
    let real = silenced.and_then(Silenced::real_stderr).filter(|_| show)?;
    let target = ProgressDrawTarget::term_like_with_hz(Box::new(FileTerm(real)), 5);
    let bar = ProgressBar::with_draw_target(Some(1000), target);
    bar.set_style(ProgressStyle::with_template("{prefix} {bar:20} {wide_msg}").expect("a valid progress template"));
    bar.set_prefix(prefix);
    let (progress, drawn) = (Arc::clone(&watch.0), bar.clone());
    let start = Instant::now();
    let ticker = Ticker::start(move || {
        let (text, used) = line(progress.executions(), progress.states(), start.elapsed(), &limits);
        drawn.set_position(used.map_or(0, |u| (u * 1000.0) as u64));
        drawn.set_message(text);
    });
    Some(Live { bar, ticker: Some(ticker) })
}

impl Drop for Live {
    fn drop(&mut self) {
        // The last redraw before the line is cleared, so none lands on the report.
        drop(self.ticker.take());
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_reports_counts_rate_and_the_nearest_limit() {
        let limits = Limits { seconds: Some(100.0), executions: Some(10_000), states: None };
        let (text, used) = line(2_500, 0, Duration::from_secs(10), &limits);
        assert_eq!(text, "2,500 executions (250/s), 10.0 s, 75% of the budget left (executions)");
        assert_eq!(used, Some(0.25));
        let (text, used) = line(1_234_567, 89, Duration::from_secs(50), &Limits { seconds: Some(100.0), ..Limits::default() });
        assert_eq!(text, "1,234,567 executions (24,691/s), 89 states, 50.0 s, 50% of the budget left (time)");
        assert_eq!(used, Some(0.5));
        assert_eq!(line(0, 0, Duration::ZERO, &Limits::default()), ("0 executions, 0.0 s".to_string(), None));
    }

    #[test]
    fn the_limits_are_the_engines_and_the_budgets() {
        let budget = Budget { max_seconds: Some(60.0), max_executions: Some(500), ..Budget::default() };
        let pct = Engine::Pct { iterations: 10_000, depth: 3, seed: 0 };
        assert_eq!(Limits::of(&pct, &budget, 1).executions, Some(500));
        let budget = Budget { max_executions: None, ..budget };
        assert_eq!(Limits::of(&pct, &budget, 4).executions, Some(2_500));
        assert_eq!(
            Limits::of(&Engine::Loom { preemption_bound: None }, &budget, 1),
            Limits { seconds: Some(60.0), executions: None, states: None }
        );
    }
}
