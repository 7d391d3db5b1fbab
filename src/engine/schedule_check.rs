//! A replay file's schedule, checked for shape before anything runs it.
//!
//! Neither engine defends its own input: shuttle's schedule decoder indexes past the end of a
//! short string and reserves whatever length the string claims, and loom loads a checkpoint it
//! cannot parse by panicking inside the exploration (which would be reported as a panic of the
//! model). So a damaged or hand-edited file is refused here, in one line naming what is wrong,
//! and only a schedule that decodes cleanly, names no thread the configuration does not spawn
//! and fits the engine it was recorded under reaches shuttle or loom.
//!
//! The formats are those of the exactly pinned versions: shuttle-engine 0.1.7's
//! `serialize_schedule` and loom 0.7.2's `rt::path::Path`. A test decodes every pinned replay of
//! the catalogue, and one round-trips schedules made by shuttle's own serializer.

use super::{Engine, Schedule};
use serde::Deserialize;
use serde_json::Value;

/// shuttle-engine 0.1.7: the first byte of an encoded schedule.
const SHUTTLE_MAGIC: u8 = 0x91;
/// loom 0.7.2's `MAX_THREADS` (the main thread and up to four spawned ones) and
/// `MAX_ATOMIC_HISTORY`: the fixed lengths of a checkpoint's arrays.
const LOOM_MAX_THREADS: usize = 5;
const LOOM_MAX_ATOMIC_HISTORY: usize = 7;

/// Checks `schedule` against the engine it was recorded under and the number of threads the
/// configuration spawns (besides the main thread).
pub fn check(schedule: &Schedule, engine: &Engine, spawned: usize) -> Result<(), String> {
    match (schedule, engine) {
        (Schedule::Shuttle { encoded }, _) => shuttle_steps(encoded, spawned).map(|_| ()),
        (Schedule::Loom { path }, Engine::Loom { preemption_bound }) => loom_path(path, *preemption_bound, spawned),
        (Schedule::Loom { .. }, other) => Err(format!("a loom checkpoint for engine {}", other.name())),
    }
}

/// One decoded step of a shuttle schedule.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Run task `n` (0 is the main thread, spawned threads count from 1).
    Task(u64),
    /// A random choice (the models make none; a schedule may still record them).
    Random,
}

/// Decodes shuttle's format: hex of `[magic, varint task-id bits, varint steps, varint seed,
/// bits...]`, each step a 0 bit and a task id in that many bits (least significant first), or a
/// 1 bit for a random choice, in as many bytes as the steps would take at full width.
pub fn shuttle_steps(encoded: &str, spawned: usize) -> Result<Vec<Step>, String> {
    let corrupt = |why: String| format!("corrupt schedule: {why}");
    let bytes = hex_bytes(encoded).map_err(corrupt)?;
    if bytes[0] != SHUTTLE_MAGIC {
        return Err(corrupt(format!("starts with {:#04x}, not shuttle's schedule marker {SHUTTLE_MAGIC:#04x}", bytes[0])));
    }
    let mut header = Varints { bytes: &bytes, at: 1 };
    let id_bits = header.next("task id width").map_err(corrupt)?;
    let length = header.next("length").map_err(corrupt)?;
    let _seed = header.next("seed").map_err(corrupt)?;
    if id_bits == 0 || id_bits > 64 {
        return Err(corrupt(format!("task ids of {id_bits} bits")));
    }
    let bits = &bytes[header.at..];
    // shuttle sizes the bits for every step at full width (a random choice uses one bit of its
    // share), so the length and the width fix the byte count; and a length that does not fit the
    // bytes must not size an allocation.
    let expected_bytes = length.checked_mul(1 + id_bits).map(|b| b.div_ceil(8));
    if expected_bytes != Some(bits.len() as u64) {
        return Err(corrupt(format!("claims {length} steps of {} bits in {} bytes", 1 + id_bits, bits.len())));
    }
    decode_steps(bits, length, id_bits, spawned).map_err(corrupt)
}

