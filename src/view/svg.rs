//! A trace as a sequence chart in plain SVG: one lane per thread, one box per step, top to
//! bottom in trace order; each box lists the objects its step touched, and an arrow joins it to
//! the step of another thread that touched the same object last (the hand-offs). Marked steps are
//! drawn in red. Text uses the generic `monospace` family, so no font has to be installed.

use super::{lanes, marked, objects, step_text, wrap, Lane};
use crate::engine::TraceLine;
use gcmc_models::check::Violation;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const LANE: usize = 300;
const GAP: usize = 24;
const MARGIN: usize = 16;
const LINE: usize = 14;
const CHARS: usize = 44;
const HEAD: usize = 56;

/// The chart of `trace`, headed by `title` and closed by the violation, as an SVG document.
pub fn render(title: &str, trace: &[TraceLine], violation: Option<&Violation>) -> String {
    let lanes = lanes(trace);
    let marks = violation.map(|v| marked(trace, &v.detail)).unwrap_or_default();
    let column = |lane: Lane| MARGIN + lanes.iter().position(|&l| l == lane).unwrap_or(0) * (LANE + GAP);
    let steps = steps(trace, &marks, &column);
    document(title, &lanes, &column, &steps, violation)
}

/// The drawn steps: their boxes, the hand-off arrows between lanes, and where the last box ends.
struct Steps {
    body: String,
    arrows: String,
    bottom: usize,
}

/// One box per step, in trace order, in its thread's lane; an arrow from the box that last
/// touched an object in another lane to the box that touches it next.
fn steps(trace: &[TraceLine], marks: &BTreeSet<usize>, column: &dyn Fn(Lane) -> usize) -> Steps {
    let mut body = String::new();
    let mut y = HEAD;
    // Where each object was last touched: (lane, the bottom centre of that box).
    let mut last_touch: BTreeMap<String, (Lane, usize, usize)> = BTreeMap::new();
    let mut arrows = String::new();
    for (i, line) in trace.iter().enumerate() {
        let lane = Lane::of(line);
        let x = column(lane);
        let mut text = wrap(&format!("{}. {}", i + 1, step_text(line)), CHARS);
        let touched = objects(&line.what);
        if !touched.is_empty() {
            text.extend(wrap(&format!("touches {}", touched.join(", ")), CHARS));
        }
        let height = text.len() * LINE + 8;
        let (fill, stroke) = if marks.contains(&i) { ("#fde2e2", "#c62828") } else { ("#f4f6fa", "#5c6b80") };
        let _ = writeln!(body, r#"<g class="step" data-step="{}" data-thread="{}">"#, i + 1, lane.name());
        let _ = writeln!(body, r#"<rect x="{x}" y="{y}" width="{LANE}" height="{height}" rx="4" fill="{fill}" stroke="{stroke}"/>"#);
        for (k, t) in text.iter().enumerate() {
            let _ = writeln!(body, r#"<text x="{}" y="{}">{}</text>"#, x + 6, y + 4 + (k + 1) * LINE - 3, escape(t));
        }
        body.push_str("</g>\n");
        for object in &touched {
            if let Some(&(from_lane, fx, fy)) = last_touch.get(object) {
                if from_lane != lane {
                    let (tx, ty) = (x + LANE / 2, y);
                    let _ = writeln!(
                        arrows,
                        r##"<line x1="{fx}" y1="{fy}" x2="{tx}" y2="{ty}" stroke="#8a6d00" stroke-width="1.2" marker-end="url(#arrow)"><title>{}</title></line>"##,
                        escape(object)
                    );
                }
            }
        }
        for object in touched {
            last_touch.insert(object, (lane, x + LANE / 2, y + height));
        }
        y += height + 6;
    }
    Steps { body, arrows, bottom: y }
}

/// The SVG document around the steps: title, lane headings and guide lines, the violation below.
fn document(title: &str, lanes: &[Lane], column: &dyn Fn(Lane) -> usize, steps: &Steps, violation: Option<&Violation>) -> String {
    let width = 2 * MARGIN + lanes.len().max(1) * (LANE + GAP) - GAP;
    let y = steps.bottom;
    let footer = violation.map(|v| format!("violation: {}: {}", v.kind, v.detail)).unwrap_or_default();
    let footer_lines = wrap(&footer, (width - 2 * MARGIN) / 7);
    let total = y + 12 + footer_lines.len() * LINE + MARGIN;
    let mut svg = String::new();
    let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" viewBox="0 0 {width} {total}" font-family="monospace" font-size="11">"#
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(title));
    svg.push_str(
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#8a6d00"/></marker></defs>
"##,
    );
    let _ = writeln!(svg, r#"<rect width="{width}" height="{total}" fill="white"/>"#);
    let _ = writeln!(svg, r#"<text x="{MARGIN}" y="20" font-size="13" font-weight="bold">{}</text>"#, escape(title));
    for &lane in lanes {
        let centre = column(lane) + LANE / 2;
        let _ = writeln!(
            svg,
            r##"<text x="{centre}" y="44" text-anchor="middle" font-size="13" font-weight="bold">{}</text><line x1="{centre}" y1="{HEAD}" x2="{centre}" y2="{y}" stroke="#c0c8d4" stroke-dasharray="4 4"/>"##,
            lane.name()
        );
    }
    svg.push_str(&steps.body);
    svg.push_str(&steps.arrows);
    for (k, t) in footer_lines.iter().enumerate() {
        let _ = writeln!(svg, r##"<text x="{MARGIN}" y="{}" fill="#c62828">{}</text>"##, y + 12 + (k + 1) * LINE - 3, escape(t));
    }
    svg.push_str("</svg>\n");
    svg
}

/// `text` with XML's five special characters escaped.
fn escape(text: &str) -> String {
    text.chars().fold(String::with_capacity(text.len()), |mut out, c| {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
        out
    })
}
