//! The stateful engine cannot lie: on every catalogue case small enough for shuttle's exhaustive
//! DFS it gives DFS's verdict and reaches exactly the end states DFS reaches; exact states agree
//! with fingerprints; a fingerprint without the threads' histories misses catalogue bugs, so the
//! cross-validation is shown to be able to fail; and models keep std-side shared state only where
//! the fingerprint sees it.

mod common;

use common::small_stateful_cases;
use gcmc::catalogue::{self, Case, Expect};
use gcmc::engine::stateful::{self, Exploration, StatefulOptions};
use gcmc::engine::{Budget, Engine, Reduction, Reductions};
use gcmc_models::check::{Ctx, Recorder, Scenario, Shared};
use gcmc_models::platform::stateful::tracker::Omit;
use gcmc_models::platform::{AtomicU64, JoinHandle, Mutex, Ordering, Platform};
use std::path::Path;
use std::sync::Arc;

fn dfs_cases() -> Vec<Case> {
    let catalogue = catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<Case> = catalogue
        .cases
        .into_iter()
        // A capped DFS row that holds is a bounded search, not a reference to compare with.
        .filter(|c| matches!(c.engine, Engine::Dfs { .. }) && !c.deep)
        .filter(|c| !(c.expect == Expect::Holds && matches!(c.engine, Engine::Dfs { max_iterations: Some(_) })))
        .collect();
    assert!(cases.len() >= 10, "the catalogue's DFS cases are the reference: {} found", cases.len());
    cases
}

fn budget(case: &Case) -> Budget {
    Budget { max_seconds: Some(300.0), ..case.budget.clone() }
}

fn stateful(case: &Case, options: StatefulOptions) -> Exploration {
    let options = StatefulOptions { collect_end_states: true, ..options };
    case.model.explore_stateful(&case.config, &options, &budget(case)).unwrap_or_else(|e| panic!("{}: {e}", case.id))
}

/// How the stateful search disagrees with DFS on `case`, if it does.
fn disagreement(case: &Case, dfs: &Exploration, found: &Exploration) -> Option<String> {
    let (want, got) = (dfs.verdict.outcome.label(), found.verdict.outcome.label());
    if want != got {
        return Some(format!("{}: DFS says {want}, the stateful search {got}", case.id));
    }
    if dfs.verdict.holds() {
        if !found.verdict.exhaustive {
            return Some(format!("{}: the stateful search did not finish", case.id));
        }
        if dfs.end_states != found.end_states {
            return Some(format!(
                "{}: DFS reaches {} end states, the stateful search {} ({} in common)",
                case.id,
                dfs.end_states.len(),
                found.end_states.len(),
                dfs.end_states.intersection(&found.end_states).count()
            ));
        }
        if dfs.verdict.figures != found.verdict.figures {
            return Some(format!("{}: figures {:?} under DFS, {:?} stateful", case.id, dfs.verdict.figures, found.verdict.figures));
        }
    }
    None
}

/// DFS's end states, fingerprinted as the search `options` describes fingerprints them.
fn dfs(case: &Case, options: &StatefulOptions) -> Exploration {
    let dfs = case.model.dfs_end_states(&case.config, options, &budget(case)).unwrap_or_else(|e| panic!("{}: {e}", case.id));
    if dfs.verdict.holds() {
        assert!(dfs.verdict.exhaustive && !dfs.end_states.is_empty(), "{}: the reference did not finish", case.id);
    }
    dfs
}

/// The reductions cross-validated: none, each alone, all but the partial-order reduction, and all
/// (the default).
fn reduction_sets() -> Vec<Reductions> {
    let mut sets = vec![Reductions::NONE];
    sets.extend(Reduction::ALL.iter().map(|&r| Reductions::NONE.with(r, true)));
    sets.push(Reductions::default().with(Reduction::Por, false));
    sets.push(Reductions::default());
    sets.dedup();
    sets
}

