//! Putting occurrences in `alert_checks`: the whole London day once (the
//! first cron run of the day), and single sessions when the timetable or an
//! escort's tap changes what is due.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use lt_core::alerts::{AlertKind, AlertSettings, CheckKind, notice};
use lt_core::london;
use serde::Deserialize;
use worker::d1::{D1Database, D1PreparedStatement};
use worker::query;

use super::raise::{self, NewAlert};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::routes::timetable::{SESSION_TIMES, SessionTimes, TermsByAp};

#[derive(Deserialize)]
struct SessionRow {
    session_id: String,
    ap_id: String,
    #[serde(flatten)]
    times: SessionTimes,
    session_grace: Option<u32>,
    grace: u32,
}

/// The statement that asks the cron to look at one occurrence at `due`.
/// `again`: a change (a moved session, a hand-over) re-opens a check that
/// had settled, so it is decided afresh.
pub fn check(
    db: &D1Database,
    session_id: &str,
    date: NaiveDate,
    kind: CheckKind,
    due: DateTime<Utc>,
    again: bool,
) -> ApiResult<D1PreparedStatement> {
    let on_conflict = if again {
        "DO UPDATE SET due_at = excluded.due_at, done = 0"
    } else {
        "DO NOTHING"
    };
    Ok(query!(
        db,
        &format!(
            "INSERT INTO alert_checks (session_id, date, kind, due_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (session_id, date, kind) {on_conflict}"
        ),
        session_id,
        &date.to_string(),
        kind.as_str(),
        &clock::stamp(due)
    )?)
}

/// Plans the London day of `at` if no run has: every session taking place
/// gets its arrival check, and every placement whose gate is overdue its
/// alert for the day. One batch, so a day is planned wholly or not at all;
/// two runs racing write the same rows once.
pub async fn day(db: &D1Database, at: DateTime<Utc>) -> ApiResult<bool> {
    let date = london::local_date(at);
    let planned: Option<serde_json::Value> = query!(
        db,
        "SELECT date FROM alert_days WHERE date = ?1",
        &date.to_string()
    )?
    .first(None)
    .await?;
    if planned.is_some() {
        return Ok(false);
    }
    let mut batch = sessions(db, date, None)
        .await?
        .into_iter()
        .map(|(session_id, due)| check(db, &session_id, date, CheckKind::Arrival, due, false))
        .collect::<ApiResult<Vec<_>>>()?;
    for alert in overdue_gates(db, date).await? {
        batch.extend(raise::statements(db, &alert, at)?);
    }
    batch.push(query!(
        db,
        "INSERT INTO alert_days (date, planned_at) VALUES (?1, ?2) ON CONFLICT (date) DO NOTHING",
        &date.to_string(),
        &clock::stamp(at)
    )?);
    db.batch(batch).await?;
    Ok(true)
}

/// Re-plans one session on `date` after the timetable changed: its check
/// moves to the new time, and is decided afresh. A cancelled occurrence
/// needs nothing here: the check finds it gone and settles.
pub async fn session(db: &D1Database, session_id: &str, date: NaiveDate) -> ApiResult<()> {
    if let Some((_, due)) = sessions(db, date, Some(session_id))
        .await?
        .into_iter()
        .next()
    {
        check(db, session_id, date, CheckKind::Arrival, due, true)?
            .run()
            .await?;
    }
    Ok(())
}

/// Each session taking place on `date` (or just `only`), with the instant
/// its arrival check falls due.
async fn sessions(
    db: &D1Database,
    date: NaiveDate,
    only: Option<&str>,
) -> ApiResult<Vec<(String, DateTime<Utc>)>> {
    let rows: Vec<SessionRow> = query!(
        db,
        &format!(
            "SELECT s.id AS session_id, p.ap_id, {SESSION_TIMES},
                    s.alert_grace_minutes AS session_grace, o.alert_grace_minutes AS grace
             FROM sessions s
             JOIN placements p ON p.id = s.placement_id
             JOIN organisations o ON o.id = p.ap_id
             LEFT JOIN session_changes sc ON sc.session_id = s.id AND sc.date = ?2
             WHERE s.weekday = ?1 AND p.state = 'active' AND (?3 = '' OR s.id = ?3)"
        ),
        date.weekday().number_from_monday(),
        &date.to_string(),
        only.unwrap_or("")
    )?
    .all()
    .await?
    .results()?;
    let mut terms = TermsByAp::default();
    let mut out = Vec::new();
    for row in rows {
        let ap_terms = terms.of(db, &row.ap_id).await?;
        // A session whose stored times cannot be read is logged and left
        // out, so it cannot keep the rest of the day from being planned.
        let occurrence = match row.times.occurrence_on(&row.session_id, date, ap_terms) {
            Ok(found) => found,
            Err(e) => {
                worker::console_error!("planning {} on {date}: {e:?}", row.session_id);
                None
            }
        };
        if let Some(occurrence) = occurrence {
            let settings = AlertSettings {
                grace_minutes: row.grace,
                ..AlertSettings::default()
            };
            let due = settings.due(
                CheckKind::Arrival,
                occurrence.starts_at,
                row.session_grace,
                None,
            );
            out.push((row.session_id, due));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct GateRow {
    placement_id: String,
    ap_id: String,
    ap_name: String,
    first_name: String,
    last_name: String,
    start_date: String,
}

/// Placements whose start date has come with the transition gate still
/// open: one alert each per day until the baseline is accepted.
async fn overdue_gates(db: &D1Database, date: NaiveDate) -> ApiResult<Vec<NewAlert>> {
    let rows: Vec<GateRow> = query!(
        db,
        "SELECT p.id AS placement_id, p.ap_id, o.name AS ap_name, pu.first_name, pu.last_name,
                p.start_date
         FROM placements p JOIN organisations o ON o.id = p.ap_id
         JOIN pupils pu ON pu.id = p.pupil_id
         WHERE p.state IN ('referred', 'submitted') AND p.start_date <= ?1",
        &date.to_string()
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter()
        .map(|row| {
            let started: NaiveDate = row
                .start_date
                .parse()
                .map_err(|_| ApiError::Unexpected("placement: bad start_date".into()))?;
            let initials = lt_core::alerts::initials(&row.first_name, &row.last_name);
            let words = notice(
                AlertKind::GateOverdue,
                &initials,
                &row.ap_name,
                &started.format("%-d %b").to_string(),
            );
            Ok(NewAlert {
                subject: format!("gate:{}:{date}", row.placement_id),
                kind: AlertKind::GateOverdue,
                ap_id: row.ap_id,
                placement_id: row.placement_id,
                session_id: None,
                date,
                notice: words,
                escalates_at: None,
            })
        })
        .collect()
}
