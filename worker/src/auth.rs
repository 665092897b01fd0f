//! Who is calling. A [`Caller`] only exists once a valid sign-in cookie has been
//! checked, so a handler that takes one cannot run for an anonymous request.

use chrono::{DateTime, Duration, Utc};
use lt_core::access::{Grant, Principal, Role};
use lt_core::api::ErrorCode;
use lt_core::api::GrantSummary;
use lt_core::credentials::{self, TOKEN_BYTES};
use serde::Deserialize;
use worker::d1::{D1Database, D1PreparedStatement, D1Result};
use worker::{Env, Request, query};

use crate::error::{ApiError, ApiResult};
use crate::http;

pub const COOKIE: &str = "lt_sign_in";

#[derive(Debug)]
pub struct Caller {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub principal: Principal,
    pub grants: Vec<GrantSummary>,
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
    phone: Option<String>,
    idle_expires_at: String,
    absolute_expires_at: String,
}

#[derive(Deserialize)]
struct GrantRow {
    ap_id: String,
    ap_name: String,
    organisation_id: String,
    organisation_name: String,
    role: String,
    is_dsl: u8,
    placements: String,
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "you are not signed in, or your sign-in has expired; please sign in",
    )
}

/// Sign-in lifetimes for this deployment (the `SIGN_IN_LIFETIMES` variable).
pub fn lifetimes(env: &Env) -> credentials::Lifetimes {
    const NAME: &str = "SIGN_IN_LIFETIMES";
    // A table in wrangler.toml arrives as an object; `--var` or the dashboard give JSON text.
    if let Ok(lifetimes) = env.object_var::<credentials::Lifetimes>(NAME) {
        return lifetimes;
    }
    match env.var(NAME).map(|v| v.to_string()) {
        Err(_) => credentials::Lifetimes::default(),
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            worker::console_error!("{NAME} is not valid, using the defaults: {e}");
            credentials::Lifetimes::default()
        }),
    }
}

/// The signed-in caller, refreshing the idle expiry of their sign-in.
/// `reads` go in the same round trip as the sign-in (a handler's first reads,
/// when it knows them before the caller); their results come back in order.
pub async fn authenticate(
    req: &Request,
    env: &Env,
    db: &D1Database,
    now: DateTime<Utc>,
    reads: Vec<D1PreparedStatement>,
) -> ApiResult<(Caller, Vec<D1Result>)> {
    let token = http::cookie(req, COOKIE).ok_or_else(unauthenticated)?;
    let digest = credentials::token_digest(&token);
    // The sign-in and the person's grants in one round trip: every request pays for this.
    let sign_in = query!(
        db,
        "SELECT s.person_id, p.name, p.email, p.phone, s.idle_expires_at, s.absolute_expires_at
         FROM sign_ins s JOIN people p ON p.id = s.person_id
         WHERE s.token_digest = ?1",
        &digest
    )?;
    let grants = query!(
        db,
        &format!(
            "{GRANTS} (SELECT person_id FROM sign_ins WHERE token_digest = ?1) {GRANTS_ORDER}"
        ),
        &digest
    )?;
    let (sign_in, grants, read) = crate::db::both_and(db, sign_in, grants, reads).await?;
    let row: Option<SignInRow> = sign_in.results()?.into_iter().next();
    let row = row.ok_or_else(unauthenticated)?;
    let expired = |at: &str| at.parse::<DateTime<Utc>>().map_or(true, |t| t <= now);
    if expired(&row.idle_expires_at) || expired(&row.absolute_expires_at) {
        query!(db, "DELETE FROM sign_ins WHERE token_digest = ?1", &digest)?
            .run()
            .await?;
        return Err(unauthenticated());
    }
    let (principal, summaries) = principal_from(&row.person_id, grants.results()?);
    let grants = &principal.grants;
    let roles: Vec<Role> = grants.iter().map(|g| g.role).collect();
    let idle_until = now + lifetimes(env).idle(&roles);
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
    let caller = Caller {
        name: row.name,
        email: row.email,
        phone: row.phone,
        principal,
        grants: summaries,
        token_digest: digest,
    };
    Ok((caller, read))
}

/// Everything `person_id` holds: the rules' view and the one shown to them.
pub async fn principal(
    db: &D1Database,
    person_id: &str,
) -> ApiResult<(Principal, Vec<GrantSummary>)> {
    let rows: Vec<GrantRow> = query!(db, &format!("{GRANTS} ?1 {GRANTS_ORDER}"), person_id)?
        .all()
        .await?
        .results()?;
    Ok(principal_from(person_id, rows))
}

/// A person's grants with their scopes, for the person chosen after `=`.
const GRANTS: &str =
    "SELECT g.ap_id, a.name AS ap_name, g.organisation_id, o.name AS organisation_name,
        g.role, g.is_dsl,
        (SELECT json_group_array(s.placement_id) FROM grant_scopes s
         WHERE s.person_id = g.person_id AND s.ap_id = g.ap_id AND s.role = g.role) AS placements
     FROM grants g
     JOIN organisations a ON a.id = g.ap_id
     JOIN organisations o ON o.id = g.organisation_id
     WHERE g.person_id =";
const GRANTS_ORDER: &str = "ORDER BY a.name, g.role";

fn principal_from(person_id: &str, rows: Vec<GrantRow>) -> (Principal, Vec<GrantSummary>) {
    let mut grants = Vec::new();
    let mut summaries = Vec::new();
    for row in rows {
        let Some(role) = Role::parse(&row.role) else {
            continue;
        };
        let placements: Vec<String> = serde_json::from_str(&row.placements).unwrap_or_default();
        summaries.push(GrantSummary {
            ap_id: row.ap_id.clone(),
            ap_name: row.ap_name,
            organisation_id: row.organisation_id.clone(),
            organisation_name: row.organisation_name,
            role,
            is_dsl: row.is_dsl != 0,
            placements: placements.len(),
        });
        grants.push(Grant {
            ap_id: row.ap_id,
            organisation_id: row.organisation_id,
            role,
            is_dsl: row.is_dsl != 0,
            placements,
        });
    }
    let principal = Principal {
        person_id: person_id.to_owned(),
        grants,
    };
    (principal, summaries)
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
