//! Raising an alert and climbing its escalation ladder, as D1 statements for
//! one batch: the alert, its timeline entry and one delivery row per
//! recipient, channel and device are written together or not at all. The
//! UNIQUE keys make a second run's identical statements write nothing.

use chrono::{DateTime, NaiveDate, Utc};
use lt_core::alerts::{AlertKind, AlertSettings, Channel, Notice, Stage};
use serde::Deserialize;
use worker::d1::{D1Database, D1PreparedStatement};
use worker::query;

use crate::clock;
use crate::error::{ApiError, ApiResult};

/// An alert about to be raised.
pub struct NewAlert {
    /// What it is about: one per occurrence, or per placement and day.
    pub subject: String,
    pub kind: AlertKind,
    pub ap_id: String,
    pub placement_id: String,
    pub session_id: Option<String>,
    pub date: NaiveDate,
    pub notice: Notice,
    pub escalates_at: Option<DateTime<Utc>>,
}

/// Who hears of an alert at each stage (`?1` is the alert's id): people who
/// still hold a role at the AP, so a removed person is never told.
fn recipients(stage: Stage, kind: AlertKind) -> &'static str {
    match (stage, kind) {
        // An overdue gate is the admin's and the commissioner's to sort out.
        (Stage::Contacts, AlertKind::GateOverdue) => {
            "SELECT g.person_id FROM alerts a JOIN grants g ON g.ap_id = a.ap_id AND g.role = 'ap_admin'
             WHERE a.id = ?1
             UNION
             SELECT s.person_id FROM alerts a JOIN grant_scopes s ON s.placement_id = a.placement_id
                AND s.ap_id = a.ap_id AND s.role IN ('school_staff', 'la_commissioner')
             WHERE a.id = ?1"
        }
        // The placement's designated contacts; a side with none named falls
        // back to its safeguarding leads, so both sides always hear.
        (Stage::Contacts, _) => {
            "SELECT d.person_id FROM alerts a JOIN designated_contacts d ON d.placement_id = a.placement_id
             WHERE a.id = ?1
             UNION
             SELECT g.person_id FROM alerts a JOIN grants g ON g.ap_id = a.ap_id AND g.role IN ('dsl', 'ap_admin')
             WHERE a.id = ?1 AND NOT EXISTS (SELECT 1 FROM designated_contacts d
                 WHERE d.placement_id = a.placement_id AND d.side = 'ap')
             UNION
             SELECT g.person_id FROM alerts a JOIN placements p ON p.id = a.placement_id
             JOIN grants g ON g.ap_id = a.ap_id AND g.organisation_id = p.commissioner_id AND g.is_dsl = 1
             WHERE a.id = ?1 AND NOT EXISTS (SELECT 1 FROM designated_contacts d
                 WHERE d.placement_id = a.placement_id AND d.side = 'commissioner')"
        }
        (Stage::Dsls, _) => {
            "SELECT g.person_id FROM alerts a JOIN placements p ON p.id = a.placement_id
             JOIN grants g ON g.ap_id = a.ap_id
                AND (g.role = 'dsl' OR (g.organisation_id = p.commissioner_id AND g.is_dsl = 1))
             WHERE a.id = ?1"
        }
        (Stage::ApAdmins, _) => {
            "SELECT g.person_id FROM alerts a JOIN grants g ON g.ap_id = a.ap_id AND g.role = 'ap_admin'
             WHERE a.id = ?1"
        }
    }
}

/// One delivery row per recipient on `channel` (per device for push), due
/// at once, if the alert is at `stage`.
fn deliveries(
    db: &D1Database,
    alert_id: &str,
    stage: Stage,
    kind: AlertKind,
    channel: Channel,
    at: DateTime<Utc>,
) -> ApiResult<D1PreparedStatement> {
    let (target, join) = match channel {
        Channel::Push => (
            "ps.id",
            "JOIN push_subscriptions ps ON ps.person_id = pe.id",
        ),
        Channel::Email => ("pe.email", ""),
        Channel::Sms => ("pe.phone", ""),
    };
    let sql = format!(
        "INSERT INTO alert_deliveries (id, alert_id, stage, person_id, channel, target, next_attempt_at)
         SELECT 'dlv-' || lower(hex(randomblob(8))), ?1, ?2, pe.id, ?3, {target}, ?4
         FROM people pe {join}
         WHERE pe.id IN (SELECT r.person_id FROM ({}) r)
           AND EXISTS (SELECT 1 FROM grants g2 JOIN alerts a2 ON a2.ap_id = g2.ap_id
                       WHERE a2.id = ?1 AND g2.person_id = pe.id)
           AND {target} IS NOT NULL
           AND EXISTS (SELECT 1 FROM alerts WHERE id = ?1 AND stage = ?2)
         ON CONFLICT (alert_id, stage, person_id, channel, target) DO NOTHING",
        recipients(stage, kind)
    );
    Ok(query!(
        db,
        &sql,
        alert_id,
        stage.index(),
        channel.as_str(),
        &clock::stamp(at)
    )?)
}

