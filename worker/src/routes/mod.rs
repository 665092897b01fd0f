//! Dispatch: one exhaustive `match` over [`Endpoint`], so every route in the
//! table has a handler and the OpenAPI document lists exactly these routes.

mod audit;
mod directory;
mod health;
mod invitations;
mod passwords;
mod people;
mod placements;
mod session;
mod today;

use lt_core::api::{Endpoint, ErrorCode, Resolution};
use worker::{Env, Request, Response};

use lt_core::access::ApManager;

use crate::audit::AuditContext;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::{clock, db, http, ids};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn handle(mut req: Request, env: &Env) -> Response {
    dispatch(&mut req, env)
        .await
        .unwrap_or_else(ApiError::into_response)
}

async fn dispatch(req: &mut Request, env: &Env) -> ApiResult<Response> {
    let method = req.method().to_string();
    let (endpoint, params) = match Endpoint::resolve(&method, &req.path()) {
        Resolution::Found(endpoint, params) => (endpoint, params),
        Resolution::NotFound => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("there is no {} route", req.path()),
            ));
        }
        Resolution::MethodNotAllowed(allowed) => {
            let list: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
            let response = ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!("{method} is not allowed here; use {}", list.join(" or ")),
            )
            .into_response();
            // RFC 9110 §15.5.6: a 405 lists the methods the resource has.
            response.headers().set("allow", &list.join(", "))?;
            return Ok(response);
        }
    };
    let now = clock::now();
    let request_id = request_id(req)?;
    let param = |name: &str| params.get(name).unwrap_or_default().to_owned();
    match endpoint {
        Endpoint::Health => health::get(env).await,
        Endpoint::OpenApi => Ok(http::json(200, &lt_core::openapi::document(VERSION))),
        Endpoint::SignIn => session::sign_in(req, env, &db::open(env)?, now).await,
        Endpoint::LookUpInvitation => invitations::look_up(req, &db::open(env)?, now).await,
        Endpoint::AcceptInvitation => {
            invitations::accept(req, env, &db::open(env)?, now, &request_id).await
        }
        Endpoint::RequestPasswordReset => {
            passwords::request(req, env, &db::open(env)?, now, &request_id).await
        }
        Endpoint::CompletePasswordReset => {
            passwords::complete(req, env, &db::open(env)?, now, &request_id).await
        }
        Endpoint::SignOut => {
            let db = db::open(env)?;
            let caller = signed_in_write(req, env, &db, now).await?;
            session::sign_out(&db, &caller).await
        }
        Endpoint::Me => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            Ok(session::me(&caller))
        }
        Endpoint::Today => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            today::get(&db, &caller, now).await
        }
        Endpoint::ListInvitations => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            let manager = manager(&caller, &param("ap_id"))?;
            invitations::list(&db, &manager, now).await
        }
        Endpoint::CreateInvitation => {
            let db = db::open(env)?;
            let caller = signed_in_write(req, env, &db, now).await?;
            let manager = manager(&caller, &param("ap_id"))?;
            let audit = audit_context(&caller, manager.ap_id(), &request_id, now);
            invitations::create(req, env, &db, &manager, &audit).await
        }
        Endpoint::GetPlacement => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            let audit = AuditContext {
                request_id: request_id.clone(),
                actor_id: Some(caller.principal.person_id.clone()),
                ap_id: None,
                at: now,
            };
            placements::get(&db, &caller, &param("placement_id"), audit).await
        }
        Endpoint::GetDirectory => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            directory::get(&db, &manager(&caller, &param("ap_id"))?).await
        }
        Endpoint::ListPeople => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            people::list(&db, &manager(&caller, &param("ap_id"))?).await
        }
        Endpoint::RemovePerson => {
            let db = db::open(env)?;
            let caller = signed_in_write(req, env, &db, now).await?;
            let manager = manager(&caller, &param("ap_id"))?;
            let audit = audit_context(&caller, manager.ap_id(), &request_id, now);
            people::remove(&db, &manager, &param("person_id"), &audit).await
        }
        Endpoint::ListAudit => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            audit::list(req, &db, &manager(&caller, &param("ap_id"))?).await
        }
        Endpoint::ExportAudit => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, env, &db, now).await?;
            audit::export(req, &db, &manager(&caller, &param("ap_id"))?).await
        }
        Endpoint::RevokeInvitation => {
            let db = db::open(env)?;
            let caller = signed_in_write(req, env, &db, now).await?;
            let manager = manager(&caller, &param("ap_id"))?;
            let audit = audit_context(&caller, manager.ap_id(), &request_id, now);
            invitations::revoke(&db, &manager, &param("invitation_id"), &audit).await
        }
    }
}

/// The caller's authority over the AP in the path. Any other AP, and one that
/// does not exist, answer the same 404.
fn manager(caller: &Caller, ap_id: &str) -> ApiResult<ApManager> {
    caller
        .principal
        .manager_of(ap_id)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "there is no such AP in your account"))
}

fn audit_context(
    caller: &Caller,
    ap_id: &str,
    request_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AuditContext {
    AuditContext {
        request_id: request_id.to_owned(),
        actor_id: Some(caller.principal.person_id.clone()),
        ap_id: Some(ap_id.to_owned()),
        at: now,
    }
}

/// Cloudflare's ray id when there is one, so audit entries match its logs.
fn request_id(req: &Request) -> ApiResult<String> {
    match http::header(req, "cf-ray") {
        Some(ray) if !ray.is_empty() && ray.len() <= 64 => Ok(ray),
        _ => ids::new_id("req"),
    }
}

/// A signed-in caller for a request that changes something.
async fn signed_in_write(
    req: &Request,
    env: &Env,
    db: &worker::d1::D1Database,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Caller> {
    auth::refuse_cross_site(req)?;
    auth::authenticate(req, env, db, now).await
}
