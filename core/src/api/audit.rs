//! Reading the audit log (AP admins and DSLs).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most entries one page of the audit log holds.
pub const MAX_AUDIT_LIMIT: u32 = 500;

/// Filters for `GET /api/aps/{ap_id}/audit` and its CSV export, as query parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this action, e.g. `invitation.created` or `safeguarding.read`.
    #[serde(default)]
    pub action: Option<String>,
    /// Only what this person did.
    #[serde(default)]
    pub actor_id: Option<String>,
    /// Only entries at or after this instant (RFC 3339).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this instant (RFC 3339).
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
    /// Paging: only entries older than this id (from `next_before`).
    #[serde(default)]
    #[schemars(range(min = 1, max = 9_007_199_254_740_991i64))]
    pub before: Option<i64>,
    /// At most this many entries (1–500, default 100; the CSV export has no limit).
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_AUDIT_LIMIT))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub request_id: String,
    pub changes: Vec<AuditChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}
