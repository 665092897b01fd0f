//! The progress log over the wire: one save per request, idempotent on the
//! device's id like a mark, so the outbox can replay it.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::progress::{Effect, Engagement, IncidentKind, Severity};

/// One behaviour incident in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub kind: IncidentKind,
    pub severity: Severity,
    /// London wall-clock time it happened (`HH:MM`).
    pub time: NaiveTime,
    /// What set it off, as far as anyone could tell.
    #[serde(default)]
    pub trigger: String,
    /// What the adult did.
    #[serde(default)]
    pub strategy: String,
    /// How it ended.
    #[serde(default)]
    pub outcome: String,
}

/// A strategy used in the session and how well it worked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyUse {
    pub strategy: String,
    pub effect: Effect,
}

/// `PUT /api/progress/{save_id}`: a session's progress entry, or a new
/// version of it (the same `entry_id`, a new `save_id`). Every version is
/// kept; the one saved latest on its device is the entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// Made by the device when the entry is first written; kept for edits.
    #[schemars(pattern(super::DEVICE_ID_PATTERN))]
    pub entry_id: String,
    pub session_id: String,
    /// The date of the session (Europe/London).
    pub date: NaiveDate,
    pub engagement: Engagement,
    #[serde(default)]
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub strategies: Vec<StrategyUse>,
    /// Anything else the next adult should know.
    #[serde(default)]
    pub note: String,
    /// When it was saved, by the device's clock.
    pub device_time: DateTime<Utc>,
}

/// One version of a progress entry as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProgressRecord {
    pub save_id: String,
    pub entry_id: String,
    pub session_id: String,
    pub date: NaiveDate,
    pub placement_id: String,
    pub engagement: Engagement,
    pub incidents: Vec<Incident>,
    pub strategies: Vec<StrategyUse>,
    pub note: String,
    pub recorded_by: Option<String>,
    pub device_time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// How many versions the entry has, this one included.
    pub versions: u32,
}

/// `GET /api/placements/{placement_id}/progress`: the current version of
/// each entry, newest session first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProgressLog {
    pub entries: Vec<ProgressRecord>,
}

/// `GET /api/placements/{placement_id}/progress/{entry_id}`: every saved
/// version of one entry, oldest first (the last is the entry as it stands).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProgressHistory {
    pub versions: Vec<ProgressRecord>,
}

/// `POST /api/placements/{placement_id}/reviews`: where the pupil is now,
/// and what the staff who know them want the next school to hear. A level
/// left out keeps the one reviewed before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    #[serde(default)]
    pub reading_age: Option<String>,
    #[serde(default)]
    pub english_level: Option<String>,
    #[serde(default)]
    pub maths_level: Option<String>,
    #[serde(default)]
    pub commentary: String,
}

/// A review as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Review {
    pub review_id: String,
    pub placement_id: String,
    pub reading_age: Option<String>,
    pub english_level: Option<String>,
    pub maths_level: Option<String>,
    pub commentary: String,
    /// The name of whoever wrote it.
    pub written_by: String,
    pub written_at: DateTime<Utc>,
}

/// `GET /api/placements/{placement_id}/reviews`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewList {
    pub reviews: Vec<Review>,
}

/// The three forms of the Reintegration Export, all with the same content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// `learntrek.reintegration-export.v1`, described in the OpenAPI document.
    #[default]
    Json,
    /// An accessible page to read on screen or print.
    Html,
    /// A4, text selectable, fonts embedded.
    Pdf,
}

/// `GET /api/placements/{placement_id}/export`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// json (the default), html or pdf.
    #[serde(default)]
    pub format: ExportFormat,
}
