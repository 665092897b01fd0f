//! Signing in and out.

use chrono::{DateTime, Utc};
use lt_core::access::Role;
use lt_core::api::{ErrorCode, ErrorDetail, Me, SignInRequest};
use lt_core::credentials;
use lt_core::domain::EmailAddress;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    pub password_hash: Option<String>,
}

pub async fn account_by_email(db: &D1Database, email: &EmailAddress) -> ApiResult<Option<Account>> {
    Ok(query!(
        db,
        "SELECT id, name, email, password_hash FROM people WHERE email = ?1",
        email.as_ref()
    )?
    .first(None)
    .await?)
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
    let account = account_by_email(db, &email).await?;
    // Always pay for one hash, so a wrong email and a wrong password look alike.
    let stored = account
        .as_ref()
        .and_then(|a| a.password_hash.clone())
        .unwrap_or_else(credentials::decoy_hash);
    let password_ok = credentials::verify_password(&body.password, &stored);
    match account {
        Some(a) if password_ok && a.password_hash.is_some() => signed_in(db, &a, now).await,
        _ => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "that email and password do not match an account",
        )),
    }
}

/// Starts a sign-in for `account` and answers with who they are and the cookie.
pub async fn signed_in(
    db: &D1Database,
    account: &Account,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    let (principal, grants) = auth::principal(db, &account.id).await?;
    let roles: Vec<Role> = principal.grants.iter().map(|g| g.role).collect();
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
        person_id: account.id.clone(),
        name: account.name.clone(),
        email: account.email.clone(),
        grants,
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

pub fn me(caller: &Caller) -> Response {
    http::json(
        200,
        &Me {
            person_id: caller.principal.person_id.clone(),
            name: caller.name.clone(),
            email: caller.email.clone(),
            grants: caller.grants.clone(),
        },
    )
}
