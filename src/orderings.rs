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
use gcmc_models::platform::orderings::{self, Access, Site, Sites};
use std::collections::{BTreeMap, BTreeSet};

/// What weakening one site to `Relaxed` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// A case failed: `kind` is its violation, `executions` how many it explored.
    Caught { case: String, kind: String, executions: u64 },
    /// Every case that reached the site still held (or ran out of budget: `exhausted` names them).
    Holds { exhausted: Vec<String> },
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
    let mut reached: BTreeMap<Site, (Access, BTreeSet<&'static str>, Vec<&Case>)> = BTreeMap::new();
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
    for (site, (access, used, reaching)) in reached {
        let weakenable = used.iter().any(|o| *o != "Relaxed");
        let finding = if weakenable { Some(weaken(site, &reaching, progress)?) } else { None };
        swept.push(SiteSweep { site, access, orderings: used, cases: reaching.iter().map(|c| c.id.clone()).collect(), finding });
    }
    Ok(ModelSweep { model, cases: cases.iter().map(|c| c.id.clone()).collect(), sites: swept })
}

fn run(case: &Case) -> Result<Verdict, GcmcError> {
    case.model.run(&case.config, &case.engine, &case.budget)
}

fn merge<'a>(reached: &mut BTreeMap<Site, (Access, BTreeSet<&'static str>, Vec<&'a Case>)>, sites: Sites, case: &'a Case) {
    for (site, used) in sites {
        let entry = reached.entry(site).or_insert_with(|| (used.access, BTreeSet::new(), Vec::new()));
        entry.1.extend(used.orderings);
        entry.2.push(case);
    }
}

/// Weakens `site` in each case that reached it, in catalogue order, until one fails.
fn weaken(site: Site, reaching: &[&Case], progress: &mut dyn FnMut(&str)) -> Result<Finding, GcmcError> {
    let mut exhausted = Vec::new();
    for case in reaching {
        progress(&format!("{}: {site} weakened", case.id));
        let verdict = orderings::weakened(site, || run(case))?;
        match verdict.outcome {
            Outcome::Violation(violation) => {
                return Ok(Finding::Caught { case: case.id.clone(), kind: violation.kind.to_string(), executions: verdict.executions })
            }
            Outcome::BudgetExhausted { .. } => exhausted.push(case.id.clone()),
            Outcome::Holds => {}
        }
    }
    Ok(Finding::Holds { exhausted })
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
        let caught = sweep.sites.iter().filter(|s| matches!(s.finding, Some(Finding::Caught { .. }))).count();
        let weakenable = sweep.sites.iter().filter(|s| s.finding.is_some()).count();
        out.push_str(&format!(
            "  {caught} of {weakenable} orderings stronger than Relaxed carry a proof (weakened, a case fails); \
             {} are stronger than these cases need\n\n",
            weakenable - caught
        ));
    }
    out
}

fn row(s: &SiteSweep) -> [String; 4] {
    let finding = match &s.finding {
        None => "Relaxed already".to_string(),
        Some(Finding::Caught { case, kind, executions }) => format!("caught: {kind} by {case} (execution {executions})"),
        Some(Finding::Holds { exhausted }) if exhausted.is_empty() => format!("holds in every case that reaches it ({})", s.cases.len()),
        Some(Finding::Holds { exhausted }) => format!("holds; budget exhausted in {}", exhausted.join(", ")),
    };
    [s.site.to_string(), s.access.to_string(), s.orderings.iter().copied().collect::<Vec<_>>().join("/"), finding]
}
