//! Signing in and out.

use chrono::{DateTime, Utc};
use lt_core::access::Role;
use lt_core::api::{ErrorCode, ErrorDetail, Me, Membership, SignInRequest};
use lt_core::credentials;
use lt_core::domain::EmailAddress;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
struct Account {
    id: String,
    name: String,
    email: String,
    password_hash: Option<String>,
}

pub async fn sign_in(
    req: &mut Request,
    db: &D1Database,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    let body: SignInRequest = http::read_json(req).await?;
    let email = EmailAddress::parse(&body.email, "email")?;
    if body.password.is_empty() {
        return Err(ErrorDetail::invalid("password", "enter your password").into());
    }
    let account: Option<Account> = query!(
        db,
        "SELECT id, name, email, password_hash FROM people WHERE email = ?1",
        email.as_ref()
    )?
    .first(None)
    .await?;
    // Always pay for one hash, so a wrong email and a wrong password look alike.
    let stored = account
        .as_ref()
        .and_then(|a| a.password_hash.clone())
        .unwrap_or_else(credentials::decoy_hash);
    let password_ok = credentials::verify_password(&body.password, &stored);
    let account = match account {
        Some(a) if password_ok && a.password_hash.is_some() => a,
        _ => {
            return Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "that email and password do not match an account",
            ));
        }
    };
    let memberships = memberships(db, &account.id).await?;
    let roles: Vec<Role> = memberships.iter().map(|m| m.role).collect();
    let token = auth::new_token()?;
    let absolute = credentials::absolute_lifetime(&roles);
    query!(
        db,
        "INSERT INTO sign_ins (token_digest, person_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
        &credentials::token_digest(&token),
        &account.id,
        &now.to_rfc3339(),
        &(now + credentials::idle_lifetime(&roles)).to_rfc3339(),
        &(now + absolute).to_rfc3339()
    )?
    .run()
    .await?;
    let me = Me {
        person_id: account.id,
        name: account.name,
        email: account.email,
        memberships,
    };
    let response = http::json(200, &me);
    response
        .headers()
        .set("set-cookie", &auth::session_cookie(&token, absolute))?;
    Ok(response)
}

pub async fn sign_out(db: &D1Database, caller: &Caller) -> ApiResult<Response> {
    query!(
        db,
        "DELETE FROM sign_ins WHERE token_digest = ?1",
        caller.token_digest()
    )?
    .run()
    .await?;
    let response = http::no_content();
    response
        .headers()
        .set("set-cookie", &auth::cleared_cookie())?;
    Ok(response)
}

pub async fn me(db: &D1Database, caller: &Caller) -> ApiResult<Response> {
    let me = Me {
        person_id: caller.person_id.clone(),
        name: caller.name.clone(),
        email: caller.email.clone(),
        memberships: memberships(db, &caller.person_id).await?,
    };
    Ok(http::json(200, &me))
}

async fn memberships(db: &D1Database, person_id: &str) -> ApiResult<Vec<Membership>> {
    Ok(auth::grants(db, person_id)
        .await?
        .into_iter()
        .filter_map(|g| {
            Some(Membership {
                role: Role::parse(&g.role)?,
                organisation_id: g.organisation_id,
                organisation_name: g.organisation_name,
            })
        })
        .collect())
}
