//! The ordering sweep (`gcmc orderings`): which atomic orderings the correct variants' loom proofs
//! rest on.
//!
//! Mutation testing rewrites expressions and bodies, never an `Ordering` argument, yet a weakened
//! ordering is the bug class loom is for (R4 weakens the push CAS or the pop load, R10 the
//! publication of `next`). So for each loom `holds` case of a correct variant, the sweep records
//! every atomic call site the exploration reaches and the orderings it uses
//! ([`orderings::recording`]); then, one site at a time, it weakens that site to `Relaxed`
//! ([`orderings::weakened`]) and runs the cases that reached it again, under their own engine and
//! budget, until one fails.
//!
//! A site whose weakening some case catches carries a proof: the ordering is needed and the
//! catalogue would catch it going. A site no case catches is stronger than these cases need: the
//! port keeps Go's sequentially consistent atomics wherever Go has an atomic, and the property may
//! not depend on all of them, or no case is large enough to show that it does. The sweep reports
//! both; it fails nothing. tests/orderings.rs shows it finds the sites R4 and R10 weaken.

use crate::catalogue::Case;
use crate::engine::{Engine, Outcome, Verdict};
use crate::error::GcmcError;
use gcmc_models::platform::orderings::{self, Access, Site, Sites, Used};
use std::collections::{BTreeMap, BTreeSet};

/// What weakening one site to `Relaxed` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// A case failed: `kind` is its violation, `executions` how many it explored.
    Caught { case: String, kind: String, executions: u64 },
    /// No case failed: `held` of them explored to the end and held, `exhausted` ran out of budget
    /// first (all of them: the sweep could not decide).
    Holds { held: usize, exhausted: Vec<String> },
}

/// One atomic call site of a model.
#[derive(Clone, Debug)]
pub struct SiteSweep {
    pub site: Site,
    pub access: Access,
    /// The orderings the site was called with, unweakened.
    pub orderings: BTreeSet<&'static str>,
    /// The cases whose explorations reached it.
    pub cases: Vec<String>,
    /// None when the site only ever runs `Relaxed` (nothing to weaken).
    pub finding: Option<Finding>,
}

/// One model's sweep: the cases it ran and every site they reached, in source order.
#[derive(Clone, Debug)]
pub struct ModelSweep {
    pub model: &'static str,
    pub cases: Vec<String>,
    pub sites: Vec<SiteSweep>,
}

/// The cases the sweep runs: `holds` cases of correct variants under loom (the only engine that
/// sees an ordering), grouped by model in catalogue order.
pub fn bases<'a>(cases: &[&'a Case]) -> BTreeMap<&'static str, Vec<&'a Case>> {
    let mut by_model: BTreeMap<&'static str, Vec<&'a Case>> = BTreeMap::new();
    for case in crate::power::bases(cases).into_iter().filter(|c| matches!(c.engine, Engine::Loom { .. })) {
        by_model.entry(case.config.model).or_default().push(case);
    }
    by_model
}

/// Runs the sweep over one model's `cases` (from [`bases`]). `progress` is told each run before it
/// starts. A case that does not hold unweakened is an error: the sweep would measure nothing.
pub fn sweep(model: &'static str, cases: &[&Case], progress: &mut dyn FnMut(&str)) -> Result<ModelSweep, GcmcError> {
    let mut reached: BTreeMap<Site, (Used, Vec<&Case>)> = BTreeMap::new();
    for case in cases {
        progress(&format!("{}: recording", case.id));
        let (verdict, sites) = orderings::recording(|| run(case));
        let verdict = verdict?;
        if verdict.outcome != Outcome::Holds {
            return Err(GcmcError::Usage(format!(
                "case {} does not hold unweakened ({}): nothing to sweep",
                case.id,
                verdict.outcome.label()
            )));
        }
        merge(&mut reached, sites, case);
    }
    let mut swept = Vec::new();
    for (site, (used, reaching)) in reached {
        let finding = if used.weakenable() { Some(weaken(site, &reaching, progress)?) } else { None };
        let cases = reaching.iter().map(|c| c.id.clone()).collect();
        swept.push(SiteSweep { site, access: used.access, orderings: used.orderings, cases, finding });
    }
    Ok(ModelSweep { model, cases: cases.iter().map(|c| c.id.clone()).collect(), sites: swept })
}

fn run(case: &Case) -> Result<Verdict, GcmcError> {
    case.model.run(&case.config, &case.engine, &case.budget)
}

fn merge<'a>(reached: &mut BTreeMap<Site, (Used, Vec<&'a Case>)>, sites: Sites, case: &'a Case) {
    for (site, used) in sites {
        let (seen, reaching) =
            reached.entry(site).or_insert_with(|| (Used { access: used.access, orderings: BTreeSet::new() }, Vec::new()));
        seen.orderings.extend(used.orderings);
        reaching.push(case);
    }
}

