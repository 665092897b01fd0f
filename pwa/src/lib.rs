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
