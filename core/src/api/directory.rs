//! What an AP admin picks from when inviting: organisations and placements.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::PlacementState;
use crate::domain::{OrganisationKind, Tier};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganisationSummary {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlacementSummary {
    pub id: String,
    pub pupil_first_name: String,
    pub pupil_last_name: String,
    pub tier: Tier,
    pub state: PlacementState,
    pub commissioner_id: String,
    pub commissioner_name: String,
}

/// `GET /api/aps/{ap_id}/directory`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Directory {
    pub ap_id: String,
    pub ap_name: String,
    /// This AP, and the schools, LAs and transport firms it works with.
    pub organisations: Vec<OrganisationSummary>,
    pub placements: Vec<PlacementSummary>,
}
