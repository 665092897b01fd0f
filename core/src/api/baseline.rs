//! The transition gate over the wire: the baseline with who entered what, the
//! steps of a placement, and CTF imports.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::gate::ctf::Skipped;
use crate::gate::{EndReason, PlacementState, Section};

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Typed into LearnTrek by the person named.
    Typed,
    /// Read from a Common Transfer File uploaded by the person named.
    Imported,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Typed => "typed",
            Source::Imported => "imported",
        }
    }

    pub fn parse(name: &str) -> Option<Source> {
        match name {
            "typed" => Some(Source::Typed),
            "imported" => Some(Source::Imported),
            _ => None,
        }
    }
}

/// Who entered a value, when, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Provenance {
    pub entered_by: Option<String>,
    pub organisation: Option<String>,
    pub entered_at: DateTime<Utc>,
    pub source: Source,
}

/// One value a field has held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldVersion {
    /// `null` when the field was cleared, or when this person may not see it.
    pub value: Value,
    pub withheld: bool,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BaselineField {
    /// The field's name within its section, as the save body uses it.
    pub key: String,
    pub label: String,
    pub required: bool,
    pub answered: bool,
    /// The current value; `null` when unanswered or withheld.
    pub value: Value,
    /// True when there is a value this person may not see (safeguarding).
    pub withheld: bool,
    pub current: Option<Provenance>,
    /// Earlier values, newest first.
    pub history: Vec<FieldVersion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BaselineSection {
    pub section: Section,
    pub title: String,
    pub complete: bool,
    /// Keys of the required fields still unanswered.
    pub missing: Vec<String>,
    pub fields: Vec<BaselineField>,
}

/// `GET /api/placements/{placement_id}/baseline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Baseline {
    pub placement_id: String,
    pub state: PlacementState,
    /// Whether the signed-in person may change it now.
    pub editable: bool,
    /// Required items unanswered across all sections; 0 opens the gate.
    pub missing: usize,
    pub sections: Vec<BaselineSection>,
}

/// `POST /api/placements/{placement_id}/return`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBaseline {
    /// What the commissioner needs to add or correct.
    pub comment: String,
}

/// `POST /api/placements/{placement_id}/end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPlacement {
    pub reason: EndReason,
    /// Required when the reason is `other`.
    #[serde(default)]
    pub note: Option<String>,
    /// The last day of the placement; today when not given.
    #[serde(default)]
    pub ended_on: Option<NaiveDate>,
}

/// One step in a placement's life, for its timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlacementEvent {
    pub at: DateTime<Utc>,
    pub by: Option<String>,
    pub from_state: PlacementState,
    pub to_state: PlacementState,
    /// The return comment, or the end reason's note.
    pub comment: Option<String>,
}

/// `POST /api/placements/{placement_id}/ctf`: what the file filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CtfImported {
    /// `section.key` of each field filled from the file.
    pub filled: Vec<String>,
    /// Fields the file had but that were already typed in, so kept.
    pub kept: Vec<String>,
    /// Values in the file that could not be used, and why.
    pub skipped: Vec<Skipped>,
    pub source_school: Option<String>,
    pub baseline: Baseline,
}
