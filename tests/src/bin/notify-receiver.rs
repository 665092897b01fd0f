//! The local GOV.UK Notify stand-in that `make run` starts: open its address
//! in a browser to read the emails LearnTrek sent (and follow their links).
//!   notify-receiver [PORT]          serve (default 8025)
//!   notify-receiver --vars URL      print the worker settings for it, tab-separated
use lt_tests::notify;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--vars") {
        let url = args
            .get(1)
            .cloned()
            .unwrap_or_else(|| "http://127.0.0.1:8025".into());
        for (name, value) in notify::worker_vars(&url) {
            println!("{name}\t{value}");
        }
        return;
    }
    let port = args.first().and_then(|p| p.parse().ok()).unwrap_or(8025);
    let receiver = notify::NotifyReceiver::start(port).await;
    println!("local Notify receiver on {}", receiver.base_url);
    // Runs until `make run` stops it.
    std::future::pending::<()>().await;
}