/// The bytes of a hex string (whitespace ignored), at least one.
fn hex_bytes(encoded: &str) -> Result<Vec<u8>, String> {
    let hex: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    if hex.is_empty() {
        return Err("empty".into());
    }
    if hex.len() % 2 == 1 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("not an even number of hex digits".into());
    }
    Ok((0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("checked hex")).collect())
}

/// shuttle's header fields: LEB128 varints read one after another from `at`.
struct Varints<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Varints<'_> {
    fn next(&mut self, what: &str) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&byte) = self.bytes.get(self.at) else { return Err(format!("ends inside its {what}")) };
            self.at += 1;
            let part = u64::from(byte & 0x7f);
            if shift == 63 && part > 1 {
                break;
            }
            value |= part << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!("its {what} does not fit in 64 bits"))
    }
}

/// `length` steps from `bits` (least significant bit first): a set bit is a random choice, a clear
/// one is followed by the `id_bits`-bit id of the task scheduled, which must exist.
fn decode_steps(bits: &[u8], length: u64, id_bits: u64, spawned: usize) -> Result<Vec<Step>, String> {
    let tasks = spawned as u64 + 1;
    let bit = |i: u64| bits[(i / 8) as usize] >> (i % 8) & 1 == 1;
    let mut steps = Vec::with_capacity(length as usize);
    let mut offset = 0u64;
    // No step can run past the end: each takes at most the full width the byte count allows.
    for n in 0..length {
        if bit(offset) {
            steps.push(Step::Random);
            offset += 1;
            continue;
        }
        let id = (0..id_bits).filter(|&k| bit(offset + 1 + k)).fold(0u64, |id, k| id | 1 << k);
        if id >= tasks {
            return Err(format!(
                "step {} runs task {id}, but the configuration has {tasks} (the main thread and {spawned} spawned)",
                n + 1
            ));
        }
        steps.push(Step::Task(id));
        offset += 1 + id_bits;
    }
    Ok(steps)
}

/// loom 0.7.2's checkpoint (`rt::path::Path`), field for field: unknown fields are refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoomPath {
    preemption_bound: Option<u8>,
    pos: usize,
    branches: LoomStore,
    #[allow(dead_code)]
    exploring: bool,
    #[allow(dead_code)]
    skipping: bool,
    #[allow(dead_code)]
    exploring_on_start: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoomStore {
    entries: Vec<LoomEntry>,
}

