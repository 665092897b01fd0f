//! The export's three weekly charts laid out once, in points (1/72 inch)
//! with y growing downwards, so the HTML's SVG and the PDF draw the same
//! lines. A chart says in words what it shows, for screen readers and for
//! anyone who cannot see the lines.

use chrono::NaiveDate;

use crate::progress;

use super::{ReintegrationExport, text};

pub const WIDTH: f32 = 495.0;
pub const HEIGHT: f32 = 150.0;
/// How to read every chart.
pub const LEGEND: &str = "Solid line and dots: each week. Dashed line: the trend.";
const LEFT: f32 = 40.0;
const RIGHT: f32 = 10.0;
const TOP: f32 = 10.0;
const BOTTOM: f32 = 26.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f32,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// One sentence: what the line shows and which way it goes.
    pub description: String,
    /// The plotting area: left, top, right, bottom.
    pub area: (f32, f32, f32, f32),
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// Runs of consecutive weeks with a value; a week without breaks the line.
    pub lines: Vec<Vec<(f32, f32)>>,
    pub points: Vec<(f32, f32)>,
    /// The least-squares line across the weeks, when there are two or more.
    pub trend: Option<[(f32, f32); 2]>,
    /// (week label, value as written) for the table beside the chart.
    pub table: Vec<(String, String)>,
}

struct Axis {
    min: f64,
    max: f64,
    step: f64,
}

fn layout(
    title: String,
    description: String,
    weeks: &[NaiveDate],
    values: &[Option<f64>],
    axis: Axis,
    format: fn(Option<f64>) -> String,
) -> Chart {
    let (left, top) = (LEFT, TOP);
    let (right, bottom) = (WIDTH - RIGHT, HEIGHT - BOTTOM);
    let n = weeks.len().max(1);
    let x = |i: f64| -> f32 {
        if n == 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * (i / (n - 1) as f64) as f32
        }
    };
    let y = |v: f64| -> f32 {
        let t = ((v - axis.min) / (axis.max - axis.min)).clamp(0.0, 1.0);
        bottom - (bottom - top) * t as f32
    };
    let mut y_ticks = Vec::new();
    let mut v = axis.min;
    while v <= axis.max + 1e-9 {
        y_ticks.push(Tick {
            at: y(v),
            label: format!("{v}"),
        });
        v += axis.step;
    }
    // At most about eight week labels, whatever the placement's length.
    let every = n.div_ceil(8);
    let x_ticks = weeks
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, w)| Tick {
            at: x(i as f64),
            label: text::week(*w),
        })
        .collect();
    let mut lines: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut points = Vec::new();
    let mut run: Vec<(f32, f32)> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(v) => {
                let p = (x(i as f64), y(*v));
                points.push(p);
                run.push(p);
            }
            None if !run.is_empty() => lines.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        lines.push(run);
    }
    let trend = progress::fit(values).and_then(|(a, b)| {
        let first = values.iter().position(Option::is_some)?;
        let last = values.iter().rposition(Option::is_some)?;
        let at = |i: usize| (x(i as f64), y(a + b * i as f64));
        Some([at(first), at(last)])
    });
    Chart {
        title,
        description,
        area: (left, top, right, bottom),
        x_ticks,
        y_ticks,
        lines,
        points,
        trend,
        table: weeks
            .iter()
            .zip(values)
            .map(|(w, v)| (text::week(*w), format(*v)))
            .collect(),
    }
}

fn count(v: Option<f64>) -> String {
    v.map_or_else(|| "not logged".to_owned(), |v| format!("{v:.0}"))
}

/// Attendance, incidents and engagement per week, in that order.
pub fn charts(e: &ReintegrationExport) -> [Chart; 3] {
    let weeks: Vec<NaiveDate> = e.attendance.weeks.iter().map(|w| w.week).collect();
    let rates: Vec<Option<f64>> = e.attendance.weeks.iter().map(|w| w.rate).collect();
    let incidents: Vec<Option<f64>> = e
        .incidents
        .weeks
        .iter()
        .map(|w| (w.sessions_logged > 0).then_some(f64::from(w.count)))
        .collect();
    let most = incidents.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
    let incident_step = (most / 4.0).ceil().max(1.0);
    let engagement: Vec<Option<f64>> = e.engagement.weeks.iter().map(|w| w.mean).collect();
    [
        layout(
            "Attendance per week (%)".into(),
            format!(
                "Weekly attendance over {} weeks, overall {}; {}.",
                weeks.len(),
                text::rate(e.attendance.rate),
                text::trend(&e.attendance.trend, "points")
            ),
            &weeks,
            &rates,
            Axis {
                min: 0.0,
                max: 100.0,
                step: 25.0,
            },
            text::rate,
        ),
        layout(
            "Behaviour incidents per week".into(),
            format!(
                "Incidents per week over {} weeks, {} in all; {}.",
                weeks.len(),
                e.incidents.total,
                text::trend(&e.incidents.trend, "incidents")
            ),
            &weeks,
            &incidents,
            Axis {
                min: 0.0,
                max: incident_step * 4.0,
                step: incident_step,
            },
            count,
        ),
        layout(
            "Engagement per week (mean, 1 to 5)".into(),
            format!(
                "Mean engagement per week over {} weeks, overall {}; {}.",
                weeks.len(),
                text::mean(e.engagement.mean),
                text::trend(&e.engagement.trend, "points")
            ),
            &weeks,
            &engagement,
            Axis {
                min: 1.0,
                max: 5.0,
                step: 1.0,
            },
            text::mean,
        ),
    ]
}
