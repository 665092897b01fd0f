//! Timetables against the real worker: weekly sessions, one-off changes,
//! terms, designated contacts, and nothing happening before activation.

use chrono::{Datelike, Duration};
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, AP};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    response.json().await.expect("json body")
}

fn today() -> chrono::NaiveDate {
    lt_core::london::local_date(chrono::Utc::now())
}

fn amara_sessions_today(today: &Value) -> Vec<String> {
    today["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|s| s["pupil_first_name"] == "Amara")
        .map(|s| s["starts_local"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn the_ap_adds_a_session_and_bad_input_is_named() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let path = format!("/api/placements/{}/sessions", demo::placement_id("amara"));
    let good = json!({ "weekday": 3, "start_time": "15:00", "end_time": "16:00", "venue_id": "venue-library",
                       "tutor_id": "person-tutor-tom", "escort_id": null });
    for (key, bad, named) in [
        ("weekday", json!(9), "weekday"),
        ("start_time", json!("3pm"), "start_time"),
        ("end_time", json!("14:00"), "end_time"),
        ("venue_id", json!("venue-hillside"), "venue_id"),
        ("tutor_id", json!("person-escort"), "tutor_id"),
        ("escort_id", json!("person-escort"), "pickup_place"),
    ] {
        let mut body = good.clone();
        body[key] = bad;
        let (status, error) = error_of(admin.post_json(&path, &body).await).await;
        assert_eq!(
            (status, error["field"].clone()),
            (400, json!(named)),
            "{key}"
        );
    }
    let timetable = json_of(admin.post_json(&path, &good).await, 201).await;
    let added = timetable["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["start_time"] == "15:00")
        .expect("the new session");
    assert_eq!(added["tutor_name"], "Tom Reid");
    let upcoming: Vec<&Value> = timetable["upcoming"]
        .as_array()
        .expect("upcoming")
        .iter()
        .filter(|u| u["session_id"] == added["id"])
        .collect();
    assert_eq!(upcoming.len(), 2, "two Wednesdays in a fortnight");
    // A school may see the timetable but not change it.
    let mut senco = Client::signed_in(&server, "senco@northgate.example").await;
    let seen = json_of(
        senco
            .get(&format!(
                "/api/placements/{}/timetable",
                demo::placement_id("amara")
            ))
            .await,
        200,
    )
    .await;
    assert_eq!(seen["editable"], false);
    assert_eq!(seen["venues"], json!([]));
    assert_eq!(senco.post_json(&path, &good).await.status(), 403);
}

#[tokio::test]
async fn one_off_changes_move_or_cancel_an_occurrence_and_today_follows() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let amara = demo::placement_id("amara");
    let today = today();
    let weekday = today.weekday().number_from_monday();
    let morning = format!("session-amara-{weekday}-0");
    let change = |session: &str, date: chrono::NaiveDate| {
        format!("/api/placements/{amara}/sessions/{session}/dates/{date}")
    };
    let before = json_of(admin.get("/api/today").await, 200).await;
    assert_eq!(amara_sessions_today(&before), ["09:30", "12:45"]);

    let moved = admin
        .put_json(
            &change(&morning, today),
            &json!({ "cancelled": false, "start_time": "10:15", "end_time": "12:00", "reason": "Dentist first thing" }),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let after = json_of(admin.get("/api/today").await, 200).await;
    assert_eq!(amara_sessions_today(&after), ["10:15", "12:45"]);

    let afternoon = format!("session-amara-{weekday}-1");
    admin
        .put_json(
            &change(&afternoon, today),
            &json!({ "cancelled": true, "reason": "Venue closed" }),
        )
        .await;
    let after = json_of(admin.get("/api/today").await, 200).await;
    assert_eq!(amara_sessions_today(&after), ["10:15"]);
    let timetable = json_of(
        admin
            .get(&format!("/api/placements/{amara}/timetable"))
            .await,
        200,
    )
    .await;
    let cancelled = timetable["upcoming"]
        .as_array()
        .expect("upcoming")
        .iter()
        .find(|u| u["session_id"] == afternoon.as_str() && u["date"] == today.to_string())
        .expect("listed, marked cancelled");
    assert_eq!(
        (
            cancelled["cancelled"].clone(),
            cancelled["change_reason"].clone()
        ),
        (json!(true), json!("Venue closed"))
    );
    // A cancelled occurrence takes no register.
    let mark = json!({ "session_id": afternoon, "date": today, "kind": "present", "device_time": chrono::Utc::now() });
    let (status, error) = error_of(
        admin
            .put_json("/api/marks/6c0e2d1a-0001-4c2b-9d3e-0123456789ab", &mark)
            .await,
    )
    .await;
    assert_eq!(status, 409, "{error}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("does not take place")),
        "{error}"
    );

    // Not that session's weekday; in the past; no reason.
    let (status, _) = error_of(
        admin
            .put_json(
                &change(&morning, today + Duration::days(1)),
                &json!({ "cancelled": true, "reason": "x" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 409);
    let (status, error) = error_of(
        admin
            .put_json(
                &change(&morning, today - Duration::days(7)),
                &json!({ "cancelled": true, "reason": "x" }),
            )
            .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("date")));
    let (status, error) = error_of(
        admin
            .put_json(
                &change(&morning, today + Duration::days(7)),
                &json!({ "cancelled": true, "reason": " " }),
            )
            .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("reason")));
    let audit =
        server.rows("SELECT action FROM audit_log WHERE action LIKE 'timetable.%' ORDER BY id");
    let actions: Vec<&str> = audit.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["timetable.session_moved", "timetable.session_cancelled"]
    );
}

#[tokio::test]
async fn sessions_happen_only_in_term_and_a_removed_session_stops_after_today() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let today = today();
    let terms = format!("/api/aps/{AP}/terms");
    let (status, error) = error_of(
        admin
            .put_json(
                &terms,
                &json!({ "terms": [
                    { "name": "Autumn", "starts": "2026-09-03", "ends": "2026-12-18" },
                    { "name": "Overlap", "starts": "2026-12-01", "ends": "2027-01-20" } ] }),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error["field"].clone()),
        (400, json!("terms[1].starts"))
    );
    // A term that ended yesterday: nothing happens today.
    let yesterday = today - Duration::days(1);
    let saved = json_of(
        admin
            .put_json(&terms, &json!({ "terms": [{ "name": "Past", "starts": "2020-01-06", "ends": yesterday }] }))
            .await,
        200,
    )
    .await;
    assert_eq!(saved["terms"][0]["name"], "Past");
    let now = json_of(admin.get("/api/today").await, 200).await;
    assert_eq!(now["sessions"], json!([]));
    admin.put_json(&terms, &json!({ "terms": [] })).await;

    let amara = demo::placement_id("amara");
    let weekday = today.weekday().number_from_monday();
    let morning = format!("session-amara-{weekday}-0");
    let timetable = json_of(
        admin
            .post_json(
                &format!("/api/placements/{amara}/sessions/{morning}/remove"),
                &json!({}),
            )
            .await,
        200,
    )
    .await;
    let left: Vec<&str> = timetable["upcoming"]
        .as_array()
        .expect("upcoming")
        .iter()
        .filter(|u| u["session_id"] == morning.as_str())
        .filter_map(|u| u["date"].as_str())
        .collect();
    assert_eq!(left, [today.to_string()], "today's stays, later ones go");
}

#[tokio::test]
async fn a_referred_placement_has_no_occurrences() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let timetable = json_of(
        admin
            .get(&format!(
                "/api/placements/{}/timetable",
                demo::placement_id("mia")
            ))
            .await,
        200,
    )
    .await;
    assert!(
        !timetable["sessions"]
            .as_array()
            .expect("sessions")
            .is_empty()
    );
    assert_eq!(timetable["upcoming"], json!([]));
}

#[tokio::test]
async fn designated_contacts_are_ap_staff_and_the_commissioners_invited_staff() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let path = format!("/api/placements/{}/contacts", demo::placement_id("amara"));
    let detail = json_of(
        admin
            .put_json(
                &path,
                &json!({ "person_ids": ["person-dsl", "person-school-dsl"] }),
            )
            .await,
        200,
    )
    .await;
    let sides: Vec<(String, String)> = detail["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").into(),
                c["side"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        sides,
        [
            ("Daniel Okafor".into(), "ap".into()),
            ("Mark Evans".into(), "commissioner".into())
        ]
    );
    for (who, at) in [("person-escort", 0), ("person-commissioner", 1)] {
        let mut ids = vec![json!("person-dsl")];
        ids.insert(at, json!(who));
        let (status, error) =
            error_of(admin.put_json(&path, &json!({ "person_ids": ids })).await).await;
        assert_eq!(
            (status, error["field"].clone()),
            (400, json!(format!("person_ids[{at}]"))),
            "{who}"
        );
    }
    // The refused lists changed nothing.
    let kept = server.rows(&format!(
        "SELECT COUNT(*) AS n FROM designated_contacts WHERE placement_id = '{}'",
        demo::placement_id("amara")
    ));
    assert_eq!(kept[0]["n"], 2);
}
