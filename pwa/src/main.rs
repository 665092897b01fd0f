//! LearnTrek's phone-first web app.

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
mod store;

fn main() {
    register_service_worker();
    yew::Renderer::<app::App>::new().render();
}

/// The service worker keeps the app shell cached so the app opens with no signal.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // A failed registration only costs offline start-up; the app still runs.
    let _ = container.register("/sw.js");
}
