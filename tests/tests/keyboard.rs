//! Keyboard only, in the real PWA: a tutor marks a register, an escort
//! confirms a pick-up and a DSL takes and closes an alert with Tab, arrow
//! keys, Space and Enter. Every stop on the way shows where the focus is.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use lt_tests::browser::Browser;
use lt_tests::demo;
use lt_tests::server::Server;
use serde_json::{Value, json};

/// Presses and releases each key in turn, sent to whatever has the focus.
async fn press(browser: &Browser, keys: &[Key]) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys {
        let value = char::from(*key);
        actions = actions
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    browser
        .client
        .perform_actions(actions)
        .await
        .expect("press keys");
}

async fn type_text(browser: &Browser, text: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for value in text.chars() {
        actions = actions
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    browser.client.perform_actions(actions).await.expect("type");
}

/// What has the focus, and whether it is drawn so a sighted keyboard user sees it.
async fn focused(browser: &Browser) -> Value {
    browser
        .client
        .execute(
            "const e = document.activeElement;
             if (!e || e === document.body) return null;
             const s = getComputedStyle(e);
             const r = e.getBoundingClientRect();
             return {
               text: (e.getAttribute('aria-label') || e.textContent || e.id || '').trim(),
               id: e.id, tag: e.tagName.toLowerCase(),
               visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
               on_screen: r.bottom > 0 && r.top < window.innerHeight,
               inside: (e.closest('[role=group]') || {}).ariaLabel || null,
             };",
            vec![],
        )
        .await
        .expect("read the focus")
}

/// Tabs forward until the focus is on the element `wanted` accepts; every
/// stop must show its focus and be scrolled into view.
async fn tab_to(browser: &Browser, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..80 {
        press(browser, &[Key::Tab]).await;
        let now = focused(browser).await;
        if now.is_null() {
            continue;
        }
        assert_eq!(now["visible"], true, "no visible focus on {now}");
        assert_eq!(now["on_screen"], true, "focus out of view on {now}");
        if wanted(&now) {
            return now;
        }
    }
    panic!("{what} was not reached with Tab");
}

#[tokio::test]
async fn a_tutor_marks_a_register_with_the_keyboard_alone() {
    let server = Server::start().await;
    server.sql(&demo::all_day_session_sql(
        "keyboard-a",
        "amara",
        "person-tutor-maya",
    ));
    let browser = Browser::start().await;
    browser
        .client
        .goto(&server.url("/"))
        .await
        .expect("open app");
    browser.wait_for("form.sign-in", 20).await;
    // Sign in by keyboard too: the email field, the password, Enter.
    tab_to(&browser, "the email field", |f| f["id"] == "email").await;
    type_text(&browser, "maya.lewis@riverside.example").await;
    tab_to(&browser, "the password field", |f| f["id"] == "password").await;
    type_text(&browser, demo::PASSWORD).await;
    press(&browser, &[Key::Enter]).await;
    browser.wait_for("#s-keyboard-a .register", 20).await;

    // Late: the button opens the minutes field, which takes a number, then Save.
    tab_to(&browser, "Late… for Amara", |f| {
        f["text"] == "Late…" && f["inside"] == "Register for Amara Johnson"
    })
    .await;
    press(&browser, &[Key::Enter]).await;
    let minutes = tab_to(&browser, "the minutes field", |f| {
        f["id"] == "minutes-keyboard-a"
    })
    .await;
    assert_eq!(minutes["tag"], "input");
    type_text(&browser, "20").await;
    tab_to(&browser, "Save: late", |f| f["text"] == "Save: late").await;
    press(&browser, &[Key::Space]).await;
    let marked = browser.wait_for("#s-keyboard-a .marked", 20).await;
    assert!(
        marked
            .text()
            .await
            .unwrap_or_default()
            .contains("Late, 20 min"),
        "the late mark is shown"
    );
    browser.screenshot("keyboard-register").await;
    let kept = server.rows("SELECT kind, minutes_late FROM marks WHERE session_id = 'keyboard-a'");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        (kept[0]["kind"].clone(), kept[0]["minutes_late"].clone()),
        (json!("late"), json!(20))
    );
    browser.close().await;
}

