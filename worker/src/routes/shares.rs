//! Sharing the Reintegration Export outside LearnTrek: the AP's managers
//! make, list and revoke links; the recipient asks for a code, opens the
//! link with it, and reads the export for half an hour. Every opening and
//! every read goes to the AP's audit log.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lt_core::api::{
    ErrorCode, ErrorDetail, NewShare, OpenShare, Share, ShareCodeRequest, ShareCodeSent, ShareList,
    ShareState, SharedExport,
};
use lt_core::credentials;
use lt_core::share::{self, LinkState};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Context, Env, Request, Response, query};

use super::{export, placements};
use crate::audit::{AuditContext, Change, Claim};
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::outbound::{self, Template};
use crate::{clock, http, ids};

/// The cookie that lets an opened share be read as HTML or PDF.
const COOKIE: &str = "lt_share";

#[derive(Deserialize)]
struct Row {
    id: String,
    placement_id: String,
    recipient_email: String,
    recipient_name: String,
    shared_by: Option<String>,
    created_at: String,
    expires_at: String,
    revoked_at: Option<String>,
    opened: u32,
}

const COLUMNS: &str = "s.id, s.placement_id, s.recipient_email, s.recipient_name,
    p.name AS shared_by, s.created_at, s.expires_at, s.revoked_at,
    (SELECT COUNT(*) FROM share_codes c WHERE c.share_id = s.id AND c.used_at IS NOT NULL) AS opened";

fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("shares: bad {what}"))
}

fn instant(text: &str) -> ApiResult<DateTime<Utc>> {
    text.parse().map_err(|_| corrupt("time"))
}

impl Row {
    fn state(&self, now: DateTime<Utc>) -> ApiResult<LinkState> {
        Ok(share::link_state(
            instant(&self.expires_at)?,
            self.revoked_at.as_deref().map(instant).transpose()?,
            now,
        ))
    }

    fn share(self, now: DateTime<Utc>) -> ApiResult<Share> {
        let state = match self.state(now)? {
            LinkState::Open => ShareState::Open,
            LinkState::Expired => ShareState::Expired,
            LinkState::Revoked => ShareState::Revoked,
        };
        Ok(Share {
            created_at: instant(&self.created_at)?,
            expires_at: instant(&self.expires_at)?,
            revoked_at: self.revoked_at.as_deref().map(instant).transpose()?,
            share_id: self.id,
            placement_id: self.placement_id,
            recipient_email: self.recipient_email,
            recipient_name: self.recipient_name,
            shared_by: self.shared_by.unwrap_or_else(|| "(removed)".into()),
            state,
            opened: self.opened,
        })
    }
}

async fn by(db: &D1Database, condition: &str, value: &str) -> ApiResult<Vec<Row>> {
    Ok(query!(
        db,
        &format!(
            "SELECT {COLUMNS} FROM shares s LEFT JOIN people p ON p.id = s.shared_by
             WHERE {condition} ORDER BY s.created_at DESC"
        ),
        value
    )?
    .all()
    .await?
    .results()?)
}

/// One share by its id, just written or just changed.
async fn one(db: &D1Database, share_id: &str) -> ApiResult<Row> {
    by(db, "s.id = ?1", share_id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Unexpected(format!("share {share_id} vanished")))
}

/// The placement's AP, when the caller manages it (sharing outside
/// LearnTrek is a disclosure: admins and DSLs decide it).
async fn managed(db: &D1Database, caller: &Caller, placement_id: &str) -> ApiResult<String> {
    let (row, access) = placements::find(db, caller, placement_id).await?;
    if !access.manages {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the AP's admins and DSLs share exports outside LearnTrek",
        ));
    }
    Ok(row.ap_id)
}

pub async fn list(
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    managed(db, caller, placement_id).await?;
    let shares = by(db, "s.placement_id = ?1", placement_id)
        .await?
        .into_iter()
        .map(|r| r.share(now))
        .collect::<ApiResult<_>>()?;
    Ok(http::json(200, &ShareList { shares }))
}

