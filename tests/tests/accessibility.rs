//! Every screen of the real PWA checked by axe-core in headless Chromium, at
//! phone size (390×844) and desktop size (1280×800), as each person who
//! uses it; and the same screens with text at 200%.

use lt_tests::browser::Browser;
use lt_tests::demo::{self, history};
use lt_tests::server::Server;

const SIZES: [(u32, u32, bool); 2] = [(390, 844, true), (1280, 800, false)];

/// The screens each person reaches: (who, paths). `None` is signed out.
fn screens(alert_id: &str) -> Vec<(Option<&'static str>, Vec<String>)> {
    let placement = |key: &str| format!("/placements/{}", demo::placement_id(key));
    vec![
        (
            None,
            [
                "/",
                "/forgot",
                "/reset",
                "/invite",
                "/shared",
                "/no-such-page",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (Some("maya.lewis@riverside.example"), vec!["/".into()]),
        (Some("gary.hill@swiftcabs.example"), vec!["/".into()]),
        (
            Some("admin@riverside.example"),
            vec![
                "/dashboard".into(),
                "/placements".into(),
                placement("amara"),
                placement("mia"),
                format!("/placements/{}", history::PLACEMENT),
                "/invitations".into(),
                "/audit".into(),
            ],
        ),
        (
            Some("dsl@riverside.example"),
            vec!["/alerts".into(), format!("/alerts/{alert_id}")],
        ),
        (
            Some("senco@northgate.example"),
            vec!["/".into(), "/placements".into(), placement("amara")],
        ),
    ]
}

#[tokio::test]
async fn every_screen_passes_axe_at_phone_and_desktop_size_and_with_large_text() {
    let server = Server::start().await;
    // An open alert, so the alert screens have something to show.
    server.fire_cron(demo::morning_alerts_due()).await;
    let alerts = server.rows("SELECT id FROM alerts ORDER BY raised_at LIMIT 1");
    let alert_id = alerts[0]["id"].as_str().expect("an alert").to_owned();

    // The checker itself finds a real fault: an image with no text alternative.
    {
        let browser = Browser::start().await;
        browser
            .client
            .goto(&server.url("/"))
            .await
            .expect("open app");
        browser.wait_for("main h2", 20).await;
        browser
            .client
            .execute(
                "document.querySelector('main').append(document.createElement('img'))",
                vec![],
            )
            .await
            .expect("break the page");
        let found = browser.axe().await;
        assert!(
            found.iter().any(|v| v.starts_with("image-alt (critical)")),
            "{found:?}"
        );
        browser.close().await;
    }

    let mut problems = Vec::new();
    let mut checked = 0;
    for (who, paths) in screens(&alert_id) {
        let browser = Browser::start().await;
        let c = &browser.client;
        c.goto(&server.url("/")).await.expect("open app");
        if let Some(email) = who {
            browser.sign_in(email, demo::PASSWORD).await;
            browser
                .wait_for("main:not(:has(form.sign-in)) h2", 20)
                .await;
        }
        let who = who.unwrap_or("signed out");
        for path in &paths {
            c.goto(&server.url(path)).await.expect("open screen");
            browser.wait_for("main h2", 20).await;
            browser.settle().await;
            let person = who
                .split('@')
                .next()
                .unwrap_or(who)
                .replace([' ', '.'], "-");
            let name = format!("a11y-{person}{}", path.replace('/', "-"));
            for (width, height, mobile) in SIZES {
                browser.viewport(width, height, mobile).await;
                for violation in browser.axe().await {
                    problems.push(format!("{who} {path} at {width}px: {violation}"));
                }
                checked += 1;
            }
            // Text at 200% (WCAG 1.4.4) on the phone: nothing scrolls sideways
            // and no text is cut off by its box.
            browser.viewport(390, 844, true).await;
            let lost = c
                .execute(
                    "document.documentElement.style.fontSize = '200%';
                     // The phone's width: a page wider than it may widen innerWidth.
                     const width = arguments[0];
                     const sideways = document.documentElement.scrollWidth - width;
                     // Form fields scroll their own text, so they are not loss.
                     const fields = 'input, textarea, select';
                     const clipped = [...document.querySelectorAll('main *')].filter(e => {
                       if (e.matches(fields)) return false;
                       const s = getComputedStyle(e);
                       return ['hidden', 'clip'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
                     }).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
                     // Text pushed off the side of the screen (say, inside a row that scrolls).
                     const offscreen = [...document.querySelectorAll('body *')].filter(e => {
                       const r = e.getBoundingClientRect();
                       return r.width > 0 && e.childElementCount === 0 && e.textContent.trim() !== ''
                         && (r.left < -1 || r.right > width + 1);
                     }).map(e => e.textContent.trim());
                     return { sideways, clipped, offscreen };",
                    vec![serde_json::json!(390)],
                )
                .await
                .expect("measure large text");
            browser.screenshot(&format!("{name}-200")).await;
            c.execute("document.documentElement.style.fontSize = '';", vec![])
                .await
                .expect("reset text size");
            let none = serde_json::json!([]);
            if lost["sideways"].as_i64() != Some(0)
                || lost["clipped"] != none
                || lost["offscreen"] != none
            {
                problems.push(format!("{who} {path} at 200% text: {lost}"));
            }
        }
        browser.close().await;
    }
    assert!(checked >= 36, "only {checked} screen checks");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
