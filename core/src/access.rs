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

impl Role {
    /// AP staff see the whole AP; everyone else only what they were given.
    pub fn is_ap_staff(self) -> bool {
        matches!(self, Role::ApAdmin | Role::Dsl | Role::ApPractitioner)
    }

    /// Roles whose grant lists the placements it covers (invitation scope).
    pub fn is_placement_scoped(self) -> bool {
        matches!(
            self,
            Role::SchoolStaff | Role::LaCommissioner | Role::OffSiteTutor
        )
    }
}

/// One role a person holds for one AP's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub ap_id: String,
    /// The person's own organisation: the AP, a school, an LA or a taxi firm.
    pub organisation_id: String,
    pub role: Role,
    /// School staff who are their school's designated safeguarding lead.
    pub is_dsl: bool,
    /// For placement-scoped roles, the placements this grant covers.
    pub placements: Vec<String>,
}

/// The signed-in person and everything they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub person_id: String,
    pub grants: Vec<Grant>,
}

/// Proof that the caller administers an AP (AP admin or DSL). Only
/// [`Principal::manager_of`] makes one, so a handler that takes it cannot run
/// for anyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApManager {
    ap_id: String,
    person_id: String,
    role: Role,
}

impl ApManager {
    pub fn ap_id(&self) -> &str {
        &self.ap_id
    }

    pub fn person_id(&self) -> &str {
        &self.person_id
    }

    /// Erasing records and setting how long they are kept is the AP admin's
    /// decision, not the DSL's.
    pub fn is_admin(&self) -> bool {
        self.role == Role::ApAdmin
    }

    /// DSLs invite anyone but another AP admin; admins invite anyone.
    pub fn may_invite(&self, role: Role) -> bool {
        self.role == Role::ApAdmin || role != Role::ApAdmin
    }

    /// Whether this manager may take away all of `person_id`'s access, given
    /// the roles they hold here. Nobody removes themselves (an AP must not
    /// lock itself out by a slip), and a DSL cannot remove an admin.
    pub fn may_remove(
        &self,
        person_id: &str,
        roles: &[Role],
    ) -> Result<(), crate::api::ErrorDetail> {
        use crate::api::{ErrorCode, ErrorDetail};
        if person_id == self.person_id {
            return Err(ErrorDetail::new(
                ErrorCode::Conflict,
                "you cannot remove your own access; ask another admin",
            ));
        }
        if roles.iter().any(|r| !self.may_invite(*r)) {
            return Err(ErrorDetail::new(
                ErrorCode::Forbidden,
                "only an AP admin can remove another AP admin",
            ));
        }
        Ok(())
    }
}

/// What the rules need to know of a placement to decide on it.
#[derive(Debug, Clone, Copy)]
pub struct PlacementRef<'a> {
    pub id: &'a str,
    pub ap_id: &'a str,
}

/// Proof that the caller may see a placement, and which parts of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementAccess {
    placement_id: String,
    ap_id: String,
    /// Safeguarding flags: AP admins and DSLs, and school DSLs for their own pupils.
    pub safeguarding: bool,
    /// The caller is an admin or DSL of the placement's AP.
    pub manages: bool,
    /// The caller is school or LA staff invited for this placement: the
    /// commissioner's side, who completes the baseline.
    pub commissions: bool,
}

impl PlacementAccess {
    pub fn placement_id(&self) -> &str {
        &self.placement_id
    }

    pub fn ap_id(&self) -> &str {
        &self.ap_id
    }

    /// Reviews (where the pupil is now, commentary for the next school) are
    /// the AP's evidence: its staff and tutors write them, the commissioner
    /// reads them.
    pub fn may_review(&self) -> bool {
        self.manages || !self.commissions
    }
}

impl Principal {
    pub fn manager_of(&self, ap_id: &str) -> Option<ApManager> {
        self.grants
            .iter()
            .filter(|g| g.ap_id == ap_id)
            .map(|g| g.role)
            .filter(|r| matches!(r, Role::ApAdmin | Role::Dsl))
            .min_by_key(|r| *r != Role::ApAdmin)
            .map(|role| ApManager {
                ap_id: ap_id.to_owned(),
                person_id: self.person_id.clone(),
                role,
            })
    }

