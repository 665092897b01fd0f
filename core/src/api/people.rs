//! The people who hold access to an AP's data.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::access::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PersonGrant {
    pub role: Role,
    pub organisation_id: String,
    pub organisation_name: String,
    pub is_dsl: bool,
    /// For placement-scoped roles, the placements they may see.
    pub placement_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Person {
    pub person_id: String,
    pub name: String,
    pub email: String,
    pub grants: Vec<PersonGrant>,
}

/// `GET /api/aps/{ap_id}/people`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PeopleList {
    pub people: Vec<Person>,
}
