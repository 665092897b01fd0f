//! Inviting people, and following an invitation link.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lt_core::access::{ApManager, Role};
use lt_core::api::{
    AcceptInvitation, ErrorCode, Invitation, InvitationList, InvitationPreview, InvitationRequest,
    InvitationStatus, InvitationToken,
};
use lt_core::credentials;
use lt_core::domain::{EmailAddress, OrganisationKind};
use lt_core::invitations::{self, OrganisationFacts, PlacementFacts};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Env, Request, Response, query};

use super::session;
use crate::audit::{AuditContext, Change, Claim};
use crate::error::{ApiError, ApiResult};
use crate::outbound::{self, Template};
use crate::{auth, http, ids};

#[derive(Deserialize)]
struct Row {
    id: String,
    ap_id: String,
    ap_name: String,
    email: String,
    name: String,
    role: String,
    organisation_id: String,
    organisation_name: String,
    is_dsl: u8,
    placements: String,
    created_at: String,
    expires_at: String,
    accepted_at: Option<String>,
    revoked_at: Option<String>,
}

const SELECT: &str = "SELECT i.id, i.ap_id, a.name AS ap_name, i.email, i.name, i.role, i.organisation_id,
        o.name AS organisation_name, i.is_dsl, i.created_at, i.expires_at, i.accepted_at, i.revoked_at,
        (SELECT json_group_array(s.placement_id) FROM invitation_scopes s WHERE s.invitation_id = i.id) AS placements
    FROM invitations i
    JOIN organisations a ON a.id = i.ap_id
    JOIN organisations o ON o.id = i.organisation_id";

fn instant(text: &str) -> ApiResult<DateTime<Utc>> {
    text.parse()
        .map_err(|_| ApiError::Unexpected(format!("bad timestamp {text}")))
}

impl Row {
    fn status(&self, now: DateTime<Utc>) -> ApiResult<InvitationStatus> {
        Ok(InvitationStatus::of(
            self.accepted_at.as_deref(),
            self.revoked_at.as_deref(),
            instant(&self.expires_at)?,
            now,
        ))
    }

    fn role(&self) -> ApiResult<Role> {
        Role::parse(&self.role)
            .ok_or_else(|| ApiError::Unexpected(format!("bad role {}", self.role)))
    }

    fn into_invitation(self, now: DateTime<Utc>) -> ApiResult<Invitation> {
        Ok(Invitation {
            status: self.status(now)?,
            role: self.role()?,
            placement_ids: serde_json::from_str(&self.placements).unwrap_or_default(),
            created_at: instant(&self.created_at)?,
            expires_at: instant(&self.expires_at)?,
            id: self.id,
            email: self.email,
            name: self.name,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            is_dsl: self.is_dsl != 0,
            email_delivery: None,
        })
    }
}

async fn one(db: &D1Database, ap_id: &str, id: &str) -> ApiResult<Option<Row>> {
    let sql = format!("{SELECT} WHERE i.ap_id = ?1 AND i.id = ?2");
    Ok(query!(db, &sql, ap_id, id)?.first(None).await?)
}

pub async fn list(db: &D1Database, manager: &ApManager, now: DateTime<Utc>) -> ApiResult<Response> {
    let sql = format!("{SELECT} WHERE i.ap_id = ?1 ORDER BY i.created_at DESC, i.id");
    let rows: Vec<Row> = query!(db, &sql, manager.ap_id())?.all().await?.results()?;
    let invitations = rows
        .into_iter()
        .map(|r| r.into_invitation(now))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(http::json(200, &InvitationList { invitations }))
}

#[derive(Deserialize)]
struct OrganisationRow {
    id: String,
    kind: String,
}

#[derive(Deserialize)]
struct PlacementRow {
    id: String,
    ap_id: String,
    commissioner_id: String,
}