#[allow(clippy::too_many_arguments)]
pub async fn create(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let ap_id = managed(db, caller, placement_id).await?;
    let body: NewShare = http::read_json(req).await?;
    let (email, days) = share::check_new_share(&body)?;
    let audit = audit.for_ap(&ap_id);
    let now = audit.at;
    let id = ids::new_id("share")?;
    let token = auth::new_token()?;
    let expires = now + Duration::days(i64::from(days));
    db.batch(vec![
        query!(
            db,
            "INSERT INTO shares (id, placement_id, token_digest, recipient_email, recipient_name,
                                 shared_by, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &id,
            placement_id,
            &credentials::token_digest(&token),
            email.as_ref(),
            body.recipient_name.trim(),
            &caller.principal.person_id,
            &clock::stamp(now),
            &clock::stamp(expires)
        )?,
        audit.entry(
            db,
            "share.created",
            "placement",
            placement_id,
            &[
                Change::set("share_id", id.clone()),
                Change::set("recipient_email", email.as_ref()),
                Change::set("expires_at", clock::stamp(expires)),
            ],
        )?,
    ])
    .await?;
    let origin = req
        .url()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    // The email names no pupil: the link and the code are what open it.
    let personalisation = BTreeMap::from([
        ("name".to_owned(), body.recipient_name.trim().to_owned()),
        ("ap_name".to_owned(), ap_name(db, &ap_id).await?),
        (
            "link".to_owned(),
            format!("{}/shared#{token}", outbound::app_url(env, &origin)),
        ),
        (
            "expires".to_owned(),
            lt_core::report::text::date(lt_core::london::local_date(expires)),
        ),
    ]);
    outbound::send_email_after(
        ctx,
        env,
        Template::Share,
        email.as_ref().to_owned(),
        personalisation,
        format!("share:{id}"),
        now,
    );
    Ok(http::json(201, &one(db, &id).await?.share(now)?))
}

#[derive(Deserialize)]
struct Name {
    name: String,
}

async fn ap_name(db: &D1Database, ap_id: &str) -> ApiResult<String> {
    let row: Option<Name> = query!(db, "SELECT name FROM organisations WHERE id = ?1", ap_id)?
        .first(None)
        .await?;
    Ok(row.map(|r| r.name).unwrap_or_default())
}

pub async fn revoke(
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    share_id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let ap_id = managed(db, caller, placement_id).await?;
    let audit = audit.for_ap(&ap_id);
    let found = by(db, "s.id = ?1", share_id).await?;
    let Some(row) = found.into_iter().find(|r| r.placement_id == placement_id) else {
        return Err(ApiError::new(ErrorCode::NotFound, "there is no such share"));
    };
    if row.revoked_at.is_none() {
        db.batch(vec![
            query!(
                db,
                "UPDATE shares SET revoked_at = ?1, revoked_by = ?2 WHERE id = ?3 AND revoked_at IS NULL",
                &clock::stamp(audit.at),
                &caller.principal.person_id,
                share_id
            )?,
            audit.entry(
                db,
                "share.revoked",
                "placement",
                placement_id,
                &[Change::set("share_id", share_id)],
            )?,
        ])
        .await?;
    }
    Ok(http::json(200, &one(db, share_id).await?.share(audit.at)?))
}

/// The open share a token names, or why it cannot be used.
async fn open_share(db: &D1Database, token: &str, now: DateTime<Utc>) -> ApiResult<Row> {
    let found = by(
        db,
        "s.token_digest = ?1",
        &credentials::token_digest(token.trim()),
    )
    .await?;
    let Some(row) = found.into_iter().next() else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "this link is not known; check it was copied whole",
        ));
    };
    match row.state(now)? {
        LinkState::Open => Ok(row),
        LinkState::Expired => Err(ApiError::new(
            ErrorCode::Gone,
            "this link has expired; ask the AP to share the export again",
        )),
        LinkState::Revoked => Err(ApiError::new(
            ErrorCode::Gone,
            "this link has been withdrawn by the AP",
        )),
    }
}

