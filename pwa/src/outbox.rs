//! Taps that must reach the server: marks, hand-overs and progress entries go to the outbox in
//! IndexedDB first, then are sent. Each keeps the id and the time made on the
//! device, so sending one again (a retry, a reload mid-send) is recorded once.
//! The outbox is sent on start, when the browser says it is online, and after
//! each new tap.

use std::cell::Cell;

use lt_core::api::{Endpoint, ErrorCode, HandoverRequest, MarkRequest, ProgressRequest};
use serde::{Deserialize, Serialize};

use crate::api::{self, Failure};
use crate::store;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Tap {
    Mark(MarkRequest),
    Handover(HandoverRequest),
    Progress(ProgressRequest),
}

impl Tap {
    pub fn session_id(&self) -> &str {
        match self {
            Tap::Mark(m) => &m.session_id,
            Tap::Handover(h) => &h.session_id,
            Tap::Progress(p) => &p.session_id,
        }
    }

    fn path(&self, id: &str) -> String {
        match self {
            Tap::Mark(_) => Endpoint::PutMark.path().replace("{mark_id}", id),
            Tap::Handover(_) => Endpoint::PutHandover.path().replace("{handover_id}", id),
            Tap::Progress(_) => Endpoint::PutProgress.path().replace("{save_id}", id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// Made on the device when tapped (a UUID); the server's idempotency key.
    pub id: String,
    /// Whose tap it is: only they send it (a shared phone may change hands).
    pub person_id: String,
    pub tap: Tap,
    /// Set when the server refused it for good, with its reason, so the
    /// person can see it and decide; it is not sent again.
    pub refused: Option<String>,
}

/// A new id for a tap, from the browser's UUID generator.
pub fn new_id() -> Option<String> {
    Some(web_sys::window()?.crypto().ok()?.random_uuid())
}

/// Keeps the tap on the phone; false if the phone would not store it.
pub async fn keep(pending: &Pending) -> bool {
    store::put(store::OUTBOX, &pending.id, pending).await
}

pub async fn items() -> Vec<Pending> {
    store::all(store::OUTBOX).await
}

pub async fn discard(id: &str) {
    store::delete(store::OUTBOX, id).await;
}

thread_local! {
    static SENDING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
}

/// Sends what is waiting for `person_id`, oldest first; stops at the first
/// sign of no signal. Answers whether anything changed (sent or refused).
pub async fn send(person_id: &str) -> bool {
    // One sender at a time, so a tap is never sent twice at once; a call
    // during a send (a quick second tap, an `online` event) makes the running
    // sender go round again rather than leave the new tap waiting.
    if SENDING.with(|s| s.replace(true)) {
        AGAIN.with(|a| a.set(true));
        return false;
    }
    let mut changed = false;
    loop {
        AGAIN.with(|a| a.set(false));
        let (sent_some, stopped) = send_waiting(person_id).await;
        changed |= sent_some;
        if stopped || !AGAIN.with(Cell::get) {
            break;
        }
    }
    SENDING.with(|s| s.set(false));
    changed
}

/// One pass over the outbox: whether anything changed, and whether it
/// stopped for want of a signal.
async fn send_waiting(person_id: &str) -> (bool, bool) {
    let mut changed = false;
    for item in items().await {
        if item.person_id != person_id || item.refused.is_some() {
            continue;
        }
        match send_one(&item).await {
            Outcome::Sent => {
                discard(&item.id).await;
                changed = true;
            }
            Outcome::Refused(reason) => {
                keep(&Pending {
                    refused: Some(reason),
                    ..item
                })
                .await;
                changed = true;
            }
            Outcome::Later => return (changed, true),
        }
    }
    (changed, false)
}

pub enum Outcome {
    Sent,
    /// Refused for good, with the server's reason.
    Refused(String),
    /// No signal, signed out, or the server is struggling: try again later.
    Later,
}

pub async fn send_one(item: &Pending) -> Outcome {
    let path = item.tap.path(&item.id);
    let sent = match &item.tap {
        Tap::Mark(body) => api::put(&path, body).await,
        Tap::Handover(body) => api::put(&path, body).await,
        Tap::Progress(body) => api::put(&path, body).await,
    };
    match sent {
        Ok(()) => Outcome::Sent,
        Err(Failure::Refused(d)) if !retry_later(d.code) => {
            Outcome::Refused(api::capitalise(&d.message))
        }
        Err(_) => Outcome::Later,
    }
}

fn retry_later(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Unauthenticated
            | ErrorCode::TooManyRequests
            | ErrorCode::Unavailable
            | ErrorCode::Internal
    )
}

/// The outbox as every screen sees it.
#[derive(Clone, PartialEq)]
pub struct OutboxHandle {
    /// What is waiting (or was refused), oldest first.
    pub items: Vec<Pending>,
    /// Goes up each time a send changed something on the server, so a screen
    /// showing server data knows to fetch it again.
    pub sent: u32,
    /// Keep a new tap and send it.
    pub add: yew::Callback<Pending>,
    /// Forget a refused tap, by id.
    pub dismiss: yew::Callback<String>,
}

impl OutboxHandle {
    pub fn for_session<'a>(&'a self, session_id: &'a str) -> impl Iterator<Item = &'a Pending> {
        self.items
            .iter()
            .filter(move |p| p.tap.session_id() == session_id)
    }
}

#[yew::hook]
pub fn use_outbox() -> OutboxHandle {
    yew::use_context::<OutboxHandle>().unwrap_or_else(|| OutboxHandle {
        items: Vec::new(),
        sent: 0,
        add: yew::Callback::noop(),
        dismiss: yew::Callback::noop(),
    })
}