/// A timeline entry, written only if the alert is at `stage` (so only once).
fn event(
    db: &D1Database,
    alert_id: &str,
    kind: &str,
    stage: Stage,
    at: DateTime<Utc>,
    detail: Option<&str>,
) -> ApiResult<D1PreparedStatement> {
    Ok(query!(
        db,
        "INSERT INTO alert_events (alert_id, kind, stage, at, detail)
         SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM alerts WHERE id = ?1 AND stage = ?3)
         ON CONFLICT (alert_id, kind, stage) DO NOTHING",
        alert_id,
        kind,
        stage.index(),
        &clock::stamp(at),
        &detail
    )?)
}

fn notify_stage(
    db: &D1Database,
    alert_id: &str,
    stage: Stage,
    kind: AlertKind,
    at: DateTime<Utc>,
) -> ApiResult<Vec<D1PreparedStatement>> {
    Channel::ALL
        .into_iter()
        .map(|channel| deliveries(db, alert_id, stage, kind, channel, at))
        .collect()
}

/// The statements that raise `alert` unless its subject already has one.
pub fn statements(
    db: &D1Database,
    alert: &NewAlert,
    at: DateTime<Utc>,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let id = crate::ids::new_id("alert")?;
    let mut batch = vec![query!(
        db,
        "INSERT INTO alerts (id, subject, kind, ap_id, placement_id, session_id, date, title, body,
                             raised_at, stage, escalates_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11)
         ON CONFLICT (subject) DO NOTHING",
        &id,
        &alert.subject,
        alert.kind.as_str(),
        &alert.ap_id,
        &alert.placement_id,
        &alert.session_id,
        &alert.date.to_string(),
        &alert.notice.title,
        &alert.notice.body,
        &clock::stamp(at),
        &alert.escalates_at.map(clock::stamp)
    )?];
    batch.push(event(db, &id, "raised", Stage::Contacts, at, None)?);
    batch.extend(notify_stage(db, &id, Stage::Contacts, alert.kind, at)?);
    Ok(batch)
}

#[derive(Deserialize)]
struct Escalating {
    id: String,
    kind: String,
    stage: i64,
    raised_at: String,
    escalation: u32,
}

/// Alerts nobody acknowledged in time go up one stage: the DSLs of both
/// organisations, then the AP's admins. Returns how many climbed.
pub async fn escalate_due(
    db: &D1Database,
    at: DateTime<Utc>,
    limit: u32,
    errors: &mut Vec<String>,
) -> ApiResult<usize> {
    let due: Vec<Escalating> = query!(
        db,
        "SELECT a.id, a.kind, a.stage, a.raised_at, o.escalation_minutes AS escalation
         FROM alerts a JOIN organisations o ON o.id = a.ap_id
         WHERE a.escalates_at IS NOT NULL AND a.escalates_at <= ?1
         ORDER BY a.escalates_at LIMIT ?2",
        &clock::stamp(at),
        limit
    )?
    .all()
    .await?
    .results()?;
    let mut count = 0;
    for alert in due {
        let id = alert.id.clone();
        match escalate(db, alert, at).await {
            Ok(()) => count += 1,
            Err(e) => errors.push(format!("escalating {id}: {e:?}")),
        }
    }
    Ok(count)
}

async fn escalate(db: &D1Database, alert: Escalating, at: DateTime<Utc>) -> ApiResult<()> {
    let corrupt = || ApiError::Unexpected(format!("alert {}: bad row", alert.id));
    let stage = Stage::from_index(alert.stage).ok_or_else(corrupt)?;
    let kind = AlertKind::parse(&alert.kind).ok_or_else(corrupt)?;
    let raised: DateTime<Utc> = alert.raised_at.parse().map_err(|_| corrupt())?;
    let Some(next) = stage.next() else {
        return Ok(());
    };
    let settings = AlertSettings {
        escalation_minutes: alert.escalation,
        ..AlertSettings::default()
    };
    let mut batch = vec![query!(
        db,
        "UPDATE alerts SET stage = ?2, escalates_at = ?3
         WHERE id = ?1 AND stage = ?4 AND acknowledged_at IS NULL AND closed_at IS NULL",
        &alert.id,
        next.index(),
        &settings.escalates_at(raised, next).map(clock::stamp),
        stage.index()
    )?];
    batch.push(event(
        db,
        &alert.id,
        "escalated",
        next,
        at,
        Some(next.label()),
    )?);
    batch.extend(notify_stage(db, &alert.id, next, kind, at)?);
    db.batch(batch).await?;
    Ok(())
}
