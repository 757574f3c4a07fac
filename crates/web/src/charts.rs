//! Charts drawn on the server as SVG (`plotters`). Each chart is a picture of figures the page
//! also lists in a table beside it, so the SVG is labelled as an image with a short summary and
//! carries no user text: labels are dates, stage names and counts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

// Drawn small, with large type, so that labels stay legible when a phone scales the chart down.
const WIDTH: u32 = 480;
const HEIGHT: u32 = 300;
const LABEL_SIZE: f64 = 18.0;
const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
/// Series colours, distinguishable with the common colour-vision deficiencies (Okabe–Ito).
pub const SERIES: [RGBColor; 3] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
];

/// Which figures a set of charts draws: the dashboard (its path), when its figures were
/// computed, and the time zone their dates are read in.
pub(crate) type ChartsKey = (String, i64, String);

/// Charts as last drawn, so that a page view while the figures are unchanged costs no drawing.
#[derive(Default)]
pub(crate) struct DrawnCharts(Mutex<HashMap<ChartsKey, Arc<[String; 3]>>>);

/// Chart sets kept at once; beyond this the cache starts afresh.
const KEPT_CHARTS: usize = 64;

impl DrawnCharts {
    /// The charts of `key`, drawn by `draw` unless they were already.
    pub(crate) fn drawn(
        &self,
        key: ChartsKey,
        draw: impl FnOnce() -> [String; 3],
    ) -> Arc<[String; 3]> {
        if let Some(drawn) = self.0.lock().ok().and_then(|kept| kept.get(&key).cloned()) {
            return drawn;
        }
        let drawn = Arc::new(draw());
        if let Ok(mut kept) = self.0.lock() {
            // A dashboard's older drawings are of figures no longer shown.
            kept.retain(|(dashboard, _, _), _| *dashboard != key.0);
            if kept.len() >= KEPT_CHARTS {
                kept.clear();
            }
            kept.insert(key, Arc::clone(&drawn));
        }
        drawn
    }
}

/// One line of a line chart: a name for the legend and a value per x label (none: no point).
pub struct Line<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// A line chart over `labels` (oldest first), from `y_min` (or 0) to the largest value.
pub fn line_chart(
    summary: &str,
    labels: &[String],
    lines: &[Line<'_>],
    y_range: Option<(f64, f64)>,
) -> String {
    render(summary, |area| {
        let top = lines
            .iter()
            .flat_map(|line| line.values.iter().flatten())
            .fold(1.0_f64, |top, value| top.max(*value));
        let (low, high) = y_range.unwrap_or((0.0, top * 1.1));
        let last = labels.len().saturating_sub(1).max(1);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(0..last, low..high)?;
        chart
            .configure_mesh()
            .x_labels(labels.len().min(5))
            .x_label_formatter(&|index| labels.get(*index).cloned().unwrap_or_default())
            .y_labels(5)
            .y_label_formatter(&|value| {
                // Counts (no range given) are labelled only at whole numbers.
                if y_range.is_none() && value.fract().abs() > 1e-9 {
                    String::new()
                } else {
                    trim_number(*value)
                }
            })
            .label_style(("sans-serif", LABEL_SIZE).into_font().color(&INK))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()?;
        for (line, colour) in lines.iter().zip(SERIES.iter().cycle()) {
            let points: Vec<(usize, f64)> = line
                .values
                .iter()
                .enumerate()
                .filter_map(|(index, value)| value.map(|value| (index, value)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))?
                .label(line.name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
            chart.draw_series(
                points
                    .into_iter()
                    .map(|point| Circle::new(point, 3, colour.filled())),
            )?;
        }
        if lines.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.9))
                .border_style(RGBColor(0xcc, 0xcc, 0xcc))
                .label_font(("sans-serif", LABEL_SIZE).into_font().color(&INK))
                .draw()?;
        }
        Ok(())
    })
}

/// A bar per label.
pub fn bar_chart(summary: &str, labels: &[&str], values: &[i64]) -> String {
    render(summary, |area| {
        let top = values.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(56)
            .build_cartesian_2d((0..labels.len()).into_segmented(), 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(labels.len())
            .x_label_formatter(&|segment| match segment {
                SegmentValue::CenterOf(index) => {
                    labels.get(*index).copied().unwrap_or("").to_owned()
                }
                _ => String::new(),
            })
            .y_labels(5)
            .y_label_formatter(&|value| trim_number(*value))
            .label_style(("sans-serif", LABEL_SIZE).into_font().color(&INK))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()?;
        chart.draw_series(values.iter().enumerate().map(|(index, value)| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(index), 0.0),
                    (SegmentValue::Exact(index + 1), *value as f64),
                ],
                SERIES[0].filled(),
            );
            bar.set_margin(0, 0, 12, 12);
            bar
        }))?;
        Ok(())
    })
}

/// Draws into an SVG document labelled with `summary`.
fn render(
    summary: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Drawn,
) -> String {
    let mut svg = String::new();
    let drawn = {
        let area = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        area.fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| draw(&area))
            .and_then(|()| area.present().map_err(Into::into))
    };
    match drawn {
        Ok(()) => svg.replacen(
            "<svg ",
            &format!(
                "<svg role=\"img\" aria-label=\"{}\" preserveAspectRatio=\"xMinYMin meet\" ",
                escape_attribute(summary)
            ),
            1,
        ),
        Err(error) => {
            tracing::error!(%error, "a chart could not be drawn");
            String::new()
        }
    }
}

/// Axis numbers as people write them: whole numbers without decimals, others with two.
fn trim_number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_is_a_labelled_svg_with_its_axis_labels() {
        let labels: Vec<String> = ["1 Sep", "8 Sep", "15 Sep"].map(String::from).to_vec();
        let svg = line_chart(
            "Ideas & comments per week",
            &labels,
            &[Line {
                name: "Ideas",
                values: vec![Some(2.0), None, Some(7.0)],
            }],
            None,
        );
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"Ideas &amp; comments per week\""),
            "{svg}"
        );
        assert!(svg.contains("viewBox"), "{svg}");
        assert!(
            svg.contains("8 Sep\n</text>") && svg.contains("<polyline"),
            "{svg}"
        );
    }

    #[test]
    fn charts_are_drawn_once_per_computation_of_the_figures() {
        let drawn = DrawnCharts::default();
        let mut draws = 0;
        let mut draw = |key: ChartsKey| {
            drawn.drawn(key, || {
                draws += 1;
                [String::new(), String::new(), String::new()]
            })
        };
        draw(("/spaces/a".into(), 100, "UTC".into()));
        draw(("/spaces/a".into(), 100, "UTC".into()));
        draw(("/challenges/1".into(), 100, "UTC".into()));
        draw(("/spaces/a".into(), 200, "UTC".into()));
        draw(("/spaces/a".into(), 200, "Europe/Paris".into()));
        assert_eq!(draws, 4);
    }

    #[test]
    fn a_bar_chart_draws_a_bar_per_value_even_when_all_are_zero() {
        let svg = bar_chart("Funnel", &["Published", "In review"], &[0, 0]);
        assert!(
            svg.contains("Published\n</text>") && svg.contains("In review\n</text>"),
            "{svg}"
        );
        let svg = bar_chart("Funnel", &["Published", "In review"], &[10, 4]);
        assert_eq!(svg.matches("<rect").count(), 3, "{svg}");
    }
}
