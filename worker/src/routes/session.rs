//! Signing in and out.

use chrono::{DateTime, Utc};
use lt_core::access::Role;
use lt_core::api::{ErrorCode, ErrorDetail, Me, SignInRequest};
use lt_core::credentials;
use lt_core::domain::EmailAddress;
use lt_core::throttle::{self, Key, Record};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Env, Request, Response, query};

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
    env: &Env,
    db: &D1Database,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    let body: SignInRequest = http::read_json(req).await?;
    let email = EmailAddress::parse(&body.email, "email")?;
    if body.password.is_empty() {
        return Err(ErrorDetail::invalid("password", "enter your password").into());
    }
    let keys = [
        (Key::Account, format!("email:{}", email.as_ref())),
        (
            Key::Address,
            format!(
                "ip:{}",
                http::header(req, "cf-connecting-ip").unwrap_or_default()
            ),
        ),
    ];
    let records = throttle_records(db, &keys).await?;
    if let Some(until) = records
        .iter()
        .flatten()
        .filter(|r| r.is_locked(now))
        .filter_map(|r| r.locked_until)
        .max()
    {
        return Err(ApiError::new(
            ErrorCode::TooManyRequests,
            throttle::locked_message(until, now),
        ));
    }
    let account = account_by_email(db, &email).await?;
    // Always pay for one hash, so a wrong email and a wrong password look alike.
    let stored = account
        .as_ref()
        .and_then(|a| a.password_hash.clone())
        .unwrap_or_else(credentials::decoy_hash);
    let password_ok = credentials::verify_password(&body.password, &stored);
    match account {
        Some(a) if password_ok && a.password_hash.is_some() => {
            query!(
                db,
                "DELETE FROM sign_in_failures WHERE key = ?1",
                &keys[0].1
            )?
            .run()
            .await?;
            signed_in(env, db, &a, now).await
        }
        _ => {
            let mut statements = Vec::new();
            for ((kind, key), previous) in keys.iter().zip(&records) {
                let record = Record::fail(previous.as_ref(), *kind, now);
                statements.push(query!(
                    db,
                    "INSERT INTO sign_in_failures (key, failures, first_failed_at, locked_until)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                         first_failed_at = excluded.first_failed_at, locked_until = excluded.locked_until",
                    key,
                    &record.failures,
                    &record.first_failed_at.to_rfc3339(),
                    &record.locked_until.map(|t| t.to_rfc3339())
                )?);
            }
            db.batch(statements).await?;
            Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "that email and password do not match an account",
            ))
        }
    }
}

#[derive(Deserialize)]
struct FailureRow {
    key: String,
    failures: u32,
    first_failed_at: String,
    locked_until: Option<String>,
}

/// The stored failure records for `keys`, in the same order (None: no failures).
async fn throttle_records(
    db: &D1Database,
    keys: &[(Key, String)],
) -> ApiResult<Vec<Option<Record>>> {
    let rows: Vec<FailureRow> = query!(
        db,
        "SELECT key, failures, first_failed_at, locked_until FROM sign_in_failures WHERE key IN (?1, ?2)",
        &keys[0].1,
        &keys[1].1
    )?
    .all()
    .await?
    .results()?;
    Ok(keys
        .iter()
        .map(|(_, key)| {
            let row = rows.iter().find(|r| &r.key == key)?;
            Some(Record {
                failures: row.failures,
                first_failed_at: row.first_failed_at.parse().ok()?,
                locked_until: row.locked_until.as_deref().and_then(|t| t.parse().ok()),
            })
        })
        .collect())
}

#[derive(Deserialize)]
struct PhoneRow {
    phone: Option<String>,
}

/// Starts a sign-in for `account` and answers with who they are and the cookie.
pub async fn signed_in(
    env: &Env,
    db: &D1Database,
    account: &Account,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    let (principal, grants) = auth::principal(db, &account.id).await?;
    let roles: Vec<Role> = principal.grants.iter().map(|g| g.role).collect();
    let token = auth::new_token()?;
    let lifetimes = auth::lifetimes(env);
    let absolute = lifetimes.absolute(&roles);
    query!(
        db,
        "INSERT INTO sign_ins (token_digest, person_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
        &credentials::token_digest(&token),
        &account.id,
        &now.to_rfc3339(),
        &(now + lifetimes.idle(&roles)).to_rfc3339(),
        &(now + absolute).to_rfc3339()
    )?
    .run()
    .await?;
    let phone: Option<PhoneRow> =
        query!(db, "SELECT phone FROM people WHERE id = ?1", &account.id)?
            .first(None)
            .await?;
    let me = Me {
        person_id: account.id.clone(),
        name: account.name.clone(),
        email: account.email.clone(),
        phone: phone.and_then(|p| p.phone),
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
            phone: caller.phone.clone(),
            grants: caller.grants.clone(),
        },
    )
}
