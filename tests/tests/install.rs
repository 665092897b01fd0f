//! The PWA as an installed app in headless Chromium: Chromium finds it
//! installable, a first visit fetches the shell but not the app, a return
//! visit takes the shell and the app from the service worker's cache, it
//! starts with no signal, a phone that has lost the app fetches it again
//! once the signal returns, and a new release replaces the shell without
//! leaving anyone on the old one.

use std::time::{Duration, Instant};

use lt_tests::browser::Browser;
use lt_tests::server::{Server, copy_dir};
use lt_tests::{demo, root, scratch};
use serde_json::{Value, json};

/// What the page's last load fetched: the navigation and each shell file,
/// with the bytes that crossed the network for it.
async fn shell_fetches(browser: &Browser) -> Value {
    browser
        .client
        .execute(
            "const shell = /^\\/(app\\.css|pkg\\/|icons\\/|manifest\\.webmanifest)/;
             const nav = performance.getEntriesByType('navigation')[0];
             const files = performance.getEntriesByType('resource')
               .filter(r => shell.test(new URL(r.name).pathname))
               .map(r => ({ path: new URL(r.name).pathname, bytes: r.transferSize,
                            worker: r.workerStart > 0 }));
             return { page: { bytes: nav.transferSize, worker: nav.workerStart > 0 }, files };",
            vec![],
        )
        .await
        .expect("read resource timing")
}

/// A first visit: the sign-in page open and the service worker in control.
async fn first_visit(server: &Server) -> Browser {
    let browser = Browser::start().await;
    browser
        .client
        .goto(&server.url("/"))
        .await
        .expect("open app");
    browser.wait_for("form.sign-in", 20).await;
    browser.wait_for_service_worker().await;
    browser
}

#[tokio::test]
async fn installable_then_a_return_visit_costs_no_shell_bytes_and_it_starts_offline() {
    let mut server = Server::start().await;
    let browser = first_visit(&server).await;
    let c = &browser.client;
    // The sign-in page is the shell alone: the app comes after sign-in.
    let first = shell_fetches(&browser).await;
    let paths = first["files"].as_array().expect("files");
    assert!(
        paths.iter().any(|f| f["path"] == "/pkg/lt_shell_bg.wasm"),
        "{first}"
    );
    assert!(
        !paths
            .iter()
            .any(|f| f["path"].as_str().unwrap_or("").starts_with("/pkg/lt_pwa")),
        "a first visit fetched the whole app: {first}"
    );

    // Chromium's own installability check (manifest, icons, service worker).
    let found = browser
        .cdp("Page.getInstallabilityErrors", json!({}))
        .await
        .expect("installability");
    assert_eq!(found["installabilityErrors"], json!([]), "{found}");
    let manifest = browser
        .cdp("Page.getAppManifest", json!({}))
        .await
        .expect("manifest");
    assert_eq!(manifest["errors"], json!([]), "{manifest}");

    // A return visit: the page and every shell file come from the cache.
    browser
        .sign_in("maya.lewis@riverside.example", demo::PASSWORD)
        .await;
    browser.wait_for(".session", 20).await;
    c.refresh().await.expect("return visit");
    browser.wait_for(".session", 20).await;
    let fetched = shell_fetches(&browser).await;
    assert_eq!(
        fetched["page"],
        json!({ "bytes": 0, "worker": true }),
        "{fetched}"
    );
    let files = fetched["files"].as_array().expect("files");
    for wanted in [
        "/app.css",
        "/pkg/lt_shell.js",
        "/pkg/lt_shell_bg.wasm",
        "/pkg/lt_pwa.js",
        "/pkg/lt_pwa_bg.wasm",
    ] {
        assert!(
            files.iter().any(|f| f["path"] == wanted),
            "{wanted} not loaded: {fetched}"
        );
    }
    assert!(
        files.iter().all(|f| f["bytes"] == 0 && f["worker"] == true),
        "shell bytes crossed the network: {fetched}"
    );

    // No signal at all, and the app is opened afresh in a new tab.
    server.stop();
    let tab = c.new_window(true).await.expect("new tab");
    c.switch_to_window(tab.handle).await.expect("switch");
    c.goto(&server.url("/")).await.expect("open offline");
    browser.wait_for("header.bar", 20).await;
    let notice = browser.wait_for(".notice", 20).await;
    assert!(
        notice.text().await.unwrap_or_default().contains("offline"),
        "the app started and says it is offline"
    );
    browser.screenshot("install-offline-start").await;
    browser.close().await;
}

