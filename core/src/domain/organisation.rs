use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Ap,
    School,
    La,
    Transport,
}

impl OrganisationKind {
    pub const ALL: &'static [OrganisationKind] = &[
        OrganisationKind::Ap,
        OrganisationKind::School,
        OrganisationKind::La,
        OrganisationKind::Transport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Ap => "ap",
            OrganisationKind::School => "school",
            OrganisationKind::La => "la",
            OrganisationKind::Transport => "transport",
        }
    }

    pub fn parse(name: &str) -> Option<OrganisationKind> {
        OrganisationKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == name)
    }
}
