//! Counting requests against `lt_core::rate_limit` limits in D1.

use chrono::{DateTime, Utc};
use lt_core::rate_limit::Limit;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, query};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
struct Hits {
    hits: u32,
}

/// The address the request came from, as Cloudflare reports it.
pub fn address(req: &Request) -> String {
    http::header(req, "cf-connecting-ip").unwrap_or_default()
}

/// Counts one request for `subject` and refuses it (429) once the window's
/// count passes the limit. One statement, so concurrent requests each get
/// their own count.
pub async fn spend(
    db: &D1Database,
    limit: Limit,
    subject: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let counted: Option<Hits> = query!(
        db,
        "INSERT INTO rate_limits (key, window_ends_at, hits) VALUES (?1, ?2, 1)
         ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN rate_limits.window_ends_at = excluded.window_ends_at
                         THEN rate_limits.hits + 1 ELSE 1 END,
             window_ends_at = excluded.window_ends_at
         RETURNING hits",
        &limit.key(subject),
        &clock::stamp(limit.window_ends_at(now))
    )?
    .first(None)
    .await?;
    match counted {
        Some(c) if !limit.allows(c.hits) => Err(ApiError::Expected(limit.refusal(now))),
        _ => Ok(()),
    }
}

/// Forgets windows that have ended (from the cron run; indexed).
pub async fn forget_ended(db: &D1Database, now: DateTime<Utc>) -> ApiResult<()> {
    query!(
        db,
        "DELETE FROM rate_limits WHERE window_ends_at < ?1",
        &clock::stamp(now)
    )?
    .run()
    .await?;
    Ok(())
}
