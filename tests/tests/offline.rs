//! Browser: a tutor taps three registers at once with a signal, then with no
//! signal marks three pupils, reloads the
//! app, and gets the signal back; each mark reaches the server once, and an
//! AP admin's dashboard in another browser follows without reloading.

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use lt_tests::browser::Browser;
use lt_tests::demo;
use lt_tests::server::Server;

const SESSIONS: [(&str, &str); 3] = [
    ("offline-a", "amara"),
    ("offline-b", "leo"),
    ("offline-c", "sofia"),
];
/// Marked in a quick burst with a signal: each tap must be sent, not just the first.
const BURST: [(&str, &str); 3] = [
    ("burst-a", "amara"),
    ("burst-b", "leo"),
    ("burst-c", "sofia"),
];

/// Six all-day sessions today with Maya, so the test runs at any hour (but
/// the first minutes after midnight): no grace, so each is missing at once.
fn sessions_today(server: &Server) {
    let weekday = lt_core::london::local_date(Utc::now())
        .weekday()
        .number_from_monday();
    for (n, (id, pupil)) in SESSIONS.iter().chain(BURST.iter()).enumerate() {
        server.sql(&format!(
            "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id,
                                   alert_grace_minutes)
             VALUES ('{id}', '{}', {weekday}, '00:0{}', '23:59', 'venue-centre', 'person-tutor-maya', 0)",
            demo::placement_id(pupil),
            n + 1
        ));
    }
}

async fn state_of(browser: &Browser, session: &str) -> String {
    browser
        .texts(&format!("#d-{session} .state"))
        .await
        .into_iter()
        .next()
        .unwrap_or_default()
}

#[tokio::test]
async fn marks_made_offline_reach_the_server_once_and_the_dashboard_follows_live() {
    let server = Server::start().await;
    sessions_today(&server);

    // The AP admin watches the dashboard in one browser.
    let office = Browser::start().await;
    office
        .client
        .goto(&server.url("/dashboard"))
        .await
        .expect("open dashboard");
    office
        .sign_in("admin@riverside.example", demo::PASSWORD)
        .await;
    office.wait_for("#d-offline-a", 20).await;
    assert_eq!(state_of(&office, "offline-a").await, "Missing");
    // A reload would clear this; it must survive the updates.
    office
        .client
        .execute("window.stayedOpen = true; return true", vec![])
        .await
        .expect("mark the page");

    // The tutor opens the app once with a signal, so the phone keeps it.
    let tutor = Browser::start().await;
    let c = &tutor.client;
    c.goto(&server.url("/")).await.expect("open app");
    tutor
        .sign_in("maya.lewis@riverside.example", demo::PASSWORD)
        .await;
    tutor.wait_for("#s-offline-c", 20).await;
    tutor.wait_for_service_worker().await;

    // With a signal, three taps at once (one script, so no layout shift can
    // move a button from under the click): every one reaches the server.
    let burst: Vec<String> = BURST
        .iter()
        .map(|(id, _)| format!("document.querySelector('#s-{id} button.mark.present').click();"))
        .collect();
    c.execute(&burst.concat(), vec![])
        .await
        .expect("three taps");
    for (id, _) in BURST {
        tutor
            .wait_for(&format!("#s-{id} .marked-present .badge.saved"), 20)
            .await;
    }

    tutor.set_offline(true).await;
    for (id, _) in SESSIONS {
        tutor.click(&format!("#s-{id} button.mark.present")).await;
        tutor.wait_for(&format!("#s-{id} .pending"), 10).await;
    }
    tutor.screenshot("offline-marks-waiting").await;
    let on_server = || {
        server.rows(
            "SELECT session_id, COUNT(*) AS n FROM marks
             WHERE session_id LIKE 'offline-%' OR session_id LIKE 'burst-%'
             GROUP BY session_id ORDER BY session_id",
        )
    };
    assert_eq!(
        on_server().len(),
        3,
        "only the burst, made with a signal, has arrived"
    );

    // Reloading with no signal: the app, today and the waiting marks are all on the phone.
    c.refresh().await.expect("reload offline");
    tutor.wait_for(".notice.offline", 20).await;
    for (id, _) in SESSIONS {
        let line = tutor.wait_for(&format!("#s-{id} .pending"), 20).await;
        assert!(
            line.text()
                .await
                .unwrap_or_default()
                .contains("Waiting to send")
        );
    }
    tutor.screenshot("offline-after-reload").await;

    // The signal returns: the outbox is sent, and each mark shows as saved.
    tutor.set_offline(false).await;
    for (id, _) in SESSIONS {
        tutor
            .wait_for(&format!("#s-{id} .marked-present .badge.saved"), 30)
            .await;
    }
    assert!(tutor.texts(".pending").await.is_empty());
    tutor.screenshot("offline-marks-saved").await;
    let rows = on_server();
    let counts: Vec<(String, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["session_id"].as_str().unwrap_or("").to_owned(),
                r["n"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    let mut expected: Vec<(String, i64)> = BURST
        .iter()
        .chain(SESSIONS.iter())
        .map(|(id, _)| ((*id).to_owned(), 1))
        .collect();
    expected.sort();
    assert_eq!(counts, expected);

    // The dashboard caught up by itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut states = Vec::new();
        for (id, _) in SESSIONS {
            states.push(state_of(&office, id).await);
        }
        if states.iter().all(|s| s == "Arrived") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the dashboard still shows {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let stayed = office
        .client
        .execute("return window.stayedOpen === true", vec![])
        .await
        .expect("read the page");
    assert_eq!(stayed, serde_json::json!(true), "the dashboard reloaded");
    office.screenshot("dashboard-live").await;
    tutor.close().await;
    office.close().await;
}
