//! Retention: the AP's rule, the daily review of ended placements that
//! have reached it, and erasure by an AP admin.

use chrono::{DateTime, Utc};
use lt_core::access::ApManager;
use lt_core::api::{
    EraseRecord, Erased, ErasedRows, ErrorCode, ErrorDetail, RetentionDue, RetentionReview,
    RetentionRule,
};
use lt_core::{london, retention};
use serde::Deserialize;
use worker::d1::{D1Database, D1PreparedStatement};
use worker::{Request, Response, query};

use super::placements;
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::db::date;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http};

#[derive(Deserialize)]
struct EndedRow {
    id: String,
    ap_id: String,
    date_of_birth: String,
    ended_on: Option<String>,
    keep_until_age: u32,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("retention: bad {what}"))
}

/// Lists every ended placement whose record has reached its AP's age.
/// The cron runs it on the first run of each London day; a changed rule
/// runs it again at once.
pub async fn review(db: &D1Database, at: DateTime<Utc>, again: bool) -> ApiResult<bool> {
    let today = london::local_date(at);
    if !again {
        let done: Option<serde_json::Value> = query!(
            db,
            "SELECT day FROM retention_days WHERE day = ?1",
            &today.to_string()
        )?
        .first(None)
        .await?;
        if done.is_some() {
            return Ok(false);
        }
    }
    let ended: Vec<EndedRow> = query!(
        db,
        "SELECT p.id, p.ap_id, pu.date_of_birth, p.ended_on, o.keep_until_age
         FROM placements p
         JOIN pupils pu ON pu.id = p.pupil_id
         JOIN organisations o ON o.id = p.ap_id
         WHERE p.state = 'ended'"
    )
    .all()
    .await?
    .results()?;
    let mut batch = vec![query!(db, "DELETE FROM retention_due")];
    for row in &ended {
        let ended_on = row.ended_on.as_deref().map(date).transpose()?;
        let born = date(&row.date_of_birth)?;
        if !retention::is_due(born, ended_on, row.keep_until_age, today) {
            continue;
        }
        let review_on = retention::review_on(born, ended_on, row.keep_until_age)
            .ok_or_else(|| corrupt("review date"))?;
        batch.push(query!(
            db,
            "INSERT INTO retention_due (placement_id, ap_id, review_on, listed_on)
             VALUES (?1, ?2, ?3, ?4)",
            &row.id,
            &row.ap_id,
            &review_on.to_string(),
            &today.to_string()
        )?);
    }
    batch.push(query!(
        db,
        "INSERT INTO retention_days (day, reviewed_at) VALUES (?1, ?2)
         ON CONFLICT (day) DO UPDATE SET reviewed_at = excluded.reviewed_at",
        &today.to_string(),
        &clock::stamp(at)
    )?);
    db.batch(batch).await?;
    Ok(true)
}

#[derive(Deserialize)]
struct DueRow {
    placement_id: String,
    first_name: String,
    last_name: String,
    date_of_birth: String,
    ended_on: Option<String>,
    review_on: String,
    listed_on: String,
}

#[derive(Deserialize)]
struct AgeRow {
    keep_until_age: u32,
}

async fn current(db: &D1Database, ap_id: &str) -> ApiResult<RetentionReview> {
    let age: Option<AgeRow> = query!(
        db,
        "SELECT keep_until_age FROM organisations WHERE id = ?1",
        ap_id
    )?
    .first(None)
    .await?;
    let rows: Vec<DueRow> = query!(
        db,
        "SELECT d.placement_id, pu.first_name, pu.last_name, pu.date_of_birth, p.ended_on,
                d.review_on, d.listed_on
         FROM retention_due d
         JOIN placements p ON p.id = d.placement_id
         JOIN pupils pu ON pu.id = p.pupil_id
         WHERE d.ap_id = ?1
         ORDER BY d.review_on, pu.last_name",
        ap_id
    )?
    .all()
    .await?
    .results()?;
    let listed: Option<serde_json::Value> =
        query!(db, "SELECT MAX(day) AS day FROM retention_days")
            .first(Some("day"))
            .await?;
    let mut due = Vec::new();
    for r in rows {
        due.push(RetentionDue {
            date_of_birth: date(&r.date_of_birth)?,
            ended_on: date(r.ended_on.as_deref().unwrap_or(&r.listed_on))?,
            review_on: date(&r.review_on)?,
            placement_id: r.placement_id,
            first_name: r.first_name,
            last_name: r.last_name,
        });
    }
    Ok(RetentionReview {
        keep_until_age: age.map_or(retention::DEFAULT_AGE, |a| a.keep_until_age),
        listed_on: listed
            .and_then(|v| v.as_str().map(str::to_owned))
            .map(|d| date(&d))
            .transpose()?,
        due,
    })
}

