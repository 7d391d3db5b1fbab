//! The report's plots: plotters' SVG backend, text as SVG `<text>` (no font files are read).

use crate::error::GcmcError;
use plotters::prelude::*;

/// One line of a plot: points at category index x.
pub(crate) struct Series {
    pub name: String,
    pub points: Vec<(usize, f64)>,
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Lines over categories `labels` (x), on a log-scale y axis; series without points are left out
/// of the plot and its legend.
pub(crate) fn log_lines(title: &str, labels: &[String], y_label: &str, series: &[Series]) -> Result<String, GcmcError> {
    let mut svg = String::new();
    draw(&mut svg, title, labels, y_label, series).map_err(|e| GcmcError::Usage(format!("cannot draw the plot `{title}`: {e}")))?;
    Ok(svg)
}

fn draw(svg: &mut String, title: &str, labels: &[String], y_label: &str, series: &[Series]) -> Result<(), Box<dyn std::error::Error>> {
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (low, high) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (low, high) = if high > 0.0 { ((low.max(1e-3) / 2.0), high * 2.0) } else { (1.0, 10.0) };
    let root = SVGBackend::with_string(svg, (720, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0..labels.len().saturating_sub(1).max(1), (low..high).log_scale())?;
    chart
        .configure_mesh()
        .x_labels(labels.len())
        .x_label_formatter(&|i| labels.get(*i).cloned().unwrap_or_default())
        .y_desc(y_label)
        .draw()?;
    for (i, s) in series.iter().enumerate().filter(|(_, s)| !s.points.is_empty()) {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), colour.stroke_width(2)).point_size(3))?
            .label(s.name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).position(SeriesLabelPosition::UpperLeft).draw()?;
    root.present()?;
    Ok(())
}
