//! Deciding the checks that have come due: each occurrence is read as it
//! stands now (timetable, register, hand-overs) and lt-core's `assess`
//! settles it, puts it off, or raises an alert.

use chrono::{DateTime, NaiveDate, Utc};
use lt_core::alerts::{self, AlertSettings, CheckKind, Seen, Stage, Verdict, notice};
use lt_core::london;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::query;

use super::raise::{self, NewAlert};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::routes::marks;
use crate::routes::timetable::{SESSION_TIMES, SessionTimes, TermsByAp};

#[derive(Deserialize)]
struct DueRow {
    session_id: String,
    date: String,
    kind: String,
    placement_id: String,
    ap_id: String,
    state: String,
    #[serde(flatten)]
    times: SessionTimes,
    session_grace: Option<u32>,
    grace: u32,
    drop_off_grace: u32,
    escalation: u32,
    first_name: String,
    last_name: String,
    venue_name: String,
}

#[derive(Deserialize)]
struct Journey {
    picked_up_at: Option<String>,
    dropped_off_at: Option<String>,
}

/// Decides up to `limit` due checks; answers the APs that have new alerts.
/// A check that cannot be decided (a corrupt row) is reported in `errors`
/// and the others are still decided.
pub async fn decide_due(
    db: &D1Database,
    at: DateTime<Utc>,
    limit: u32,
    errors: &mut Vec<String>,
) -> ApiResult<Vec<String>> {
    let due: Vec<DueRow> = query!(
        db,
        &format!(
            "SELECT c.session_id, c.date, c.kind, s.placement_id, p.ap_id, p.state, {SESSION_TIMES},
                s.alert_grace_minutes AS session_grace, o.alert_grace_minutes AS grace,
                o.drop_off_grace_minutes AS drop_off_grace, o.escalation_minutes AS escalation,
                pu.first_name, pu.last_name, v.name AS venue_name
         FROM alert_checks c
         JOIN sessions s ON s.id = c.session_id
         JOIN placements p ON p.id = s.placement_id
         JOIN organisations o ON o.id = p.ap_id
         JOIN pupils pu ON pu.id = p.pupil_id
         JOIN venues v ON v.id = s.venue_id
         LEFT JOIN session_changes sc ON sc.session_id = c.session_id AND sc.date = c.date
         WHERE c.done = 0 AND c.due_at <= ?1
         ORDER BY c.due_at LIMIT ?2"
        ),
        &clock::stamp(at),
        limit
    )?
    .all()
    .await?
    .results()?;
    let mut raised = Vec::new();
    let mut terms = TermsByAp::default();
    for row in due {
        let ap_terms = terms.of(db, &row.ap_id).await?;
        let check = format!("check {} {} {}", row.session_id, row.date, row.kind);
        match decide(db, row, ap_terms, at).await {
            Ok(Some(ap_id)) if !raised.contains(&ap_id) => raised.push(ap_id),
            Ok(_) => {}
            Err(e) => errors.push(format!("{check}: {e:?}")),
        }
    }
    Ok(raised)
}

/// Decides one check; answers the AP when it raised an alert.
async fn decide(
    db: &D1Database,
    row: DueRow,
    terms: &[(NaiveDate, NaiveDate)],
    at: DateTime<Utc>,
) -> ApiResult<Option<String>> {
    let corrupt = |what: &str| ApiError::Unexpected(format!("alert check: bad {what}"));
    let check = CheckKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?;
    let date: NaiveDate = row.date.parse().map_err(|_| corrupt("date"))?;
    let occurrence = if row.state == "active" {
        row.times.occurrence_on(&row.session_id, date, terms)?
    } else {
        None
    };
    let seen = seen(db, &row.session_id, &row.date).await?;
    let settings = AlertSettings {
        grace_minutes: row.grace,
        drop_off_grace_minutes: row.drop_off_grace,
        escalation_minutes: row.escalation,
    };
    let verdict = alerts::assess(
        check,
        occurrence.map(|o| o.starts_at),
        row.session_grace,
        &seen,
        &settings,
        at,
    );
    let done = query!(
        db,
        "UPDATE alert_checks SET done = 1 WHERE session_id = ?1 AND date = ?2 AND kind = ?3",
        &row.session_id,
        &row.date,
        check.as_str()
    )?;
    match verdict {
        Verdict::Settle => {
            done.run().await?;
            Ok(None)
        }
        Verdict::Wait(due) => {
            query!(
                db,
                "UPDATE alert_checks SET due_at = ?4 WHERE session_id = ?1 AND date = ?2 AND kind = ?3",
                &row.session_id,
                &row.date,
                check.as_str(),
                &clock::stamp(due)
            )?
            .run()
            .await?;
            Ok(None)
        }
        Verdict::Raise(kind) => {
            let starts_at = occurrence
                .map(|o| o.starts_at)
                .ok_or_else(|| corrupt("occurrence"))?;
            let ap_id = row.ap_id.clone();
            let alert = NewAlert {
                subject: format!("session:{}:{}", row.session_id, row.date),
                kind,
                ap_id: row.ap_id,
                placement_id: row.placement_id,
                session_id: Some(row.session_id),
                date,
                notice: notice(
                    kind,
                    &alerts::initials(&row.first_name, &row.last_name),
                    &row.venue_name,
                    &london::clock(starts_at),
                ),
                escalates_at: kind
                    .escalates()
                    .then(|| settings.escalates_at(at, Stage::Contacts))
                    .flatten(),
            };
            let mut batch = raise::statements(db, &alert, at)?;
            batch.push(done);
            db.batch(batch).await?;
            Ok(Some(ap_id))
        }
    }
}

/// The register's current mark and the escort's taps for one occurrence.
async fn seen(db: &D1Database, session_id: &str, date: &str) -> ApiResult<Seen> {
    let (rows, current) = marks::occurrence_marks(db, session_id, date).await?;
    let mark = rows
        .iter()
        .find(|r| Some(&r.id) == current.as_ref())
        .map(|r| r.stamped().map(|s| s.mark))
        .transpose()?;
    let journey: Option<Journey> = query!(
        db,
        "SELECT
            (SELECT MIN(device_time) FROM handovers
             WHERE session_id = ?1 AND date = ?2 AND kind = 'pick_up') AS picked_up_at,
            (SELECT MIN(device_time) FROM handovers
             WHERE session_id = ?1 AND date = ?2 AND kind = 'drop_off') AS dropped_off_at",
        session_id,
        date
    )?
    .first(None)
    .await?;
    let journey = journey.unwrap_or(Journey {
        picked_up_at: None,
        dropped_off_at: None,
    });
    Ok(Seen {
        mark,
        picked_up: journey.picked_up_at.is_some(),
        dropped_off_at: journey
            .dropped_off_at
            .map(|t| t.parse())
            .transpose()
            .map_err(|_| ApiError::Unexpected("hand-over: bad time".into()))?,
    })
}
