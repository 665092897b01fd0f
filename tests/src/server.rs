//! One `wrangler dev` per test: its own port, inspector port and state folder.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::{demo, free_port, root, scratch};

pub struct Server {
    pub base: String,
    child: Option<Child>,
    state: PathBuf,
    log: PathBuf,
    assets: Option<PathBuf>,
}

/// A migrated and seeded state folder, made once per test binary and copied
/// for each server, so no test pays for migrations and seeding itself.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = scratch("test-state").join(format!("template-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        wrangler(
            &["d1", "migrations", "apply", "DB", "--local", "--persist-to"],
            &dir,
        );
        let seed = dir.with_extension("sql");
        let today = lt_core::london::local_date(chrono::Utc::now());
        std::fs::write(&seed, demo::seed_sql(today)).expect("write seed");
        let file = seed.to_string_lossy().into_owned();
        wrangler(
            &[
                "d1",
                "execute",
                "DB",
                "--local",
                "--file",
                &file,
                "--persist-to",
            ],
            &dir,
        );
        dir
    })
}

fn node_path() -> String {
    let node = root().join("node_modules/node/bin");
    format!(
        "{}:{}",
        node.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn wrangler(args: &[&str], persist: &Path) {
    assert!(try_wrangler(args, persist), "wrangler {args:?} failed");
}

fn try_wrangler(args: &[&str], persist: &Path) -> bool {
    Command::new(root().join("node_modules/.bin/wrangler"))
        .args(args)
        .arg(persist)
        .current_dir(root())
        .env("PATH", node_path())
        .env("CI", "1")
        .env("WRANGLER_SEND_METRICS", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create state dir");
    for entry in std::fs::read_dir(from).expect("read template") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy state");
        }
    }
}

impl Server {
    /// A server on a fresh copy of the demo database.
    pub async fn start() -> Server {
        Server::start_with(&[]).await
    }

    /// The same, with worker settings (`--var NAME:VALUE`), e.g. to point it
    /// at a local Notify receiver.
    pub async fn start_with(vars: &[(String, String)]) -> Server {
        let state = scratch("test-state").join(format!("s-{}-{}", std::process::id(), free_port()));
        copy_dir(template(), &state);
        Server::launch(state, vars, None).await
    }

    /// A server on a fresh demo database that serves the app from `assets`
    /// instead of `pwa/dist` (tests use it to release a new build).
    pub async fn start_serving(assets: &std::path::Path) -> Server {
        let state = scratch("test-state").join(format!("s-{}-{}", std::process::id(), free_port()));
        copy_dir(template(), &state);
        Server::launch(state, &[], Some(assets)).await
    }

    /// A server on an existing state folder (to test that data survives restarts).
    pub async fn start_on(state: PathBuf) -> Server {
        Server::launch(state, &[], None).await
    }

    /// Starts `wrangler dev`, again on fresh ports if the ones picked were
    /// taken in the meantime (parallel tests pick ports at the same moment).
    async fn launch(
        state: PathBuf,
        vars: &[(String, String)],
        assets: Option<&std::path::Path>,
    ) -> Server {
        for _ in 0..3 {
            let mut server = Server::spawn(state.clone(), vars, assets, free_port());
            if server.wait_until_ready().await {
                return server;
            }
            let log = std::fs::read_to_string(&server.log).unwrap_or_default();
            server.stop();
            if !log.contains("Address already in use") {
                panic!(
                    "wrangler dev did not become ready at {}:\n{log}",
                    server.base
                );
            }
        }
        panic!("wrangler dev found no free port in three tries");
    }

    /// Stops this server and starts it again on the same address, data and
    /// assets, as a new deployment would replace it (the app's files are
    /// read afresh).
    pub async fn redeploy(&mut self) {
        self.stop();
        let port: u16 = self
            .base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in the base URL");
        let assets = self.assets.clone();
        let mut server = Server::spawn(self.state.clone(), &[], assets.as_deref(), port);
        assert!(
            server.wait_until_ready().await,
            "the redeployed server did not start"
        );
        self.child = server.child.take();
    }

    fn spawn(
        state: PathBuf,
        vars: &[(String, String)],
        assets: Option<&std::path::Path>,
        port: u16,
    ) -> Server {
        let log = state.with_extension("log");
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let mut command = Command::new(root().join("node_modules/.bin/wrangler"));
        command
            .args(["dev", "--local", "--test-scheduled", "--ip", "127.0.0.1"])
            // The main worker first (it gets the port and the vars), then the
            // PDF worker its `PDF` binding reaches.
            .args(["-c", "wrangler.toml", "-c", "pdf/wrangler.toml"])
            .args(["--port", &port.to_string()])
            .args(["--inspector-port", &free_port().to_string()])
            .arg("--persist-to")
            .arg(&state)
            .args([
                "--show-interactive-dev-session=false",
                "--log-level",
                "warn",
            ])
            .args(
                vars.iter()
                    .flat_map(|(k, v)| ["--var".to_owned(), format!("{k}:{v}")]),
            )
            .args(
                assets
                    .iter()
                    .flat_map(|a| ["--assets".as_ref(), a.as_os_str()]),
            )
            .current_dir(root())
            .env("PATH", node_path())
            .env("CI", "1")
            .env("WRANGLER_SEND_METRICS", "false")
            .env("LT_PREBUILT", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        // Its own process group, so stopping it ends node, workerd and esbuild together.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().expect("start wrangler dev");
        Server {
            base: format!("http://127.0.0.1:{port}"),
            child: Some(child),
            state,
            log,
            assets: assets.map(PathBuf::from),
        }
    }

    /// Whether the server answers its health check; false as soon as
    /// wrangler has exited, or after 90 seconds.
    async fn wait_until_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(90);
        let url = format!("{}/api/health", self.base);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(&url).await
                && r.status().is_success()
            {
                return true;
            }
            let exited = self
                .child
                .as_mut()
                .is_none_or(|c| c.try_wait().ok().flatten().is_some());
            if exited {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }

    pub fn state_dir(&self) -> PathBuf {
        self.state.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server and waits until its port is closed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let group = format!("-{}", child.id());
            for signal in ["-TERM", "-KILL"] {
                let _ = Command::new("kill")
                    .args([signal, "--", &group])
                    .stderr(Stdio::null())
                    .status();
                std::thread::sleep(Duration::from_millis(300));
            }
            let _ = child.wait();
        }
    }

    /// Runs SQL against this server's local D1, as an operator would with
    /// `wrangler d1 execute` (tests use it to move stored times into the past).
    pub fn sql(&self, command: &str) {
        assert!(self.try_sql(command), "the database refused: {command}");
    }

    /// Like [`Server::sql`], but says whether the database accepted it.
    pub fn try_sql(&self, command: &str) -> bool {
        let args = [
            "d1",
            "execute",
            "DB",
            "--local",
            "--command",
            command,
            "--persist-to",
        ];
        try_wrangler(&args, &self.state)
    }

    /// The rows a read-only query returns, read straight from the local D1
    /// (tests use it to see what was, and was not, written).
    pub fn rows(&self, query: &str) -> Vec<serde_json::Value> {
        self.results(query)[0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Every row of every table that holds what people entered (sign-in
    /// sessions, throttles and cron bookkeeping left out), read in one call:
    /// two snapshots are equal when nothing was written in between.
    pub fn snapshot(&self) -> serde_json::Value {
        let tables: Vec<String> = self
            .rows(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'
                 AND name NOT IN ('sign_ins', 'sign_in_failures', 'rate_limits', 'cron_runs')
                 ORDER BY name",
            )
            .iter()
            .filter_map(|r| r["name"].as_str().map(str::to_owned))
            .collect();
        let query: String = tables
            .iter()
            .map(|t| format!("SELECT * FROM \"{t}\" ORDER BY rowid;"))
            .collect();
        let results = self.results(&query);
        let contents = results.as_array().into_iter().flatten();
        tables
            .into_iter()
            .zip(contents.map(|r| r["results"].clone()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }

    /// What `wrangler d1 execute --json` answers: one result per statement.
    fn results(&self, query: &str) -> serde_json::Value {
        let output = Command::new(root().join("node_modules/.bin/wrangler"))
            .args([
                "d1",
                "execute",
                "DB",
                "--local",
                "--json",
                "--command",
                query,
            ])
            .arg("--persist-to")
            .arg(&self.state)
            .current_dir(root())
            .env("PATH", node_path())
            .env("CI", "1")
            .env("WRANGLER_SEND_METRICS", "false")
            .stderr(Stdio::null())
            .output()
            .expect("run wrangler d1 execute");
        assert!(output.status.success(), "the database refused: {query}");
        serde_json::from_slice(&output.stdout).expect("wrangler --json output")
    }

    /// Fires the real `scheduled` handler as the cron trigger would at `at`.
    pub async fn fire_cron(&self, at: chrono::DateTime<chrono::Utc>) -> reqwest::Response {
        let url = format!(
            "{}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time={}",
            self.base,
            at.timestamp_millis()
        );
        reqwest::get(&url).await.expect("fire cron")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
