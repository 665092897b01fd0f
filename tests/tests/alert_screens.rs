//! Browser: a DSL's phone gets a missed-arrival alert. The worker encrypts
//! it to the phone's subscription (the push service stand-in decrypts it as
//! the browser would), Chromium's DevTools delivers it to the app's service
//! worker, which shows the notification; the alert opens in the app, where
//! the DSL acknowledges it and closes it with an outcome.

use std::time::Duration;

use chrono::NaiveTime;
use lt_tests::browser::Browser;
use lt_tests::client::Client;
use lt_tests::demo::{self, last_school_day, session_id};
use lt_tests::notify::{self, NotifyReceiver};
use lt_tests::push::{self, PushReceiver};
use lt_tests::server::Server;
use serde_json::{Value, json};

const DSL: &str = "dsl@riverside.example";

async fn notifications(browser: &Browser) -> Vec<Value> {
    let shown = browser
        .client
        .execute_async(
            "const done = arguments[0]; navigator.serviceWorker.ready
               .then((r) => r.getNotifications())
               .then((list) => done(list.map((n) => ({ title: n.title, body: n.body, tag: n.tag,
                                                         url: n.data && n.data.url }))))
               .catch((e) => done([{ error: String(e) }]));",
            vec![],
        )
        .await
        .expect("notifications");
    shown.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_pushed_alert_is_shown_opened_acknowledged_and_closed_on_the_phone() {
    let notify = NotifyReceiver::start(0).await;
    let push_service = PushReceiver::start().await;
    let mut vars = notify::worker_vars(&notify.base_url);
    vars.extend(push::worker_vars(&push::new_vapid_key()));
    let server = Server::start_with(&vars).await;
    let day = last_school_day();
    let amara = session_id("amara", 0, day);

    let browser = Browser::start().await;
    browser
        .cdp(
            "Browser.grantPermissions",
            json!({ "origin": server.url(""), "permissions": ["notifications"] }),
        )
        .await
        .expect("grant notifications");
    browser.client.goto(&server.url("/")).await.expect("open");
    browser.sign_in(DSL, demo::PASSWORD).await;
    browser.wait_for("nav.tabs", 20).await;
    browser.wait_for_service_worker().await;
    browser
        .client
        .goto(&server.url("/alerts"))
        .await
        .expect("alerts");
    browser.wait_for("#push-state", 30).await;
    let state = browser.texts("#push-state").await;
    assert_eq!(state, ["Alerts do not come to this phone yet."]);
    browser.screenshot("alerts-none").await;

    // This phone's subscription, as the browser's push service would have
    // made it (headless Chromium has no push service of its own).
    let mut dsl = Client::signed_in(&server, DSL).await;
    let subscription = push_service.subscribe();
    let saved = dsl
        .post_json(
            "/api/push/subscriptions",
            &serde_json::to_value(&subscription).expect("json"),
        )
        .await;
    assert_eq!(saved.status(), 201);
    let at = lt_core::london::to_utc(day, NaiveTime::from_hms_opt(9, 40, 0).expect("time"));
    assert!(server.fire_cron(at).await.status().is_success());
    let alert = server.rows(&format!(
        "SELECT id FROM alerts WHERE session_id = '{amara}' AND date = '{day}'"
    ));
    let id = alert[0]["id"].as_str().expect("alert").to_owned();
    let pushed = push_service
        .accepted_for(&subscription)
        .into_iter()
        .find(|p| p.payload["alert_id"] == id.as_str())
        .expect("the push reached the push service");

    // The browser hands the message to the app's service worker.
    let payload = pushed.payload.to_string();
    let origin = server.url("").trim_end_matches('/').to_owned();
    browser
        .cdp("ServiceWorker.enable", json!({}))
        .await
        .expect("DevTools' service worker domain");
    let mut delivered = false;
    for registration in 0..8 {
        let sent = browser
            .cdp(
                "ServiceWorker.deliverPushMessage",
                json!({ "origin": origin, "registrationId": registration.to_string(), "data": payload }),
            )
            .await;
        if sent.is_ok() {
            delivered = true;
            break;
        }
    }
    assert!(delivered, "no service worker registration took the push");
    let mut shown = Vec::new();
    for _ in 0..50 {
        shown = notifications(&browser).await;
        if !shown.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["title"], "Missed arrival: A.J.");
    assert_eq!(shown[0]["tag"], id.as_str());
    assert_eq!(shown[0]["url"], format!("/alerts/{id}"));
    assert!(!shown[0]["body"].as_str().unwrap_or("").contains("Amara"));

    // Opening it (where a tap on the notification goes).
    browser
        .client
        .goto(&server.url(&format!("/alerts/{id}")))
        .await
        .expect("open the alert");
    browser.wait_for(".alert-detail h2", 20).await;
    assert_eq!(
        browser.texts(".alert-detail h2").await,
        ["Missed arrival: Amara Johnson"]
    );
    browser.screenshot("alert-open").await;
    browser.click(".alert-detail button.big").await;
    browser.wait_for(".alert-detail p[role=status]", 20).await;
    assert!(
        browser
            .texts(".alert-detail p[role=status]")
            .await
            .iter()
            .any(|t| t == "Daniel Okafor is dealing with it.")
    );
    browser.click("label[for=outcome-arrived_late]").await;
    browser
        .fill("#alert-note", "Came in at 10:20 with her mum")
        .await;
    browser.click(".close-alert button[type=submit]").await;
    browser.wait_for(".alert-detail .closed", 20).await;
    assert_eq!(
        browser.texts(".alert-detail .closed").await,
        ["Closed: Arrived late"]
    );
    let timeline = browser.texts(".timeline li").await;
    assert!(
        timeline
            .iter()
            .any(|t| t.contains("phone notification to Daniel Okafor: sent")),
        "{timeline:?}"
    );
    assert!(
        timeline
            .iter()
            .any(|t| t.contains("Closed by Daniel Okafor")),
        "{timeline:?}"
    );
    browser.screenshot("alert-closed").await;
    let stored = server.rows(&format!(
        "SELECT outcome, note FROM alerts WHERE id = '{id}'"
    ));
    assert_eq!(stored[0]["outcome"], "arrived_late");
    browser.close().await;
}
