//! How a person is reached: this device by Web Push, and their mobile by SMS.

use lt_core::api::{
    ErrorCode, ErrorDetail, PhoneSaved, PushKey, PushSubscriptionRequest, PushSubscriptionSaved,
    RemovePushSubscription, SetPhone,
};
use lt_core::domain::parse_uk_mobile;
use lt_core::webpush::{self, PushError, SubscriptionKeys};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Env, Request, Response, query};

use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http, ids, push};

const ENDPOINT_MAX_LEN: usize = 2048;

pub fn key(env: &Env) -> ApiResult<Response> {
    let key = push::vapid_key(env).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unavailable,
            "alerts by push are not set up on this server (no VAPID key)",
        )
    })?;
    Ok(http::json(
        200,
        &PushKey {
            public_key: key.public_key(),
        },
    ))
}

/// A push resource is an `https` URL at a push service; plain `http` only
/// on this machine (a local push service in development and tests).
fn check_endpoint(endpoint: &str) -> Result<(), ErrorDetail> {
    let bad = |why: &str| ErrorDetail::invalid("endpoint", why);
    if endpoint.len() > ENDPOINT_MAX_LEN {
        return Err(bad("a push endpoint is at most 2048 characters"));
    }
    let origin = webpush::audience(endpoint).map_err(|_| bad("not a push service address"))?;
    let local = ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .any(|p| origin.starts_with(p));
    if !origin.starts_with("https://") && !local {
        return Err(bad("a push service address starts with https://"));
    }
    Ok(())
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

pub async fn subscribe(req: &mut Request, db: &D1Database, caller: &Caller) -> ApiResult<Response> {
    let body: PushSubscriptionRequest = http::read_json(req).await?;
    check_endpoint(&body.endpoint)?;
    SubscriptionKeys::parse(&body.keys.p256dh, &body.keys.auth).map_err(|e| {
        let field = match e {
            PushError::BadAuthSecret | PushError::Encoding("auth") => "keys.auth",
            _ => "keys.p256dh",
        };
        ErrorDetail::invalid(field, e.to_string())
    })?;
    // The same browser subscribing again (or another person signing in on
    // it) takes the endpoint over: a device alerts the person using it.
    let id = ids::new_id("push")?;
    query!(
        db,
        "INSERT INTO push_subscriptions (id, person_id, endpoint, p256dh, auth, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (endpoint) DO UPDATE SET person_id = excluded.person_id,
             p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at",
        &id,
        &caller.principal.person_id,
        &body.endpoint,
        body.keys.p256dh.trim(),
        body.keys.auth.trim(),
        &clock::stamp(clock::now())
    )?
    .run()
    .await?;
    let row: IdRow = query!(
        db,
        "SELECT id FROM push_subscriptions WHERE endpoint = ?1",
        &body.endpoint
    )?
    .first(None)
    .await?
    .ok_or_else(|| ApiError::Unexpected("push subscription vanished".into()))?;
    Ok(http::json(201, &PushSubscriptionSaved { id: row.id }))
}

pub async fn unsubscribe(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
) -> ApiResult<Response> {
    let body: RemovePushSubscription = http::read_json(req).await?;
    query!(
        db,
        "DELETE FROM push_subscriptions WHERE endpoint = ?1 AND person_id = ?2",
        &body.endpoint,
        &caller.principal.person_id
    )?
    .run()
    .await?;
    Ok(http::no_content())
}

pub async fn set_phone(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let body: SetPhone = http::read_json(req).await?;
    let phone = body
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| parse_uk_mobile(p).map_err(|why| ErrorDetail::invalid("phone", why)))
        .transpose()?;
    let me = &caller.principal.person_id;
    // The number itself stays out of the audit log: it says that it changed.
    let change = Change::set("phone", if phone.is_some() { "set" } else { "removed" });
    db.batch(vec![
        query!(db, "UPDATE people SET phone = ?2 WHERE id = ?1", me, &phone)?,
        audit.entry(db, "person.phone", "person", me, &[change])?,
    ])
    .await?;
    Ok(http::json(200, &PhoneSaved { phone }))
}
