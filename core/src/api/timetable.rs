//! A placement's timetable over the wire: its weekly sessions, the next
//! fortnight's occurrences, and the edits an AP makes to them.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `GET /api/placements/{placement_id}/timetable`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Timetable {
    pub placement_id: String,
    /// Whether the caller may change it (the AP's admins and DSLs).
    pub editable: bool,
    pub sessions: Vec<SessionSlot>,
    /// Every occurrence from today for 14 days, cancelled ones included.
    pub upcoming: Vec<UpcomingSession>,
    /// The AP's venues and teaching staff, to choose from when editing.
    pub venues: Vec<Choice>,
    pub tutors: Vec<Choice>,
    pub escorts: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// One line of the weekly timetable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionSlot {
    pub id: String,
    /// ISO weekday: 1 is Monday, 7 Sunday.
    pub weekday: u8,
    /// London wall-clock `HH:MM`.
    pub start_time: String,
    pub end_time: String,
    pub venue_id: String,
    pub venue_name: String,
    pub tutor_id: Option<String>,
    pub tutor_name: Option<String>,
    pub escort_id: Option<String>,
    pub escort_name: Option<String>,
    pub pickup_place: Option<String>,
    pub pickup_time: Option<String>,
    /// The last date it runs, when it has been taken off the timetable.
    pub valid_until: Option<NaiveDate>,
}

/// One occurrence of a session on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UpcomingSession {
    pub session_id: String,
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub starts_local: String,
    pub ends_local: String,
    pub venue_name: String,
    pub cancelled: bool,
    /// Moved or cancelled for this date only, and why.
    pub change_reason: Option<String>,
}

/// `POST /api/placements/{placement_id}/sessions`: a new weekly session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    /// ISO weekday: 1 is Monday, 7 Sunday.
    pub weekday: u8,
    /// London wall-clock `HH:MM`.
    pub start_time: String,
    pub end_time: String,
    pub venue_id: String,
    #[serde(default)]
    pub tutor_id: Option<String>,
    /// Set when a taxi run brings the pupil; then the pick-up is required.
    #[serde(default)]
    pub escort_id: Option<String>,
    #[serde(default)]
    pub pickup_place: Option<String>,
    #[serde(default)]
    pub pickup_time: Option<String>,
    /// Minutes after the start before a missed-arrival alert, for this
    /// session only (none: the AP's setting).
    #[serde(default)]
    pub alert_grace_minutes: Option<u32>,
}

/// `PUT /api/placements/{placement_id}/sessions/{session_id}/dates/{date}`:
/// a one-off change to one occurrence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionChange {
    /// True to cancel the session on this date.
    pub cancelled: bool,
    /// New London times for this date only (both, or neither).
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    /// Why, for the people who see the change.
    pub reason: String,
}

/// The AP's term dates: `GET` and `PUT /api/aps/{ap_id}/terms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// Sessions happen only inside a term; no terms means every week.
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    #[schemars(length(min = 1, max = crate::timetable_edits::MAX_TERM_NAME_CHARS))]
    pub name: String,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
}
