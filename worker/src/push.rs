//! Sending one Web Push message (RFC 8030) with VAPID (RFC 8292) and an
//! `aes128gcm` payload (RFC 8291); the formats are lt-core's `webpush`.

use lt_core::webpush::{self, SubscriptionKeys, Urgency, VapidKey};
use worker::{Env, Headers, Method, Request, RequestInit};

use crate::outbound::setting;

/// How long a JWT we sign stays good: well inside RFC 8292's 24 hours.
const VAPID_LIFETIME_SECS: i64 = 12 * 60 * 60;

/// The deployment's VAPID key, if one is configured.
pub fn vapid_key(env: &Env) -> Option<VapidKey> {
    let secret = env.secret("VAPID_PRIVATE_KEY").ok()?.to_string();
    match VapidKey::parse(&secret) {
        Ok(key) => Some(key),
        Err(e) => {
            worker::console_error!("VAPID_PRIVATE_KEY: {e}");
            None
        }
    }
}

/// Where a push went.
pub enum Pushed {
    /// The push service took it (201, or another 2xx).
    Accepted(u16),
    /// The subscription has expired or was withdrawn (404 or 410): remove it.
    Gone(u16),
    /// Anything else; worth trying again.
    Failed(Option<u16>, String),
}

pub struct Target<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
}

pub async fn send(
    env: &Env,
    to: &Target<'_>,
    payload: &[u8],
    ttl_secs: u32,
    urgency: Urgency,
) -> Pushed {
    match try_send(env, to, payload, ttl_secs, urgency).await {
        Ok(status) if (200..300).contains(&status) => Pushed::Accepted(status),
        Ok(status @ (404 | 410)) => Pushed::Gone(status),
        Ok(status) => Pushed::Failed(Some(status), format!("push service answered {status}")),
        Err(e) => Pushed::Failed(None, e),
    }
}

async fn try_send(
    env: &Env,
    to: &Target<'_>,
    payload: &[u8],
    ttl_secs: u32,
    urgency: Urgency,
) -> Result<u16, String> {
    let key = vapid_key(env).ok_or("VAPID_PRIVATE_KEY is not set")?;
    let subject = setting(env, "VAPID_SUBJECT").ok_or("VAPID_SUBJECT is not set")?;
    let keys = SubscriptionKeys::parse(to.p256dh, to.auth).map_err(|e| e.to_string())?;
    let mut ephemeral = [0u8; 32];
    let mut salt = [0u8; 16];
    getrandom::fill(&mut ephemeral).map_err(|e| e.to_string())?;
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let body = webpush::encrypt(payload, &keys, &ephemeral, &salt).map_err(|e| e.to_string())?;
    // The JWT's expiry is about real time at the push service, so the wall
    // clock, not the cron's scheduled instant.
    let expires = crate::clock::now().timestamp() + VAPID_LIFETIME_SECS;
    let authorization = key
        .authorization(to.endpoint, &subject, expires)
        .map_err(|e| e.to_string())?;
    let headers = Headers::new();
    let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
    set("authorization", &authorization)?;
    set("content-encoding", "aes128gcm")?;
    set("content-type", "application/octet-stream")?;
    set("ttl", &ttl_secs.to_string())?;
    set("urgency", urgency.as_str())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(js_sys::Uint8Array::from(body.as_slice()).into()));
    let request = Request::new_with_init(to.endpoint, &init).map_err(|e| e.to_string())?;
    crate::outbound::exchange(env, "the push service", request, |response| async move {
        Ok(response.status_code())
    })
    .await
}
