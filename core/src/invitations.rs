//! The rules an invitation must meet before anything is written.

use crate::access::{ApManager, Role};
use crate::api::{ErrorCode, ErrorDetail, InvitationRequest};
use crate::domain::{EmailAddress, OrganisationKind};

/// How long an invitation link works.
pub const LIFETIME_DAYS: i64 = 7;

/// What the rules need to know of the organisation named in the request.
#[derive(Debug, Clone)]
pub struct OrganisationFacts {
    pub id: String,
    pub kind: OrganisationKind,
}

/// What the rules need to know of each placement named in the request.
#[derive(Debug, Clone)]
pub struct PlacementFacts {
    pub id: String,
    pub ap_id: String,
    pub commissioner_id: String,
}

/// An invitation that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInvitation {
    pub ap_id: String,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub organisation_id: String,
    pub is_dsl: bool,
    pub placement_ids: Vec<String>,
}

/// The organisation kind each role belongs to.
pub fn organisation_kind_for(role: Role) -> OrganisationKind {
    match role {
        Role::ApAdmin | Role::Dsl | Role::ApPractitioner | Role::OffSiteTutor => {
            OrganisationKind::Ap
        }
        Role::SchoolStaff => OrganisationKind::School,
        Role::LaCommissioner => OrganisationKind::La,
        Role::TaxiEscort => OrganisationKind::Transport,
    }
}

/// Checks `request` from `manager`. `organisation` and `placements` are what
/// the database holds for the ids in the request (missing ones absent).
pub fn check(
    manager: &ApManager,
    request: &InvitationRequest,
    organisation: Option<&OrganisationFacts>,
    placements: &[PlacementFacts],
) -> Result<ValidInvitation, ErrorDetail> {
    let email = EmailAddress::parse(&request.email, "email")?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ErrorDetail::invalid(
            "name",
            "enter their name, up to 100 characters",
        ));
    }
    let role = request.role;
    if !manager.may_invite(role) {
        return Err(ErrorDetail {
            code: ErrorCode::Forbidden,
            message: "only an AP admin can invite another AP admin".into(),
            field: Some("role".into()),
        });
    }
    let wanted = organisation_kind_for(role);
    let organisation = organisation
        .ok_or_else(|| ErrorDetail::invalid("organisation_id", "there is no such organisation"))?;
    if organisation.kind != wanted {
        return Err(ErrorDetail::invalid(
            "organisation_id",
            format!(
                "a {} belongs to a {} organisation",
                role.label(),
                kind_label(wanted)
            ),
        ));
    }
    if wanted == OrganisationKind::Ap && organisation.id != manager.ap_id() {
        return Err(ErrorDetail::invalid(
            "organisation_id",
            "AP staff and tutors are invited into this AP",
        ));
    }
    if request.is_dsl && role != Role::SchoolStaff {
        return Err(ErrorDetail::invalid(
            "is_dsl",
            "only school staff carry the school DSL flag; invite AP DSLs with the dsl role",
        ));
    }
    let mut placement_ids: Vec<String> = Vec::new();
    for (i, id) in request.placement_ids.iter().enumerate() {
        let field = format!("placement_ids[{i}]");
        let found = placements
            .iter()
            .find(|p| &p.id == id && p.ap_id == manager.ap_id())
            .ok_or_else(|| ErrorDetail::invalid(&field, "there is no such placement at this AP"))?;
        if matches!(role, Role::SchoolStaff | Role::LaCommissioner)
            && found.commissioner_id != organisation.id
        {
            return Err(ErrorDetail::invalid(
                field,
                "this placement was commissioned by another organisation",
            ));
        }
        if !placement_ids.contains(id) {
            placement_ids.push(id.clone());
        }
    }
    match (role.is_placement_scoped(), placement_ids.is_empty()) {
        (true, true) => {
            return Err(ErrorDetail::invalid(
                "placement_ids",
                format!("choose at least one placement a {} may see", role.label()),
            ));
        }
        (false, false) => {
            return Err(ErrorDetail::invalid(
                "placement_ids",
                format!(
                    "a {} is not limited to placements; leave this empty",
                    role.label()
                ),
            ));
        }
        _ => {}
    }
    Ok(ValidInvitation {
        ap_id: manager.ap_id().to_owned(),
        email,
        name: name.to_owned(),
        role,
        organisation_id: organisation.id.clone(),
        is_dsl: request.is_dsl,
        placement_ids,
    })
}

