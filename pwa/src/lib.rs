//! LearnTrek's phone-first web app, built as two programs that share these
//! modules: the shell (`bin/lt-shell.rs`), which is all a first visit
//! downloads — sign-in, invitations, password resets — and the app
//! (`main.rs`), fetched once someone is signed in.

mod api;
mod app;
mod clock;
mod components;
mod day;
mod live;
mod outbox;
mod pages;
mod push;
mod route;
mod session;
pub mod shell;
mod store;

pub use app::App;

/// The service worker keeps the shell cached so the app opens with no signal.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // A failed registration only costs offline start-up; the app still runs.
    let _ = container.register("/sw.js");
}