/// Every reduction set agrees with DFS on every DFS case. Sleep sets remove transitions, never
/// states: with them every holding case stores exactly the states it stores without them (the same
/// local-state setting on both sides, no partial-order reduction). The partial-order reduction
/// stores no more states than the same search without it. A violating search stops at its first
/// violation, which the reductions may reach after other states, so only whole searches' states
/// are compared.
#[test]
fn the_stateful_search_agrees_with_dfs_on_every_dfs_case() {
    let mut holding = Vec::new();
    let mut compared = 0;
    for case in dfs_cases() {
        // DFS's end states are fingerprinted as the local-state setting says; nothing else matters.
        let mut references = std::collections::BTreeMap::new();
        let mut states = std::collections::BTreeMap::new();
        for reductions in reduction_sets() {
            let options = StatefulOptions { reductions, ..StatefulOptions::default() };
            let reference = references.entry(reductions.local_states).or_insert_with(|| dfs(&case, &options));
            let found = stateful(&case, options);
            if let Some(problem) = disagreement(&case, reference, &found) {
                panic!("{problem} (reductions {reductions:?})");
            }
            let search = found.verdict.search.as_ref().expect("the stateful engine reports its search");
            eprintln!(
                "{} {reductions:?}: {} ({} DFS executions, {} end states; stateful {} executions, {} states)",
                case.id,
                reference.verdict.outcome.label(),
                reference.verdict.executions,
                reference.end_states.len(),
                found.verdict.executions,
                search.states
            );
            if reference.verdict.holds() {
                states.insert(reductions, search.states);
            }
        }
        if !states.is_empty() {
            holding.push(format!("{} {}", case.config.model, case.config.variant));
        }
        for (&reductions, with) in states.iter().filter(|(r, _)| r.sleep_sets && !r.por) {
            if let Some(without) = states.get(&reductions.with(Reduction::SleepSets, false)) {
                assert_eq!(with, without, "{}: states stored with sleep sets ({reductions:?}) and without", case.id);
                compared += 1;
            }
        }
        for (&reductions, with) in states.iter().filter(|(r, _)| r.por) {
            if let Some(without) = states.get(&reductions.with(Reduction::Por, false)) {
                assert!(with <= without, "{}: {with} states with the partial-order reduction, {without} without", case.id);
            }
        }
    }
    for correct in ["lfstack go", "gcbits v0", "gcbits v1", "gcbits v2", "workbufs go"] {
        assert!(holding.iter().any(|h| h == correct), "no DFS case of {correct} holds to compare with: {holding:?}");
    }
    assert!(compared >= 10, "sleep sets compared with and without on {compared} holding searches");
}

/// The first DFS case whose verdict, or (when it holds) whose states, under `options` differ from
/// the same search's without sleep sets (which remove transitions, never states), if any.
fn first_case_losing_states(options: StatefulOptions) -> Option<String> {
    let without = StatefulOptions { reductions: options.reductions.with(Reduction::SleepSets, false), ..options };
    let states = |e: &Exploration| e.verdict.search.as_ref().map(|s| s.states);
    dfs_cases().into_iter().find_map(|case| {
        let with = stateful(&case, options);
        let reference = stateful(&case, without);
        let verdict_moved = with.verdict.outcome.label() != reference.verdict.outcome.label();
        (verdict_moved || (reference.verdict.holds() && states(&with) != states(&reference)))
            .then(|| format!("{}: {:?} states, {:?} without sleep sets", case.id, states(&with), states(&reference)))
    })
}

/// A footprint without the announced lock attempt makes a blocked attempt independent of the
/// unlock that lets it through: the sleep sets then skip states, and the comparison says so (the
/// agreement test above shows the sound footprint loses none).
#[test]
fn sleep_sets_without_announcements_lose_states() {
    let lost = first_case_losing_states(StatefulOptions { omit: Some(Omit::Announcements), ..StatefulOptions::default() });
    assert!(lost.is_some(), "no case lost a state without the announcements");
}

