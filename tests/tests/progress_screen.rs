//! Browser: right after a session, a tutor logs progress on the phone —
//! engagement, a strategy and how well it worked, an incident — with no
//! signal; it waits in the outbox, reaches the server once when the signal
//! returns, and saving again (also after a reload) makes a new version of
//! the same entry.

use std::time::Duration;

use chrono::{Datelike, Utc};
use lt_tests::browser::Browser;
use lt_tests::demo;
use lt_tests::server::Server;

const SESSION: &str = "progress-today";

#[tokio::test]
async fn a_tutor_logs_progress_offline_and_edits_it() {
    let server = Server::start().await;
    let weekday = lt_core::london::local_date(Utc::now())
        .weekday()
        .number_from_monday();
    server.sql(&format!(
        "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id)
         VALUES ('{SESSION}', '{}', {weekday}, '00:00', '23:59', 'venue-centre', 'person-tutor-maya')",
        demo::placement_id("amara")
    ));
    let phone = Browser::start().await;
    phone.client.goto(&server.url("/")).await.expect("open app");
    phone
        .sign_in("maya.lewis@riverside.example", demo::PASSWORD)
        .await;
    let card = format!("#s-{SESSION}");
    phone.wait_for(&format!("{card} .log-progress"), 20).await;
    phone.wait_for_service_worker().await;
    phone.click(&format!("{card} .log-progress")).await;
    phone.wait_for(&format!("{card} form.progress"), 10).await;
    phone
        .click(&format!("label[for=engagement-4-{SESSION}]"))
        .await;
    phone
        .fill(&format!("#strategy-{SESSION}"), "Quiet word one to one")
        .await;
    phone.click(&format!("label[for=effect-5-{SESSION}]")).await;
    phone.click(&format!("{card} .add-incident")).await;
    phone
        .set_value(&format!("#kind-{SESSION}"), "refusal")
        .await;
    phone
        .set_value(&format!("#severity-{SESSION}"), "medium")
        .await;
    phone.set_value(&format!("#time-{SESSION}"), "10:05").await;
    phone
        .fill(&format!("#trigger-{SESSION}"), "Asked to read aloud")
        .await;
    // A second strategy and a second incident, as a real session has.
    phone.click(&format!("{card} .add-strategy")).await;
    phone
        .fill(&format!("#strategy1-{SESSION}"), "Movement break")
        .await;
    phone
        .click(&format!("label[for=effect1-3-{SESSION}]"))
        .await;
    phone.click(&format!("{card} .add-incident")).await;
    phone.set_value(&format!("#time1-{SESSION}"), "10:40").await;
    phone
        .fill(&format!("#trigger1-{SESSION}"), "Noise in the corridor")
        .await;
    phone.screenshot("progress-form").await;

    phone.set_offline(true).await;
    phone
        .click(&format!("{card} form.progress button[type=submit]"))
        .await;
    phone.wait_for(&format!("{card} .pending"), 10).await;
    let waiting = phone.texts(&format!("{card} .pending")).await;
    assert!(
        waiting.iter().any(|t| t.contains("Progress: engagement 4")),
        "{waiting:?}"
    );
    assert_eq!(
        server
            .rows("SELECT id FROM progress_saves WHERE placement_id <> 'placement-jordan'")
            .len(),
        0
    );
    phone.screenshot("progress-waiting").await;

    phone.set_offline(false).await;
    let mut saved = Vec::new();
    for _ in 0..100 {
        saved =
            server.rows("SELECT entry_id, engagement, incidents, strategies FROM progress_saves WHERE placement_id <> 'placement-jordan'");
        if !saved.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(saved.len(), 1, "sent once when the signal came back");
    assert_eq!(saved[0]["engagement"], 4);
    let incidents: serde_json::Value =
        serde_json::from_str(saved[0]["incidents"].as_str().unwrap_or("[]")).expect("json");
    assert_eq!(incidents[0]["kind"], "refusal");
    assert_eq!(incidents[0]["severity"], "medium");
    assert_eq!(incidents[0]["trigger"], "Asked to read aloud");
    assert_eq!(incidents[1]["kind"], "disruption");
    assert_eq!(incidents[1]["time"], "10:40:00");
    assert_eq!(incidents[1]["trigger"], "Noise in the corridor");
    let strategies: serde_json::Value =
        serde_json::from_str(saved[0]["strategies"].as_str().unwrap_or("[]")).expect("json");
    assert_eq!(strategies[0]["effect"], 5);
    assert_eq!(strategies[1]["strategy"], "Movement break");
    assert_eq!(strategies[1]["effect"], 3);

    // Saving again edits the same entry: a second version, both kept. The
    // form closed on saving; opened again it starts from what was saved.
    phone.click(&format!("{card} .log-progress")).await;
    phone
        .click(&format!("label[for=engagement-5-{SESSION}]"))
        .await;
    phone
        .click(&format!("{card} form.progress button[type=submit]"))
        .await;
    let mut versions = Vec::new();
    for _ in 0..100 {
        versions =
            server.rows("SELECT entry_id, engagement FROM progress_saves WHERE placement_id <> 'placement-jordan' ORDER BY device_time");
        if versions.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["entry_id"], versions[1]["entry_id"]);
    assert_eq!(versions[1]["engagement"], 5);
    phone.screenshot("progress-saved").await;

    // After a reload the card says what was logged, and an edit still
    // lands on the same entry.
    phone.client.goto(&server.url("/")).await.expect("reload");
    phone.wait_for(&format!("{card} .logged"), 20).await;
    assert_eq!(
        phone.texts(&format!("{card} .logged")).await,
        ["Progress logged: engagement 5 · Fully engaged and independent"]
    );
    phone.click(&format!("{card} .log-progress")).await;
    let kept = phone
        .client
        .execute(
            &format!(
                "return [document.getElementById('strategy-{SESSION}').value,
                         document.getElementById('trigger-{SESSION}').value,
                         document.getElementById('severity-{SESSION}').value]"
            ),
            vec![],
        )
        .await
        .expect("form values");
    assert_eq!(
        kept,
        serde_json::json!(["Quiet word one to one", "Asked to read aloud", "medium"]),
        "an edit starts from what was saved"
    );
    phone
        .click(&format!("label[for=engagement-3-{SESSION}]"))
        .await;
    phone
        .click(&format!("{card} form.progress button[type=submit]"))
        .await;
    let mut all = Vec::new();
    for _ in 0..100 {
        all = server.rows(
            "SELECT DISTINCT entry_id FROM progress_saves WHERE placement_id <> 'placement-jordan'",
        );
        let count = server.rows(
            "SELECT COUNT(*) AS n FROM progress_saves WHERE placement_id <> 'placement-jordan'",
        );
        if count[0]["n"] == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(all.len(), 1, "one entry, three versions");
    let latest = server.rows(
        "SELECT engagement, incidents, strategies FROM progress_saves WHERE placement_id <> 'placement-jordan' ORDER BY device_time DESC LIMIT 1",
    );
    assert_eq!(latest[0]["engagement"], 3);
    for column in ["incidents", "strategies"] {
        let kept: serde_json::Value =
            serde_json::from_str(latest[0][column].as_str().unwrap_or("[]")).expect("json");
        assert_eq!(
            kept.as_array().map(Vec::len),
            Some(2),
            "{column} kept by the edit"
        );
    }
    phone.close().await;
}
