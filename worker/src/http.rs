//! Reading requests and writing responses the same way everywhere.

use futures_util::StreamExt;
use lt_core::api::{ErrorCode, MAX_JSON_BODY_BYTES, parse_json};
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Request, Response};

use crate::error::{ApiError, ApiResult};

pub fn json<T: Serialize>(status: u16, body: &T) -> Response {
    // Our own types always serialise; "{}" only guards against a future mistake.
    json_text(
        status,
        serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec()),
    )
}

/// A body that is JSON already.
pub fn json_text(status: u16, text: Vec<u8>) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    Response::builder()
        .with_status(status)
        .with_headers(headers)
        .fixed(text)
}

pub fn no_content() -> Response {
    Response::builder().with_status(204).empty()
}

pub fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// The JSON body as `T`: 415 if it is not JSON, 413 if too large, 400 naming
/// the field at fault otherwise.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    read_json_up_to(req, MAX_JSON_BODY_BYTES).await
}

/// [`read_json`] for the few bodies that are whole documents, with their own limit.
pub async fn read_json_up_to<T: DeserializeOwned>(req: &mut Request, limit: usize) -> ApiResult<T> {
    let content_type = header(req, "content-type").unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ));
    }
    let bytes = body_up_to(req, limit).await.map_err(|fault| match fault {
        BodyFault::TooLarge => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit} bytes"),
        ),
        BodyFault::Unreadable => ApiError::new(
            ErrorCode::MalformedJson,
            "the request body could not be read",
        ),
    })?;
    Ok(parse_json(&bytes)?)
}

/// Why a body was not read.
pub enum BodyFault {
    TooLarge,
    Unreadable,
}

/// The body's bytes, refused as soon as they pass `limit`.
pub async fn body_up_to(req: &mut Request, limit: usize) -> Result<Vec<u8>, BodyFault> {
    let declared = header(req, "content-length").and_then(|v| v.trim().parse::<usize>().ok());
    match declared {
        Some(n) if n > limit => Err(BodyFault::TooLarge),
        // The runtime holds a body to its declared length.
        Some(_) => req.bytes().await.map_err(|_| BodyFault::Unreadable),
        None if req.inner().body().is_none() => Ok(Vec::new()),
        // Sent without a length: read as it comes and stop at the limit, so a
        // stream of any size cannot fill the isolate's memory (and end the
        // other requests it is serving).
        None => {
            let mut stream = req.stream().map_err(|_| BodyFault::Unreadable)?;
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|_| BodyFault::Unreadable)?;
                if bytes.len() + chunk.len() > limit {
                    return Err(BodyFault::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(bytes)
        }
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    header(req, "cookie")?.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}
