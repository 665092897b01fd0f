//! D1 access shared by the routes.

use chrono::{NaiveDate, NaiveTime};
use lt_core::api::ErrorCode;
use worker::Env;
use worker::d1::{D1Database, D1PreparedStatement, D1Result};

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

/// Two statements in one round trip (and one transaction), with both results.
pub async fn both(
    db: &D1Database,
    first: D1PreparedStatement,
    second: D1PreparedStatement,
) -> ApiResult<(D1Result, D1Result)> {
    let (a, b, _) = both_and(db, first, second, Vec::new()).await?;
    Ok((a, b))
}

/// [`both`], with `more` statements in the same round trip; their results
/// come back in order after the first two.
pub async fn both_and(
    db: &D1Database,
    first: D1PreparedStatement,
    second: D1PreparedStatement,
    more: Vec<D1PreparedStatement>,
) -> ApiResult<(D1Result, D1Result, Vec<D1Result>)> {
    let wanted = 2 + more.len();
    let mut batch = vec![first, second];
    batch.extend(more);
    let mut results = db.batch(batch).await?.into_iter();
    match (results.next(), results.next()) {
        (Some(a), Some(b)) if results.len() + 2 == wanted => Ok((a, b, results.collect())),
        _ => Err(ApiError::Unexpected(format!(
            "a batch of {wanted} statements did not give {wanted} results"
        ))),
    }
}

/// A date as D1 stores it (`YYYY-MM-DD`); anything else is a corrupt row.
pub fn date(text: &str) -> ApiResult<NaiveDate> {
    text.parse()
        .map_err(|_| ApiError::Unexpected(format!("stored date {text:?} is not a date")))
}

/// A clock time as D1 stores it (`HH:MM`); anything else is a corrupt row.
pub fn time(text: &str) -> ApiResult<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| ApiError::Unexpected(format!("stored time {text:?} is not a time")))
}
