//! D1 access shared by the routes.

use lt_core::api::ErrorCode;
use worker::Env;
use worker::d1::D1Database;

use crate::error::{ApiError, ApiResult};

pub fn open(env: &Env) -> ApiResult<D1Database> {
    env.d1("DB")
        .map_err(|e| ApiError::Unexpected(format!("D1 binding DB missing: {e}")))
}

/// For the health check: an unreachable database is a 503, not a 500.
pub fn unavailable(err: worker::Error) -> ApiError {
    worker::console_error!("D1 unreachable: {err}");
    ApiError::new(
        ErrorCode::Unavailable,
        "the database cannot be reached; try again in a minute",
    )
}

/// Whether a write changed any row: an insert that found its key taken, or
/// an update whose guard failed, did not.
pub fn wrote(result: &worker::D1Result) -> bool {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.changes)
        .unwrap_or(0)
        > 0
}