#[tokio::test]
async fn a_phone_without_the_app_and_no_signal_says_so_and_opens_it_when_the_signal_returns() {
    let mut server = Server::start().await;
    let browser = first_visit(&server).await;
    let c = &browser.client;
    browser
        .sign_in("maya.lewis@riverside.example", demo::PASSWORD)
        .await;
    browser.wait_for(".session", 20).await;
    // The phone kept the shell and who signed in, but not the app (storage
    // cleared under pressure, say), and the signal is gone.
    let dropped = c
        .execute_async(
            "const done = arguments[0];
             caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k).then(c =>
               c.keys().then(rs => Promise.all(rs.filter(r => r.url.includes('/pkg/lt_pwa'))
                 .map(r => c.delete(r))))))))
               .then(found => done(found.flat().length), () => done(-1));",
            vec![],
        )
        .await
        .expect("drop the app from the cache");
    assert_eq!(dropped, json!(2), "the app's glue and wasm were kept");
    server.stop();
    c.refresh().await.expect("open with no signal");
    let notice = browser.wait_for(".notice", 20).await;
    assert!(
        notice.text().await.unwrap_or_default().contains("offline"),
        "the shell says it is offline"
    );
    // The signal returns; one tap on "Try again" opens the app.
    server.redeploy().await;
    browser.click(".notice button").await;
    browser.wait_for(".session", 20).await;
    browser.close().await;
}

/// The build hash the service worker caches the shell under.
fn build_of(dist: &std::path::Path) -> String {
    let sw = std::fs::read_to_string(dist.join("sw.js")).expect("sw.js");
    sw.split("const BUILD = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a build hash in sw.js")
        .to_owned()
}

#[tokio::test]
async fn a_new_release_replaces_the_shell_and_the_open_app_offers_to_reload() {
    let dist = scratch("releases").join(format!("dist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dist);
    copy_dir(&root().join("pwa/dist"), &dist);
    let old = build_of(&dist);
    let mut server = Server::start_serving(&dist).await;
    let browser = first_visit(&server).await;
    let c = &browser.client;
    assert!(
        c.find_all(fantoccini::Locator::Css(".notice.update"))
            .await
            .expect("find")
            .is_empty(),
        "the first install is not an update"
    );

    // Release: a new build hash in the shell and the service worker, deployed
    // on the same address while the app stays open.
    let new = "feedc0ffee42";
    for file in ["index.html", "sw.js"] {
        let path = dist.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, text.replace(&old, new)).expect("write");
    }
    server.redeploy().await;
    // The browser looks for a new sw.js on navigation and the app asks when
    // it comes back into view; here the test asks, as those would.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let _ = c
            .execute_async(
                "const done = arguments[0];
                 navigator.serviceWorker.ready.then(r => r.update()).then(() => done(true), () => done(false));",
                vec![],
            )
            .await;
        let shown = c
            .find_all(fantoccini::Locator::Css(".notice.update"))
            .await
            .map(|found| !found.is_empty())
            .unwrap_or(false);
        if shown {
            break;
        }
        assert!(Instant::now() < deadline, "the update was not offered");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    browser.screenshot("install-update-ready").await;
    browser.click(".notice.update button").await;
    browser.wait_for("form.sign-in", 20).await;
    let now = c
        .execute_async(
            "const done = arguments[0];
             caches.keys().then(keys => done({
               keys,
               css: document.querySelector('link[rel=stylesheet]').getAttribute('href'),
               controller: navigator.serviceWorker.controller.scriptURL,
             }));",
            vec![],
        )
        .await
        .expect("read the caches");
    assert_eq!(
        now["keys"],
        json!([format!("learntrek-shell-{new}")]),
        "{now}"
    );
    assert_eq!(now["css"], format!("/app.css?v={new}"), "{now}");
    browser.close().await;
    let _ = std::fs::remove_dir_all(&dist);
}
