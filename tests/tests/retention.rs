//! Retention and erasure against the real worker: the daily cron lists an
//! ended placement on the pupil's 25th birthday (not the day before), the
//! AP admin may change the age, and erasing a record removes every row of
//! it in one go and leaves an audit entry of what went and by whom.

use chrono::{DateTime, Utc};
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, history};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";
const DSL: &str = "dsl@riverside.example";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

async fn review(admin: &mut Client) -> Value {
    let response = admin.get(&format!("/api/aps/{}/retention", demo::AP)).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("review")
}

#[tokio::test]
async fn the_daily_review_lists_a_record_on_the_25th_birthday() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let start = review(&mut admin).await;
    assert_eq!(start["keep_until_age"], 25);
    // Jordan was born on 2 June 2012 and his placement has ended.
    assert!(
        server
            .fire_cron(at("2037-06-01T08:00:00Z"))
            .await
            .status()
            .is_success()
    );
    let before = review(&mut admin).await;
    assert_eq!(before["listed_on"], "2037-06-01");
    assert_eq!(before["due"].as_array().expect("due").len(), 0);
    assert!(
        server
            .fire_cron(at("2037-06-02T08:00:00Z"))
            .await
            .status()
            .is_success()
    );
    let on = review(&mut admin).await;
    assert_eq!(on["listed_on"], "2037-06-02");
    let due = on["due"].as_array().expect("due");
    assert_eq!(due.len(), 1, "{on}");
    assert_eq!(due[0]["placement_id"], history::PLACEMENT);
    assert_eq!(due[0]["review_on"], "2037-06-02");
    // Once a day: another run that day lists nothing new and changes nothing.
    assert!(
        server
            .fire_cron(at("2037-06-02T08:01:00Z"))
            .await
            .status()
            .is_success()
    );
    assert_eq!(review(&mut admin).await, on);

    // The DSL sees the list; only an admin changes the rule.
    let mut dsl = Client::signed_in(&server, DSL).await;
    assert_eq!(review(&mut dsl).await["due"], on["due"]);
    let path = format!("/api/aps/{}/retention", demo::AP);
    let (status, _) = error_of(dsl.put_json(&path, &json!({ "keep_until_age": 30 })).await).await;
    assert_eq!(status, 403);
    let (status, error) = error_of(
        admin
            .put_json(&path, &json!({ "keep_until_age": 17 }))
            .await,
    )
    .await;
    assert_eq!(
        (status, error["field"].clone()),
        (400, json!("keep_until_age"))
    );
    let saved = admin
        .put_json(&path, &json!({ "keep_until_age": 30 }))
        .await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.expect("saved");
    assert_eq!(saved["keep_until_age"], 30);
    // Reviewed again at once, as of today: nothing is due yet.
    assert_eq!(saved["due"].as_array().expect("due").len(), 0);
    let audit =
        server.rows("SELECT actor_id, changes FROM audit_log WHERE action = 'retention.rule'");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor_id"], "person-admin");
}

#[tokio::test]
async fn an_admin_erases_an_ended_record_and_the_audit_says_what_went() {
    let server = Server::start().await;
    let path = format!("/api/placements/{}/erase", history::PLACEMENT);
    let confirm = json!({ "confirm_last_name": "ellis" });
    for (who, status) in [
        (DSL, 403),
        ("senco@northgate.example", 403),
        ("admin@hillside.example", 404),
    ] {
        let mut client = Client::signed_in(&server, who).await;
        let (got, _) = error_of(client.post_json(&path, &confirm).await).await;
        assert_eq!(got, status, "{who}");
    }
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let (status, _) = error_of(
        admin
            .post_json(
                &format!("/api/placements/{}/erase", demo::placement_id("amara")),
                &json!({ "confirm_last_name": "Johnson" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 409, "an active placement is not erased");
    let (status, error) = error_of(
        admin
            .post_json(&path, &json!({ "confirm_last_name": "Elis" }))
            .await,
    )
    .await;
    assert_eq!(
        (status, error["field"].clone()),
        (400, json!("confirm_last_name"))
    );
    assert_eq!(
        server.rows("SELECT COUNT(*) AS n FROM marks WHERE placement_id = 'placement-jordan'")[0]["n"],
        60,
        "a refused erasure removes nothing"
    );

    let response = admin
        .post_json(&path, &json!({ "confirm_last_name": " Ellis " }))
        .await;
    assert_eq!(response.status(), 200);
    let erased: Value = response.json().await.expect("erased");
    let rows = |what: &str| {
        erased["erased"]
            .as_array()
            .expect("erased")
            .iter()
            .find(|e| e["what"] == what)
            .map_or(0, |e| e["rows"].as_u64().expect("rows"))
    };
    assert_eq!(rows("marks"), 60);
    assert_eq!(rows("progress saves"), 55);
    assert_eq!(rows("reviews"), 2);
    assert_eq!(rows("sessions"), 5);
    assert_eq!(rows("baseline entries"), 18);
    assert_eq!(rows("pupil"), 1);
    for table in [
        "marks",
        "progress_saves",
        "reviews",
        "sessions",
        "baseline_entries",
        "grant_scopes",
    ] {
        let left = server.rows(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE placement_id = 'placement-jordan'"
        ));
        assert_eq!(left[0]["n"], 0, "{table}");
    }
    assert!(
        server
            .rows("SELECT id FROM pupils WHERE id = 'pupil-jordan'")
            .is_empty()
    );
    let export = admin
        .get(&format!("/api/placements/{}/export", history::PLACEMENT))
        .await;
    assert_eq!(export.status(), 404);
    let audit = server.rows(&format!(
        "SELECT actor_id, changes FROM audit_log WHERE action = 'record.erased' AND subject_id = '{}'",
        history::PLACEMENT
    ));
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor_id"], "person-admin");
    let changes = audit[0]["changes"].as_str().expect("changes");
    assert!(
        changes.contains("\"marks\"") && changes.contains("\"60\""),
        "{changes}"
    );
    assert!(!changes.contains("Jordan") && !changes.contains("Ellis"));
    // The other pupils are untouched.
    assert_eq!(
        server.rows("SELECT COUNT(*) AS n FROM pupils")[0]["n"],
        demo::PUPILS.len()
    );
}
