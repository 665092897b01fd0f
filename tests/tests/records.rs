//! The whole pupil record, out and in, against the real worker: the AP's
//! admin exports Jordan's record (everything held, with the audit of who
//! accessed it), another AP imports it, and exporting it there gives the
//! same content; the wrong people and bad files are refused.

use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, history};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";
const HILLSIDE: &str = "admin@hillside.example";

fn record_path(placement: &str) -> String {
    format!("/api/placements/{placement}/record")
}

async fn export(client: &mut Client, placement: &str) -> Value {
    let response = client.get(&record_path(placement)).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("record")
}

#[tokio::test]
async fn a_record_exported_and_imported_elsewhere_exports_the_same() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let record = export(&mut admin, history::PLACEMENT).await;
    assert_eq!(record["schema"], "learntrek.pupil-record.v1");
    assert_eq!(record["held_by"], "Riverside Learning Centre");
    let content = &record["content"];
    assert_eq!(content["pupil"]["last_name"], "Ellis");
    assert_eq!(content["marks"].as_array().expect("marks").len(), 60);
    assert_eq!(content["progress"].as_array().expect("progress").len(), 55);
    assert_eq!(content["reviews"].as_array().expect("reviews").len(), 2);
    assert_eq!(content["sessions"].as_array().expect("sessions").len(), 5);
    // Everything held, safeguarding included, with the audit of who read it.
    let fields: Vec<&str> = content["baseline"]
        .as_array()
        .expect("baseline")
        .iter()
        .map(|b| b["field"].as_str().expect("field"))
        .collect();
    assert!(fields.contains(&"safeguarding.child_protection_plan"));
    let actions: Vec<&str> = record["access_log"]
        .as_array()
        .expect("log")
        .iter()
        .map(|a| a["action"].as_str().expect("action"))
        .collect();
    assert!(actions.contains(&"record.exported"), "{actions:?}");
    assert!(actions.contains(&"safeguarding.read"), "{actions:?}");

    // The record follows the child to Hillside. Long notes make it the size
    // of a year's placement, beyond the usual limit on a request's body.
    let mut moved = record.clone();
    for entry in moved["content"]["progress"]
        .as_array_mut()
        .expect("progress")
    {
        entry["note"] = json!("Settled quickly and worked with the group. ".repeat(40));
    }
    let size = moved.to_string().len();
    assert!(size > 2 * lt_core::api::MAX_JSON_BODY_BYTES, "{size} bytes");
    let mut hillside = Client::signed_in(&server, HILLSIDE).await;
    let response = hillside
        .post_json(&format!("/api/aps/{}/records", demo::OTHER_AP), &moved)
        .await;
    assert_eq!(response.status(), 201);
    let imported: Value = response.json().await.expect("imported");
    let placement = imported["placement_id"].as_str().expect("id").to_owned();
    assert_ne!(placement, history::PLACEMENT);
    let again = export(&mut hillside, &placement).await;
    assert_eq!(again["held_by"], "Hillside Alternative Provision");
    assert_eq!(
        again["content"], moved["content"],
        "the same content after the round trip"
    );
    let log: Vec<&str> = again["access_log"]
        .as_array()
        .expect("log")
        .iter()
        .map(|a| a["action"].as_str().expect("action"))
        .collect();
    assert_eq!(log[0], "record.imported");
    // Riverside's copy is untouched, and Riverside cannot see Hillside's.
    assert_eq!(
        export(&mut admin, history::PLACEMENT).await["content"],
        record["content"]
    );
    assert_eq!(admin.get(&record_path(&placement)).await.status(), 404);
    // The imported placement is a real one: its export works there.
    let figures: Value = hillside
        .get(&format!("/api/placements/{placement}/export"))
        .await
        .json()
        .await
        .expect("export");
    assert_eq!(
        figures["attendance"]["attended"],
        history::expected::ATTENDED
    );
}

#[tokio::test]
async fn the_wrong_people_and_bad_files_are_refused_and_nothing_is_written() {
    let server = Server::start().await;
    for (who, status) in [
        ("senco@northgate.example", 403),
        ("maya.lewis@riverside.example", 403),
        (HILLSIDE, 404),
    ] {
        let mut client = Client::signed_in(&server, who).await;
        let (got, _) = error_of(client.get(&record_path(history::PLACEMENT)).await).await;
        assert_eq!(got, status, "{who}");
    }
    let mut dsl = Client::signed_in(&server, "dsl@riverside.example").await;
    let record = export(&mut dsl, history::PLACEMENT).await;
    let pupils = || server.rows("SELECT COUNT(*) AS n FROM pupils")[0]["n"].clone();
    let before = pupils();
    let mut hillside = Client::signed_in(&server, HILLSIDE).await;
    let path = format!("/api/aps/{}/records", demo::OTHER_AP);
    let broken = |pointer: &str, value: Value| {
        let mut r = record.clone();
        *r.pointer_mut(pointer).expect("pointer") = value;
        r
    };
    for (body, field) in [
        (broken("/schema", json!("something.else")), "schema"),
        (
            broken("/content/marks/3/kind", json!("maybe")),
            "content.marks[3].kind",
        ),
        (
            broken("/content/marks/0/session", json!("s99")),
            "content.marks[0].session",
        ),
        (
            broken("/content/placement/state", json!("active")),
            "content.placement.state",
        ),
        (
            broken("/content/sessions/0/start_time", json!("25:00")),
            "content.sessions[0].start_time",
        ),
        (
            broken("/content/baseline/0/field", json!("identity.shoe_size")),
            "content.baseline[0].field",
        ),
    ] {
        let (status, error) = error_of(hillside.post_json(&path, &body).await).await;
        assert_eq!((status, error["field"].clone()), (400, json!(field)));
    }
    assert_eq!(pupils(), before, "a refused import writes nothing");
    // Riverside's admin cannot import into Hillside.
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let (status, _) = error_of(admin.post_json(&path, &record).await).await;
    assert!([403, 404].contains(&status), "{status}");
}
