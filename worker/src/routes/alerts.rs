//! Alerts in the app: the list, one alert with its timeline, acknowledging
//! and closing, and the AP's alert timings. Who may see an alert is
//! lt-core's `may_see_alert`; anyone else is told there is no such alert.

use chrono::{DateTime, Utc};
use lt_core::access::{ApManager, PlacementRef};
use lt_core::alerts::{AlertKind, AlertSettings, Channel, Outcome, Stage};
use lt_core::api::{
    AlertDetail, AlertList, AlertSummary, CloseAlert, ErrorCode, ErrorDetail, TimelineEntry,
    TimelineKind,
};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use crate::audit::{AuditContext, Change, Claim};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http};

/// The most a list shows: every open alert comes before any closed one.
const LIST_LIMIT: u32 = 200;
const NOTE_MAX_CHARS: usize = 2000;

const COLUMNS: &str = "a.id, a.kind, a.ap_id, a.placement_id, a.session_id, pu.first_name,
    pu.last_name, COALESCE(v.name, o.name) AS place, a.date,
    COALESCE(sc.start_time, s.start_time) AS starts_at, a.raised_at, a.stage, a.acknowledged_at,
    ack.name AS acknowledged_by, a.closed_at, a.outcome, a.note,
    EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.person_id = ?1) AS sent_to_me";

const FROM: &str = "FROM alerts a
    JOIN placements p ON p.id = a.placement_id
    JOIN pupils pu ON pu.id = p.pupil_id
    JOIN organisations o ON o.id = a.ap_id
    LEFT JOIN sessions s ON s.id = a.session_id
    LEFT JOIN venues v ON v.id = s.venue_id
    LEFT JOIN session_changes sc ON sc.session_id = a.session_id AND sc.date = a.date
    LEFT JOIN people ack ON ack.id = a.acknowledged_by";

#[derive(Deserialize)]
struct Row {
    id: String,
    kind: String,
    ap_id: String,
    placement_id: String,
    session_id: Option<String>,
    first_name: String,
    last_name: String,
    place: String,
    date: String,
    starts_at: Option<String>,
    raised_at: String,
    stage: i64,
    acknowledged_at: Option<String>,
    acknowledged_by: Option<String>,
    closed_at: Option<String>,
    outcome: Option<String>,
    note: Option<String>,
    sent_to_me: u8,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("alerts: bad {what}"))
}

fn instant(text: &Option<String>) -> ApiResult<Option<DateTime<Utc>>> {
    text.as_deref()
        .map(|t| t.parse().map_err(|_| corrupt("instant")))
        .transpose()
}

impl Row {
    fn visible_to(&self, caller: &Caller) -> bool {
        let placement = PlacementRef {
            id: &self.placement_id,
            ap_id: &self.ap_id,
        };
        caller
            .principal
            .may_see_alert(placement, self.sent_to_me != 0)
    }

    fn summary(self) -> ApiResult<(AlertSummary, Option<String>)> {
        let kind = AlertKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?;
        let summary = AlertSummary {
            kind,
            urgent: kind.urgent(),
            pupil_name: format!("{} {}", self.first_name, self.last_name),
            date: self.date.parse().map_err(|_| corrupt("date"))?,
            raised_at: self.raised_at.parse().map_err(|_| corrupt("raised_at"))?,
            stage: Stage::from_index(self.stage).ok_or_else(|| corrupt("stage"))?,
            acknowledged_at: instant(&self.acknowledged_at)?,
            closed_at: instant(&self.closed_at)?,
            outcome: self.outcome.as_deref().and_then(Outcome::parse),
            id: self.id,
            ap_id: self.ap_id,
            placement_id: self.placement_id,
            session_id: self.session_id,
            place: self.place,
            starts_at: self.starts_at,
            acknowledged_by: self.acknowledged_by,
        };
        Ok((summary, self.note))
    }
}

