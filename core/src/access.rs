//! Who may see what. Every permission decision is made here, never in a route.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A person's role in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ApAdmin,
    Dsl,
    ApPractitioner,
    OffSiteTutor,
    TaxiEscort,
    SchoolStaff,
    LaCommissioner,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::ApAdmin,
        Role::Dsl,
        Role::ApPractitioner,
        Role::OffSiteTutor,
        Role::TaxiEscort,
        Role::SchoolStaff,
        Role::LaCommissioner,
    ];

    /// The name stored in D1 and sent over the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ApAdmin => "ap_admin",
            Role::Dsl => "dsl",
            Role::ApPractitioner => "ap_practitioner",
            Role::OffSiteTutor => "off_site_tutor",
            Role::TaxiEscort => "taxi_escort",
            Role::SchoolStaff => "school_staff",
            Role::LaCommissioner => "la_commissioner",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == name)
    }

    /// What people call the role, for screens and emails.
    pub fn label(self) -> &'static str {
        match self {
            Role::ApAdmin => "AP admin",
            Role::Dsl => "Designated safeguarding lead",
            Role::ApPractitioner => "AP practitioner",
            Role::OffSiteTutor => "Off-site tutor",
            Role::TaxiEscort => "Taxi escort",
            Role::SchoolStaff => "School staff",
            Role::LaCommissioner => "LA commissioner",
        }
    }
}

/// One role held in one organisation, as loaded for the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub organisation_id: String,
    pub role: Role,
}

/// Which of today's sessions a person may see. Several grants widen the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodayScope {
    /// Every session of placements at this AP.
    WholeAp(String),
    /// Sessions of placements this school or LA commissioned.
    Commissioned(String),
    /// Sessions this person teaches.
    Teaching(String),
    /// Sessions whose transport run this person escorts.
    Escorting(String),
}

/// The scopes of today's sessions that `person_id` holding `grants` may see.
pub fn today_scopes(person_id: &str, grants: &[Grant]) -> Vec<TodayScope> {
    let mut scopes: Vec<TodayScope> = grants
        .iter()
        .map(|g| match g.role {
            Role::ApAdmin | Role::Dsl | Role::ApPractitioner => {
                TodayScope::WholeAp(g.organisation_id.clone())
            }
            Role::SchoolStaff | Role::LaCommissioner => {
                TodayScope::Commissioned(g.organisation_id.clone())
            }
            Role::OffSiteTutor => TodayScope::Teaching(person_id.to_owned()),
            Role::TaxiEscort => TodayScope::Escorting(person_id.to_owned()),
        })
        .collect();
    scopes.dedup();
    scopes
}

/// Escorts need only enough of a name to greet the child at the door; everyone
/// else who sees a session sees the pupil's full name.
pub fn shows_full_names(scopes: &[TodayScope]) -> bool {
    scopes
        .iter()
        .any(|s| !matches!(s, TodayScope::Escorting(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(org: &str, role: Role) -> Grant {
        Grant {
            organisation_id: org.into(),
            role,
        }
    }

    #[test]
    fn role_names_round_trip() {
        for &r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            let wire = serde_json::to_string(&r).expect("serialises");
            assert_eq!(wire, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn tutors_and_escorts_see_only_their_own_sessions() {
        assert_eq!(
            today_scopes("p1", &[grant("ap1", Role::OffSiteTutor)]),
            vec![TodayScope::Teaching("p1".into())]
        );
        assert_eq!(
            today_scopes("p2", &[grant("taxi", Role::TaxiEscort)]),
            vec![TodayScope::Escorting("p2".into())]
        );
    }

    #[test]
    fn ap_staff_see_their_ap_and_commissioners_their_placements() {
        assert_eq!(
            today_scopes("p", &[grant("ap1", Role::Dsl)]),
            vec![TodayScope::WholeAp("ap1".into())]
        );
        assert_eq!(
            today_scopes("p", &[grant("school", Role::SchoolStaff)]),
            vec![TodayScope::Commissioned("school".into())]
        );
    }

    #[test]
    fn escorts_alone_see_initials_only() {
        let escort = today_scopes("e", &[grant("taxi", Role::TaxiEscort)]);
        assert!(!shows_full_names(&escort));
        let both = today_scopes(
            "e",
            &[grant("taxi", Role::TaxiEscort), grant("ap", Role::Dsl)],
        );
        assert!(shows_full_names(&both));
    }

    #[test]
    fn nobody_without_a_grant_sees_anything() {
        assert!(today_scopes("p", &[]).is_empty());
    }
}