    /// Whether and how the caller may see `placement`. Escorts never see a
    /// placement record; their view is the transport run in today's list.
    pub fn placement(&self, placement: PlacementRef<'_>) -> Option<PlacementAccess> {
        let mut visible = false;
        let mut safeguarding = false;
        let mut manages = false;
        let mut commissions = false;
        for g in self.grants.iter().filter(|g| g.ap_id == placement.ap_id) {
            let covers = g.role.is_ap_staff()
                || (g.role.is_placement_scoped() && g.placements.iter().any(|p| p == placement.id));
            if !covers {
                continue;
            }
            visible = true;
            let manager = matches!(g.role, Role::ApAdmin | Role::Dsl);
            manages |= manager;
            commissions |= matches!(g.role, Role::SchoolStaff | Role::LaCommissioner);
            safeguarding |= manager || (g.role == Role::SchoolStaff && g.is_dsl);
        }
        visible.then(|| PlacementAccess {
            placement_id: placement.id.to_owned(),
            ap_id: placement.ap_id.to_owned(),
            safeguarding,
            manages,
            commissions,
        })
    }

    /// Who may see and act on an alert about `placement`: the AP's admins
    /// and DSLs, the commissioner's staff invited for that pupil, and anyone
    /// the alert was sent to (a designated contact, an escalation's DSL).
    pub fn may_see_alert(&self, placement: PlacementRef<'_>, was_sent_to_them: bool) -> bool {
        was_sent_to_them
            || self
                .placement(placement)
                .is_some_and(|a| a.manages || a.commissions)
    }

    /// The APs whose every alert this person sees, and the placements whose
    /// alerts they see as the commissioner: the SQL filter for a list, the
    /// same rule as [`Principal::may_see_alert`].
    pub fn alert_scope(&self) -> (Vec<&str>, Vec<&str>) {
        let aps = self
            .grants
            .iter()
            .filter(|g| matches!(g.role, Role::ApAdmin | Role::Dsl))
            .map(|g| g.ap_id.as_str())
            .collect();
        let placements = self
            .grants
            .iter()
            .filter(|g| matches!(g.role, Role::SchoolStaff | Role::LaCommissioner))
            .flat_map(|g| g.placements.iter().map(String::as_str))
            .collect();
        (aps, placements)
    }

    /// Whose placements this person may list: every placement of the APs
    /// where they are staff, and the placements their invitations name.
    pub fn placement_scope(&self) -> (Vec<&str>, Vec<&str>) {
        let aps = self
            .grants
            .iter()
            .filter(|g| g.role.is_ap_staff())
            .map(|g| g.ap_id.as_str())
            .collect();
        let placements = self
            .grants
            .iter()
            .filter(|g| g.role.is_placement_scoped())
            .flat_map(|g| g.placements.iter().map(String::as_str))
            .collect();
        (aps, placements)
    }

    /// The scopes of today's sessions this person may see.
    pub fn today_scopes(&self) -> Vec<TodayScope> {
        let mut scopes = Vec::new();
        for g in &self.grants {
            let scope = match g.role {
                Role::ApAdmin | Role::Dsl | Role::ApPractitioner => {
                    TodayScope::WholeAp(g.ap_id.clone())
                }
                Role::SchoolStaff | Role::LaCommissioner => {
                    TodayScope::Placements(g.placements.clone())
                }
                Role::OffSiteTutor => TodayScope::Teaching(self.person_id.clone()),
                Role::TaxiEscort => TodayScope::Escorting(self.person_id.clone()),
            };
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        scopes
    }
}

/// Which of today's sessions a person may see. Several grants widen the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodayScope {
    /// Every session of placements at this AP.
    WholeAp(String),
    /// Sessions of these placements (what a school or LA was invited for).
    Placements(Vec<String>),
    /// Sessions this person teaches.
    Teaching(String),
    /// Sessions whose transport run this person escorts.
    Escorting(String),
}

/// How much of one of today's sessions a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionView {
    /// The session as a record: full name, tier, tutor; with the transport
    /// run's details for AP staff and for the run's own escort.
    Full { transport: bool },
    /// What an escort needs for a run and nothing else: first name and
    /// initial, pick-up and drop-off place and time, an emergency contact.
    Run,
}

