//! Inviting people: AP admins and DSLs create, list and withdraw invitations.
//! Following the emailed link is in `joining`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lt_core::access::{ApManager, Role};
use lt_core::api::{ErrorCode, Invitation, InvitationList, InvitationRequest, InvitationStatus};
use lt_core::credentials;
use lt_core::domain::OrganisationKind;
use lt_core::invitations::{self, OrganisationFacts, PlacementFacts};
use lt_core::rate_limit;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Env, Request, Response, query};

use crate::audit::{AuditContext, Change};
use crate::error::{ApiError, ApiResult};
use crate::outbound::{self, Template};
use crate::{auth, http, ids};

#[derive(Deserialize)]
pub(super) struct Row {
    pub(super) id: String,
    pub(super) ap_id: String,
    pub(super) ap_name: String,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) role: String,
    organisation_id: String,
    pub(super) organisation_name: String,
    is_dsl: u8,
    pub(super) placements: String,
    created_at: String,
    expires_at: String,
    accepted_at: Option<String>,
    revoked_at: Option<String>,
}

pub(super) const SELECT: &str = "SELECT i.id, i.ap_id, a.name AS ap_name, i.email, i.name, i.role, i.organisation_id,
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
    pub(super) fn status(&self, now: DateTime<Utc>) -> ApiResult<InvitationStatus> {
        Ok(InvitationStatus::of(
            self.accepted_at.as_deref(),
            self.revoked_at.as_deref(),
            instant(&self.expires_at)?,
            now,
        ))
    }

    pub(super) fn role(&self) -> ApiResult<Role> {
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
    let sender = audit.actor_id.as_deref().unwrap_or_default();
    crate::rate_limit::spend(db, rate_limit::INVITATIONS_SENT, sender, audit.at).await?;
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
