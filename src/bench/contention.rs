//! Section 4, the seed's own claim: 6c4a8d19 drops `gcBitsArenas.lock` around sysAlloc so that
//! allocation does not serialize on a slow OS call. On real threads, gcbits v0 (the lock held
//! across sysAlloc), v1 (dropped and revalidated) and v2 (a lock-free fast path on top) each make
//! the same number of newMarkBits calls per thread, with sysAlloc made slow by a busy wait.
//! No epoch rotation: within one GC cycle every new arena comes from sysAlloc, the case the
//! commit is about.

use super::plot::{self, Series};
use super::table::Table;
use super::{count, Grid, Section};
use crate::error::GcmcError;
use gcmc_models::check::{Ctx, Recorder};
use gcmc_models::gcbits::os::Os;
use gcmc_models::gcbits::{GcBitsArenas, Tally, Variant};
use gcmc_models::platform::Std;
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Words per arena, and objects per request (four words of bits): a sysAlloc every 16 calls.
const ARENA_WORDS: usize = 64;
const NELEMS: u64 = 256;
const VARIANTS: [Variant; 3] = [Variant::V0, Variant::V1, Variant::V2];

/// One measurement: seconds from the first caller's start to the last caller's end (each caller
/// times itself, so no thread's start-up is counted), and the arenas wasted.
fn measure(variant: Variant, threads: usize, delay: Duration, calls: usize) -> (f64, u64) {
    let os = Os::<Std>::new(ARENA_WORDS, 0, &vec![calls; threads], None).slowed(delay);
    let arenas = GcBitsArenas::new(variant, ARENA_WORDS, os, &[]);
    let rec = Recorder::new(false);
    let start_line = Barrier::new(threads);
    let spans: Vec<(Instant, Instant, u64)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (arenas, rec, start_line) = (&arenas, &rec, &start_line);
                scope.spawn(move || {
                    let cx = Ctx::thread(rec, t as u32);
                    let mut tally = Tally::default();
                    start_line.wait();
                    let start = Instant::now();
                    for _ in 0..calls {
                        arenas.new_mark_bits(NELEMS, &mut tally, &cx);
                    }
                    (start, Instant::now(), tally.wasted)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("a newMarkBits caller panicked")).collect()
    });
    let first = spans.iter().map(|s| s.0).min().expect("at least one caller");
    let last = spans.iter().map(|s| s.1).max().expect("at least one caller");
    (last.duration_since(first).as_secs_f64(), spans.iter().map(|s| s.2).sum())
}

/// What the table measures, and how to read it.
fn intro(calls: usize, rounds: usize) -> String {
    format!(
        "Real threads, {} newMarkBits calls each ({NELEMS} objects: {} bytes of bits, so a fresh {}-byte arena every \
         {} calls), sysAlloc made slow by a busy wait of the given length; the best of {rounds} round(s). v0 holds the lock \
         across sysAlloc, so every other caller waits out the delay; v1 drops it and pays in wasted arenas (a fresh arena \
         another thread's revalidation found it did not need, put back on the free list, where the next epoch reuses it); \
         v2 adds the lock-free fast path. With 1 thread there is nothing to contend for: the ratios there are the cost of \
         each version's extra work.",
        count(calls as u64),
        NELEMS / 8,
        ARENA_WORDS * 8,
        ARENA_WORDS as u64 * 64 / NELEMS,
    )
}

/// Each version's best calls per second over `rounds` rounds (the versions alternating), and the
/// arenas it wasted in the last.
fn best_of(rounds: usize, threads: usize, delay: Duration, calls: usize) -> ([f64; 3], [u64; 3]) {
    let mut rates = [0.0f64; 3];
    let mut wasted = [0u64; 3];
    for _ in 0..rounds {
        for (i, &variant) in VARIANTS.iter().enumerate() {
            let (seconds, w) = measure(variant, threads, delay, calls);
            rates[i] = rates[i].max((threads * calls) as f64 / seconds);
            wasted[i] = w;
        }
    }
    (rates, wasted)
}

fn thread_counts() -> Vec<usize> {
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1, 2, all];
    counts.sort_unstable();
    counts.dedup();
    counts
}

pub(crate) fn section(grid: &Grid, say: &mut dyn FnMut(&str)) -> Result<Section, GcmcError> {
    let delays_us: &[u64] = if grid.quick { &[0, 10] } else { &[0, 1, 10, 100] };
    let calls = if grid.quick { 20_000 } else { 50_000 };
    let threads = thread_counts();
    let mut table = Table::new(&[
        "sysAlloc delay",
        "threads",
        "v0 calls/s",
        "v1 calls/s",
        "v2 calls/s",
        "v1 / v0",
        "v2 / v1",
        "v1 wasted arenas per 1,000 calls",
        "v2 wasted per 1,000",
    ]);
    let most = *threads.last().expect("at least one thread count");
    // Once, unmeasured: the first run pays for the allocator's first pages, which v0, measured
    // first, would otherwise be charged for.
    let _ = measure(Variant::V0, most, Duration::ZERO, calls);
    let mut series: Vec<Series> = VARIANTS.iter().map(|v| Series { name: format!("{v}, {most} threads"), points: Vec::new() }).collect();
    for (x, &us) in delays_us.iter().enumerate() {
        for &n in &threads {
            say(&format!("contention: sysAlloc {us} us, {n} threads"));
            let (rates, wasted) = best_of(grid.rounds, n, Duration::from_micros(us), calls);
            if n == most {
                for (s, &rate) in series.iter_mut().zip(&rates) {
                    s.points.push((x, rate));
                }
            }
            let per_thousand = |w: u64| format!("{:.1}", w as f64 * 1000.0 / (n * calls) as f64);
            table.row(vec![
                format!("{us} us"),
                n.to_string(),
                count(rates[0] as u64),
                count(rates[1] as u64),
                count(rates[2] as u64),
                format!("{:.2}x", rates[1] / rates[0]),
                format!("{:.2}x", rates[2] / rates[1]),
                per_thousand(wasted[1]),
                per_thousand(wasted[2]),
            ]);
        }
    }
    let labels: Vec<String> = delays_us.iter().map(|us| format!("{us} us")).collect();
    let file = "bench-contention.svg".to_string();
    let title = format!("newMarkBits calls per second against sysAlloc's delay, {most} threads");
    let svg = plot::log_lines(&title, &labels, "calls per second", &series)?;
    let markdown = format!("{}\n\n{}\n\n{}\n![{title}]({file})\n", super::HEADINGS[3], intro(calls, grid.rounds), table.markdown());
    Ok(Section { markdown, figures: vec![super::Figure { file, svg }] })
}
