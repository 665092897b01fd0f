//! The Reintegration Export: what a placement's records say about the pupil,
//! worked out once here and then written three ways (JSON as it is, an
//! accessible HTML page, an A4 PDF), so the three always agree.
//!
//! The worker reads the records; everything from there on (weekly buckets in
//! London time, rates, trends, the strategy ranking) happens in this module.

pub mod chart;
pub mod html;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{Incident, StrategyUse};
use crate::attendance::{self, Category};
use crate::domain::Tier;
use crate::progress::{self, Direction, Engagement, StrategyEvidence};

/// The version of the JSON document's shape, carried in every export.
pub const SCHEMA: &str = "learntrek.reintegration-export.v1";

/// A week with a slope under these (per week) is called steady.
const STEADY_RATE_POINTS: f64 = 1.0;
const STEADY_INCIDENTS: f64 = 0.1;
const STEADY_ENGAGEMENT: f64 = 0.05;

// ---------------------------------------------------------------- input

/// One timetabled session that has taken place, with the AP register code
/// of the mark that counts (None when nobody registered it).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldSession {
    pub date: NaiveDate,
    pub code: Option<String>,
}

/// A progress entry as last saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEntry {
    pub date: NaiveDate,
    pub engagement: Engagement,
    pub incidents: Vec<Incident>,
    pub strategies: Vec<StrategyUse>,
}

/// What the transition baseline said when the placement began.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    pub reading_age: Option<String>,
    pub english_level: Option<String>,
    pub maths_level: Option<String>,
    pub triggers: Vec<String>,
    pub to_avoid: Vec<String>,
}

/// Everything the export is made from, read by the worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    pub generated_at: DateTime<Utc>,
    /// The last day the export covers (today, or the placement's end).
    pub up_to: NaiveDate,
    pub pupil: PupilSummary,
    pub placement: PlacementSummary,
    pub sessions: Vec<HeldSession>,
    pub progress: Vec<ProgressEntry>,
    pub baseline: Baseline,
    /// Staff reviews, any order.
    pub reviews: Vec<crate::api::Review>,
}

// ---------------------------------------------------------------- output

