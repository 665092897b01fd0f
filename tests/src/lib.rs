//! The test harness: the real worker on workerd (`wrangler dev`) with a fresh
//! local D1 per test, an HTTP client that speaks its API, and headless
//! Chromium for the PWA. Every server is stopped when its handle drops, which
//! also happens when a test fails.

pub mod browser;
pub mod client;
pub mod demo;
pub mod live;
pub mod notify;
pub mod push;
pub mod server;

use std::path::PathBuf;

/// The workspace root (where wrangler.toml lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Where tests keep state folders and screenshots, inside `target/`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target").join(name);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A free TCP port on loopback (released before the caller binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}
