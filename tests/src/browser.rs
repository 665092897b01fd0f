//! Headless Debian Chromium, driven over WebDriver, sized like a 390×844 phone.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::{free_port, scratch};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so Chromium goes with it even if a test panics.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut driver = command
            .spawn()
            .expect("start chromedriver (apt-get install chromium-driver)");
        let profile = tempfile::tempdir_in(scratch("test-state")).expect("profile dir");
        let caps = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--lang=en-GB",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "mobileEmulation": {
                    "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2.0, "touch": true }
                }
            }
        });
        let caps = caps.as_object().cloned().unwrap_or_default();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(err) if Instant::now() > deadline => {
                    kill_group(&mut driver);
                    panic!("chromedriver did not start: {err}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Waits for a CSS selector to match, failing the test after `secs`.
    pub async fn wait_for(&self, css: &str, secs: u64) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(secs))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Types `text` into the field matching `css`, replacing what was there.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Sets an input's value as a date or time picker would (typing into
    /// those depends on the browser's locale), and announces it like typing.
    pub async fn set_value(&self, css: &str, value: &str) {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        let handle = serde_json::to_value(&element).expect("element reference");
        self.client
            .execute(
                "arguments[0].value = arguments[1]; \
                 arguments[0].dispatchEvent(new Event('input', { bubbles: true })); \
                 arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
                vec![handle, serde_json::Value::String(value.to_owned())],
            )
            .await
            .unwrap_or_else(|e| panic!("set {css}: {e}"));
    }

    /// Clicks the element, first scrolled to the middle of the screen as a
    /// thumb would, clear of the sticky header.
    pub async fn click(&self, css: &str) {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        let handle = serde_json::to_value(&element).expect("element reference");
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![handle],
            )
            .await
            .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Opens the app at `url` and signs in as `email` with the demo password.
    pub async fn open_signed_in(&self, url: &str, email: &str) {
        self.client.goto(url).await.expect("open the app");
        self.sign_in(email, crate::demo::PASSWORD).await;
    }

    /// Fills and sends the sign-in form that is on the screen.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.wait_for("form.sign-in", 20).await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("form.sign-in button[type=submit]").await;
    }

    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            out.push(element.text().await.unwrap_or_default());
        }
        out
    }

    /// Saves what the screen shows as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = scratch("screenshots").join(format!("{name}.png"));
        std::fs::write(&path, png).expect("save screenshot");
        path
    }

    /// Waits until the service worker controls the page, so the shell is
    /// cached and the app can open with no signal.
    pub async fn wait_for_service_worker(&self) {
        self.client
            .execute_async(
                "const done = arguments[0]; navigator.serviceWorker.ready.then(() => { \
                   if (navigator.serviceWorker.controller) done(true); \
                   else navigator.serviceWorker.addEventListener('controllerchange', () => done(true)); })",
                vec![],
            )
            .await
            .expect("service worker ready");
    }

    /// Cuts the page off from the network (or restores it) as a phone losing
    /// its signal would: requests fail, `navigator.onLine` turns false, and the
    /// `offline` / `online` events fire. (ChromeDriver's network conditions.)
    pub async fn set_offline(&self, offline: bool) {
        let conditions = Extension {
            path: "chromium/network_conditions",
            body: json!({ "network_conditions": {
                "offline": offline, "latency": 0,
                "download_throughput": -1, "upload_throughput": -1,
            }}),
        };
        self.client
            .issue_cmd(conditions)
            .await
            .unwrap_or_else(|e| panic!("set offline {offline}: {e}"));
    }

    /// Runs one Chrome DevTools Protocol command (ChromeDriver's
    /// `goog/cdp/execute`) and answers its result.
    pub async fn cdp(
        &self,
        cmd: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        self.client
            .issue_cmd(Extension {
                path: "goog/cdp/execute",
                body: json!({ "cmd": cmd, "params": params }),
            })
            .await
            .map_err(|e| e.to_string())
    }

    /// Runs axe-core (the npm package) on the page as it stands and answers
    /// its serious and critical violations, one line each.
    pub async fn axe(&self) -> Vec<String> {
        static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let source = SOURCE.get_or_init(|| {
            std::fs::read_to_string(crate::root().join("node_modules/axe-core/axe.min.js"))
                .expect("node_modules/axe-core (make install-test)")
        });
        let loaded = self
            .client
            .execute(
                &format!("if (!window.axe) {{ {source}\n }} return typeof window.axe;"),
                vec![],
            )
            .await
            .expect("load axe-core");
        assert_eq!(loaded, json!("object"), "axe-core did not load");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.id} (${v.impact}): ${v.help}: ` +
                          v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                   .catch(e => done(['axe-core failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        serde_json::from_value(found).unwrap_or_else(|e| vec![format!("unreadable: {e}")])
    }

    /// Sizes the page's viewport as a phone (touch, 2× pixels) or a desktop window.
    pub async fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "mobile": mobile,
                    "deviceScaleFactor": if mobile { 2 } else { 1 } }),
        )
        .await
        .expect("set the viewport");
    }

    /// Waits until no "Loading…" status is on screen (data has arrived).
    pub async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let loading = self
                .client
                .execute(
                    "return [...document.querySelectorAll('.status')].some(e => e.textContent.startsWith('Loading'))",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            if !loading {
                return;
            }
            assert!(Instant::now() < deadline, "still loading after 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the WebDriver session (Chromium quits) and the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

fn kill_group(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// A ChromeDriver extension command: `POST /session/{id}/<path>` with a JSON body.
#[derive(Debug)]
struct Extension {
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}