/// A read and a write of one object called independent: the sleep sets skip states, and the
/// comparison says so.
#[test]
fn sleep_sets_with_an_unsound_independence_lose_states() {
    let lost = first_case_losing_states(StatefulOptions { unsound_independence: true, ..StatefulOptions::default() });
    assert!(lost.is_some(), "no case lost a state with the unsound independence");
}

/// The reference beyond DFS: local states honoured (its end states are fingerprinted alike), no
/// sleep sets and no partial-order reduction.
fn unreduced() -> Reductions {
    Reductions::default().with(Reduction::Por, false).with(Reduction::SleepSets, false)
}

/// Beyond DFS's reach, the unreduced search is the reference: on every small stateful catalogue
/// case that holds, the default search (every reduction) reaches exactly the end states the search
/// without the partial-order reduction and sleep sets reaches.
#[test]
fn the_reductions_agree_with_the_unreduced_search_beyond_dfs() {
    for case in small_stateful_cases() {
        let reference = stateful(&case, StatefulOptions { reductions: unreduced(), ..StatefulOptions::default() });
        let found = stateful(&case, StatefulOptions::default());
        if let Some(problem) = disagreement(&case, &reference, &found) {
            panic!("{problem} (against the search without sleep sets and partial-order reduction)");
        }
    }
}

/// The first DFS case on which the search under `options` disagrees with DFS, if any.
fn first_disagreement(options: StatefulOptions) -> Option<String> {
    dfs_cases().into_iter().find_map(|case| disagreement(&case, &dfs(&case, &options), &stateful(&case, options)))
}

/// The partial-order reduction's safety nets, each shown to be needed: without the summaries, a
/// revisit leaves unseen the races of what lies below the state it stops at; with a read called
/// independent of a write, races are missed. Either way the search loses an end state or a bug
/// that DFS finds. (The cycle proviso's net is in `a_pruned_execution_of_a_spin_wait_ends`.)
#[test]
fn the_partial_order_reduction_fails_without_its_safety_nets() {
    use gcmc::engine::stateful::PorFlaw;
    let por_alone = Reductions::NONE.with(Reduction::Por, true);
    for (what, options) in [
        (
            "without summaries",
            StatefulOptions { reductions: por_alone, por_flaw: Some(PorFlaw::NoSummaries), ..StatefulOptions::default() },
        ),
        (
            "with reads independent of writes",
            StatefulOptions { reductions: por_alone, unsound_independence: true, ..StatefulOptions::default() },
        ),
    ] {
        let found = first_disagreement(options);
        eprintln!("partial-order reduction {what}: {found:?}");
        assert!(found.is_some(), "the partial-order reduction {what} agreed with DFS everywhere");
    }
}

/// Stateless DPOR backtracks at each transition's latest race only; with state caching that loses
/// end states, which the comparison with the unreduced search shows.
#[test]
fn backtracking_at_the_latest_race_only_loses_end_states() {
    use gcmc::engine::stateful::PorFlaw;
    let flawed = StatefulOptions { por_flaw: Some(PorFlaw::LatestRaceOnly), ..StatefulOptions::default() };
    let lost = small_stateful_cases().into_iter().find_map(|case| {
        let reference = stateful(&case, StatefulOptions { reductions: unreduced(), ..StatefulOptions::default() });
        disagreement(&case, &reference, &stateful(&case, flawed))
    });
    eprintln!("latest race only: {lost:?}");
    assert!(lost.is_some(), "backtracking at the latest race only lost nothing");
}

