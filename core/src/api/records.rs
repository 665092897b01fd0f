//! Keeping and erasing a pupil's record, over the wire.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `PUT /api/aps/{ap_id}/retention`: how long the AP keeps a pupil's
/// record (the IRMS toolkit's default: until the pupil is 25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// The birthday on which an ended placement's record comes up for review.
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
