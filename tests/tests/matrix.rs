//! The authorization matrix: every route × every demo role (and no one) ×
//! own AP / other AP × placement in scope / out of scope / at another AP.
//! What each call should get is worked out from the route table
//! (`Endpoint::audience`) and the access rules in lt-core, then checked
//! against the real worker.

use lt_core::access::{Grant, PlacementRef, Principal, Role};
use lt_core::api::{Audience, Endpoint, Method, PlacementDetail, PlacementState};
use lt_core::gate::{Transition, may_edit_baseline};
use lt_tests::client::Client;
use lt_tests::demo::{self, AP, OTHER_AP, PEOPLE, PUPILS};
use lt_tests::server::Server;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Allowed,
    /// They may see the placement but not do this to it (403).
    Forbidden,
    Unauthenticated,
    Hidden,
}

fn principal_of(person: &demo::DemoPerson) -> Principal {
    Principal {
        person_id: person.id.to_owned(),
        grants: vec![Grant {
            ap_id: person.ap.to_owned(),
            organisation_id: person.organisation.to_owned(),
            role: Role::parse(person.role).expect("demo role"),
            is_dsl: person.is_dsl,
            placements: person.scope.iter().map(|k| demo::placement_id(k)).collect(),
        }],
    }
}

fn placement_ref(key: &str) -> (String, &'static str) {
    let pupil = PUPILS.iter().find(|p| p.key == key).expect("pupil");
    (demo::placement_id(key), pupil.ap)
}

/// The calls to make for one endpoint: (path, AP in the path, placement in the path).
fn targets(
    endpoint: Endpoint,
    invitation_id: &str,
    alert_id: &str,
) -> Vec<(String, Option<&'static str>, Option<String>)> {
    let template = endpoint.path();
    if template.contains("{alert_id}") {
        // An alert about Amara's missed session.
        vec![(
            template.replace("{alert_id}", alert_id),
            None,
            Some("amara".to_owned()),
        )]
    } else if template.contains("{placement_id}") {
        ["amara", "kai", "noah"]
            .iter()
            .map(|key| {
                let (id, _) = placement_ref(key);
                (
                    template
                        .replace("{placement_id}", &id)
                        .replace("{section}", "identity")
                        .replace("{session_id}", &format!("session-{key}-1-0"))
                        .replace("{date}", "2030-01-07")
                        .replace("{share_id}", &format!("share-matrix-{key}")),
                    None,
                    Some(key.to_string()),
                )
            })
            .collect()
    } else if template.contains("{ap_id}") {
        [AP, OTHER_AP]
            .iter()
            .map(|ap| {
                let path = template
                    .replace("{ap_id}", ap)
                    .replace("{invitation_id}", invitation_id)
                    .replace("{person_id}", TARGET);
                (path, Some(*ap), None)
            })
            .collect()
    } else {
        vec![(template.to_owned(), None, None)]
    }
}