fn kind_label(kind: OrganisationKind) -> &'static str {
    match kind {
        OrganisationKind::Ap => "AP",
        OrganisationKind::School => "school",
        OrganisationKind::La => "local authority",
        OrganisationKind::Transport => "transport",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Grant, Principal};

    fn manager(role: Role) -> ApManager {
        Principal {
            person_id: "admin".into(),
            grants: vec![Grant {
                ap_id: "ap1".into(),
                organisation_id: "ap1".into(),
                role,
                is_dsl: false,
                placements: vec![],
            }],
        }
        .manager_of("ap1")
        .expect("manager")
    }

    fn request(role: Role, org: &str, placements: &[&str]) -> InvitationRequest {
        InvitationRequest {
            email: "Helen@Northgate.example".into(),
            name: " Helen Price ".into(),
            role,
            organisation_id: org.into(),
            is_dsl: false,
            placement_ids: placements.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn school() -> OrganisationFacts {
        OrganisationFacts {
            id: "school".into(),
            kind: OrganisationKind::School,
        }
    }

    fn placements() -> Vec<PlacementFacts> {
        vec![
            PlacementFacts {
                id: "p1".into(),
                ap_id: "ap1".into(),
                commissioner_id: "school".into(),
            },
            PlacementFacts {
                id: "p2".into(),
                ap_id: "ap1".into(),
                commissioner_id: "la".into(),
            },
            PlacementFacts {
                id: "p9".into(),
                ap_id: "ap2".into(),
                commissioner_id: "school".into(),
            },
        ]
    }

    #[test]
    fn a_school_senco_for_their_own_pupil_is_valid() {
        let valid = check(
            &manager(Role::Dsl),
            &request(Role::SchoolStaff, "school", &["p1", "p1"]),
            Some(&school()),
            &placements(),
        )
        .expect("valid");
        assert_eq!(valid.email.as_ref(), "helen@northgate.example");
        assert_eq!(valid.name, "Helen Price");
        assert_eq!(valid.placement_ids, vec!["p1".to_string()]);
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let m = manager(Role::ApAdmin);
        let cases: Vec<(InvitationRequest, Option<OrganisationFacts>, &str)> = vec![
            (
                request(Role::SchoolStaff, "school", &["p2"]),
                Some(school()),
                "placement_ids[0]",
            ),
            (
                request(Role::SchoolStaff, "school", &["p9"]),
                Some(school()),
                "placement_ids[0]",
            ),
            (
                request(Role::SchoolStaff, "school", &[]),
                Some(school()),
                "placement_ids",
            ),
            (
                request(Role::SchoolStaff, "nowhere", &["p1"]),
                None,
                "organisation_id",
            ),
            (
                request(Role::LaCommissioner, "school", &["p1"]),
                Some(school()),
                "organisation_id",
            ),
            (
                request(Role::Dsl, "ap1", &["p1"]),
                Some(OrganisationFacts {
                    id: "ap1".into(),
                    kind: OrganisationKind::Ap,
                }),
                "placement_ids",
            ),
            (
                request(Role::Dsl, "ap2", &[]),
                Some(OrganisationFacts {
                    id: "ap2".into(),
                    kind: OrganisationKind::Ap,
                }),
                "organisation_id",
            ),
        ];
        for (req, org, field) in cases {
            let err = check(&m, &req, org.as_ref(), &placements()).expect_err(field);
            assert_eq!(err.field.as_deref(), Some(field), "{req:?}: {err}");
        }
        let mut bad_email = request(Role::SchoolStaff, "school", &["p1"]);
        bad_email.email = "helen".into();
        assert_eq!(
            check(&m, &bad_email, Some(&school()), &placements())
                .expect_err("email")
                .field
                .as_deref(),
            Some("email")
        );
        let mut flagged = request(Role::LaCommissioner, "la", &["p2"]);
        flagged.is_dsl = true;
        let la = OrganisationFacts {
            id: "la".into(),
            kind: OrganisationKind::La,
        };
        assert_eq!(
            check(&m, &flagged, Some(&la), &placements())
                .expect_err("dsl")
                .field
                .as_deref(),
            Some("is_dsl")
        );
    }

    #[test]
    fn a_dsl_cannot_make_an_admin() {
        let ap = OrganisationFacts {
            id: "ap1".into(),
            kind: OrganisationKind::Ap,
        };
        let err = check(
            &manager(Role::Dsl),
            &request(Role::ApAdmin, "ap1", &[]),
            Some(&ap),
            &placements(),
        )
        .expect_err("forbidden");
        assert_eq!(err.code, ErrorCode::Forbidden);
        assert!(
            check(
                &manager(Role::ApAdmin),
                &request(Role::ApAdmin, "ap1", &[]),
                Some(&ap),
                &placements()
            )
            .is_ok()
        );
    }
}