#[derive(Deserialize)]
enum LoomEntry {
    Schedule(LoomSchedule),
    Load(LoomLoad),
    Spurious(#[allow(dead_code)] LoomSpurious),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoomSchedule {
    preemptions: u8,
    initial_active: Option<u8>,
    threads: Vec<LoomThread>,
    prev: Option<LoomRef>,
    #[allow(dead_code)]
    exploring: bool,
}

#[derive(Deserialize, PartialEq)]
enum LoomThread {
    Disabled,
    Skip,
    Yield,
    Pending,
    Active,
    Visited,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoomRef {
    index: usize,
    #[allow(dead_code)]
    _p: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoomLoad {
    values: Vec<u8>,
    pos: u8,
    len: u8,
    #[allow(dead_code)]
    exploring: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoomSpurious {
    #[allow(dead_code)]
    spur: bool,
    #[allow(dead_code)]
    exploring: bool,
}

fn loom_path(path: &Value, bound: Option<usize>, spawned: usize) -> Result<(), String> {
    let corrupt = |why: String| Err(format!("corrupt loom checkpoint: {why}"));
    let path =
        LoomPath::deserialize(path).map_err(|e| format!("corrupt loom checkpoint: {}", crate::lengths::shorten_quoted(&e.to_string())))?;
    if path.preemption_bound.map(usize::from) != bound {
        return corrupt(format!(
            "recorded with preemption bound {}, the file's engine has {}",
            path.preemption_bound.map_or("none".into(), |b| b.to_string()),
            bound.map_or("none".into(), |b| b.to_string())
        ));
    }
    let entries = &path.branches.entries;
    if path.pos > entries.len() {
        return corrupt(format!("position {} past its {} branches", path.pos, entries.len()));
    }
    let threads = spawned + 1;
    for (i, entry) in entries.iter().enumerate() {
        let at = i + 1;
        match entry {
            LoomEntry::Schedule(s) => {
                if s.threads.len() != LOOM_MAX_THREADS {
                    return corrupt(format!("branch {at} lists {} threads, loom keeps {LOOM_MAX_THREADS}", s.threads.len()));
                }
                if let Some(t) = s.threads[threads.min(LOOM_MAX_THREADS)..].iter().position(|t| *t != LoomThread::Disabled) {
                    return corrupt(format!("branch {at} runs thread {}, the configuration has {threads}", threads + t));
                }
                if let Some(active) = s.initial_active.filter(|&a| usize::from(a) >= threads) {
                    return corrupt(format!("branch {at} starts at thread {active}, the configuration has {threads}"));
                }
                if let Some(b) = bound.filter(|&b| usize::from(s.preemptions) > b) {
                    return corrupt(format!("branch {at} has {} preemptions, over the bound {b}", s.preemptions));
                }
                if let Some(prev) = &s.prev {
                    if prev.index >= i || !matches!(entries[prev.index], LoomEntry::Schedule(_)) {
                        // u128: an index of usize::MAX, counted from 1, must not overflow.
                        return corrupt(format!(
                            "branch {at} follows branch {}, which is not an earlier scheduling branch",
                            prev.index as u128 + 1
                        ));
                    }
                }
            }
            LoomEntry::Load(l) => {
                if l.values.len() != LOOM_MAX_ATOMIC_HISTORY {
                    return corrupt(format!("branch {at} lists {} values, loom keeps {LOOM_MAX_ATOMIC_HISTORY}", l.values.len()));
                }
                if l.len == 0 || usize::from(l.len) > LOOM_MAX_ATOMIC_HISTORY || l.pos >= l.len {
                    return corrupt(format!("branch {at} reads value {} of {}", l.pos, l.len));
                }
            }
            LoomEntry::Spurious(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuttle::scheduler::{Schedule as ShuttleSchedule, TaskId};
    use shuttle_engine::scheduler::serialization::serialize_schedule;
    use shuttle_engine::scheduler::ScheduleStep;

    /// The decoder reads what shuttle's own serializer writes, step for step, at every task id
    /// width and with random choices mixed in; one task past the configuration is refused.
    #[test]
    fn decodes_what_shuttle_encodes() {
        for tasks in [1usize, 2, 3, 5, 9, 64] {
            let mut schedule = ShuttleSchedule::new(0x5eed);
            let mut expected = Vec::new();
            for n in 0..200usize {
                if n % 7 == 3 {
                    schedule.steps.push(ScheduleStep::Random);
                    expected.push(Step::Random);
                } else {
                    let id = (n * 31 + 5) % tasks;
                    schedule.steps.push(ScheduleStep::Task(TaskId::from(id)));
                    expected.push(Step::Task(id as u64));
                }
            }
            // The largest id appears, so shuttle uses the narrowest width that holds it.
            schedule.steps.push(ScheduleStep::Task(TaskId::from(tasks - 1)));
            expected.push(Step::Task(tasks as u64 - 1));
            let encoded = serialize_schedule(&schedule);
            assert_eq!(shuttle_steps(&encoded, tasks - 1).unwrap(), expected, "{tasks} tasks");
            if tasks > 1 {
                let refused = shuttle_steps(&encoded, tasks - 2).unwrap_err();
                assert!(refused.contains(&format!("runs task {}", tasks - 1)), "{refused}");
            }
        }
        assert_eq!(shuttle_steps(&serialize_schedule(&ShuttleSchedule::new(1)), 0).unwrap(), vec![]);
    }
}
