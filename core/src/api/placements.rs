//! A placement as the people allowed to see it see it.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::Tier;
pub use crate::gate::PlacementState;
use crate::gate::{EndReason, Transition};

use super::baseline::PlacementEvent;

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
    pub end_reason: Option<EndReason>,
    pub ended_on: Option<NaiveDate>,
    /// Required baseline items still unanswered.
    pub missing: usize,
    /// The start date has come and the placement is not yet active.
    pub gate_overdue: bool,
    /// Whether this person may change the baseline now.
    pub editable: bool,
    /// The steps this person may take now.
    pub steps: Vec<Transition>,
    /// Submitted, returned, accepted, ended: oldest first.
    pub events: Vec<PlacementEvent>,
    /// Who the alerts go to, at the AP and at the commissioner.
    pub contacts: Vec<DesignatedContact>,
}

/// `POST /api/aps/{ap_id}/placements`: a referral the AP has received. The
/// pupil's name and date of birth start the baseline's identity section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlacement {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    #[serde(default)]
    pub upn: Option<String>,
    /// The school or LA commissioning the placement.
    pub commissioner_id: String,
    pub tier: Tier,
    pub start_date: NaiveDate,
    /// Planned end; required for a short-term (tier 2) placement.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

/// `GET /api/placements`: the placements the signed-in person may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlacementList {
    pub placements: Vec<PlacementListItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlacementListItem {
    pub id: String,
    pub ap_id: String,
    pub ap_name: String,
    pub pupil_first_name: String,
    pub pupil_last_name: String,
    pub tier: Tier,
    pub state: PlacementState,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub commissioner_name: String,
    /// Required baseline items still unanswered.
    pub missing: usize,
    /// The start date has come and the placement is not yet active.
    pub gate_overdue: bool,
}

/// Which side of a placement a designated contact is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactSide {
    /// Staff of the AP.
    Ap,
    /// Staff of the commissioning school or LA.
    Commissioner,
}

/// A person alerts about this placement go to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DesignatedContact {
    pub person_id: String,
    pub name: String,
    pub organisation: String,
    pub side: ContactSide,
}

/// `PUT /api/placements/{placement_id}/contacts`: the whole list, replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetContacts {
    pub person_ids: Vec<String>,
}
