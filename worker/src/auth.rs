//! Who is calling. A [`Caller`] only exists once a valid sign-in cookie has been
//! checked, so a handler that takes one cannot run for an anonymous request.

use chrono::{DateTime, Duration, Utc};
use lt_core::access::{Grant, Role};
use lt_core::api::ErrorCode;
use lt_core::credentials::{self, TOKEN_BYTES};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, query};

use crate::error::{ApiError, ApiResult};
use crate::http;

pub const COOKIE: &str = "lt_sign_in";

#[derive(Debug)]
pub struct Caller {
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub grants: Vec<Grant>,
    token_digest: String,
}

impl Caller {
    pub fn token_digest(&self) -> &str {
        &self.token_digest
    }
}

#[derive(Deserialize)]
struct SignInRow {
    person_id: String,
    name: String,
    email: String,
    idle_expires_at: String,
    absolute_expires_at: String,
}

#[derive(Deserialize)]
pub struct GrantRow {
    pub organisation_id: String,
    pub organisation_name: String,
    pub role: String,
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "you are not signed in, or your sign-in has expired; please sign in",
    )
}

/// The signed-in caller, refreshing the idle expiry of their sign-in.
pub async fn authenticate(req: &Request, db: &D1Database, now: DateTime<Utc>) -> ApiResult<Caller> {
    let token = http::cookie(req, COOKIE).ok_or_else(unauthenticated)?;
    let digest = credentials::token_digest(&token);
    let row: Option<SignInRow> = query!(
        db,
        "SELECT s.person_id, p.name, p.email, s.idle_expires_at, s.absolute_expires_at
         FROM sign_ins s JOIN people p ON p.id = s.person_id
         WHERE s.token_digest = ?1",
        &digest
    )?
    .first(None)
    .await?;
    let row = row.ok_or_else(unauthenticated)?;
    let expired = |at: &str| at.parse::<DateTime<Utc>>().map_or(true, |t| t <= now);
    if expired(&row.idle_expires_at) || expired(&row.absolute_expires_at) {
        query!(db, "DELETE FROM sign_ins WHERE token_digest = ?1", &digest)?
            .run()
            .await?;
        return Err(unauthenticated());
    }
    let grant_rows = grants(db, &row.person_id).await?;
    let grants: Vec<Grant> = grant_rows
        .iter()
        .filter_map(|g| {
            Some(Grant {
                organisation_id: g.organisation_id.clone(),
                role: Role::parse(&g.role)?,
            })
        })
        .collect();
    let roles: Vec<Role> = grants.iter().map(|g| g.role).collect();
    let idle_until = now + credentials::idle_lifetime(&roles);
    // Slide the idle expiry at most once a minute, not with every read.
    let stale = row
        .idle_expires_at
        .parse::<DateTime<Utc>>()
        .map_or(true, |t| idle_until - t > Duration::minutes(1));
    if stale {
        query!(
            db,
            "UPDATE sign_ins SET idle_expires_at = MIN(?2, absolute_expires_at), last_seen_at = ?3
             WHERE token_digest = ?1",
            &digest,
            &idle_until.to_rfc3339(),
            &now.to_rfc3339()
        )?
        .run()
        .await?;
    }
    Ok(Caller {
        person_id: row.person_id,
        name: row.name,
        email: row.email,
        grants,
        token_digest: digest,
    })
}

pub async fn grants(db: &D1Database, person_id: &str) -> ApiResult<Vec<GrantRow>> {
    Ok(query!(
        db,
        "SELECT m.organisation_id, o.name AS organisation_name, m.role
         FROM memberships m JOIN organisations o ON o.id = m.organisation_id
         WHERE m.person_id = ?1 ORDER BY o.name, m.role",
        person_id
    )?
    .all()
    .await?
    .results()?)
}

/// Refuses cookie-authenticated writes that a browser sent from another site.
pub fn refuse_cross_site(req: &Request) -> ApiResult<()> {
    let own = req.url().map(|u| u.origin().ascii_serialization()).ok();
    let origin_ok = match (http::header(req, "origin"), own) {
        (Some(origin), Some(own)) => origin == own,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let fetch_site_ok = http::header(req, "sec-fetch-site")
        .is_none_or(|site| site == "same-origin" || site == "none");
    if origin_ok && fetch_site_ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "this request came from another site and was refused",
        ))
    }
}

pub fn new_token() -> ApiResult<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Unexpected(format!("no randomness: {e}")))?;
    Ok(credentials::token_from_bytes(&bytes))
}

pub fn session_cookie(token: &str, lifetime: Duration) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        lifetime.num_seconds()
    )
}

pub fn cleared_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}
