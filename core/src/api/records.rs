//! Keeping and erasing a pupil's record, over the wire.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `PUT /api/aps/{ap_id}/retention`: how long the AP keeps a pupil's
/// record (the IRMS toolkit's default: until the pupil is 25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// The birthday on which an ended placement's record comes up for review.
    #[schemars(range(min = *crate::retention::AGES.start(), max = *crate::retention::AGES.end()))]
    pub keep_until_age: u32,
}

/// A record the daily review found due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RetentionDue {
    pub placement_id: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub ended_on: NaiveDate,
    pub review_on: NaiveDate,
}

/// `GET /api/aps/{ap_id}/retention`: the rule and what the latest daily
/// review listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RetentionReview {
    pub keep_until_age: u32,
    /// The day of the latest review (Europe/London); None before the first.
    pub listed_on: Option<NaiveDate>,
    pub due: Vec<RetentionDue>,
}

/// `POST /api/placements/{placement_id}/erase`: the AP admin types the
/// pupil's last name to confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRecord {
    pub confirm_last_name: String,
}

/// What went, table by table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErasedRows {
    pub what: String,
    pub rows: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Erased {
    pub placement_id: String,
    pub erased: Vec<ErasedRows>,
}

/// The version of the pupil record's shape.
pub const PUPIL_RECORD_SCHEMA: &str = "learntrek.pupil-record.v1";

/// Someone named in a record: their LearnTrek id, kept when the record
/// moves to another AP on the same LearnTrek, and their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RecordPerson {
    pub id: String,
    pub name: String,
}

/// An organisation named in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RecordOrganisation {
    pub name: String,
    pub kind: crate::domain::OrganisationKind,
}

/// `GET /api/placements/{placement_id}/record`: everything LearnTrek holds
/// about a pupil's placement, for a subject access request or to move the
/// record with the child (`POST /api/aps/{ap_id}/records`). Stored names
/// (states, kinds, reasons, codes) are the ones the API uses elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PupilRecord {
    /// Always `learntrek.pupil-record.v1` for this shape.
    pub schema: String,
    pub exported_at: DateTime<Utc>,
    /// The AP that held the record when it was exported.
    pub held_by: String,
    /// What moves with the child: an import recreates exactly this.
    pub content: RecordContent,
    /// The holding AP's alerts about the pupil.
    pub alerts: Vec<RecordAlert>,
    /// Every access to and change of the record in the holding AP's audit
    /// log, oldest first. It is that AP's log: an import does not copy it.
    pub access_log: Vec<RecordAccess>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordContent {
    pub pupil: RecordPupil,
    pub placement: RecordPlacement,
    /// Every value ever entered, oldest first (the latest of a field is its value).
    pub baseline: Vec<RecordBaselineEntry>,
    pub sessions: Vec<RecordSession>,
    /// Every mark made, corrections included, in date order.
    pub marks: Vec<RecordMark>,
    pub handovers: Vec<RecordHandover>,
    /// Every saved version of every progress entry.
    pub progress: Vec<RecordProgress>,
    pub reviews: Vec<RecordReview>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordPupil {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub upn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordPlacement {
    pub commissioner: RecordOrganisation,
    /// outreach, short_term or eotas.
    pub tier: String,
    /// referred, submitted, active or ended.
    pub state: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub ended_on: Option<NaiveDate>,
    pub events: Vec<RecordEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordEvent {
    pub from_state: String,
    pub to_state: String,
    pub comment: Option<String>,
    pub by: Option<RecordPerson>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordBaselineEntry {
    /// `section.key`, as in the baseline API.
    pub field: String,
    pub value: serde_json::Value,
    /// typed or imported (from a CTF).
    pub source: String,
    pub entered_by: Option<RecordPerson>,
    pub organisation: Option<RecordOrganisation>,
    pub entered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordSession {
    /// Names the session within this record (`s1`, `s2`, …).
    pub key: String,
    /// 1 = Monday (ISO 8601).
    pub weekday: u8,
    pub start_time: String,
    pub end_time: String,
    pub venue: String,
    pub tutor: Option<RecordPerson>,
    pub escort: Option<RecordPerson>,
    /// Where and when a taxi collects the pupil.
    pub pickup_place: Option<String>,
    pub pickup_time: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub changes: Vec<RecordSessionChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordSessionChange {
    pub date: NaiveDate,
    pub cancelled: bool,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordMark {
    pub session: String,
    pub date: NaiveDate,
    pub kind: String,
    pub minutes_late: Option<u32>,
    pub reason: Option<String>,
    pub half_day: String,
    pub ap_code: String,
    pub school_code: String,
    pub marked_by: Option<RecordPerson>,
    pub device_time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordHandover {
    pub session: String,
    pub date: NaiveDate,
    /// pick_up or drop_off.
    pub kind: String,
    pub recorded_by: Option<RecordPerson>,
    pub device_time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// Where, when the escort chose to share it.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub accuracy_m: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordProgress {
    /// Names the entry within this record (`e1`, `e2`, …); its versions share it.
    pub entry: String,
    pub session: String,
    pub date: NaiveDate,
    pub engagement: crate::progress::Engagement,
    pub incidents: Vec<super::Incident>,
    pub strategies: Vec<super::StrategyUse>,
    pub note: String,
    pub recorded_by: Option<RecordPerson>,
    pub device_time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordReview {
    pub reading_age: Option<String>,
    pub english_level: Option<String>,
    pub maths_level: Option<String>,
    pub commentary: String,
    pub written_by: Option<RecordPerson>,
    pub written_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordAlert {
    pub kind: String,
    pub date: NaiveDate,
    pub raised_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordAccess {
    pub at: DateTime<Utc>,
    pub by: Option<RecordPerson>,
    pub action: String,
    pub changes: serde_json::Value,
}

/// `POST /api/aps/{ap_id}/records` answers with the new placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordImported {
    pub placement_id: String,
}
