//! Registers over the wire: one mark per request, idempotent on the
//! client-generated id so that an outbox can replay it safely.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::attendance::{AbsenceReason, HalfDay, MarkKind};
use crate::handover::{HandoverKind, Location};

/// `PUT /api/marks/{mark_id}`: the id is made by the device, so a mark sent
/// twice (a retry, a replayed outbox) is recorded once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRequest {
    pub session_id: String,
    /// The date of the session (Europe/London).
    pub date: NaiveDate,
    pub kind: MarkKind,
    /// For a late mark: minutes after the session's start.
    #[serde(default)]
    pub minutes_late: Option<u32>,
    /// For an absence.
    #[serde(default)]
    pub reason: Option<AbsenceReason>,
    /// When the tap happened, by the device's clock.
    pub device_time: DateTime<Utc>,
}

/// A mark as recorded, with its codes for both registers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MarkRecord {
    pub id: String,
    pub session_id: String,
    pub date: NaiveDate,
    pub placement_id: String,
    pub kind: MarkKind,
    pub minutes_late: Option<u32>,
    pub reason: Option<AbsenceReason>,
    pub half_day: HalfDay,
    /// The DfE code in the AP's register.
    pub ap_code: String,
    /// The DfE code in the commissioning school's register (B or K when
    /// attending the provision they arranged).
    pub school_code: String,
    pub marked_by: Option<String>,
    pub device_time: DateTime<Utc>,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// Whether this is the mark that counts for the session now, by the
    /// conflict rule (a later correction or a real mark may outrank it).
    pub current: bool,
}

/// `GET /api/attendance.csv`: the commissioning school's feed for its own
/// register, one row per pupil per half-day with a mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceQuery {
    /// First day (Europe/London).
    pub from: NaiveDate,
    /// Last day, inclusive; the same as `from` when not given. At most 366 days.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// `PUT /api/handovers/{handover_id}`: an escort's one-tap confirmation,
/// idempotent on the device's id like a mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    pub session_id: String,
    /// The date of the session (Europe/London).
    pub date: NaiveDate,
    pub kind: HandoverKind,
    /// When the tap happened, by the device's clock.
    pub device_time: DateTime<Utc>,
    /// Only when the escort agreed to share it for this tap.
    #[serde(default)]
    pub location: Option<Location>,
}

/// A hand-over as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HandoverRecord {
    pub id: String,
    pub session_id: String,
    pub date: NaiveDate,
    pub kind: HandoverKind,
    pub recorded_by: Option<String>,
    pub device_time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// Whether a location was kept with it (the place itself is not echoed).
    pub located: bool,
}
