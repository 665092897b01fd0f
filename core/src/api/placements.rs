//! A placement as the people allowed to see it see it.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::Tier;

/// The safeguarding section of the baseline. Shown only to AP admins, DSLs and
/// the commissioning school's DSL; every read is in the audit log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeguardingFlags {
    pub child_protection_plan: bool,
    pub child_in_need: bool,
    pub looked_after: bool,
    /// Known risks, in the words of whoever recorded them.
    #[serde(default)]
    pub known_risks: Option<String>,
    /// People who must not collect the child.
    #[serde(default)]
    pub not_to_collect: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlacementState {
    Referred,
    Active,
    Ended,
}

impl PlacementState {
    pub fn parse(name: &str) -> Option<PlacementState> {
        match name {
            "referred" => Some(PlacementState::Referred),
            "active" => Some(PlacementState::Active),
            "ended" => Some(PlacementState::Ended),
            _ => None,
        }
    }
}

/// `GET /api/placements/{placement_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlacementDetail {
    pub id: String,
    pub ap_id: String,
    pub ap_name: String,
    pub pupil_first_name: String,
    pub pupil_last_name: String,
    pub date_of_birth: NaiveDate,
    pub tier: Tier,
    pub state: PlacementState,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub commissioner_id: String,
    pub commissioner_name: String,
    /// Present only for those allowed to see it (and then possibly not yet recorded).
    pub safeguarding: Option<SafeguardingFlags>,
    /// True when safeguarding flags exist but this person may not see them,
    /// so they know to ask the DSL.
    pub safeguarding_withheld: bool,
}
