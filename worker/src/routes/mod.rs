//! Dispatch: one exhaustive `match` over [`Endpoint`], so every route in the
//! table has a handler and the OpenAPI document lists exactly these routes.

mod alerts;
mod attendance;
mod audit;
mod baseline;
mod contacts;
mod directory;
mod export;
mod handovers;
mod health;
mod invitations;
mod joining;
pub(crate) mod marks;
mod passwords;
mod people;
mod placements;
mod progress;
mod push;
mod records;
pub(crate) mod retention;
mod reviews;
mod session;
mod shares;
mod steps;
mod terms;
pub(crate) mod timetable;
mod today;

use lt_core::access::ApManager;
use lt_core::api::{Audience, Endpoint, ErrorCode, Method, Resolution};
use lt_core::gate::Transition;
use worker::{Context, Env, Request, Response};

use crate::audit::AuditContext;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::{clock, db, http, ids, live};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn handle(mut req: Request, env: &Env, ctx: &Context) -> Response {
    dispatch(&mut req, env, ctx)
        .await
        .unwrap_or_else(ApiError::into_response)
}

async fn dispatch(req: &mut Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    // The method as sent: workers-rs reads any method it does not know
    // (QUERY, PROPFIND…) as GET, which would answer them as if they were GETs.
    let method = req.inner().method();
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
    let placement_id = param("placement_id");
    let tap = marks::Tap::read(endpoint, req).await;
    let early = match &tap {
        Some(tap) => tap.reads(&db::open(env)?)?,
        None => Vec::new(),
    };
    // The route table says who may call; the gate enforces it before any handler runs.
    let (gate, read) = Gate::check(endpoint, req, env, &params, now, early).await?;
    if let Some(limit) = lt_core::rate_limit::by_address(endpoint) {
        let address = crate::rate_limit::address(req);
        crate::rate_limit::spend(&db::open(env)?, limit, &address, now).await?;
    }
    let audit = |ap_id: &str| gate.audit(ap_id, &request_id, now);
    // A placement's AP is not in its path: its handler fills it in.
    let unplaced = || gate.audit_unplaced(&request_id, now);
    match endpoint {
        Endpoint::Health => health::get(env).await,
        Endpoint::OpenApi => Ok(http::json_text(200, lt_core::openapi::DOCUMENT.into())),
        Endpoint::SignIn => session::sign_in(req, env, &db::open(env)?, now).await,
        Endpoint::LookUpInvitation => joining::look_up(req, &db::open(env)?, now).await,
        Endpoint::AcceptInvitation => {
            joining::accept(req, env, &db::open(env)?, now, &request_id).await
        }
        Endpoint::RequestPasswordReset => {
            passwords::request(req, env, ctx, &db::open(env)?, now, &request_id).await
        }
        Endpoint::CompletePasswordReset => {
            passwords::complete(req, env, &db::open(env)?, now, &request_id).await
        }
        Endpoint::SignOut => session::sign_out(&db::open(env)?, gate.caller()?).await,
        Endpoint::Me => Ok(session::me(gate.caller()?)),
        Endpoint::Today => today::get(&db::open(env)?, gate.caller()?, now).await,
        Endpoint::GetPlacement => {
            let audit = unplaced()?;
            placements::get(&db::open(env)?, gate.caller()?, &placement_id, audit, now).await
        }
        Endpoint::ListPlacements => placements::list(&db::open(env)?, gate.caller()?, now).await,
        Endpoint::CreatePlacement => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            placements::create(req, &db::open(env)?, gate.caller()?, manager, &audit).await
        }
        Endpoint::GetBaseline => {
            let audit = unplaced()?;
            baseline::get(&db::open(env)?, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::SaveBaselineSection => {
            let audit = unplaced()?;
            let section = param("section");
            baseline::save(
                req,
                &db::open(env)?,
                gate.caller()?,
                &placement_id,
                &section,
                audit,
            )
            .await
        }
        Endpoint::ImportCtf => {
            let audit = unplaced()?;
            baseline::import_ctf(req, &db::open(env)?, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::SubmitBaseline
        | Endpoint::AcceptBaseline
        | Endpoint::ReturnBaseline
        | Endpoint::EndPlacement => {
            let step = match endpoint {
                Endpoint::SubmitBaseline => Transition::Submit,
                Endpoint::AcceptBaseline => Transition::Accept,
                Endpoint::ReturnBaseline => Transition::Return,
                _ => Transition::End,
            };
            let audit = unplaced()?;
            steps::take(
                req,
                &db::open(env)?,
                gate.caller()?,
                &placement_id,
                step,
                audit,
            )
            .await
        }
        Endpoint::GetTimetable => {
            timetable::get(&db::open(env)?, gate.caller()?, &placement_id, now).await
        }
        Endpoint::AddSession => {
            let audit = unplaced()?;
            timetable::add(req, &db::open(env)?, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::RemoveSession => {
            let audit = unplaced()?;
            let session = param("session_id");
            timetable::remove(
                &db::open(env)?,
                gate.caller()?,
                &placement_id,
                &session,
                audit,
            )
            .await
        }
        Endpoint::ChangeSession => {
            let audit = unplaced()?;
            let (session, date) = (param("session_id"), param("date"));
            timetable::change(
                req,
                &db::open(env)?,
                gate.caller()?,
                &placement_id,
                &session,
                &date,
                audit,
            )
            .await
        }
        Endpoint::SetContacts => {
            let audit = unplaced()?;
            contacts::set(req, &db::open(env)?, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::PutMark | Endpoint::PutHandover => {
            let (db, caller) = (db::open(env)?, gate.caller()?);
            let (response, changed_ap) = match tap {
                Some(marks::Tap::Mark(body)) => {
                    let id = param("mark_id");
                    marks::put(body, read, &db, caller, &id, now, &request_id).await?
                }
                Some(marks::Tap::Handover(body)) => {
                    let id = param("handover_id");
                    handovers::put(body, read, &db, caller, &id, now, &request_id).await?
                }
                None => return Err(ApiError::Unexpected("a tap route without its body".into())),
            };
            if let Some(ap_id) = changed_ap {
                live::changed(env, ctx, &ap_id);
            }
            Ok(response)
        }
        Endpoint::Live => live::connect(req, env, &param("ap_id")).await,
        Endpoint::ExportAttendance => {
            attendance::export(req, &db::open(env)?, gate.caller()?).await
        }
        Endpoint::GetTerms => terms::get(&db::open(env)?, gate.manager()?).await,
        Endpoint::SaveTerms => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            terms::save(req, &db::open(env)?, manager, &audit).await
        }
        Endpoint::GetDirectory => directory::get(&db::open(env)?, gate.manager()?).await,
        Endpoint::ListPeople => people::list(&db::open(env)?, gate.manager()?).await,
        Endpoint::RemovePerson => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            people::remove(&db::open(env)?, manager, &param("person_id"), &audit).await
        }
        Endpoint::ListAlerts => alerts::list(&db::open(env)?, gate.caller()?).await,
        Endpoint::GetAlert => {
            alerts::get(&db::open(env)?, gate.caller()?, &param("alert_id")).await
        }
        Endpoint::AcknowledgeAlert => {
            let audit = unplaced()?;
            alerts::acknowledge(&db::open(env)?, gate.caller()?, &param("alert_id"), audit).await
        }
        Endpoint::CloseAlert => {
            let audit = unplaced()?;
            alerts::close(
                req,
                &db::open(env)?,
                gate.caller()?,
                &param("alert_id"),
                audit,
            )
            .await
        }
        Endpoint::GetAlertSettings => alerts::get_settings(&db::open(env)?, gate.manager()?).await,
        Endpoint::SaveAlertSettings => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            alerts::save_settings(req, &db::open(env)?, manager, &audit).await
        }
        Endpoint::GetPushKey => push::key(env),
        Endpoint::AddPushSubscription => {
            push::subscribe(req, &db::open(env)?, gate.caller()?).await
        }
        Endpoint::RemovePushSubscription => {
            push::unsubscribe(req, &db::open(env)?, gate.caller()?).await
        }
        Endpoint::SetPhone => {
            let audit = unplaced()?;
            push::set_phone(req, &db::open(env)?, gate.caller()?, &audit).await
        }
        Endpoint::PutProgress => {
            progress::put(
                req,
                &db::open(env)?,
                gate.caller()?,
                &param("save_id"),
                now,
                &request_id,
            )
            .await
        }
        Endpoint::GetProgress => {
            progress::log(&db::open(env)?, gate.caller()?, &placement_id).await
        }
        Endpoint::GetProgressHistory => {
            let entry_id = param("entry_id");
            progress::history(&db::open(env)?, gate.caller()?, &placement_id, &entry_id).await
        }
        Endpoint::ListReviews => {
            reviews::list(&db::open(env)?, gate.caller()?, &placement_id).await
        }
        Endpoint::AddReview => {
            let audit = unplaced()?;
            reviews::add(req, &db::open(env)?, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::GetExport => {
            let audit = unplaced()?;
            export::get(
                req,
                env,
                &db::open(env)?,
                gate.caller()?,
                &placement_id,
                audit,
            )
            .await
        }
        Endpoint::ListShares => {
            shares::list(&db::open(env)?, gate.caller()?, &placement_id, now).await
        }
        Endpoint::CreateShare => {
            let audit = unplaced()?;
            let db = db::open(env)?;
            shares::create(req, env, ctx, &db, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::RevokeShare => {
            let audit = unplaced()?;
            let share_id = param("share_id");
            shares::revoke(
                &db::open(env)?,
                gate.caller()?,
                &placement_id,
                &share_id,
                audit,
            )
            .await
        }
        Endpoint::SendShareCode => {
            shares::send_code(req, env, ctx, &db::open(env)?, now, &request_id).await
        }
        Endpoint::OpenShare => shares::open(req, &db::open(env)?, now, &request_id).await,
        Endpoint::GetSharedExport => {
            shares::read(req, env, &db::open(env)?, now, &request_id).await
        }
        Endpoint::GetRetention => retention::get(&db::open(env)?, gate.manager()?).await,
        Endpoint::SaveRetention => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            retention::save(req, &db::open(env)?, manager, &audit).await
        }
        Endpoint::ExportRecord => {
            let audit = unplaced()?;
            records::export(&db::open(env)?, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::ImportRecord => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            records::import(req, &db::open(env)?, manager, &audit).await
        }
        Endpoint::EraseRecord => {
            let audit = unplaced()?;
            retention::erase(req, &db::open(env)?, gate.caller()?, &placement_id, audit).await
        }
        Endpoint::ListAudit => audit::list(req, &db::open(env)?, gate.manager()?).await,
        Endpoint::ExportAudit => audit::export(req, &db::open(env)?, gate.manager()?).await,
        Endpoint::ListInvitations => invitations::list(&db::open(env)?, gate.manager()?, now).await,
        Endpoint::CreateInvitation => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            invitations::create(req, env, &db::open(env)?, manager, &audit).await
        }
        Endpoint::RevokeInvitation => {
            let manager = gate.manager()?;
            let audit = audit(manager.ap_id())?;
            invitations::revoke(&db::open(env)?, manager, &param("invitation_id"), &audit).await
        }
    }
}

/// What the route's audience required, checked: nothing, a signed-in caller,
/// or a caller who manages the AP in the path.
enum Gate {
    Open,
    SignedIn(Caller),
    Manager(Caller, ApManager),
}

impl Gate {
    async fn check(
        endpoint: Endpoint,
        req: &Request,
        env: &Env,
        params: &lt_core::api::PathParams,
        now: chrono::DateTime<chrono::Utc>,
        reads: Vec<worker::d1::D1PreparedStatement>,
    ) -> ApiResult<(Gate, Vec<worker::d1::D1Result>)> {
        if endpoint.audience() == Audience::Anyone {
            return Ok((Gate::Open, Vec::new()));
        }
        // A cookie rides along with cross-site requests too; refuse those writes.
        if endpoint.method() != Method::Get || endpoint == Endpoint::Live {
            auth::refuse_cross_site(req)?;
        }
        let db = db::open(env)?;
        let (caller, read) = auth::authenticate(req, env, &db, now, reads).await?;
        let gate = match endpoint.audience() {
            Audience::ApManagers => {
                let ap_id = params.get("ap_id").unwrap_or_default();
                // Any other AP, and one that does not exist, answer the same 404.
                let manager = caller.principal.manager_of(ap_id).ok_or_else(|| {
                    ApiError::new(ErrorCode::NotFound, "there is no such AP in your account")
                })?;
                Gate::Manager(caller, manager)
            }
            Audience::ApMembers => {
                let ap_id = params.get("ap_id").unwrap_or_default();
                if !caller.principal.grants.iter().any(|g| g.ap_id == ap_id) {
                    return Err(ApiError::new(
                        ErrorCode::NotFound,
                        "there is no such AP in your account",
                    ));
                }
                Gate::SignedIn(caller)
            }
            // Placement scope is checked by the handler, which must load the
            // placement to know its AP; it can only see it through the rules.
            _ => Gate::SignedIn(caller),
        };
        Ok((gate, read))
    }

    fn caller(&self) -> ApiResult<&Caller> {
        match self {
            Gate::SignedIn(caller) | Gate::Manager(caller, _) => Ok(caller),
            Gate::Open => Err(ApiError::Unexpected(
                "route needs a caller but is open".into(),
            )),
        }
    }

    fn manager(&self) -> ApiResult<&ApManager> {
        match self {
            Gate::Manager(_, manager) => Ok(manager),
            _ => Err(ApiError::Unexpected("route needs an AP manager".into())),
        }
    }

    /// An audit context whose AP the handler fills in once it has loaded
    /// the record (a placement's AP is not in its path).
    fn audit_unplaced(
        &self,
        request_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ApiResult<AuditContext> {
        Ok(AuditContext {
            request_id: request_id.to_owned(),
            actor_id: Some(self.caller()?.principal.person_id.clone()),
            ap_id: None,
            at: now,
        })
    }

    fn audit(
        &self,
        ap_id: &str,
        request_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ApiResult<AuditContext> {
        Ok(AuditContext {
            request_id: request_id.to_owned(),
            actor_id: Some(self.caller()?.principal.person_id.clone()),
            ap_id: Some(ap_id.to_owned()),
            at: now,
        })
    }
}

/// Cloudflare's ray id when there is one, so audit entries match its logs.
fn request_id(req: &Request) -> ApiResult<String> {
    match http::header(req, "cf-ray") {
        Some(ray) if !ray.is_empty() && ray.len() <= 64 => Ok(ray),
        _ => ids::new_id("req"),
    }
}