/// Weakens `site` in each case that reached it, in catalogue order, until one fails.
fn weaken(site: Site, reaching: &[&Case], progress: &mut dyn FnMut(&str)) -> Result<Finding, GcmcError> {
    let (mut held, mut exhausted) = (0, Vec::new());
    for case in reaching {
        progress(&format!("{}: {site} weakened", case.id));
        let verdict = orderings::weakened(site, || run(case))?;
        match verdict.outcome {
            Outcome::Violation(violation) => {
                return Ok(Finding::Caught { case: case.id.clone(), kind: violation.kind.to_string(), executions: verdict.executions })
            }
            Outcome::BudgetExhausted { .. } => exhausted.push(case.id.clone()),
            Outcome::Holds => held += 1,
        }
    }
    Ok(Finding::Holds { held, exhausted })
}

/// The sweep as a table per model, and what it means.
pub fn report(sweeps: &[ModelSweep]) -> String {
    let mut out = String::new();
    for sweep in sweeps {
        out.push_str(&format!("{}: {} loom holds cases ({})\n", sweep.model, sweep.cases.len(), sweep.cases.join(", ")));
        let rows: Vec<[String; 4]> = sweep.sites.iter().map(row).collect();
        let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0);
        let widths = [width(0), width(1), width(2)];
        for r in &rows {
            out.push_str(&format!(
                "  {:<w0$}  {:<w1$}  {:<w2$}  {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            ));
        }
        let count = |f: fn(&Finding) -> bool| sweep.sites.iter().filter(|s| s.finding.as_ref().is_some_and(f)).count();
        let caught = count(|f| matches!(f, Finding::Caught { .. }));
        let undecided = count(|f| matches!(f, Finding::Holds { held: 0, .. }));
        let weakenable = count(|_| true);
        out.push_str(&format!(
            "  {caught} of {weakenable} orderings stronger than Relaxed carry a proof (weakened, a case fails); \
             {} are stronger than these cases need{}\n\n",
            weakenable - caught - undecided,
            if undecided > 0 { format!("; {undecided} undecided (out of budget)") } else { String::new() }
        ));
    }
    out
}

fn row(s: &SiteSweep) -> [String; 4] {
    let finding = match &s.finding {
        None => "Relaxed already".to_string(),
        Some(Finding::Caught { case, kind, executions }) => format!("caught: {kind} by {case} (execution {executions})"),
        Some(Finding::Holds { held, exhausted }) if exhausted.is_empty() => format!("holds in every case that reaches it ({held})"),
        Some(Finding::Holds { held: 0, exhausted }) => format!("undecided: budget exhausted in {}", exhausted.join(", ")),
        Some(Finding::Holds { held, exhausted }) => format!("holds in {held}; budget exhausted in {}", exhausted.join(", ")),
    };
    [s.site.to_string(), s.access.to_string(), s.orderings.iter().copied().collect::<Vec<_>>().join("/"), finding]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(line: u32, finding: Option<Finding>, reached_by: usize) -> SiteSweep {
        SiteSweep {
            site: Site { file: "models/src/m.rs", line, column: 9 },
            access: Access::Load,
            orderings: BTreeSet::from([if finding.is_some() { "SeqCst" } else { "Relaxed" }]),
            cases: (0..reached_by).map(|i| format!("c{i}")).collect(),
            finding,
        }
    }

    #[test]
    fn the_report_tells_caught_needless_and_undecided_apart() {
        let sweep = ModelSweep {
            model: "m",
            cases: vec!["c0".into(), "c1".into()],
            sites: vec![
                site(1, Some(Finding::Caught { case: "c1".into(), kind: "lost-node".into(), executions: 7 }), 2),
                site(2, Some(Finding::Holds { held: 2, exhausted: vec![] }), 2),
                site(3, Some(Finding::Holds { held: 1, exhausted: vec!["c1".into()] }), 2),
                site(4, Some(Finding::Holds { held: 0, exhausted: vec!["c0".into()] }), 1),
                site(5, None, 2),
            ],
        };
        let report = report(&[sweep]);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "m: 2 loom holds cases (c0, c1)");
        assert!(lines[1].starts_with("  models/src/m.rs:1:9") && lines[1].ends_with("caught: lost-node by c1 (execution 7)"), "{report}");
        assert!(lines[2].ends_with("holds in every case that reaches it (2)"), "{report}");
        assert!(lines[3].ends_with("holds in 1; budget exhausted in c1"), "{report}");
        assert!(lines[4].ends_with("undecided: budget exhausted in c0"), "{report}");
        assert!(lines[5].ends_with("Relaxed already"), "{report}");
        assert_eq!(
            lines[6],
            "  1 of 4 orderings stronger than Relaxed carry a proof (weakened, a case fails); 2 are stronger than these cases need; \
             1 undecided (out of budget)"
        );
    }
}