pub async fn list(db: &D1Database, caller: &Caller) -> ApiResult<Response> {
    let (aps, placements) = caller.principal.alert_scope();
    let json = |v: &[&str]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let sql = format!(
        "SELECT {COLUMNS} {FROM}
         WHERE a.ap_id IN (SELECT value FROM json_each(?2))
            OR a.placement_id IN (SELECT value FROM json_each(?3))
            OR a.id IN (SELECT alert_id FROM alert_deliveries WHERE person_id = ?1)
         ORDER BY a.closed_at IS NOT NULL,
                  CASE WHEN a.closed_at IS NULL AND a.kind IN ('not_arrived_after_drop_off', 'not_dropped_off')
                       THEN 0 ELSE 1 END,
                  CASE WHEN a.closed_at IS NULL THEN a.raised_at END,
                  a.raised_at DESC
         LIMIT ?4"
    );
    let rows: Vec<Row> = query!(
        db,
        &sql,
        &caller.principal.person_id,
        &json(&aps),
        &json(&placements),
        LIST_LIMIT
    )?
    .all()
    .await?
    .results()?;
    let alerts = rows
        .into_iter()
        .filter(|r| r.visible_to(caller))
        .map(|r| r.summary().map(|(s, _)| s))
        .collect::<ApiResult<_>>()?;
    Ok(http::json(200, &AlertList { alerts }))
}

/// The alert, if the caller may see it; a 404 otherwise, as if it did not exist.
async fn find(db: &D1Database, caller: &Caller, id: &str) -> ApiResult<Row> {
    let row: Option<Row> = query!(
        db,
        &format!("SELECT {COLUMNS} {FROM} WHERE a.id = ?2"),
        &caller.principal.person_id,
        id
    )?
    .first(None)
    .await?;
    row.filter(|r| r.visible_to(caller)).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "there is no such alert in your account",
        )
    })
}

#[derive(Deserialize)]
struct EventRow {
    at: String,
    kind: String,
    person: Option<String>,
    channel: Option<String>,
    status: Option<String>,
    detail: Option<String>,
}

async fn detail(db: &D1Database, row: Row) -> ApiResult<AlertDetail> {
    let events: Vec<EventRow> = query!(
        db,
        "SELECT e.at, e.kind, pe.name AS person, NULL AS channel, NULL AS status, e.detail,
                CASE e.kind WHEN 'raised' THEN 0 WHEN 'escalated' THEN 1 ELSE 3 END AS rank
         FROM alert_events e LEFT JOIN people pe ON pe.id = e.person_id WHERE e.alert_id = ?1
         UNION ALL
         SELECT t.at, 'delivery', pe.name, d.channel, t.status, NULL, 2
         FROM delivery_attempts t JOIN alert_deliveries d ON d.id = t.delivery_id
         JOIN people pe ON pe.id = d.person_id WHERE d.alert_id = ?1
         ORDER BY 1, 7, 3",
        &row.id
    )?
    .all()
    .await?
    .results()?;
    let timeline = events
        .into_iter()
        .map(|e| {
            let kind = match e.kind.as_str() {
                "raised" => TimelineKind::Raised,
                "delivery" => TimelineKind::Delivery,
                "acknowledged" => TimelineKind::Acknowledged,
                "escalated" => TimelineKind::Escalated,
                "closed" => TimelineKind::Closed,
                _ => return Err(corrupt("event kind")),
            };
            Ok(TimelineEntry {
                at: e.at.parse().map_err(|_| corrupt("event time"))?,
                kind,
                person: e.person,
                channel: e.channel.as_deref().and_then(Channel::parse),
                status: e.status,
                detail: e.detail,
            })
        })
        .collect::<ApiResult<_>>()?;
    let (alert, note) = row.summary()?;
    Ok(AlertDetail {
        alert,
        note,
        timeline,
    })
}

pub async fn get(db: &D1Database, caller: &Caller, id: &str) -> ApiResult<Response> {
    let row = find(db, caller, id).await?;
    Ok(http::json(200, &detail(db, row).await?))
}

/// The timeline entry and audit entry of one act, written only by the
/// request whose update took (`column` holds its instant).
fn claimed(alert_id: &str, column: &'static str, now: DateTime<Utc>) -> Claim {
    Claim {
        table: "alerts",
        key_column: "id",
        key: alert_id.to_owned(),
        request_column: column,
        request_id: clock::stamp(now),
    }
}

fn event_if_claimed(
    db: &D1Database,
    claim: &Claim,
    kind: &str,
    person_id: &str,
    detail: Option<&str>,
) -> ApiResult<worker::d1::D1PreparedStatement> {
    let sql = format!(
        "INSERT INTO alert_events (alert_id, kind, stage, at, person_id, detail)
         SELECT ?1, ?3, 0, ?2, ?4, NULLIF(?5, '') WHERE {}
         ON CONFLICT (alert_id, kind, stage) DO NOTHING",
        claim.condition()
    );
    claim.guard(db, &sql, &[kind, person_id, detail.unwrap_or("")])
}