fn expect(
    endpoint: Endpoint,
    who: Option<&Principal>,
    ap: Option<&str>,
    placement: Option<&str>,
) -> Expect {
    let Some(who) = who else {
        return if endpoint.audience() == Audience::Anyone {
            Expect::Allowed
        } else {
            Expect::Unauthenticated
        };
    };
    if endpoint.path().contains("{alert_id}") {
        let (id, ap) = placement_ref(placement.expect("the alert's placement"));
        // With no contacts named, Amara's alert went to the AP's DSL and
        // admin and to the school's DSL.
        let sent =
            ["person-dsl", "person-admin", "person-school-dsl"].contains(&who.person_id.as_str());
        return if who.may_see_alert(PlacementRef { id: &id, ap_id: ap }, sent) {
            Expect::Allowed
        } else {
            Expect::Hidden
        };
    }
    let allowed = match endpoint.audience() {
        Audience::Anyone | Audience::SignedIn => true,
        Audience::ApManagers => {
            let ap = ap.expect("an AP route");
            // The invitation and person in the path belong to Riverside: under
            // another AP they do not exist.
            let names_a_record = ["{invitation_id}", "{person_id}"]
                .iter()
                .any(|p| endpoint.path().contains(p));
            let record_there = !names_a_record || ap == AP;
            let Some(manager) = who.manager_of(ap) else {
                return Expect::Hidden;
            };
            // Setting how long records are kept is the admins' decision.
            if endpoint == Endpoint::SaveRetention && !manager.is_admin() {
                return Expect::Forbidden;
            }
            record_there
        }
        Audience::ApMembers => {
            let ap = ap.expect("an AP route");
            who.grants.iter().any(|g| g.ap_id == ap)
        }
        Audience::PlacementViewers => {
            let (id, ap) = placement_ref(placement.expect("a placement route"));
            let Some(access) = who.placement(PlacementRef { id: &id, ap_id: ap }) else {
                return Expect::Hidden;
            };
            // The matrix's placements are all active.
            let may = match endpoint {
                Endpoint::SaveBaselineSection | Endpoint::ImportCtf => {
                    may_edit_baseline(&access, PlacementState::Active)
                }
                Endpoint::SubmitBaseline => Transition::Submit.allowed_for(&access),
                Endpoint::AcceptBaseline => Transition::Accept.allowed_for(&access),
                Endpoint::ReturnBaseline => Transition::Return.allowed_for(&access),
                Endpoint::EndPlacement => Transition::End.allowed_for(&access),
                Endpoint::AddSession
                | Endpoint::RemoveSession
                | Endpoint::ChangeSession
                | Endpoint::SetContacts => access.manages,
                Endpoint::AddReview => access.may_review(),
                Endpoint::ListShares
                | Endpoint::CreateShare
                | Endpoint::RevokeShare
                | Endpoint::ExportRecord => access.manages,
                Endpoint::EraseRecord => who.manager_of(ap).is_some_and(|m| m.is_admin()),
                _ => true,
            };
            return if may {
                Expect::Allowed
            } else {
                Expect::Forbidden
            };
        }
    };
    if allowed {
        Expect::Allowed
    } else {
        Expect::Hidden
    }
}

/// A person at Riverside whom admins and DSLs may remove; given back their
/// access after each removal so every allowed caller finds them.
const TARGET: &str = "person-matrix-target";

