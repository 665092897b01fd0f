//! The export's words and numbers as people read them, shared by the HTML
//! and the PDF so both say exactly the same thing.

use chrono::NaiveDate;

use crate::progress::Direction;

use super::{ReintegrationExport, Trend};

pub fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A week on a chart's axis: its Monday, short.
pub fn week(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

pub fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "no sessions".to_owned(), |v| format!("{v:.1}%"))
}

pub fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "not logged".to_owned(), |v| format!("{v:.2}"))
}

pub fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Improving => "improving",
        Direction::Steady => "steady",
        Direction::Worsening => "worsening",
        Direction::NotEnoughData => "not enough weeks to tell",
    }
}

/// "improving (+1.2 points a week)".
pub fn trend(t: &Trend, unit: &str) -> String {
    match t.per_week {
        Some(s) if t.direction != Direction::NotEnoughData => {
            format!("{} ({s:+.2} {unit} a week)", direction(t.direction))
        }
        _ => direction(t.direction).to_owned(),
    }
}

pub fn title(e: &ReintegrationExport) -> String {
    format!(
        "Reintegration Export: {} {}",
        e.pupil.first_name, e.pupil.last_name
    )
}

/// The summary lines at the top: (label, value).
pub fn summary(e: &ReintegrationExport) -> Vec<(&'static str, String)> {
    let p = &e.placement;
    let mut rows = vec![
        (
            "Pupil",
            format!("{} {}", e.pupil.first_name, e.pupil.last_name),
        ),
        ("Date of birth", date(e.pupil.date_of_birth)),
    ];
    if let Some(upn) = &e.pupil.upn {
        rows.push(("UPN", upn.clone()));
    }
    rows.extend([
        ("Provision", p.ap.clone()),
        ("Commissioned by", p.commissioner.clone()),
        ("Placement", p.tier.label().to_owned()),
        (
            "Dates",
            match (p.end_date, p.ended) {
                (Some(end), true) => format!("{} to {} (ended)", date(p.start_date), date(end)),
                (Some(end), false) => format!("{} to {} (planned)", date(p.start_date), date(end)),
                (None, _) => format!("from {}", date(p.start_date)),
            },
        ),
        (
            "Figures cover",
            format!("{} to {}", date(e.covers.from), date(e.covers.to)),
        ),
    ]);
    rows
}

/// The attendance figures as sentences.
pub fn attendance(e: &ReintegrationExport) -> Vec<String> {
    let a = &e.attendance;
    let mut lines = vec![
        format!(
            "Attendance {}: attended {} of {} possible sessions.",
            rate(a.rate),
            a.attended,
            a.possible
        ),
        format!(
            "Authorised absences {}; unauthorised absences {}.",
            a.authorised_absences, a.unauthorised_absences
        ),
        format!("Weekly trend: {}.", trend(&a.trend, "points")),
    ];
    match a.not_recorded {
        0 => {}
        1 => lines.push("1 session held was never registered and is not counted.".to_owned()),
        n => lines.push(format!(
            "{n} sessions held were never registered and are not counted."
        )),
    }
    lines
}

pub fn incidents(e: &ReintegrationExport) -> Vec<String> {
    let i = &e.incidents;
    vec![
        format!(
            "{} behaviour incidents logged, {} of high severity.",
            i.total, i.high_severity
        ),
        format!("Weekly trend: {}.", trend(&i.trend, "incidents")),
    ]
}

pub fn engagement(e: &ReintegrationExport) -> Vec<String> {
    let g = &e.engagement;
    vec![
        format!(
            "Mean engagement {} out of 5 over {} sessions logged.",
            mean(g.mean),
            g.sessions_logged
        ),
        format!("Weekly trend: {}.", trend(&g.trend, "points")),
    ]
}

pub const NO_STRATEGIES: &str = "No strategies have been logged yet.";
pub const NO_TRIGGERS: &str = "No triggers are known.";
pub const NO_COMMENTARY: &str = "No staff commentary yet.";
pub const NOT_ASSESSED: &str = "not assessed";

/// Where a trigger was seen: "baseline; 4 incidents".
pub fn trigger_source(in_baseline: bool, incidents: u32) -> String {
    let seen = match incidents {
        0 => None,
        1 => Some("1 incident".to_owned()),
        n => Some(format!("{n} incidents")),
    };
    match (in_baseline, seen) {
        (true, Some(s)) => format!("baseline; {s}"),
        (true, None) => "baseline".to_owned(),
        (false, Some(s)) => s,
        (false, None) => String::new(),
    }
}

pub fn footer(e: &ReintegrationExport) -> String {
    format!(
        "Made by LearnTrek on {} from the placement's registers, progress log, baseline and reviews.",
        date(crate::london::local_date(e.generated_at))
    )
}