pub async fn acknowledge(
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let row = find(db, caller, id).await?;
    if row.acknowledged_at.is_none() {
        let (now, me) = (audit.at, caller.principal.person_id.as_str());
        let audit = audit.for_ap(&row.ap_id);
        let claim = claimed(id, "acknowledged_at", now);
        db.batch(vec![
            query!(
                db,
                "UPDATE alerts SET acknowledged_at = ?2, acknowledged_by = ?3, escalates_at = NULL
                 WHERE id = ?1 AND acknowledged_at IS NULL",
                id,
                &clock::stamp(now),
                me
            )?,
            event_if_claimed(db, &claim, "acknowledged", me, None)?,
            audit.entry_if_claimed(db, &claim, "alert.acknowledge", "alert", id, &[])?,
        ])
        .await?;
    }
    get(db, caller, id).await
}

pub async fn close(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    // Whether the alert is theirs to see comes before anything about the body.
    let row = find(db, caller, id).await?;
    let body: CloseAlert = http::read_json(req).await?;
    let note = body.note.trim();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(
            ErrorDetail::invalid("note", format!("at most {NOTE_MAX_CHARS} characters")).into(),
        );
    }
    if note.is_empty() && body.outcome.needs_note() {
        return Err(ErrorDetail::invalid(
            "note",
            format!(
                "say what happened: a note is needed for “{}”",
                body.outcome.label()
            ),
        )
        .into());
    }
    if row.closed_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this alert is already closed",
        ));
    }
    let (now, me) = (audit.at, caller.principal.person_id.as_str());
    let audit = audit.for_ap(&row.ap_id);
    let claim = claimed(id, "closed_at", now);
    // The note may hold safeguarding detail: the audit keeps the outcome only.
    let changes = [Change::set("outcome", body.outcome.as_str())];
    let results = db
        .batch(vec![
            query!(
                db,
                "UPDATE alerts SET closed_at = ?2, closed_by = ?3, outcome = ?4, note = NULLIF(?5, ''),
                        escalates_at = NULL,
                        acknowledged_at = COALESCE(acknowledged_at, ?2),
                        acknowledged_by = COALESCE(acknowledged_by, ?3)
                 WHERE id = ?1 AND closed_at IS NULL",
                id,
                &clock::stamp(now),
                me,
                body.outcome.as_str(),
                note
            )?,
            event_if_claimed(db, &claim, "closed", me, Some(body.outcome.label()))?,
            audit.entry_if_claimed(db, &claim, "alert.close", "alert", id, &changes)?,
        ])
        .await?;
    if !results.first().is_some_and(crate::db::wrote) {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this alert was closed just now by someone else",
        ));
    }
    get(db, caller, id).await
}

#[derive(Deserialize)]
struct SettingsRow {
    grace_minutes: u32,
    drop_off_grace_minutes: u32,
    escalation_minutes: u32,
}

async fn settings(db: &D1Database, ap_id: &str) -> ApiResult<AlertSettings> {
    let row: SettingsRow = query!(
        db,
        "SELECT alert_grace_minutes AS grace_minutes, drop_off_grace_minutes, escalation_minutes
         FROM organisations WHERE id = ?1",
        ap_id
    )?
    .first(None)
    .await?
    .ok_or_else(|| corrupt("AP"))?;
    Ok(AlertSettings {
        grace_minutes: row.grace_minutes,
        drop_off_grace_minutes: row.drop_off_grace_minutes,
        escalation_minutes: row.escalation_minutes,
    })
}

pub async fn get_settings(db: &D1Database, manager: &ApManager) -> ApiResult<Response> {
    Ok(http::json(200, &settings(db, manager.ap_id()).await?))
}

pub async fn save_settings(
    req: &mut Request,
    db: &D1Database,
    manager: &ApManager,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let body: AlertSettings = http::read_json(req).await?;
    body.check()?;
    let changes = [
        Change::set("grace_minutes", body.grace_minutes.to_string()),
        Change::set(
            "drop_off_grace_minutes",
            body.drop_off_grace_minutes.to_string(),
        ),
        Change::set("escalation_minutes", body.escalation_minutes.to_string()),
    ];
    db.batch(vec![
        query!(
            db,
            "UPDATE organisations SET alert_grace_minutes = ?2, drop_off_grace_minutes = ?3,
                    escalation_minutes = ?4 WHERE id = ?1",
            manager.ap_id(),
            body.grace_minutes,
            body.drop_off_grace_minutes,
            body.escalation_minutes
        )?,
        audit.entry(db, "alerts.settings", "ap", manager.ap_id(), &changes)?,
    ])
    .await?;
    Ok(http::json(200, &body))
}