/// The view of one session, from the ways it came into sight: through the
/// person's AP staff grant, through their placements or teaching, or because
/// they escort its transport run. None: they may not see it at all.
pub fn session_view(via_ap_staff: bool, via_scope: bool, via_escort: bool) -> Option<SessionView> {
    match (via_ap_staff, via_scope, via_escort) {
        (true, _, _) => Some(SessionView::Full { transport: true }),
        (false, true, escort) => Some(SessionView::Full { transport: escort }),
        (false, false, true) => Some(SessionView::Run),
        (false, false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(ap: &str, org: &str, role: Role, placements: &[&str]) -> Grant {
        Grant {
            ap_id: ap.into(),
            organisation_id: org.into(),
            role,
            is_dsl: false,
            placements: placements.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn who(grants: Vec<Grant>) -> Principal {
        Principal {
            person_id: "me".into(),
            grants,
        }
    }

    const P1: PlacementRef<'static> = PlacementRef {
        id: "p1",
        ap_id: "ap1",
    };
    const P2: PlacementRef<'static> = PlacementRef {
        id: "p2",
        ap_id: "ap1",
    };
    const OTHER_AP: PlacementRef<'static> = PlacementRef {
        id: "p9",
        ap_id: "ap2",
    };

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
    fn alerts_go_to_managers_commissioners_and_whoever_was_told() {
        for &role in Role::ALL {
            let p = who(vec![grant("ap1", "org", role, &["p1"])]);
            let sees = matches!(
                role,
                Role::ApAdmin | Role::Dsl | Role::SchoolStaff | Role::LaCommissioner
            );
            assert_eq!(p.may_see_alert(P1, false), sees, "{role:?}");
            // The list filter says the same as the rule.
            let (aps, placements) = p.alert_scope();
            assert_eq!(
                aps.contains(&"ap1") || placements.contains(&"p1"),
                sees,
                "{role:?}"
            );
            assert!(p.may_see_alert(P1, true), "{role:?} was sent it");
            assert!(!p.may_see_alert(OTHER_AP, false), "{role:?}");
        }
        let school = who(vec![grant("ap1", "school", Role::SchoolStaff, &["p1"])]);
        assert!(!school.may_see_alert(P2, false));
    }

    #[test]
    fn only_admins_and_dsls_manage_and_only_their_own_ap() {
        for &role in Role::ALL {
            let p = who(vec![grant("ap1", "ap1", role, &[])]);
            assert_eq!(
                p.manager_of("ap1").is_some(),
                matches!(role, Role::ApAdmin | Role::Dsl),
                "{role:?}"
            );
            assert!(p.manager_of("ap2").is_none());
        }
    }

    #[test]
    fn dsls_cannot_invite_admins() {
        let dsl = who(vec![grant("ap1", "ap1", Role::Dsl, &[])])
            .manager_of("ap1")
            .expect("manager");
        assert!(!dsl.may_invite(Role::ApAdmin));
        assert!(dsl.may_invite(Role::SchoolStaff));
        let admin = who(vec![grant("ap1", "ap1", Role::ApAdmin, &[])])
            .manager_of("ap1")
            .expect("manager");
        assert!(admin.may_invite(Role::ApAdmin));
    }

    #[test]
    fn removal_needs_rank_and_is_never_of_oneself() {
        let dsl = who(vec![grant("ap1", "ap1", Role::Dsl, &[])])
            .manager_of("ap1")
            .expect("manager");
        assert!(dsl.may_remove("someone", &[Role::SchoolStaff]).is_ok());
        assert!(dsl.may_remove("someone", &[Role::ApAdmin]).is_err());
        assert!(dsl.may_remove("me", &[Role::SchoolStaff]).is_err());
    }

    #[test]
    fn scoped_people_see_only_their_placements() {
        for role in [Role::SchoolStaff, Role::LaCommissioner, Role::OffSiteTutor] {
            let p = who(vec![grant("ap1", "school", role, &["p1"])]);
            assert!(p.placement(P1).is_some(), "{role:?}");
            assert!(p.placement(P2).is_none(), "{role:?}");
            assert!(p.placement(OTHER_AP).is_none(), "{role:?}");
        }
    }

    #[test]
    fn ap_staff_see_all_of_their_ap_and_nothing_else() {
        for role in [Role::ApAdmin, Role::Dsl, Role::ApPractitioner] {
            let p = who(vec![grant("ap1", "ap1", role, &[])]);
            assert!(p.placement(P1).is_some());
            assert!(p.placement(P2).is_some());
            assert!(p.placement(OTHER_AP).is_none());
        }
    }

    #[test]
    fn escorts_never_see_placement_records() {
        let p = who(vec![grant("ap1", "taxi", Role::TaxiEscort, &["p1"])]);
        assert!(p.placement(P1).is_none());
    }

    #[test]
    fn safeguarding_goes_to_dsls_admins_and_school_dsls_only() {
        let sees = |g: Grant| who(vec![g]).placement(P1).is_some_and(|a| a.safeguarding);
        assert!(sees(grant("ap1", "ap1", Role::ApAdmin, &[])));
        assert!(sees(grant("ap1", "ap1", Role::Dsl, &[])));
        assert!(!sees(grant("ap1", "ap1", Role::ApPractitioner, &[])));
        assert!(!sees(grant("ap1", "s", Role::SchoolStaff, &["p1"])));
        assert!(!sees(grant("ap1", "la", Role::LaCommissioner, &["p1"])));
        assert!(!sees(grant("ap1", "ap1", Role::OffSiteTutor, &["p1"])));
        let mut school_dsl = grant("ap1", "s", Role::SchoolStaff, &["p1"]);
        school_dsl.is_dsl = true;
        assert!(sees(school_dsl.clone()));
        school_dsl.placements.clear();
        assert!(!sees(school_dsl), "a school DSL only for their own pupils");
    }

    #[test]
    fn placement_scope_is_whole_aps_for_staff_and_named_placements_for_others() {
        let p = who(vec![
            grant("ap1", "ap1", Role::ApPractitioner, &[]),
            grant("ap2", "s", Role::SchoolStaff, &["p9"]),
            grant("ap2", "taxi", Role::TaxiEscort, &["p8"]),
        ]);
        assert_eq!(p.placement_scope(), (vec!["ap1"], vec!["p9"]));
    }

    #[test]
    fn managers_and_commissioners_are_told_apart() {
        let access = |g: Grant| who(vec![g]).placement(P1).expect("visible");
        let admin = access(grant("ap1", "ap1", Role::ApAdmin, &[]));
        assert!(admin.manages && !admin.commissions);
        let senco = access(grant("ap1", "s", Role::SchoolStaff, &["p1"]));
        assert!(senco.commissions && !senco.manages);
        let la = access(grant("ap1", "la", Role::LaCommissioner, &["p1"]));
        assert!(la.commissions && !la.manages);
        for role in [Role::ApPractitioner, Role::OffSiteTutor] {
            let a = access(grant("ap1", "ap1", role, &["p1"]));
            assert!(!a.manages && !a.commissions, "{role:?}");
        }
    }

    #[test]
    fn today_scopes_follow_the_grants() {
        let p = who(vec![
            grant("ap1", "ap1", Role::OffSiteTutor, &[]),
            grant("ap1", "taxi", Role::TaxiEscort, &[]),
        ]);
        assert_eq!(
            p.today_scopes(),
            vec![
                TodayScope::Teaching("me".into()),
                TodayScope::Escorting("me".into())
            ]
        );
        let school = who(vec![grant("ap1", "s", Role::SchoolStaff, &["p1", "p2"])]);
        assert_eq!(
            school.today_scopes(),
            vec![TodayScope::Placements(vec!["p1".into(), "p2".into()])]
        );
        assert!(who(vec![]).today_scopes().is_empty());
    }

    #[test]
    fn escorts_alone_see_only_the_run() {
        assert_eq!(session_view(false, false, true), Some(SessionView::Run));
        assert_eq!(
            session_view(false, true, true),
            Some(SessionView::Full { transport: true })
        );
        assert_eq!(
            session_view(false, true, false),
            Some(SessionView::Full { transport: false })
        );
        assert_eq!(
            session_view(true, false, false),
            Some(SessionView::Full { transport: true })
        );
        assert_eq!(session_view(false, false, false), None);
    }
}
