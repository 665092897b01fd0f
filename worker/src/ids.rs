//! Random identifiers for new records and requests.

use crate::error::{ApiError, ApiResult};

/// `prefix-` and 16 random hex digits (64 bits): unguessable, short in URLs.
pub fn new_id(prefix: &str) -> ApiResult<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Unexpected(format!("no randomness: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{prefix}-{hex}"))
}

pub fn new_salt() -> ApiResult<[u8; lt_core::credentials::SALT_BYTES]> {
    let mut salt = [0u8; lt_core::credentials::SALT_BYTES];
    getrandom::fill(&mut salt).map_err(|e| ApiError::Unexpected(format!("no randomness: {e}")))?;
    Ok(salt)
}