#[test]
fn exact_states_find_what_fingerprints_find() {
    for case in dfs_cases() {
        let compact = stateful(&case, StatefulOptions::default());
        let exact = stateful(&case, StatefulOptions { exact_states: true, ..StatefulOptions::default() });
        assert_eq!(compact.verdict.outcome.label(), exact.verdict.outcome.label(), "{}", case.id);
        assert_eq!(compact.verdict.executions, exact.verdict.executions, "{}: no fingerprint collided", case.id);
        let (c, e) = (compact.verdict.search.unwrap(), exact.verdict.search.unwrap());
        assert_eq!((c.states, c.transitions, c.revisits), (e.states, e.transitions, e.revisits), "{}", case.id);
        assert_eq!(compact.end_states.len(), exact.end_states.len(), "{}", case.id);
    }
}

/// A message passed through a std-side [`Shared`] value or a Platform mutex: T0 writes 1, T1
/// reads the value, waits at a gate that main opens only after T0 finished, and stores what it
/// read into an atomic, which main reads at the end. Two end states (T1 read 0, or 1), and every
/// path to either passes a state where T0 is done and T1 is at the gate, which only the channel's
/// content as T1 observed it (in its history) tells apart.
struct Handoff {
    through_mutex: bool,
}

impl Scenario for Handoff {
    fn threads(&self) -> usize {
        2
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let shared = Arc::new(Shared::steering(0u64));
        let mutex = Arc::new(P::Mutex::new(0u64));
        let gate = Arc::new(P::Mutex::new(()));
        let seen = Arc::new(P::AtomicU64::new(7));
        let through_mutex = self.through_mutex;
        let closed = gate.lock();
        let (s, m) = (Arc::clone(&shared), Arc::clone(&mutex));
        let writer = P::spawn(move || {
            if through_mutex {
                *m.lock() = 1;
            } else {
                *s.lock() = 1;
                P::spin_loop();
            }
        });
        let (s, m, g, x) = (Arc::clone(&shared), Arc::clone(&mutex), Arc::clone(&gate), Arc::clone(&seen));
        let reader = P::spawn(move || {
            let value = if through_mutex { *m.lock() } else { *s.lock() };
            drop(g.lock());
            x.store(value, Ordering::SeqCst);
        });
        writer.join();
        drop(closed);
        reader.join();
        let value = seen.load(Ordering::SeqCst);
        Ctx::main(rec).step("handoff", format_args!("T1 read {value}"));
    }
}

/// The handoffs agree with DFS. They caught the tracking backend recording a mutex's unlock
/// before shuttle's scheduling point inside it, where the lock is still held: "held" and
/// "released" were merged, and the end state in which T1 read 0 was lost.
#[test]
fn the_handoffs_agree_with_dfs() {
    for through_mutex in [true, false] {
        let scenario = Arc::new(Handoff { through_mutex });
        let budget = Budget::default();
        let options = StatefulOptions { collect_end_states: true, ..StatefulOptions::default() };
        let reference = stateful::dfs_end_states(Arc::clone(&scenario), &options, &budget);
        let found = stateful::explore_with(Arc::clone(&scenario), &options, &budget);
        assert!(reference.verdict.holds() && found.verdict.holds() && found.verdict.exhaustive);
        assert_eq!(reference.end_states.len(), 2, "T1 reads 0 or 1");
        assert_eq!(found.end_states, reference.end_states, "through a mutex: {through_mutex}");
    }
}

/// T0 loads `a` (0, or 1 once T1 stored it), declares its local state, loads `w`, then stores what
/// it read in `b` and `c`; T1 stores 1 in `a`, then 1 in `w`. With `declare_read`, T0's
/// declaration names the value it read in `a`; without, it leaves out the one local its future
/// depends on, and every path to the end state "T0 read 1 in `a` and 0 in `w`" passes a state (T1
/// between its stores, T0 about to load `w`) that looks like one where T0 read 0, which the
/// depth-first order reaches first.
struct Forgetful {
    declare_read: bool,
}

