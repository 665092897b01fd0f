//! LearnTrek's domain: the rules every part of the system agrees on.
//!
//! Nothing here touches a platform (no worker, no browser, no database), so the
//! same rules run in the Cloudflare Worker, in the PWA and in native tests.

pub mod access;
pub mod alerts;
pub mod api;
pub mod attendance;
pub mod credentials;
pub mod dashboard;
pub mod domain;
pub mod gate;
pub mod handover;
pub mod invitations;
pub mod london;
pub mod notify;
pub mod openapi;
pub mod progress;
pub mod rate_limit;
pub mod records;
pub mod report;
pub mod retention;
pub mod share;
pub mod throttle;
pub mod timetable;
pub mod timetable_edits;
pub mod webpush;