pub async fn get(db: &D1Database, manager: &ApManager) -> ApiResult<Response> {
    Ok(http::json(200, &current(db, manager.ap_id()).await?))
}

fn admins_only(manager: &ApManager) -> ApiResult<()> {
    if manager.is_admin() {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "keeping and erasing records is decided by the AP's admins",
        ))
    }
}

pub async fn save(
    req: &mut Request,
    db: &D1Database,
    manager: &ApManager,
    audit: &AuditContext,
) -> ApiResult<Response> {
    admins_only(manager)?;
    let body: RetentionRule = http::read_json(req).await?;
    retention::check_age(body.keep_until_age)?;
    db.batch(vec![
        query!(
            db,
            "UPDATE organisations SET keep_until_age = ?2 WHERE id = ?1",
            manager.ap_id(),
            body.keep_until_age
        )?,
        audit.entry(
            db,
            "retention.rule",
            "ap",
            manager.ap_id(),
            &[Change::set(
                "keep_until_age",
                body.keep_until_age.to_string(),
            )],
        )?,
    ])
    .await?;
    review(db, audit.at, true).await?;
    Ok(http::json(200, &current(db, manager.ap_id()).await?))
}

/// Each kind of row an erasure removes: its name in the audit entry, and
/// the statement that removes it (`?1` is the placement), children first.
const ERASE: &[(&str, &str)] = &[
    (
        "delivery attempts",
        "DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT d.id FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.placement_id = ?1)",
    ),
    (
        "alert deliveries",
        "DELETE FROM alert_deliveries WHERE alert_id IN (SELECT id FROM alerts WHERE placement_id = ?1)",
    ),
    (
        "alert events",
        "DELETE FROM alert_events WHERE alert_id IN (SELECT id FROM alerts WHERE placement_id = ?1)",
    ),
    ("alerts", "DELETE FROM alerts WHERE placement_id = ?1"),
    (
        "alert checks",
        "DELETE FROM alert_checks WHERE session_id IN (SELECT id FROM sessions WHERE placement_id = ?1)",
    ),
    ("marks", "DELETE FROM marks WHERE placement_id = ?1"),
    (
        "hand-overs",
        "DELETE FROM handovers WHERE placement_id = ?1",
    ),
    (
        "progress saves",
        "DELETE FROM progress_saves WHERE placement_id = ?1",
    ),
    ("reviews", "DELETE FROM reviews WHERE placement_id = ?1"),
    (
        "share codes",
        "DELETE FROM share_codes WHERE share_id IN (SELECT id FROM shares WHERE placement_id = ?1)",
    ),
    ("shares", "DELETE FROM shares WHERE placement_id = ?1"),
    (
        "session changes",
        "DELETE FROM session_changes WHERE session_id IN (SELECT id FROM sessions WHERE placement_id = ?1)",
    ),
    ("sessions", "DELETE FROM sessions WHERE placement_id = ?1"),
    (
        "baseline entries",
        "DELETE FROM baseline_entries WHERE placement_id = ?1",
    ),
    (
        "placement events",
        "DELETE FROM placement_events WHERE placement_id = ?1",
    ),
    (
        "gate records",
        "DELETE FROM gate_overdue WHERE placement_id = ?1",
    ),
    (
        "designated contacts",
        "DELETE FROM designated_contacts WHERE placement_id = ?1",
    ),
    (
        "access scopes",
        "DELETE FROM grant_scopes WHERE placement_id = ?1",
    ),
    (
        "invitation scopes",
        "DELETE FROM invitation_scopes WHERE placement_id = ?1",
    ),
    (
        "retention listing",
        "DELETE FROM retention_due WHERE placement_id = ?1",
    ),
];

