//! Sharing the Reintegration Export outside LearnTrek, over the wire.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::ReintegrationExport;

/// `POST /api/placements/{placement_id}/shares`: send the export to a named
/// person by a link that needs a code from their email to open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShare {
    pub recipient_email: String,
    pub recipient_name: String,
    /// How long the link works: 1 to 30 days, 14 when not given.
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShareState {
    Open,
    Expired,
    Revoked,
}

/// A share as its AP sees it (never its token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Share {
    pub share_id: String,
    pub placement_id: String,
    pub recipient_email: String,
    pub recipient_name: String,
    pub shared_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub state: ShareState,
    /// How many times the recipient has opened it with a code.
    pub opened: u32,
}

/// `GET /api/placements/{placement_id}/shares`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShareList {
    pub shares: Vec<Share>,
}

/// `POST /api/shared/code`: the recipient, holding the link, asks for a code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareCodeRequest {
    /// The token from the link (after `#`).
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShareCodeSent {
    /// The recipient's address, masked: where to look for the code.
    pub sent_to: String,
    pub code_expires_at: DateTime<Utc>,
}

/// `POST /api/shared/open`: the link's token and the code from the email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenShare {
    pub token: String,
    pub code: String,
}

/// The export, opened; the HTML and PDF can then be read from
/// `/api/shared/export` until `access_until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SharedExport {
    pub access_until: DateTime<Utc>,
    pub export: ReintegrationExport,
}