#[derive(Deserialize)]
struct Count {
    n: u32,
}

pub async fn send_code(
    req: &mut Request,
    env: &Env,
    ctx: &Context,
    db: &D1Database,
    now: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<Response> {
    let body: ShareCodeRequest = http::read_json(req).await?;
    let row = open_share(db, &body.token, now).await?;
    let recent: Option<Count> = query!(
        db,
        "SELECT COUNT(*) AS n FROM share_codes WHERE share_id = ?1 AND sent_at > ?2",
        &row.id,
        &clock::stamp(now - Duration::hours(1))
    )?
    .first(None)
    .await?;
    if recent.is_some_and(|r| r.n >= share::CODES_PER_HOUR) {
        return Err(ApiError::new(
            ErrorCode::TooManyRequests,
            "three codes have been sent in the last hour; use the latest, or try again later",
        ));
    }
    let mut random = [0u8; 4];
    getrandom::fill(&mut random)
        .map_err(|e| ApiError::Unexpected(format!("no randomness: {e}")))?;
    let code = share::code_from(u32::from_le_bytes(random));
    let expires = now + share::CODE_LIFETIME;
    let placement = export::summary(db, &row.placement_id).await?;
    let audit = AuditContext {
        request_id: request_id.to_owned(),
        actor_id: None,
        ap_id: Some(placement.ap_id.clone()),
        at: now,
    };
    let code_id = ids::new_id("code")?;
    db.batch(vec![
        query!(
            db,
            "INSERT INTO share_codes (id, share_id, code_digest, sent_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            &code_id,
            &row.id,
            &share::code_digest(&row.id, &code),
            &clock::stamp(now),
            &clock::stamp(expires)
        )?,
        audit.entry(
            db,
            "share.code_sent",
            "placement",
            &row.placement_id,
            &[Change::set("share_id", row.id.clone())],
        )?,
    ])
    .await?;
    let personalisation = BTreeMap::from([
        ("name".to_owned(), row.recipient_name.clone()),
        ("code".to_owned(), code),
    ]);
    outbound::send_email_after(
        ctx,
        env,
        Template::ShareCode,
        row.recipient_email.clone(),
        personalisation,
        format!("share_code:{}", row.id),
        now,
    );
    Ok(http::json(
        202,
        &ShareCodeSent {
            sent_to: share::mask_email(&row.recipient_email),
            code_expires_at: expires,
        },
    ))
}

#[derive(Deserialize)]
struct CodeRow {
    id: String,
    code_digest: String,
    attempts: u32,
}

pub async fn open(
    req: &mut Request,
    db: &D1Database,
    now: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<Response> {
    let body: OpenShare = http::read_json(req).await?;
    if !share::looks_like_code(&body.code) {
        return Err(
            ErrorDetail::invalid("code", "the code is the six digits from the email").into(),
        );
    }
    let row = open_share(db, &body.token, now).await?;
    let latest: Option<CodeRow> = query!(
        db,
        "SELECT id, code_digest, attempts FROM share_codes
         WHERE share_id = ?1 AND used_at IS NULL AND expires_at > ?2
         ORDER BY sent_at DESC LIMIT 1",
        &row.id,
        &clock::stamp(now)
    )?
    .first(None)
    .await?;
    let Some(code) = latest else {
        return Err(ErrorDetail::invalid(
            "code",
            "this code has expired or been used; ask for a new one",
        )
        .into());
    };
    if code.attempts >= share::CODE_ATTEMPTS {
        return Err(ApiError::new(
            ErrorCode::TooManyRequests,
            "too many wrong tries; ask for a new code",
        ));
    }
    if share::code_digest(&row.id, &share::normalise_code(&body.code)) != code.code_digest {
        query!(
            db,
            "UPDATE share_codes SET attempts = attempts + 1 WHERE id = ?1",
            &code.id
        )?
        .run()
        .await?;
        return Err(ErrorDetail::invalid("code", "that code is not right").into());
    }
    let placement = export::summary(db, &row.placement_id).await?;
    let key = auth::new_token()?;
    let until = now + share::ACCESS_LIFETIME;
    let audit = AuditContext {
        request_id: request_id.to_owned(),
        actor_id: None,
        ap_id: Some(placement.ap_id.clone()),
        at: now,
    };
    // The code is used and the opening audited in one batch: the audit
    // entry is written only if this request's reading key won the code, so
    // two requests with the same code cannot both open it, and no opening
    // goes unrecorded.
    let key_digest = credentials::token_digest(&key);
    let claim = Claim {
        table: "share_codes",
        key_column: "id",
        key: code.id.clone(),
        request_column: "access_digest",
        request_id: key_digest.clone(),
    };
    let results = db
        .batch(vec![
            query!(
                db,
                "UPDATE share_codes SET used_at = ?1, access_digest = ?2, access_until = ?3
                 WHERE id = ?4 AND used_at IS NULL",
                &clock::stamp(now),
                &key_digest,
                &clock::stamp(until),
                &code.id
            )?,
            audit.entry_if_claimed(
                db,
                &claim,
                "share.opened",
                "placement",
                &row.placement_id,
                &[
                    Change::set("share_id", row.id.clone()),
                    Change::set("recipient_email", row.recipient_email.clone()),
                ],
            )?,
        ])
        .await?;
    if !results.first().is_some_and(crate::db::wrote) {
        return Err(
            ErrorDetail::invalid("code", "this code has been used; ask for a new one").into(),
        );
    }
    let export = export::assemble(db, &placement, now).await?;
    let response = http::json(
        200,
        &SharedExport {
            access_until: until,
            export,
        },
    );
    response.headers().set(
        "set-cookie",
        &format!(
            "{COOKIE}={key}; Path=/api/shared; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
            share::ACCESS_LIFETIME.num_seconds()
        ),
    )?;
    Ok(response)
}

#[derive(Deserialize)]
struct AccessRow {
    share_id: String,
}

/// The opened export again, as JSON, HTML or PDF, while the reading key lasts.
pub async fn read(
    req: &Request,
    env: &Env,
    db: &D1Database,
    now: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<Response> {
    let format = export::requested_format(req)?;
    let unopened = || {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "open the link and enter the emailed code first",
        )
    };
    let key = http::cookie(req, COOKIE).ok_or_else(unopened)?;
    let access: Option<AccessRow> = query!(
        db,
        "SELECT share_id FROM share_codes WHERE access_digest = ?1 AND access_until > ?2",
        &credentials::token_digest(&key),
        &clock::stamp(now)
    )?
    .first(None)
    .await?;
    let access = access.ok_or_else(unopened)?;
    let row = by(db, "s.id = ?1", &access.share_id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(unopened)?;
    if row.state(now)? != LinkState::Open {
        return Err(ApiError::new(
            ErrorCode::Gone,
            "this link has expired or been withdrawn by the AP",
        ));
    }
    let placement = export::summary(db, &row.placement_id).await?;
    let exported = export::assemble(db, &placement, now).await?;
    let response = export::respond(env, &exported, format).await?;
    AuditContext {
        request_id: request_id.to_owned(),
        actor_id: None,
        ap_id: Some(placement.ap_id.clone()),
        at: now,
    }
    .entry(
        db,
        "share.read",
        "placement",
        &row.placement_id,
        &[
            Change::set("share_id", row.id.clone()),
            Change::set("format", export::format_name(format)),
        ],
    )?
    .run()
    .await?;
    Ok(response)
}
