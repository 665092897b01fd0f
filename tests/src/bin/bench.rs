//! `make bench`: request latency against the real worker on workerd with the
//! demo database, measured from a client on the same machine. Prints a
//! Markdown table for BENCHMARKS.md.
use std::time::{Duration, Instant};

use lt_tests::client::Client;
use lt_tests::server::Server;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

async fn measure<F, Fut>(label: &str, n: usize, mut request: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    // Warm the isolate and D1 first; the first request compiles the wasm.
    for _ in 0..3 {
        request().await;
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let status = request().await;
        times.push(start.elapsed());
        assert!(status < 500, "{label} answered {status}");
    }
    times.sort();
    println!(
        "| {label} | {n} | {:.1} | {:.1} | {:.1} |",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0)
    );
}

#[tokio::main]
async fn main() {
    let server = Server::start().await;
    println!("| request | n | p50 ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    let http = reqwest::Client::new();
    let health = server.url("/api/health");
    measure("GET /api/health", 200, || async {
        http.get(&health)
            .send()
            .await
            .map_or(599, |r| r.status().as_u16())
    })
    .await;

    let admin = Client::signed_in(&server, "admin@riverside.example").await;
    let today = server.url("/api/today");
    let cookie = admin.cookie().unwrap_or_default().to_owned();
    measure("GET /api/today (AP admin, 8 sessions)", 200, || async {
        http.get(&today)
            .header("cookie", &cookie)
            .send()
            .await
            .map_or(599, |r| r.status().as_u16())
    })
    .await;

    let sign_in = server.url("/api/sign-in");
    let body = serde_json::json!({ "email": "dsl@riverside.example", "password": lt_tests::demo::PASSWORD });
    measure("POST /api/sign-in (Argon2id verify)", 30, || async {
        http.post(&sign_in)
            .json(&body)
            .send()
            .await
            .map_or(599, |r| r.status().as_u16())
    })
    .await;

    let at = chrono::Utc::now();
    let mut minute = 0;
    measure("scheduled handler (cron run)", 50, || {
        minute += 1;
        let fire = server.fire_cron(at + chrono::Duration::minutes(minute));
        async move { fire.await.status().as_u16() }
    })
    .await;
}