pub async fn create(
    req: &mut Request,
    env: &Env,
    db: &D1Database,
    manager: &ApManager,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let body: InvitationRequest = http::read_json(req).await?;
    let organisation: Option<OrganisationRow> = query!(
        db,
        "SELECT id, kind FROM organisations WHERE id = ?1",
        &body.organisation_id
    )?
    .first(None)
    .await?;
    let organisation = organisation.and_then(|o| {
        Some(OrganisationFacts {
            kind: OrganisationKind::parse(&o.kind)?,
            id: o.id,
        })
    });
    let wanted = serde_json::to_string(&body.placement_ids).unwrap_or_else(|_| "[]".into());
    let placements: Vec<PlacementRow> = query!(
        db,
        "SELECT id, ap_id, commissioner_id FROM placements WHERE id IN (SELECT value FROM json_each(?1))",
        &wanted
    )?
    .all()
    .await?
    .results()?;
    let placements: Vec<PlacementFacts> = placements
        .into_iter()
        .map(|p| PlacementFacts {
            id: p.id,
            ap_id: p.ap_id,
            commissioner_id: p.commissioner_id,
        })
        .collect();
    let valid = invitations::check(manager, &body, organisation.as_ref(), &placements)?;

    let now = audit.at;
    let id = ids::new_id("inv")?;
    let token = auth::new_token()?;
    let expires = now + Duration::days(invitations::LIFETIME_DAYS);
    let scope = serde_json::to_string(&valid.placement_ids).unwrap_or_else(|_| "[]".into());
    let statements = vec![
        query!(
            db,
            "INSERT INTO invitations (id, ap_id, email, name, organisation_id, role, is_dsl, token_digest, invited_by, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            &id,
            &valid.ap_id,
            valid.email.as_ref(),
            &valid.name,
            &valid.organisation_id,
            valid.role.as_str(),
            &u8::from(valid.is_dsl),
            &credentials::token_digest(&token),
            manager.person_id(),
            &now.to_rfc3339(),
            &expires.to_rfc3339()
        )?,
        query!(
            db,
            "INSERT INTO invitation_scopes (invitation_id, placement_id) SELECT ?1, value FROM json_each(?2)",
            &id,
            &scope
        )?,
        audit.entry(
            db,
            "invitation.created",
            "invitation",
            &id,
            &[
                Change::set("email", valid.email.as_ref()),
                Change::set("role", valid.role.as_str()),
                Change::set("organisation_id", valid.organisation_id.clone()),
                Change::set("is_dsl", valid.is_dsl.to_string()),
                Change::set("placement_ids", scope.clone()),
            ],
        )?,
    ];
    db.batch(statements).await?;

    let row = one(db, manager.ap_id(), &id)
        .await?
        .ok_or_else(|| ApiError::Unexpected(format!("invitation {id} vanished")))?;
    let origin = req
        .url()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let personalisation = BTreeMap::from([
        ("name".to_owned(), valid.name.clone()),
        ("ap_name".to_owned(), row.ap_name.clone()),
        ("role".to_owned(), valid.role.label().to_owned()),
        (
            "link".to_owned(),
            format!("{}/invite#{token}", outbound::app_url(env, &origin)),
        ),
        (
            "expires".to_owned(),
            lt_core::london::local_date(expires)
                .format("%-d %B %Y")
                .to_string(),
        ),
    ]);
    let delivery = outbound::send_email(
        env,
        db,
        Template::Invitation,
        valid.email.as_ref(),
        personalisation,
        &format!("invitation:{id}"),
        now,
    )
    .await;
    let mut invitation = row.into_invitation(now)?;
    invitation.email_delivery = Some(delivery);
    Ok(http::json(201, &invitation))
}

pub async fn revoke(
    db: &D1Database,
    manager: &ApManager,
    id: &str,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let now = audit.at;
    let row = one(db, manager.ap_id(), id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "there is no such invitation"))?;
    match row.status(now)? {
        InvitationStatus::Pending => {}
        status => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("this invitation is already {}", status_word(status)),
            ));
        }
    }
    let results = db
        .batch(vec![
            query!(
                db,
                "UPDATE invitations SET revoked_at = ?3
                 WHERE ap_id = ?1 AND id = ?2 AND accepted_at IS NULL AND revoked_at IS NULL",
                manager.ap_id(),
                id,
                &now.to_rfc3339()
            )?,
            audit.entry(
                db,
                "invitation.revoked",
                "invitation",
                id,
                &[Change::set("status", "revoked")],
            )?,
        ])
        .await?;
    if changes(results.first()) == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation was accepted or revoked just now",
        ));
    }
    let row = one(db, manager.ap_id(), id)
        .await?
        .ok_or_else(|| ApiError::Unexpected(format!("invitation {id} vanished")))?;
    Ok(http::json(200, &row.into_invitation(now)?))
}

pub fn changes(result: Option<&worker::d1::D1Result>) -> usize {
    result
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
}

fn status_word(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "pending",
        InvitationStatus::Accepted => "accepted",
        InvitationStatus::Revoked => "revoked",
        InvitationStatus::Expired => "expired",
    }
}

/// The pending invitation behind a link's token, or why it no longer works.
async fn by_token(db: &D1Database, token: &str, now: DateTime<Utc>) -> ApiResult<Row> {
    let sql = format!("{SELECT} WHERE i.token_digest = ?1");
    let row: Option<Row> = query!(db, &sql, &credentials::token_digest(token.trim()))?
        .first(None)
        .await?;
    let row = row.ok_or_else(|| {
        ApiError::Expected(lt_core::api::ErrorDetail {
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
                return Err(ApiError::Expected(lt_core::api::ErrorDetail {
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