#[tokio::test]
async fn an_escort_confirms_a_pick_up_with_the_keyboard_alone() {
    let server = Server::start().await;
    server.sql(&demo::all_day_run_sql("keyboard-run", "amara"));
    let browser = Browser::start().await;
    browser
        .open_signed_in(&server.url("/"), "gary.hill@swiftcabs.example")
        .await;
    browser.wait_for(".session .run", 20).await;
    tab_to(&browser, "Picked up", |f| {
        f["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Picked up"))
            && f["inside"] == "Run for Amara"
    })
    .await;
    press(&browser, &[Key::Enter]).await;
    let done = browser.wait_for(".session .handed", 20).await;
    assert!(
        done.text()
            .await
            .unwrap_or_default()
            .starts_with("Picked up at")
    );
    let kept = server.rows("SELECT kind FROM handovers WHERE session_id = 'keyboard-run'");
    assert_eq!(kept, vec![json!({ "kind": "pick_up" })]);
    browser.screenshot("keyboard-run").await;
    browser.close().await;
}

#[tokio::test]
async fn a_dsl_takes_and_closes_an_alert_with_the_keyboard_alone() {
    let server = Server::start().await;
    server.fire_cron(demo::morning_alerts_due()).await;
    let missed = server.rows("SELECT id FROM alerts WHERE kind = 'missed_arrival'");
    assert!(
        !missed.is_empty(),
        "the cron run raised missed-arrival alerts"
    );
    let browser = Browser::start().await;
    browser
        .open_signed_in(&server.url("/"), "dsl@riverside.example")
        .await;
    browser.wait_for("nav.tabs", 20).await;
    // From the tabs to the list to the alert, by keyboard.
    tab_to(&browser, "the Alerts tab", |f| f["text"] == "Alerts").await;
    press(&browser, &[Key::Enter]).await;
    browser.wait_for(".alerts .card.alert a", 20).await;
    tab_to(&browser, "the alert in the list", |f| {
        f["tag"] == "a" && {
            let t = f["text"].as_str().unwrap_or_default();
            t.contains("Missed arrival")
        }
    })
    .await;
    press(&browser, &[Key::Enter]).await;
    browser.wait_for(".alert-detail", 20).await;
    let url = browser.client.current_url().await.expect("url");
    let id = url.path().trim_start_matches("/alerts/").to_owned();
    assert!(missed.contains(&json!({ "id": id })), "{url}");

    tab_to(&browser, "I'm dealing with it", |f| {
        f["text"] == "I'm dealing with it"
    })
    .await;
    press(&browser, &[Key::Enter]).await;
    browser.wait_for(".alert-detail p[role=status]", 20).await;
    // The outcome: Tab into the group, arrow to the second choice, then the note.
    tab_to(&browser, "the outcomes", |f| {
        f["tag"] == "input" && f["id"].as_str().is_some_and(|i| i.starts_with("outcome-"))
    })
    .await;
    press(&browser, &[Key::Space, Key::Down]).await;
    let chosen = focused(&browser).await;
    tab_to(&browser, "the note", |f| f["id"] == "alert-note").await;
    type_text(&browser, "Phoned home; arrived with mum at 10:05.").await;
    tab_to(&browser, "Close the alert", |f| {
        f["text"] == "Close the alert"
    })
    .await;
    press(&browser, &[Key::Enter]).await;
    let closed = browser.wait_for(".alert-detail p.closed", 20).await;
    let text = closed.text().await.unwrap_or_default();
    assert!(text.starts_with("Closed: "), "{text}");
    browser.screenshot("keyboard-alert-closed").await;
    let stored = server.rows(&format!(
        "SELECT outcome, acknowledged_by FROM alerts WHERE id = '{id}'"
    ));
    let outcome = chosen["id"]
        .as_str()
        .and_then(|i| i.strip_prefix("outcome-"))
        .expect("an outcome had the focus");
    assert_eq!(stored[0]["outcome"], outcome, "the arrowed-to outcome");
    assert_eq!(stored[0]["acknowledged_by"], "person-dsl");
    browser.close().await;
}
