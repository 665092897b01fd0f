//! The progress log against the real worker: a tutor logs a session, edits
//! it (every version kept), the placement's log shows the current version
//! to those who may see the placement, and bad entries are refused by field.

use chrono::Utc;
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, last_school_day, session_id};
use lt_tests::server::Server;
use serde_json::{Value, json};

const MAYA: &str = "maya.lewis@riverside.example";

/// A fresh device-style id each call (`n` tells them apart in a failure).
fn id(n: u32) -> String {
    format!(
        "9c0f5e2d-{n:04}-4a1b-8c3d-{:012}",
        Utc::now().timestamp_micros() % 1_000_000_000_000
    )
}

fn entry(entry_id: &str, session: &str, day: chrono::NaiveDate, engagement: u8) -> Value {
    json!({
        "entry_id": entry_id, "session_id": session, "date": day, "engagement": engagement,
        "incidents": [{ "kind": "refusal", "severity": "low", "time": "10:05",
                        "trigger": "Asked to read aloud", "strategy": "Quiet word one to one",
                        "outcome": "Rejoined the task after five minutes" }],
        "strategies": [{ "strategy": "Quiet word one to one", "effect": 5 },
                       { "strategy": "Movement break", "effect": 3 }],
        "note": "Good morning overall.",
        "device_time": Utc::now(),
    })
}

async fn put(client: &mut Client, save: &str, body: &Value) -> reqwest::Response {
    client
        .put_json(&format!("/api/progress/{save}"), body)
        .await
}

#[tokio::test]
async fn a_tutor_logs_a_session_and_edits_it_with_history() {
    let server = Server::start().await;
    let day = last_school_day();
    let amara = session_id("amara", 0, day);
    let mut maya = Client::signed_in(&server, MAYA).await;
    let (entry_id, first, second) = (id(1), id(2), id(3));

    let response = put(&mut maya, &first, &entry(&entry_id, &amara, day, 4)).await;
    assert_eq!(response.status(), 201);
    let saved: Value = response.json().await.expect("record");
    assert_eq!(
        (saved["engagement"].clone(), saved["versions"].clone()),
        (json!(4), json!(1))
    );
    assert_eq!(saved["recorded_by"], "Maya Lewis");
    // A replay answers the first result and writes nothing.
    let replay = put(&mut maya, &first, &entry(&entry_id, &amara, day, 4)).await;
    assert_eq!(replay.status(), 200);
    let replayed: Value = replay.json().await.expect("record");
    assert_eq!(replayed["received_at"], saved["received_at"]);
    // An edit is a new version of the same entry.
    let edited = put(&mut maya, &second, &entry(&entry_id, &amara, day, 5)).await;
    assert_eq!(edited.status(), 201);
    let count = server
        .rows("SELECT COUNT(*) AS n FROM progress_saves WHERE placement_id <> 'placement-jordan'");
    assert_eq!(count[0]["n"], 2);

    let placement = demo::placement_id("amara");
    for who in ["admin@riverside.example", "senco@northgate.example", MAYA] {
        let mut client = Client::signed_in(&server, who).await;
        let log: Value = client
            .get(&format!("/api/placements/{placement}/progress"))
            .await
            .json()
            .await
            .expect("log");
        let entries = log["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), 1, "{who}: one entry, its current version");
        assert_eq!(entries[0]["engagement"], 5, "{who}");
        assert_eq!(entries[0]["versions"], 2, "{who}");
        assert_eq!(
            entries[0]["strategies"][0]["strategy"],
            "Quiet word one to one"
        );
    }
    // The entry's history: both versions, oldest first, each with its saver.
    let mut senco = Client::signed_in(&server, "senco@northgate.example").await;
    let history: Value = senco
        .get(&format!("/api/placements/{placement}/progress/{entry_id}"))
        .await
        .json()
        .await
        .expect("history");
    let versions = history["versions"].as_array().expect("versions");
    let points: Vec<&Value> = versions.iter().map(|v| &v["engagement"]).collect();
    assert_eq!(points, [&json!(4), &json!(5)]);
    assert!(versions.iter().all(|v| v["recorded_by"] == "Maya Lewis"));
    let mut other_ap = Client::signed_in(&server, "admin@hillside.example").await;
    let hidden = other_ap
        .get(&format!("/api/placements/{placement}/progress"))
        .await;
    assert_eq!(hidden.status(), 404);
    let hidden = other_ap
        .get(&format!("/api/placements/{placement}/progress/{entry_id}"))
        .await;
    assert_eq!(hidden.status(), 404);
}

#[tokio::test]
async fn bad_entries_and_the_wrong_people_are_refused() {
    let server = Server::start().await;
    let day = last_school_day();
    let amara = session_id("amara", 0, day);
    let mut maya = Client::signed_in(&server, MAYA).await;
    let good = entry(&id(10), &amara, day, 3);
    let spoilt = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    for (body, field) in [
        (spoilt("engagement", json!(6)), "engagement"),
        (spoilt("engagement", json!(0)), "engagement"),
        (
            spoilt("strategies", json!([{ "strategy": " ", "effect": 4 }])),
            "strategies[0].strategy",
        ),
        (
            spoilt("strategies", json!([{ "strategy": "Praise", "effect": 9 }])),
            "strategies[0].effect",
        ),
        (
            spoilt(
                "incidents",
                json!([{ "kind": "refusal", "severity": "low", "time": "25:00" }]),
            ),
            "incidents[0].time",
        ),
        (
            spoilt(
                "incidents",
                json!([{ "kind": "shouting", "severity": "low", "time": "10:00" }]),
            ),
            "incidents[0].kind",
        ),
        (spoilt("note", json!("x".repeat(2001))), "note"),
        (spoilt("entry_id", json!("no")), "entry_id"),
    ] {
        let (status, error) = error_of(put(&mut maya, &id(11), &body).await).await;
        assert_eq!(
            (status, error["field"].clone()),
            (400, json!(field)),
            "{body}"
        );
    }
    assert_eq!(
        server.rows(
            "SELECT COUNT(*) AS n FROM progress_saves WHERE placement_id <> 'placement-jordan'"
        )[0]["n"],
        0
    );

    // The register's people log progress; the school and the escort do not.
    for who in ["senco@northgate.example", "gary.hill@swiftcabs.example"] {
        let mut client = Client::signed_in(&server, who).await;
        let status = put(&mut client, &id(12), &good).await.status();
        assert!([403, 404].contains(&status.as_u16()), "{who}: {status}");
    }
    // Tom sees Leo's placement but does not teach Leo's morning (Maya does);
    // Amara's he does not see at all.
    let mut tom = Client::signed_in(&server, "tom.reid@riverside.example").await;
    let leo_morning = entry(&id(17), &session_id("leo", 0, day), day, 3);
    assert_eq!(put(&mut tom, &id(13), &leo_morning).await.status(), 403);
    assert_eq!(put(&mut tom, &id(18), &good).await.status(), 404);

    // An entry stays with its session; a save id stays with its entry.
    let used = id(14);
    assert_eq!(put(&mut maya, &used, &good).await.status(), 201);
    let leo = session_id("leo", 0, day);
    let moved = json!({ "session_id": leo });
    let mut elsewhere = good.clone();
    elsewhere["session_id"] = moved["session_id"].clone();
    assert_eq!(put(&mut maya, &id(15), &elsewhere).await.status(), 409);
    let other_entry = entry(&id(16), &amara, day, 2);
    assert_eq!(put(&mut maya, &used, &other_entry).await.status(), 409);
}
