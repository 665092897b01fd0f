//! The real PWA in headless Chromium at phone size, against the real worker.

use lt_tests::browser::Browser;
use lt_tests::demo;
use lt_tests::server::Server;

#[tokio::test]
async fn tutor_signs_in_sees_today_and_the_shell_survives_going_offline() {
    let mut server = Server::start().await;
    let browser = Browser::start().await;
    let c = &browser.client;

    c.goto(&server.url("/")).await.expect("open app");
    browser.wait_for("form.sign-in", 20).await;
    browser.screenshot("sign-in").await;

    // A wrong password shows one generic message and keeps the form.
    browser
        .sign_in("maya.lewis@riverside.example", "wrong")
        .await;
    let alert = browser.wait_for("[role=alert]", 10).await;
    assert!(
        alert
            .text()
            .await
            .unwrap_or_default()
            .contains("do not match")
    );
    browser.screenshot("sign-in-error").await;

    browser.fill("#password", demo::PASSWORD).await;
    browser.click("form.sign-in button[type=submit]").await;
    browser.wait_for(".session", 20).await;
    let pupils = browser.texts(".session .pupil").await;
    assert!(!pupils.is_empty());
    let all: Vec<&str> = pupils.iter().map(String::as_str).collect();
    assert!(all.contains(&"Amara Johnson"), "{all:?}");
    assert!(
        !all.contains(&"Ellie Turner"),
        "Maya does not teach Ellie: {all:?}"
    );
    browser.screenshot("today").await;

    // The layout fits a 390px phone without sideways scrolling.
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth",
            vec![],
        )
        .await
        .expect("measure");
    assert_eq!(overflow.as_i64(), Some(0), "page scrolls sideways");

    // Once the service worker controls the page, take the server away.
    browser.wait_for_service_worker().await;
    server.stop();
    c.refresh().await.expect("reload offline");
    browser.wait_for("header.bar", 20).await;
    let notice = browser.wait_for(".notice", 20).await;
    assert!(notice.text().await.unwrap_or_default().contains("offline"));
    browser.screenshot("offline").await;
    browser.close().await;
}

#[tokio::test]
async fn manifest_and_icons_make_the_app_installable() {
    let server = Server::start().await;
    let manifest: serde_json::Value = reqwest::get(server.url("/manifest.webmanifest"))
        .await
        .expect("manifest")
        .json()
        .await
        .expect("manifest is JSON");
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["start_url"], "/");
    let icons = manifest["icons"].as_array().expect("icons");
    for size in ["192x192", "512x512"] {
        let icon = icons
            .iter()
            .find(|i| i["sizes"] == size)
            .expect("icon size");
        let src = icon["src"].as_str().expect("src");
        let png = reqwest::get(server.url(src))
            .await
            .expect("icon")
            .bytes()
            .await
            .expect("bytes");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{src} is a PNG");
    }
    let sw = reqwest::get(server.url("/sw.js"))
        .await
        .expect("sw")
        .text()
        .await
        .expect("sw text");
    assert!(!sw.contains("__BUILD__"), "build hash was not filled in");
}

#[tokio::test]
async fn an_escort_sees_their_runs_and_nothing_else() {
    let server = Server::start().await;
    server.sql(&demo::all_day_run_sql("session-all-day-run", "amara"));
    let browser = Browser::start().await;
    browser
        .open_signed_in(&server.url("/"), "gary.hill@swiftcabs.example")
        .await;
    browser.wait_for(".session .run", 20).await;
    let pupils = browser.texts(".session .pupil").await;
    assert!(
        pupils
            .iter()
            .all(|p| p.ends_with(|c: char| c.is_uppercase())
                && p.split(' ').nth(1).is_some_and(|l| l.len() == 1)),
        "first name and initial only: {pupils:?}"
    );
    assert!(
        browser
            .texts(".session .tag")
            .await
            .iter()
            .all(|t| t == "Taxi"),
        "no tier for an escort"
    );
    let phones = browser.texts(".run a.phone").await;
    assert!(!phones.is_empty(), "an emergency number to call");
    browser.screenshot("today-escort").await;

    // One tap confirms the pick-up; no location without the box ticked.
    browser.click(".session button.handover.pick-up").await;
    let done = browser.wait_for(".session .handed", 20).await;
    assert!(
        done.text()
            .await
            .unwrap_or_default()
            .starts_with("Picked up at")
    );
    let kept = server.rows("SELECT kind, latitude FROM handovers");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        (kept[0]["kind"].clone(), kept[0]["latitude"].clone()),
        (serde_json::json!("pick_up"), serde_json::Value::Null)
    );
    browser.screenshot("today-escort-picked-up").await;
    browser.close().await;
}
