//! Registers over the wire: one mark per request, idempotent on the
//! client-generated id so that an outbox can replay it safely.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ErrorDetail;
use crate::attendance::{AbsenceReason, HalfDay, MarkKind};
use crate::handover::{HandoverKind, Location};

/// What [`check_device_id`] accepts, for the OpenAPI document.
pub const DEVICE_ID_PATTERN: &str = "^[A-Za-z0-9-]{8,64}$";

/// An id made by the device for what it sends (a mark, a hand-over, a
/// progress save), so a retry is the same request: 8 to 64 letters, digits
/// and dashes (a UUID fits).
pub fn check_device_id(id: &str, field: &str) -> Result<(), ErrorDetail> {
    let ok =
        (8..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ErrorDetail::invalid(
            field,
            "an id made by the device is 8 to 64 letters, digits and dashes (a UUID)",
        ))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::string::string_regex;

    /// The document's pattern, without its anchors, as a generator.
    fn matching() -> impl Strategy<Value = String> {
        let inner = DEVICE_ID_PATTERN
            .trim_start_matches('^')
            .trim_end_matches('$');
        string_regex(inner).expect("the pattern is a regex")
    }

    proptest! {
        #[test]
        fn what_the_document_calls_a_device_id_is_accepted(id in matching()) {
            prop_assert!(check_device_id(&id, "mark_id").is_ok());
        }

        #[test]
        fn what_it_does_not_is_refused_with_the_field_named(
            id in "[A-Za-z0-9-]{0,7}|[A-Za-z0-9-]{65,80}|[A-Za-z0-9-]{0,30}[^A-Za-z0-9-][A-Za-z0-9-]{0,30}"
        ) {
            let refused = check_device_id(&id, "mark_id").expect_err("refused");
            prop_assert_eq!(refused.field.as_deref(), Some("mark_id"));
        }
    }
}