#[derive(Deserialize)]
struct PupilRow {
    pupil_id: String,
    last_name: String,
    state: String,
    others: u32,
}

#[derive(Deserialize)]
struct Count {
    n: u32,
}

/// Counts what a DELETE would remove, from the same condition.
fn count_of(db: &D1Database, delete: &str, placement_id: &str) -> ApiResult<D1PreparedStatement> {
    let select = delete.replacen("DELETE FROM", "SELECT COUNT(*) AS n FROM", 1);
    Ok(query!(db, select.as_str(), placement_id)?)
}

pub async fn erase(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, _) = placements::find(db, caller, placement_id).await?;
    let manager = caller
        .principal
        .manager_of(&row.ap_id)
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "only the AP's admins erase records"))?;
    admins_only(&manager)?;
    let body: EraseRecord = http::read_json(req).await?;
    let pupil: PupilRow = query!(
        db,
        "SELECT p.pupil_id, pu.last_name, p.state,
                (SELECT COUNT(*) FROM placements o WHERE o.pupil_id = p.pupil_id AND o.id <> p.id) AS others
         FROM placements p JOIN pupils pu ON pu.id = p.pupil_id WHERE p.id = ?1",
        placement_id
    )?
    .first(None)
    .await?
    .ok_or_else(placements::not_found)?;
    if pupil.state != "ended" {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "end the placement before erasing its record",
        ));
    }
    if !body
        .confirm_last_name
        .trim()
        .eq_ignore_ascii_case(pupil.last_name.trim())
    {
        return Err(ErrorDetail::invalid(
            "confirm_last_name",
            "type the pupil's last name to confirm",
        )
        .into());
    }
    // Counted first, so the audit entry can say what went.
    let counts = db
        .batch(
            ERASE
                .iter()
                .map(|(_, delete)| count_of(db, delete, placement_id))
                .collect::<ApiResult<Vec<_>>>()?,
        )
        .await?;
    let mut erased = Vec::new();
    for ((what, _), result) in ERASE.iter().zip(counts) {
        let n = result.results::<Count>()?.first().map_or(0, |c| c.n);
        if n > 0 {
            erased.push(ErasedRows {
                what: (*what).to_owned(),
                rows: n,
            });
        }
    }
    erased.push(ErasedRows {
        what: "placement".into(),
        rows: 1,
    });
    if pupil.others == 0 {
        erased.push(ErasedRows {
            what: "pupil".into(),
            rows: 1,
        });
    }
    let audit = audit.for_ap(&row.ap_id);
    let changes: Vec<Change> = erased
        .iter()
        .map(|e| Change::set(&e.what, e.rows.to_string()))
        .collect();
    let mut batch = ERASE
        .iter()
        .map(|(_, delete)| Ok(query!(db, *delete, placement_id)?))
        .collect::<ApiResult<Vec<_>>>()?;
    batch.push(query!(
        db,
        "DELETE FROM placements WHERE id = ?1",
        placement_id
    )?);
    if pupil.others == 0 {
        batch.push(query!(
            db,
            "DELETE FROM pupils WHERE id = ?1",
            &pupil.pupil_id
        )?);
    }
    // The entry names the placement, never the pupil: it outlives the record.
    batch.push(audit.entry(db, "record.erased", "placement", placement_id, &changes)?);
    db.batch(batch).await?;
    Ok(http::json(
        200,
        &Erased {
            placement_id: placement_id.to_owned(),
            erased,
        },
    ))
}