impl Scenario for Forgetful {
    fn threads(&self) -> usize {
        2
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let atomic = |value| Arc::new(P::AtomicU64::new(value));
        let (a, w, b, c) = (atomic(0), atomic(0), atomic(7), atomic(7));
        let declare_read = self.declare_read;
        let (ra, rw, rb, rc) = (Arc::clone(&a), Arc::clone(&w), Arc::clone(&b), Arc::clone(&c));
        let reader = P::spawn(move || {
            let read = ra.load(Ordering::SeqCst);
            P::local_state(&(1usize, if declare_read { read } else { 0 }));
            let seen = rw.load(Ordering::SeqCst);
            rb.store(read, Ordering::SeqCst);
            rc.store(seen, Ordering::SeqCst);
        });
        let (wa, ww) = (Arc::clone(&a), Arc::clone(&w));
        let writer = P::spawn(move || {
            wa.store(1, Ordering::SeqCst);
            ww.store(1, Ordering::SeqCst);
        });
        reader.join();
        writer.join();
        let (read, seen) = (b.load(Ordering::SeqCst), c.load(Ordering::SeqCst));
        Ctx::main(rec).step("forgetful", format_args!("T0 read {read}, then {seen}"));
    }
}

/// A local-state declaration is the model's claim, and the cross-validation is what checks it: a
/// declaration that leaves out a local the future reads merges two states, and the search loses
/// an end state DFS reaches; the honest declaration agrees with DFS.
#[test]
fn a_declaration_that_leaves_out_a_local_fails_the_cross_validation() {
    let budget = Budget::default();
    // Local states and sleep sets: the partial-order reduction happens to explore past the merge.
    let reductions = Reductions::default().with(Reduction::Por, false);
    for declare_read in [true, false] {
        let scenario = Arc::new(Forgetful { declare_read });
        let options = StatefulOptions { collect_end_states: true, reductions, ..StatefulOptions::default() };
        let reference = stateful::dfs_end_states(Arc::clone(&scenario), &options, &budget);
        let found = stateful::explore_with(Arc::clone(&scenario), &options, &budget);
        assert!(reference.verdict.holds() && found.verdict.holds() && found.verdict.exhaustive);
        assert_eq!(reference.end_states.len(), 4, "T0 reads 0 or 1 twice, whatever T0 declares");
        if declare_read {
            assert_eq!(found.end_states, reference.end_states, "the honest declaration");
        } else {
            assert!(found.end_states.is_subset(&reference.end_states));
            assert_eq!(found.end_states.len(), 3, "the forgetful declaration merges 'read 0' with 'read 1' and loses (1, 0)");
        }
        // With declarations ignored, the search keeps whole histories and agrees either way.
        let whole = StatefulOptions { reductions: Reductions::NONE, ..options };
        let reference = stateful::dfs_end_states(Arc::clone(&scenario), &whole, &budget);
        assert_eq!(stateful::explore_with(Arc::clone(&scenario), &whole, &budget).end_states, reference.end_states);
    }
}

/// Main creates `x` and `y`; T0 stores 1 in `x`, then 5 in `y`; T1 stores 2 in `x`; each then
/// yields, and main reads `x` at the end. The orders "T0, T1, T0" and "T1, T0, T0" reach states
/// with the same histories that differ in `x` only (2 against 1), and in both `y` was written
/// last: given one name, the two objects' entry holds `y`'s 5 in both, the second state is taken
/// for the first, and the end state in which main reads 1 is lost.
struct TwoObjects;

impl Scenario for TwoObjects {
    fn threads(&self) -> usize {
        2
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let (x, y) = (Arc::new(P::AtomicU64::new(0)), Arc::new(P::AtomicU64::new(0)));
        let (x0, y0, x1) = (Arc::clone(&x), Arc::clone(&y), Arc::clone(&x));
        let first = P::spawn(move || {
            x0.store(1, Ordering::SeqCst);
            y0.store(5, Ordering::SeqCst);
            P::spin_loop();
        });
        let second = P::spawn(move || {
            x1.store(2, Ordering::SeqCst);
            P::spin_loop();
        });
        first.join();
        second.join();
        let value = x.load(Ordering::SeqCst);
        Ctx::main(rec).step("two-objects", format_args!("x = {value}"));
    }
}

