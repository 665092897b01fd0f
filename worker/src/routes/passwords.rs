//! Forgotten passwords: an emailed, single-use link that works for one hour.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lt_core::api::{
    CompletePasswordReset, ErrorCode, ErrorDetail, PasswordResetRequest, PasswordResetRequested,
};
use lt_core::credentials;
use lt_core::domain::EmailAddress;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Context, Env, Request, Response, query};

use super::invitations::changes;
use super::session::{self, Account};
use crate::audit::{AuditContext, Change, Claim};
use crate::error::{ApiError, ApiResult};
use crate::outbound::{self, Template};
use crate::{auth, http, rate_limit};

const LIFETIME_MINUTES: i64 = 60;
/// One email per address per this many minutes, however often the form is sent.
const RESEND_AFTER_MINUTES: i64 = 2;

pub async fn request(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    db: &D1Database,
    now: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<Response> {
    let body: PasswordResetRequest = http::read_json(req).await?;
    let email = EmailAddress::parse(&body.email, "email")?;
    // Counted by the address typed, account or not, so a refusal reveals nothing.
    rate_limit::spend(db, lt_core::rate_limit::RESET_EMAILS, email.as_ref(), now).await?;
    let answer = PasswordResetRequested {
        message: format!(
            "If {} has a LearnTrek account, we have emailed it a link to choose a new password. The link works once, for one hour.",
            email.as_ref()
        ),
    };
    let Some(account) = session::account_by_email(db, &email).await? else {
        return Ok(http::json(202, &answer));
    };
    #[derive(Deserialize)]
    struct Recent {
        n: u32,
    }
    let since = (now - Duration::minutes(RESEND_AFTER_MINUTES)).to_rfc3339();
    let recent: Option<Recent> = query!(
        db,
        "SELECT COUNT(*) AS n FROM password_resets WHERE person_id = ?1 AND created_at > ?2",
        &account.id,
        &since
    )?
    .first(None)
    .await?;
    if recent.is_some_and(|r| r.n > 0) {
        return Ok(http::json(202, &answer));
    }
    let token = auth::new_token()?;
    let audit = AuditContext {
        request_id: request_id.to_owned(),
        actor_id: None,
        ap_id: None,
        at: now,
    };
    db.batch(vec![
        query!(
            db,
            "INSERT INTO password_resets (token_digest, person_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            &credentials::token_digest(&token),
            &account.id,
            &now.to_rfc3339(),
            &(now + Duration::minutes(LIFETIME_MINUTES)).to_rfc3339()
        )?,
        audit.entry(db, "password_reset.requested", "person", &account.id, &[])?,
    ])
    .await?;
    let origin = req
        .url()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let personalisation = BTreeMap::from([
        ("name".to_owned(), account.name.clone()),
        (
            "link".to_owned(),
            format!("{}/reset#{token}", outbound::app_url(env, &origin)),
        ),
    ]);
    // Sent after the answer, so an address with an account answers as fast
    // as one without and the timing tells nobody which is which.
    outbound::send_email_after(
        ctx,
        env,
        Template::PasswordReset,
        email.as_ref().to_owned(),
        personalisation,
        format!("password_reset:{}", account.id),
        now,
    );
    Ok(http::json(202, &answer))
}

#[derive(Deserialize)]
struct ResetRow {
    person_id: String,
    expires_at: String,
    used_at: Option<String>,
    name: String,
    email: String,
}

pub async fn complete(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    now: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<Response> {
    let body: CompletePasswordReset = http::read_json(req).await?;
    credentials::check_new_password(&body.password, "password")?;
    let digest = credentials::token_digest(body.token.trim());
    let row: Option<ResetRow> = query!(
        db,
        "SELECT r.person_id, r.expires_at, r.used_at, p.name, p.email
         FROM password_resets r JOIN people p ON p.id = r.person_id WHERE r.token_digest = ?1",
        &digest
    )?
    .first(None)
    .await?;
    let row = row.ok_or_else(|| {
        ApiError::Expected(ErrorDetail {
            code: ErrorCode::NotFound,
            message: "this reset link is not valid; check you used the whole link from the email"
                .into(),
            field: Some("token".into()),
        })
    })?;
    let expired = row
        .expires_at
        .parse::<DateTime<Utc>>()
        .map_or(true, |t| t <= now);
    if row.used_at.is_some() || expired {
        return Err(ApiError::new(
            ErrorCode::Gone,
            "this reset link has been used or has expired; ask for a new one",
        ));
    }
    let hash = credentials::hash_password(&body.password, &crate::ids::new_salt()?);
    let claim = Claim {
        table: "password_resets",
        key_column: "token_digest",
        key: digest.clone(),
        request_column: "used_request",
        request_id: request_id.to_owned(),
    };
    let held = claim.condition();
    let stamp = now.to_rfc3339();
    let audit = AuditContext {
        request_id: request_id.to_owned(),
        actor_id: Some(row.person_id.clone()),
        ap_id: None,
        at: now,
    };
    let results = db
        .batch(vec![
            claim.guard(
                db,
                "UPDATE password_resets SET used_at = ?3, used_request = ?2
                 WHERE token_digest = ?1 AND used_at IS NULL AND expires_at > ?3",
                &[&stamp],
            )?,
            claim.guard(
                db,
                &format!("UPDATE people SET password_hash = ?3 WHERE id = ?4 AND {held}"),
                &[&hash, &row.person_id],
            )?,
            // A new password ends every sign-in, wherever it was.
            claim.guard(
                db,
                &format!("DELETE FROM sign_ins WHERE person_id = ?3 AND {held}"),
                &[&row.person_id],
            )?,
            audit.entry_if_claimed(
                db,
                &claim,
                "person.password_reset",
                "person",
                &row.person_id,
                &[Change::set("password_hash", "[redacted]")],
            )?,
        ])
        .await?;
    if changes(results.first()) == 0 {
        return Err(ApiError::new(
            ErrorCode::Gone,
            "this reset link has just been used",
        ));
    }
    let account = Account {
        id: row.person_id,
        name: row.name,
        email: row.email,
        password_hash: None,
    };
    session::signed_in(env, db, &account, now).await
}
