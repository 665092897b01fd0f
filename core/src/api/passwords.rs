use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `POST /api/password-resets`: email me a link to choose a new password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

/// The same answer whether or not the address has an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PasswordResetRequested {
    pub message: String,
}

/// `POST /api/password-resets/complete`: the token from the link and the new password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletePasswordReset {
    pub token: String,
    /// The new password (common ones are refused too).
    #[schemars(length(
        min = crate::credentials::MIN_PASSWORD_CHARS,
        max = crate::credentials::MAX_PASSWORD_CHARS
    ))]
    pub password: String,
}