/// Objects are named by their creator and creation order: with one name for every object a task
/// creates, the search merges states that differ in one object and loses an end state DFS
/// reaches (under the same naming); with the sound names it agrees.
#[test]
fn one_name_for_two_objects_loses_an_end_state() {
    let budget = Budget::default();
    let scenario = Arc::new(TwoObjects);
    for omit in [None, Some(Omit::ObjectNames)] {
        let options = StatefulOptions { collect_end_states: true, omit, ..StatefulOptions::default() };
        let reference = stateful::dfs_end_states(Arc::clone(&scenario), &options, &budget);
        let found = stateful::explore_with(Arc::clone(&scenario), &options, &budget);
        assert!(reference.verdict.holds() && found.verdict.holds() && found.verdict.exhaustive);
        assert_eq!(reference.end_states.len(), 2, "main reads 1 or 2 ({omit:?})");
        if omit.is_none() {
            assert_eq!(found.end_states, reference.end_states, "the sound names");
        } else {
            assert!(found.end_states.is_subset(&reference.end_states));
            assert_eq!(found.end_states.len(), 1, "one name merges x = 1 into x = 2");
        }
    }
}

/// T0 waits for T1's flag in a loop whose top declares the same local state each time; then both
/// take two tickets from one counter, so every order of the four takes is its own end state
/// (six). An execution pruned while T0 spins must let T1 run, or it never ends (shuttle's
/// `max_steps`, and the search gives up); DFS, which spins without bound, cannot be the reference
/// here, so the six end states are counted. The loop is a cycle of states, the case the
/// partial-order reduction's cycle proviso is for.
struct SpinThenRace;

impl Scenario for SpinThenRace {
    fn threads(&self) -> usize {
        2
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let (flag, tickets) = (Arc::new(P::AtomicU64::new(0)), Arc::new(P::AtomicU64::new(0)));
        let (f, t) = (Arc::clone(&flag), Arc::clone(&tickets));
        let waiter = P::spawn(move || {
            loop {
                P::local_state(&0usize);
                if f.load(Ordering::SeqCst) == 1 {
                    break;
                }
                P::spin_loop();
            }
            [t.fetch_add(1, Ordering::SeqCst), t.fetch_add(1, Ordering::SeqCst)]
        });
        let (f, t) = (Arc::clone(&flag), Arc::clone(&tickets));
        let raiser = P::spawn(move || {
            f.store(1, Ordering::SeqCst);
            [t.fetch_add(1, Ordering::SeqCst), t.fetch_add(1, Ordering::SeqCst)]
        });
        let (first, second) = (waiter.join(), raiser.join());
        Ctx::main(rec).step("spin-then-race", format_args!("T0 took {first:?}, T1 {second:?}"));
    }
}

#[test]
fn a_pruned_execution_of_a_spin_wait_ends() {
    let options = StatefulOptions { collect_end_states: true, ..StatefulOptions::default() };
    let found = stateful::explore_with(Arc::new(SpinThenRace), &options, &Budget::default());
    assert!(found.verdict.holds() && found.verdict.exhaustive, "{:?}", found.verdict.outcome);
    assert!(found.verdict.search.as_ref().is_some_and(|s| s.revisits > 0), "no execution was pruned");
    assert_eq!(found.end_states.len(), 6, "the orders of the four tickets");
    // The spin loop is a cycle of states: without the cycle proviso the partial-order reduction
    // explores T0 alone there, matches the loop's top, and never lets T1 raise the flag.
    let flawed = StatefulOptions { por_flaw: Some(gcmc::engine::stateful::PorFlaw::NoCycleProviso), ..options };
    let lost = stateful::explore_with(Arc::new(SpinThenRace), &flawed, &Budget::default());
    assert!(lost.end_states.is_empty(), "without the cycle proviso: {} end states", lost.end_states.len());
}

