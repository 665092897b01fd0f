//! Dispatch: one exhaustive `match` over [`Endpoint`], so every route in the
//! table has a handler and the OpenAPI document lists exactly these routes.

mod health;
mod session;
mod today;

use lt_core::api::{Endpoint, ErrorCode, Resolution};
use worker::{Env, Request, Response};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::{clock, db, http};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn handle(mut req: Request, env: &Env) -> Response {
    dispatch(&mut req, env)
        .await
        .unwrap_or_else(ApiError::into_response)
}

async fn dispatch(req: &mut Request, env: &Env) -> ApiResult<Response> {
    let method = req.method().to_string();
    let endpoint = match Endpoint::resolve(&method, &req.path()) {
        Resolution::Found(endpoint, _params) => endpoint,
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
    match endpoint {
        Endpoint::Health => health::get(env).await,
        Endpoint::OpenApi => Ok(http::json(200, &lt_core::openapi::document(VERSION))),
        Endpoint::SignIn => session::sign_in(req, &db::open(env)?, now).await,
        Endpoint::SignOut => {
            let db = db::open(env)?;
            let caller = signed_in_write(req, &db, now).await?;
            session::sign_out(&db, &caller).await
        }
        Endpoint::Me => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, &db, now).await?;
            session::me(&db, &caller).await
        }
        Endpoint::Today => {
            let db = db::open(env)?;
            let caller = auth::authenticate(req, &db, now).await?;
            today::get(&db, &caller, now).await
        }
    }
}

/// A signed-in caller for a request that changes something.
async fn signed_in_write(
    req: &Request,
    db: &worker::d1::D1Database,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Caller> {
    auth::refuse_cross_site(req)?;
    auth::authenticate(req, db, now).await
}
