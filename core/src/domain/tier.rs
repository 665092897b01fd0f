use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kind of placement, after the AP tiers of the schools white paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Tier 1: AP staff work with the pupil in or around the mainstream school.
    Outreach,
    /// Tier 2: a time-limited placement aimed at reintegration.
    ShortTerm,
    /// A bespoke package of sessions across several venues and providers.
    Eotas,
}

impl Tier {
    pub const ALL: &'static [Tier] = &[Tier::Outreach, Tier::ShortTerm, Tier::Eotas];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Outreach => "outreach",
            Tier::ShortTerm => "short_term",
            Tier::Eotas => "eotas",
        }
    }

    pub fn parse(name: &str) -> Option<Tier> {
        Tier::ALL.iter().copied().find(|t| t.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::Outreach => "Tier 1 outreach",
            Tier::ShortTerm => "Tier 2 short-term",
            Tier::Eotas => "EOTAS package",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &t in Tier::ALL {
            assert_eq!(Tier::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_string(&t).expect("serialises"),
                format!("\"{}\"", t.as_str())
            );
        }
    }
}