/// Leaving the tasks' histories out merges states whose threads are at different points, and the
/// search misses catalogue bugs DFS finds.
#[test]
fn leaving_out_histories_misses_catalogue_bugs() {
    let mut missed = Vec::new();
    for case in dfs_cases() {
        let options = StatefulOptions { omit: Some(Omit::Histories), ..StatefulOptions::default() };
        let reference = dfs(&case, &options);
        let found = stateful(&case, options);
        if reference.verdict.violation().is_some() && found.verdict.holds() {
            missed.push(case.id.clone());
        }
    }
    eprintln!("without histories the search misses: {missed:?}");
    for id in ["R1-dfs", "R7-dfs", "R8-dfs", "R9-dfs"] {
        assert!(missed.iter().any(|m| m == id), "{id} should be missed without histories: {missed:?}");
    }
}

/// The fingerprint covers std-side state only through `check::Shared`: a model that kept shared
/// data in another std type would let the stateful engine merge states that differ there. Every
/// exception is listed with why it is safe; a new one fails here until it is reviewed.
#[test]
fn models_share_std_data_only_through_shared() {
    const FORBIDDEN: [&str; 7] =
        ["std::sync::Mutex", "use std::sync::{", "std::sync::atomic", "RefCell", "thread_local!", "static mut", "OnceLock"];
    // (file, token, why it cannot split states the fingerprint merges)
    const REVIEWED: [(&str, &str, &str); 2] = [
        ("gcbits/os.rs", "OnceLock", "a slot is set once, by the thread whose range holds it: a function of that thread's history"),
        ("workbufs/heap.rs", "std::sync::atomic", "the spans-reused figure: only reported, never read by the model"),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/src");
    let mut files = vec![root.clone()];
    let mut found = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if rel.starts_with("platform/") || rel == "check/recorder.rs" || rel == "check/shared.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for token in FORBIDDEN {
            if code.contains(token) && !REVIEWED.iter().any(|(f, t, _)| *f == rel && *t == token) {
                found.push(format!("{rel}: {token}"));
            }
        }
    }
    assert!(found.is_empty(), "std-side shared state outside check::Shared: {found:?}");
}

/// A state count recorded in the catalogue is checked like an execution count, and only the
/// stateful engine may record one.
#[test]
fn the_catalogue_checks_recorded_state_counts() {
    use gcmc::check::{self, Options};
    let case = |engine: &str, states: u64| {
        format!(
            "[[case]]\nid = \"c\"\nmodel = \"gcbits\"\nvariant = \"v0\"\nconfig = {{ threads = 2, allocs = 1 }}\nengine = {{ name = \"{engine}\" }}\nexpect = \"holds\"\nstates = {states}\n"
        )
    };
    let path = Path::new(catalogue::DEFAULT_CATALOGUE);
    let refused = catalogue::load_str(path, &case("dfs", 1)).err().expect("dfs records no states").to_string();
    assert!(refused.contains("`states` is recorded only for the stateful engine"), "{refused}");
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("states-pin");
    let options = Options::new(scratch);
    let run = |states: u64| {
        let catalogue = catalogue::load_str(path, &case("stateful", states)).unwrap();
        let cases = check::select(&catalogue, &options);
        check::run(&cases, &options, &mut |_, _, _| {}).remove(0)
    };
    let wrong = run(1);
    assert!(!wrong.matched && wrong.problems.iter().any(|p| p.contains("states, the catalogue records 1")), "{:?}", wrong.problems);
    let stored: u64 = wrong.figures.split_whitespace().find_map(|f| f.strip_prefix("states=")).unwrap().parse().unwrap();
    assert!(run(stored).matched);
}
