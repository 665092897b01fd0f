//! Sending the deliveries that are due. A run sends a delivery only after
//! winning its lease in D1 (`claimed_until`), so overlapping runs never send
//! the same message twice; each attempt is logged, failures come back with
//! backoff, and a push subscription the service says is gone is removed.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lt_core::alerts::{self, AlertKind, Channel};
use lt_core::webpush::Urgency;
use serde::Deserialize;
use serde_json::json;
use worker::d1::D1Database;
use worker::{Env, query};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::outbound::{self, Template};
use crate::push::{self, Pushed, Target};

/// Longer than any send takes: a run that died mid-send frees its claim
/// after this, and the delivery is tried again. Leases are about runs
/// overlapping in real time, so they are kept in wall-clock time, while
/// what is due is decided by the run's scheduled instant.
const LEASE: Duration = Duration::minutes(2);

#[derive(Deserialize)]
struct Due {
    id: String,
    alert_id: String,
    channel: String,
    target: String,
    attempts: u32,
    kind: String,
    title: String,
    body: String,
    endpoint: Option<String>,
    p256dh: Option<String>,
    auth: Option<String>,
}

enum Attempt {
    Accepted(Option<u16>),
    Gone(u16),
    Failed(Option<u16>, String),
}

/// Sends up to `limit` due deliveries; answers (accepted, not accepted).
pub async fn send_due(
    env: &Env,
    db: &D1Database,
    at: DateTime<Utc>,
    limit: u32,
    errors: &mut Vec<String>,
) -> ApiResult<(usize, usize)> {
    let now = clock::stamp(at);
    let wall = clock::now();
    let due: Vec<Due> = query!(
        db,
        "SELECT d.id, d.alert_id, d.channel, d.target, d.attempts, a.kind, a.title, a.body,
                ps.endpoint, ps.p256dh, ps.auth
         FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
         LEFT JOIN push_subscriptions ps ON d.channel = 'push' AND ps.id = d.target
         WHERE d.status = 'pending' AND d.next_attempt_at <= ?1
           AND (d.claimed_until IS NULL OR d.claimed_until <= ?3)
         ORDER BY d.next_attempt_at LIMIT ?2",
        &now,
        limit,
        &clock::stamp(wall)
    )?
    .all()
    .await?
    .results()?;
    let mut mine = Vec::new();
    for delivery in due {
        let claim = query!(
            db,
            "UPDATE alert_deliveries SET claimed_until = ?2, attempts = attempts + 1
             WHERE id = ?1 AND status = 'pending' AND next_attempt_at <= ?3
               AND (claimed_until IS NULL OR claimed_until <= ?4)",
            &delivery.id,
            &clock::stamp(wall + LEASE),
            &now,
            &clock::stamp(wall)
        )?
        .run()
        .await?;
        if crate::db::wrote(&claim) {
            mine.push(delivery);
        }
    }
    let link_base = outbound::app_url(env, "");
    let attempts =
        futures_util::future::join_all(mine.iter().map(|d| attempt(env, d, &link_base, wall)))
            .await;
    let (mut sent, mut failed) = (0, 0);
    for (delivery, outcome) in mine.iter().zip(attempts) {
        match &outcome {
            Attempt::Accepted(_) => sent += 1,
            _ => failed += 1,
        }
        if let Err(e) = record(db, delivery, outcome, at).await {
            errors.push(format!("{e:?}"));
        }
    }
    Ok((sent, failed))
}

async fn attempt(env: &Env, d: &Due, link_base: &str, wall: DateTime<Utc>) -> Attempt {
    let Some(channel) = Channel::parse(&d.channel) else {
        return Attempt::Failed(None, format!("unknown channel {}", d.channel));
    };
    let kind = AlertKind::parse(&d.kind);
    let link = format!("{link_base}/alerts/{}", d.alert_id);
    let words = BTreeMap::from([
        ("title".to_owned(), d.title.clone()),
        ("body".to_owned(), d.body.clone()),
        ("link".to_owned(), link.clone()),
    ]);
    let reference = format!("alert:{}:{}", d.alert_id, d.id);
    match channel {
        Channel::Push => {
            let (Some(endpoint), Some(p256dh), Some(auth)) = (&d.endpoint, &d.p256dh, &d.auth)
            else {
                // Unsubscribed since the alert was raised.
                return Attempt::Gone(410);
            };
            let payload = json!({
                "alert_id": d.alert_id,
                "title": d.title,
                "body": d.body,
                "url": format!("/alerts/{}", d.alert_id),
                "urgent": kind.is_some_and(AlertKind::urgent),
            })
            .to_string();
            // A missed arrival is stale within the hour; an overdue gate by tomorrow.
            let (ttl, urgency) = match kind {
                Some(AlertKind::GateOverdue) => (24 * 60 * 60, Urgency::Normal),
                _ => (60 * 60, Urgency::High),
            };
            let target = Target {
                endpoint,
                p256dh,
                auth,
            };
            match push::send(env, &target, payload.as_bytes(), ttl, urgency).await {
                Pushed::Accepted(status) => Attempt::Accepted(Some(status)),
                Pushed::Gone(status) => Attempt::Gone(status),
                Pushed::Failed(status, e) => Attempt::Failed(status, e),
            }
        }
        Channel::Email => {
            match outbound::email_attempt(env, Template::Alert, &d.target, words, &reference, wall)
                .await
            {
                Ok(_) => Attempt::Accepted(Some(201)),
                Err(f) => Attempt::Failed(f.status, f.message),
            }
        }
        Channel::Sms => {
            match outbound::sms_attempt(env, Template::AlertSms, &d.target, words, &reference, wall)
                .await
            {
                Ok(_) => Attempt::Accepted(Some(201)),
                Err(f) => Attempt::Failed(f.status, f.message),
            }
        }
    }
}

/// Logs the attempt and moves the delivery on: sent, retried later, given
/// up, or gone (and the push subscription with it).
async fn record(db: &D1Database, d: &Due, outcome: Attempt, at: DateTime<Utc>) -> ApiResult<()> {
    let retry_at = alerts::retry_after(d.attempts + 1).map(|wait| clock::stamp(at + wait));
    let (status, http, error, next) = match outcome {
        Attempt::Accepted(http) => ("accepted", http, None, "sent"),
        Attempt::Gone(http) => ("gone", Some(http), None, "gone"),
        Attempt::Failed(http, e) => {
            worker::console_error!("delivery {} ({}) failed: {e}", d.id, d.channel);
            let next = if retry_at.is_some() {
                "pending"
            } else {
                "failed"
            };
            ("failed", http, Some(e), next)
        }
    };
    let mut batch = vec![
        query!(
            db,
            "INSERT INTO delivery_attempts (delivery_id, at, status, http_status, error)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            &d.id,
            &clock::stamp(at),
            status,
            &http,
            &error
        )?,
        query!(
            db,
            "UPDATE alert_deliveries SET status = ?2, claimed_until = NULL,
                    next_attempt_at = COALESCE(?3, next_attempt_at)
             WHERE id = ?1",
            &d.id,
            next,
            &retry_at.filter(|_| next == "pending")
        )?,
    ];
    if status == "gone" && d.channel == Channel::Push.as_str() {
        batch.push(query!(
            db,
            "DELETE FROM push_subscriptions WHERE id = ?1",
            &d.target
        )?);
    }
    db.batch(batch)
        .await
        .map_err(|e| ApiError::Unexpected(format!("recording delivery {}: {e}", d.id)))?;
    Ok(())
}
