//! The progress log's scales and the Reintegration Export's arithmetic:
//! engagement on a 1–5 scale with words for each point, behaviour incidents,
//! how well a strategy worked, weekly buckets in London time, trend lines
//! and the ranking of strategies by their evidence.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::london;

/// Engagement in one session, as the tutor saw it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "u8", into = "u8")]
#[schemars(extend("minimum" = 1, "maximum" = 5))]
pub struct Engagement(u8);

impl Engagement {
    pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;

    pub fn new(point: u8) -> Option<Engagement> {
        Self::SCALE.contains(&point).then_some(Engagement(point))
    }

    pub fn point(self) -> u8 {
        self.0
    }

    /// What each point means, so two tutors score alike.
    pub fn descriptor(self) -> &'static str {
        match self.0 {
            1 => "Would not engage",
            2 => "Engaged only with constant prompting",
            3 => "Engaged with regular support",
            4 => "Mostly engaged and independent",
            _ => "Fully engaged and independent",
        }
    }
}

impl TryFrom<u8> for Engagement {
    type Error = String;
    fn try_from(point: u8) -> Result<Self, Self::Error> {
        Engagement::new(point).ok_or_else(|| "engagement is a point from 1 to 5".to_owned())
    }
}

impl From<Engagement> for u8 {
    fn from(e: Engagement) -> u8 {
        e.0
    }
}

/// How well a strategy worked when it was used, 1 (made things worse) to
/// 5 (worked well).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "u8", into = "u8")]
#[schemars(extend("minimum" = 1, "maximum" = 5))]
pub struct Effect(u8);

impl Effect {
    pub fn new(point: u8) -> Option<Effect> {
        (1..=5).contains(&point).then_some(Effect(point))
    }

    pub fn point(self) -> u8 {
        self.0
    }

    pub fn descriptor(self) -> &'static str {
        match self.0 {
            1 => "Made things worse",
            2 => "Did not help",
            3 => "Helped a little",
            4 => "Helped",
            _ => "Worked well",
        }
    }
}

impl TryFrom<u8> for Effect {
    type Error = String;
    fn try_from(point: u8) -> Result<Self, Self::Error> {
        Effect::new(point).ok_or_else(|| "how well it worked is a point from 1 to 5".to_owned())
    }
}