fn give_target_access(server: &Server) {
    server.sql(&format!(
        "INSERT OR IGNORE INTO people (id, email, name, created_at) \
         VALUES ('{TARGET}', 'target@northgate.example', 'Matrix Target', '2026-01-01T00:00:00.000Z'); \
         INSERT OR IGNORE INTO grants (person_id, ap_id, organisation_id, role, is_dsl, created_at) \
         VALUES ('{TARGET}', '{AP}', '{}', 'school_staff', 0, '2026-01-01T00:00:00.000Z');",
        demo::SCHOOL
    ));
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_route_table_says() {
    let server = Server::start().await;
    give_target_access(&server);
    // A real pending invitation to revoke (its email fails: no provider here).
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let invitation: Value = admin
        .post_json(
            &format!("/api/aps/{AP}/invitations"),
            &json!({ "email": "matrix@northgate.example", "name": "Matrix", "role": "school_staff",
                     "organisation_id": demo::SCHOOL, "placement_ids": [demo::placement_id("amara")] }),
        )
        .await
        .json()
        .await
        .expect("invitation");
    let invitation_id = invitation["id"].as_str().expect("id").to_owned();
    // A share of each placement's export to revoke.
    for key in ["amara", "kai", "noah"] {
        let (id, _) = placement_ref(key);
        server.sql(&format!(
            "INSERT INTO shares (id, placement_id, token_digest, recipient_email, recipient_name,
                                 created_at, expires_at)
             VALUES ('share-matrix-{key}', '{id}', 'digest-{key}', 'x@school.example', 'X',
                     '2026-01-01T00:00:00+00:00', '2099-01-01T00:00:00+00:00')"
        ));
    }
    // A real alert: Amara missed her first session on the last school day.
    let day = demo::last_school_day();
    let at = lt_core::london::to_utc(
        day,
        chrono::NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
    );
    assert!(server.fire_cron(at).await.status().is_success());
    let amara = demo::session_id("amara", 0, day);
    let alert = server.rows(&format!(
        "SELECT id FROM alerts WHERE session_id = '{amara}' AND date = '{day}'"
    ));
    let alert_id = alert[0]["id"].as_str().expect("an alert").to_owned();

    let mut callers: Vec<Option<&demo::DemoPerson>> = vec![None];
    callers.extend(PEOPLE.iter().map(Some));
    let mut checked = 0;
    for person in callers {
        let principal = person.map(principal_of);
        let mut client = match person {
            Some(p) => Client::signed_in(&server, p.email).await,
            None => Client::new(&server),
        };
        // Sign-out last, so the rest run signed in.
        let mut endpoints: Vec<Endpoint> = Endpoint::ALL.to_vec();
        endpoints.sort_by_key(|e| *e == Endpoint::SignOut);
        for endpoint in endpoints {
            for (path, ap, placement) in targets(endpoint, &invitation_id, &alert_id) {
                let wanted = expect(endpoint, principal.as_ref(), ap, placement.as_deref());
                let builder = match endpoint.method() {
                    Method::Get => client.request(reqwest::Method::GET, &path),
                    // An empty object: access is decided before the body is read,
                    // and an empty body changes nothing where it is allowed.
                    Method::Put => client.request(reqwest::Method::PUT, &path).json(&json!({})),
                    _ => client
                        .request(reqwest::Method::POST, &path)
                        .json(&json!({})),
                };
                let response = client.send(builder).await;
                let status = response.status().as_u16();
                let who = person.map_or("no one", |p| p.email);
                match wanted {
                    Expect::Unauthenticated => assert_eq!(status, 401, "{who}: {path}"),
                    Expect::Hidden => assert_eq!(
                        status, 404,
                        "{who}: {path} must look like it does not exist"
                    ),
                    Expect::Forbidden => assert_eq!(status, 403, "{who}: {path}"),
                    Expect::Allowed => assert!(
                        ![401, 403, 404].contains(&status)
                            || (endpoint == Endpoint::LookUpInvitation && status == 400)
                            // Open to anyone, and then asks for an opened share's cookie.
                            || (endpoint == Endpoint::GetSharedExport && status == 401),
                        "{who}: {path} refused with {status}"
                    ),
                }
                if endpoint == Endpoint::RemovePerson && status == 204 {
                    give_target_access(&server);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} calls checked");
}

#[tokio::test]
async fn safeguarding_flags_reach_only_those_who_need_them_and_every_read_is_audited() {
    let server = Server::start().await;
    let amara = demo::placement_id("amara");
    let mut reads = 0;
    for person in PEOPLE.iter().filter(|p| p.ap == AP) {
        let mut client = Client::signed_in(&server, person.email).await;
        let response = client.get(&format!("/api/placements/{amara}")).await;
        let role = Role::parse(person.role).expect("role");
        let may_see = principal_of(person)
            .placement(PlacementRef {
                id: &amara,
                ap_id: AP,
            })
            .map(|a| a.safeguarding);
        match may_see {
            None => assert_eq!(response.status(), 404, "{}", person.email),
            Some(sees) => {
                assert_eq!(response.status(), 200, "{}", person.email);
                let detail: PlacementDetail = response.json().await.expect("detail");
                assert_eq!(detail.pupil_first_name, "Amara");
                if sees {
                    reads += 1;
                    let flags = detail.safeguarding.expect("flags for a DSL");
                    assert!(flags.child_in_need);
                    assert_eq!(flags.not_to_collect, ["Father (court order)"]);
                } else {
                    assert!(
                        detail.safeguarding.is_none(),
                        "{} ({role:?}) saw safeguarding",
                        person.email
                    );
                    assert!(detail.safeguarding_withheld);
                }
            }
        }
    }
    assert_eq!(reads, 3, "AP admin, AP DSL and the school DSL");
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let page: lt_core::api::AuditPage = admin
        .get(&format!("/api/aps/{AP}/audit?action=safeguarding.read"))
        .await
        .json()
        .await
        .expect("audit");
    assert_eq!(page.entries.len(), reads);
    let mut readers: Vec<&str> = page
        .entries
        .iter()
        .filter_map(|e| e.actor_name.as_deref())
        .collect();
    readers.sort_unstable();
    assert_eq!(readers, ["Daniel Okafor", "Mark Evans", "Priya Shah"]);
    assert!(page.entries.iter().all(|e| e.subject_id == amara));
}
