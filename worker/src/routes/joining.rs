//! Following an invitation link: see what it is for, then accept it by
//! choosing a password (or giving the current one to add the access).

use chrono::{DateTime, Utc};
use lt_core::api::{
    AcceptInvitation, ErrorCode, ErrorDetail, InvitationPreview, InvitationStatus, InvitationToken,
};
use lt_core::credentials;
use lt_core::domain::EmailAddress;
use worker::d1::D1Database;
use worker::{Env, Request, Response, query};

use super::invitations::{Row, SELECT, changes};
use super::session;
use crate::audit::{AuditContext, Change, Claim};
use crate::error::{ApiError, ApiResult};
use crate::{http, ids};

/// The pending invitation behind a link's token, or why it no longer works.
async fn by_token(db: &D1Database, token: &str, now: DateTime<Utc>) -> ApiResult<Row> {
    let sql = format!("{SELECT} WHERE i.token_digest = ?1");
    let row: Option<Row> = query!(db, &sql, &credentials::token_digest(token.trim()))?
        .first(None)
        .await?;
    let row = row.ok_or_else(|| {
        ApiError::Expected(ErrorDetail {
            code: ErrorCode::NotFound,
            message:
                "this invitation link is not valid; check you used the whole link from the email"
                    .into(),
            field: Some("token".into()),
        })
    })?;
    let gone = |message: &str| Err(ApiError::new(ErrorCode::Gone, message));
    match row.status(now)? {
        InvitationStatus::Pending => Ok(row),
        InvitationStatus::Accepted => {
            gone("this invitation has already been used; sign in instead")
        }
        InvitationStatus::Revoked => {
            gone("this invitation was withdrawn; ask the AP to send a new one")
        }
        InvitationStatus::Expired => {
            gone("this invitation has expired; ask the AP to send a new one")
        }
    }
}

pub async fn look_up(
    req: &mut Request,
    db: &D1Database,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    let body: InvitationToken = http::read_json(req).await?;
    let row = by_token(db, &body.token, now).await?;
    let email = EmailAddress::parse(&row.email, "email")?;
    let existing = session::account_by_email(db, &email)
        .await?
        .is_some_and(|a| a.password_hash.is_some());
    Ok(http::json(
        200,
        &InvitationPreview {
            role: row.role()?,
            ap_name: row.ap_name,
            name: row.name,
            email: row.email,
            organisation_name: row.organisation_name,
            existing_account: existing,
        },
    ))
}

pub async fn accept(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    now: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<Response> {
    let body: AcceptInvitation = http::read_json(req).await?;
    let row = by_token(db, &body.token, now).await?;
    let email = EmailAddress::parse(&row.email, "email")?;
    let existing = session::account_by_email(db, &email).await?;
    let (person_id, new_hash) = match &existing {
        Some(account) if account.password_hash.is_some() => {
            let stored = account.password_hash.clone().unwrap_or_default();
            if !credentials::verify_password(&body.password, &stored) {
                return Err(ApiError::Expected(ErrorDetail {
                    code: ErrorCode::Unauthenticated,
                    message:
                        "you already have an account; enter its current password to add this access"
                            .into(),
                    field: Some("password".into()),
                }));
            }
            (account.id.clone(), None)
        }
        _ => {
            credentials::check_new_password(&body.password, "password")?;
            let id = existing
                .as_ref()
                .map_or_else(|| ids::new_id("person"), |a| Ok(a.id.clone()))?;
            (
                id,
                Some(credentials::hash_password(
                    &body.password,
                    &ids::new_salt()?,
                )),
            )
        }
    };
    // The first statement claims the invitation; every later one runs only if
    // this request made that claim, so two clicks cannot both accept it.
    let claim = Claim {
        table: "invitations",
        key_column: "id",
        key: row.id.clone(),
        request_column: "accepted_request",
        request_id: request_id.to_owned(),
    };
    let held = claim.condition();
    let stamp = now.to_rfc3339();
    let mut statements = vec![claim.guard(
        db,
        "UPDATE invitations SET accepted_at = ?3, accepted_request = ?2
         WHERE id = ?1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?3",
        &[&stamp],
    )?];
    if let Some(hash) = &new_hash {
        statements.push(claim.guard(
            db,
            &format!(
                "INSERT INTO people (id, email, name, password_hash, created_at)
                 SELECT ?3, ?4, ?5, ?6, ?7 WHERE {held}
                 ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash"
            ),
            &[&person_id, email.as_ref(), &row.name, hash, &stamp],
        )?);
    }
    statements.push(claim.guard(
        db,
        &format!(
            "INSERT INTO grants (person_id, ap_id, organisation_id, role, is_dsl, created_at)
             SELECT ?3, ap_id, organisation_id, role, is_dsl, ?4 FROM invitations WHERE id = ?1 AND {held}
             ON CONFLICT (person_id, ap_id, role) DO UPDATE SET is_dsl = MAX(is_dsl, excluded.is_dsl)"
        ),
        &[&person_id, &stamp],
    )?);
    statements.push(claim.guard(
        db,
        &format!(
            "INSERT OR IGNORE INTO grant_scopes (person_id, ap_id, role, placement_id, created_at)
             SELECT ?3, i.ap_id, i.role, s.placement_id, ?4
             FROM invitation_scopes s JOIN invitations i ON i.id = s.invitation_id
             WHERE s.invitation_id = ?1 AND {held}"
        ),
        &[&person_id, &stamp],
    )?);
    // What they may see changed: earlier sign-ins must start again.
    statements.push(claim.guard(
        db,
        &format!("DELETE FROM sign_ins WHERE person_id = ?3 AND {held}"),
        &[&person_id],
    )?);
    let audit = AuditContext {
        request_id: request_id.to_owned(),
        actor_id: Some(person_id.clone()),
        ap_id: Some(row.ap_id.clone()),
        at: now,
    };
    statements.push(audit.entry_if_claimed(
        db,
        &claim,
        "invitation.accepted",
        "invitation",
        &row.id,
        &[
            Change::set("person_id", person_id.clone()),
            Change::set("role", row.role.clone()),
            Change::set("placement_ids", row.placements.clone()),
        ],
    )?);
    let results = db.batch(statements).await?;
    if changes(results.first()) == 0 {
        return Err(ApiError::new(
            ErrorCode::Gone,
            "this invitation has just been used",
        ));
    }
    let account = session::Account {
        id: person_id,
        name: existing
            .as_ref()
            .map_or(row.name.clone(), |a| a.name.clone()),
        email: row.email.clone(),
        password_hash: None,
    };
    session::signed_in(env, db, &account, now).await
}