impl From<Effect> for u8 {
    fn from(e: Effect) -> u8 {
        e.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    Disruption,
    Refusal,
    VerbalAggression,
    PhysicalAggression,
    DamageToProperty,
    LeftWithoutPermission,
    SelfHarmConcern,
    Other,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

/// The Monday that starts the week (in London) holding `instant`: the
/// export's weekly buckets follow the clock on the classroom wall.
pub fn week_of(instant: DateTime<Utc>) -> NaiveDate {
    week_of_date(london::local_date(instant))
}

pub fn week_of_date(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Every week from the one holding `from` to the one holding `to`, so a
/// week with nothing recorded shows as a gap, not as a missing week.
pub fn weeks(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut week = week_of_date(from);
    while week <= to {
        out.push(week);
        week += Duration::weeks(1);
    }
    out
}

/// Values grouped by week: the mean of each week's values (None for a
/// week with none) and how many there were.
pub fn weekly_means(
    weeks: &[NaiveDate],
    values: impl IntoIterator<Item = (NaiveDate, f64)>,
) -> Vec<(NaiveDate, Option<f64>, usize)> {
    let mut sums: BTreeMap<NaiveDate, (f64, usize)> = BTreeMap::new();
    for (day, value) in values {
        let entry = sums.entry(week_of_date(day)).or_default();
        entry.0 += value;
        entry.1 += 1;
    }
    weeks
        .iter()
        .map(|w| match sums.get(w) {
            Some(&(sum, n)) => (*w, Some(sum / n as f64), n),
            None => (*w, None, 0),
        })
        .collect()
}

/// Counts per week (zero for a week with none).
pub fn weekly_counts(weeks: &[NaiveDate], days: impl IntoIterator<Item = NaiveDate>) -> Vec<u32> {
    let mut counts: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for day in days {
        *counts.entry(week_of_date(day)).or_default() += 1;
    }
    weeks
        .iter()
        .map(|w| counts.get(w).copied().unwrap_or(0))
        .collect()
}

/// The least-squares slope per week of the weeks that have a value;
/// None with fewer than two such weeks.
pub fn slope(series: &[Option<f64>]) -> Option<f64> {
    fit(series).map(|(_, slope)| slope)
}

/// The least-squares line through the weeks that have a value, as
/// (value at week 0, change per week).
pub fn fit(series: &[Option<f64>]) -> Option<(f64, f64)> {
    let points: Vec<(f64, f64)> = series
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    (sxx > 0.0).then(|| {
        let slope = sxy / sxx;
        (mean_y - slope * mean_x, slope)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Improving,
    Steady,
    Worsening,
    /// Fewer than two weeks with anything recorded.
    NotEnoughData,
}

/// Which way a trend goes for the pupil: rising engagement is better,
/// rising incidents are worse. A slope under `steady` per week either way
/// is called steady.
pub fn direction(slope: Option<f64>, higher_is_better: bool, steady: f64) -> Direction {
    match slope {
        None => Direction::NotEnoughData,
        Some(s) if s.abs() < steady => Direction::Steady,
        Some(s) if (s > 0.0) == higher_is_better => Direction::Improving,
        Some(_) => Direction::Worsening,
    }
}

/// A strategy's record: how often it was used and how well it worked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyEvidence {
    pub strategy: String,
    pub uses: u32,
    /// Mean of the 1–5 effect ratings.
    pub mean_effect: f64,
    /// What the ranking sorts by: the mean less a margin that shrinks with
    /// the square root of the uses, so one good try does not outrank thirty.
    pub score: f64,
}

/// How much a single use is discounted: two scale points at n = 1 (half
/// the 1–5 scale, so one top rating ranks below a steady 4 from many uses),
/// one point at n = 4, 0.4 at n = 25.
const EVIDENCE_MARGIN: f64 = 2.0;

/// Ranks strategies by evidence, best first: a lower bound on the mean
/// effect that rises with the number of uses, then more uses, then name.
pub fn rank_strategies<'a>(
    uses: impl IntoIterator<Item = (&'a str, Effect)>,
) -> Vec<StrategyEvidence> {
    let mut by_name: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for (name, effect) in uses {
        let key = name.trim().to_owned();
        if key.is_empty() {
            continue;
        }
        let entry = by_name.entry(key).or_default();
        entry.0 += 1;
        entry.1 += u32::from(effect.point());
    }
    let mut ranked: Vec<StrategyEvidence> = by_name
        .into_iter()
        .map(|(strategy, (uses, total))| {
            let mean_effect = f64::from(total) / f64::from(uses);
            StrategyEvidence {
                strategy,
                uses,
                mean_effect,
                score: mean_effect - EVIDENCE_MARGIN / f64::from(uses).sqrt(),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.uses.cmp(&a.uses))
            .then(a.strategy.cmp(&b.strategy))
    });
    ranked
}

/// Limits that keep an entry a session's worth.
pub const MAX_INCIDENTS: usize = 20;
pub const MAX_STRATEGIES: usize = 20;
pub const MAX_TEXT: usize = 500;
pub const MAX_NOTE: usize = 2000;

/// Checks a progress entry, naming the first field at fault.
pub fn check_entry(entry: &crate::api::ProgressRequest) -> Result<(), crate::api::ErrorDetail> {
    use crate::api::ErrorDetail;
    let too_long = |text: &str, max: usize| text.chars().count() > max;
    if entry.incidents.len() > MAX_INCIDENTS {
        return Err(ErrorDetail::invalid(
            "incidents",
            format!("at most {MAX_INCIDENTS} incidents in one session"),
        ));
    }
    for (i, incident) in entry.incidents.iter().enumerate() {
        for (name, text) in [
            ("trigger", &incident.trigger),
            ("strategy", &incident.strategy),
            ("outcome", &incident.outcome),
        ] {
            if too_long(text, MAX_TEXT) {
                return Err(ErrorDetail::invalid(
                    format!("incidents[{i}].{name}"),
                    format!("at most {MAX_TEXT} characters"),
                ));
            }
        }
    }
    if entry.strategies.len() > MAX_STRATEGIES {
        return Err(ErrorDetail::invalid(
            "strategies",
            format!("at most {MAX_STRATEGIES} strategies in one session"),
        ));
    }
    for (i, used) in entry.strategies.iter().enumerate() {
        let name = used.strategy.trim();
        if name.is_empty() || too_long(name, MAX_TEXT) {
            return Err(ErrorDetail::invalid(
                format!("strategies[{i}].strategy"),
                format!("name the strategy, in at most {MAX_TEXT} characters"),
            ));
        }
    }
    if too_long(&entry.note, MAX_NOTE) {
        return Err(ErrorDetail::invalid(
            "note",
            format!("at most {MAX_NOTE} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Checks a review, naming the first field at fault.
pub fn check_review(review: &crate::api::ReviewRequest) -> Result<(), crate::api::ErrorDetail> {
    use crate::api::ErrorDetail;
    for (name, level) in [
        ("reading_age", &review.reading_age),
        ("english_level", &review.english_level),
        ("maths_level", &review.maths_level),
    ] {
        if level.as_deref().is_some_and(|l| l.chars().count() > 120) {
            return Err(ErrorDetail::invalid(name, "at most 120 characters"));
        }
    }
    if review.commentary.chars().count() > MAX_NOTE {
        return Err(ErrorDetail::invalid(
            "commentary",
            format!("at most {MAX_NOTE} characters"),
        ));
    }
    let said_something = [
        &review.reading_age,
        &review.english_level,
        &review.maths_level,
    ]
    .iter()
    .any(|l| l.as_deref().is_some_and(|l| !l.trim().is_empty()))
        || !review.commentary.trim().is_empty();
    if !said_something {
        return Err(ErrorDetail::invalid(
            "commentary",
            "write a comment or at least one level",
        ));
    }
    Ok(())
}