/// The Reintegration Export as JSON; the HTML and PDF show exactly this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReintegrationExport {
    /// Always `learntrek.reintegration-export.v1` for this shape.
    pub schema: String,
    pub generated_at: DateTime<Utc>,
    pub pupil: PupilSummary,
    pub placement: PlacementSummary,
    /// The dates the figures cover (Europe/London).
    pub covers: Period,
    pub attendance: AttendanceSummary,
    pub incidents: IncidentSummary,
    pub engagement: EngagementSummary,
    /// Best first, by a lower bound on the mean effect that rises with uses.
    pub strategies: Vec<StrategyEvidence>,
    pub triggers: Vec<TriggerEvidence>,
    /// From the baseline: approaches the pupil's school said to avoid.
    pub approaches_to_avoid: Vec<String>,
    pub levels: Vec<LevelChange>,
    /// Staff commentary, newest first.
    pub commentary: Vec<Commentary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PupilSummary {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub upn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlacementSummary {
    pub placement_id: String,
    pub ap: String,
    pub commissioner: String,
    pub tier: Tier,
    pub start_date: NaiveDate,
    /// Planned (or actual) end, when there is one.
    pub end_date: Option<NaiveDate>,
    pub ended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Which way a weekly series goes, and by how much per week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trend {
    /// Least-squares slope per week over the weeks with a value.
    pub per_week: Option<f64>,
    pub direction: Direction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttendanceWeek {
    /// The Monday the week starts on.
    pub week: NaiveDate,
    /// Sessions that counted as possible (Y codes are left out).
    pub possible: u32,
    pub attended: u32,
    /// Sessions held that nobody registered.
    pub not_recorded: u32,
    /// `attended / possible` × 100, one decimal place; None with none possible.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttendanceSummary {
    /// Sessions timetabled and held (begun) in the period.
    pub sessions: u32,
    pub possible: u32,
    pub attended: u32,
    pub authorised_absences: u32,
    pub unauthorised_absences: u32,
    pub not_recorded: u32,
    pub rate: Option<f64>,
    pub weeks: Vec<AttendanceWeek>,
    pub trend: Trend,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CountWeek {
    pub week: NaiveDate,
    pub count: u32,
    /// Sessions with a progress entry that week: a week with none has no
    /// evidence either way, and is a gap in the trend, not a zero.
    pub sessions_logged: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IncidentSummary {
    pub total: u32,
    pub high_severity: u32,
    pub weeks: Vec<CountWeek>,
    pub trend: Trend,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeanWeek {
    pub week: NaiveDate,
    /// Mean engagement (1–5), two decimal places; None when nothing was logged.
    pub mean: Option<f64>,
    pub sessions_logged: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EngagementSummary {
    pub sessions_logged: u32,
    pub mean: Option<f64>,
    pub weeks: Vec<MeanWeek>,
    pub trend: Trend,
}

/// A trigger to avoid: named in the baseline, seen in incidents, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriggerEvidence {
    pub trigger: String,
    pub in_baseline: bool,
    /// Incidents during the placement that named it.
    pub incidents: u32,
}

/// A measure at the start (from the baseline) and now (the latest review).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LevelChange {
    pub measure: String,
    pub at_start: Option<String>,
    pub now: Option<String>,
    /// When `now` was assessed.
    pub assessed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Commentary {
    pub written_by: String,
    pub written_on: NaiveDate,
    pub text: String,
}

// ---------------------------------------------------------------- building

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

fn trend(series: &[Option<f64>], higher_is_better: bool, steady: f64) -> Trend {
    let per_week = progress::slope(series);
    Trend {
        per_week: per_week.map(|s| round(s, 3)),
        direction: progress::direction(per_week, higher_is_better, steady),
    }
}

fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| round(f64::from(part) * 100.0 / f64::from(whole), 1))
}

fn attendance(sessions: &[HeldSession], weeks: &[NaiveDate]) -> AttendanceSummary {
    #[derive(Default, Clone, Copy)]
    struct Tally {
        possible: u32,
        attended: u32,
        authorised: u32,
        unauthorised: u32,
        not_recorded: u32,
    }
    let mut by_week: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for s in sessions {
        let week = by_week.entry(progress::week_of_date(s.date)).or_default();
        for t in [&mut all, week] {
            match s.code.as_deref().map(attendance::category) {
                None => t.not_recorded += 1,
                Some(Some(Category::Attending)) => {
                    t.possible += 1;
                    t.attended += 1;
                }
                Some(Some(Category::AuthorisedAbsence)) => {
                    t.possible += 1;
                    t.authorised += 1;
                }
                // An unknown code is counted against the pupil rather than
                // silently dropped.
                Some(Some(Category::UnauthorisedAbsence) | None) => {
                    t.possible += 1;
                    t.unauthorised += 1;
                }
                Some(Some(Category::NotPossible)) => {}
            }
        }
    }
    let weeks: Vec<AttendanceWeek> = weeks
        .iter()
        .map(|w| {
            let t = by_week.get(w).copied().unwrap_or_default();
            AttendanceWeek {
                week: *w,
                possible: t.possible,
                attended: t.attended,
                not_recorded: t.not_recorded,
                rate: percent(t.attended, t.possible),
            }
        })
        .collect();
    let series: Vec<Option<f64>> = weeks.iter().map(|w| w.rate).collect();
    AttendanceSummary {
        sessions: u32::try_from(sessions.len()).unwrap_or(u32::MAX),
        possible: all.possible,
        attended: all.attended,
        authorised_absences: all.authorised,
        unauthorised_absences: all.unauthorised,
        not_recorded: all.not_recorded,
        rate: percent(all.attended, all.possible),
        trend: trend(&series, true, STEADY_RATE_POINTS),
        weeks,
    }
}

fn incidents(progress: &[ProgressEntry], weeks: &[NaiveDate]) -> IncidentSummary {
    let logged = progress::weekly_counts(weeks, progress.iter().map(|p| p.date));
    let counts = progress::weekly_counts(
        weeks,
        progress
            .iter()
            .flat_map(|p| p.incidents.iter().map(move |_| p.date)),
    );
    let weeks: Vec<CountWeek> = weeks
        .iter()
        .zip(counts.iter().zip(&logged))
        .map(|(w, (count, sessions))| CountWeek {
            week: *w,
            count: *count,
            sessions_logged: *sessions,
        })
        .collect();
    let series: Vec<Option<f64>> = weeks
        .iter()
        .map(|w| (w.sessions_logged > 0).then_some(f64::from(w.count)))
        .collect();
    let all = progress.iter().flat_map(|p| &p.incidents);
    IncidentSummary {
        total: counts.iter().sum(),
        high_severity: u32::try_from(
            all.filter(|i| i.severity == progress::Severity::High)
                .count(),
        )
        .unwrap_or(u32::MAX),
        trend: trend(&series, false, STEADY_INCIDENTS),
        weeks,
    }
}

fn engagement(progress: &[ProgressEntry], weeks: &[NaiveDate]) -> EngagementSummary {
    let means = progress::weekly_means(
        weeks,
        progress
            .iter()
            .map(|p| (p.date, f64::from(p.engagement.point()))),
    );
    let weeks: Vec<MeanWeek> = means
        .iter()
        .map(|(week, mean, n)| MeanWeek {
            week: *week,
            mean: mean.map(|m| round(m, 2)),
            sessions_logged: u32::try_from(*n).unwrap_or(u32::MAX),
        })
        .collect();
    let series: Vec<Option<f64>> = means.iter().map(|(_, m, _)| *m).collect();
    let total: u32 = progress
        .iter()
        .map(|p| u32::from(p.engagement.point()))
        .sum();
    let n = u32::try_from(progress.len()).unwrap_or(u32::MAX);
    EngagementSummary {
        sessions_logged: n,
        mean: (n > 0).then(|| round(f64::from(total) / f64::from(n), 2)),
        trend: trend(&series, true, STEADY_ENGAGEMENT),
        weeks,
    }
}

/// The same words, whatever their case and spacing.
fn same_words(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    norm(a) == norm(b)
}

fn triggers(baseline: &[String], progress: &[ProgressEntry]) -> Vec<TriggerEvidence> {
    let mut out: Vec<TriggerEvidence> = baseline
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| TriggerEvidence {
            trigger: t.trim().to_owned(),
            in_baseline: true,
            incidents: 0,
        })
        .collect();
    for incident in progress.iter().flat_map(|p| &p.incidents) {
        let named = incident.trigger.trim();
        if named.is_empty() {
            continue;
        }
        match out.iter_mut().find(|t| same_words(&t.trigger, named)) {
            Some(t) => t.incidents += 1,
            None => out.push(TriggerEvidence {
                trigger: named.to_owned(),
                in_baseline: false,
                incidents: 1,
            }),
        }
    }
    // Most incidents first; the baseline's order among equals.
    out.sort_by_key(|t| std::cmp::Reverse(t.incidents));
    out
}

fn levels(baseline: &Baseline, reviews: &[crate::api::Review]) -> Vec<LevelChange> {
    let mut newest: Vec<&crate::api::Review> = reviews.iter().collect();
    newest.sort_by_key(|r| std::cmp::Reverse(r.written_at));
    let latest = |pick: fn(&crate::api::Review) -> &Option<String>| {
        newest.iter().find_map(|r| {
            pick(r)
                .as_ref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (v.clone(), crate::london::local_date(r.written_at)))
        })
    };
    let row =
        |measure: &str, start: &Option<String>, now: Option<(String, NaiveDate)>| LevelChange {
            measure: measure.to_owned(),
            at_start: start.clone().filter(|v| !v.trim().is_empty()),
            assessed_on: now.as_ref().map(|(_, d)| *d),
            now: now.map(|(v, _)| v),
        };
    vec![
        row(
            "Reading age",
            &baseline.reading_age,
            latest(|r| &r.reading_age),
        ),
        row(
            "English working level",
            &baseline.english_level,
            latest(|r| &r.english_level),
        ),
        row(
            "Maths working level",
            &baseline.maths_level,
            latest(|r| &r.maths_level),
        ),
    ]
}

/// Works out the export from the records.
pub fn build(records: &Records) -> ReintegrationExport {
    let from = records.placement.start_date;
    let to = records.up_to.max(from);
    let weeks = progress::weeks(from, to);
    let in_period = |d: &NaiveDate| (from..=to).contains(d);
    let sessions: Vec<HeldSession> = records
        .sessions
        .iter()
        .filter(|s| in_period(&s.date))
        .cloned()
        .collect();
    let entries: Vec<ProgressEntry> = records
        .progress
        .iter()
        .filter(|p| in_period(&p.date))
        .cloned()
        .collect();
    let mut commentary: Vec<Commentary> = records
        .reviews
        .iter()
        .filter(|r| !r.commentary.trim().is_empty())
        .map(|r| Commentary {
            written_by: r.written_by.clone(),
            written_on: crate::london::local_date(r.written_at),
            text: r.commentary.trim().to_owned(),
        })
        .collect();
    commentary.sort_by_key(|c| std::cmp::Reverse(c.written_on));
    ReintegrationExport {
        schema: SCHEMA.to_owned(),
        generated_at: records.generated_at,
        pupil: records.pupil.clone(),
        placement: records.placement.clone(),
        covers: Period { from, to },
        attendance: attendance(&sessions, &weeks),
        incidents: incidents(&entries, &weeks),
        engagement: engagement(&entries, &weeks),
        strategies: progress::rank_strategies(
            entries
                .iter()
                .flat_map(|p| &p.strategies)
                .map(|s| (s.strategy.as_str(), s.effect)),
        ),
        triggers: triggers(&records.baseline.triggers, &entries),
        approaches_to_avoid: records
            .baseline
            .to_avoid
            .iter()
            .filter(|t| !t.trim().is_empty())
            .cloned()
            .collect(),
        levels: levels(&records.baseline, &records.reviews),
        commentary,
    }
}

#[cfg(test)]
mod tests;
