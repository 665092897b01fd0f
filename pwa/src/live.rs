//! The dashboard's live channel: a WebSocket per AP that says "today changed"
//! with a sequence number. A new number (or a first one after reconnecting
//! with a different number) means fetch today again; the same number means
//! nothing was missed. Closed sockets reconnect with a growing pause.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, WebSocket};
use yew::platform::spawn_local;
use yew::prelude::*;

use lt_core::api::Endpoint;

/// One AP's socket and the handlers it needs kept alive.
struct Connection {
    socket: WebSocket,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_close: Closure<dyn Fn()>,
}

struct Channel {
    ap_id: String,
    on_change: Callback<()>,
    /// The last number heard, across reconnects.
    seq: Cell<Option<u64>>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    connection: RefCell<Option<Connection>>,
}

fn address(ap_id: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let path = Endpoint::Live.path().replace("{ap_id}", ap_id);
    Some(format!("{scheme}://{}{path}", location.host().ok()?))
}

fn seq_of(event: &MessageEvent) -> Option<u64> {
    let text = event.data().as_string()?;
    serde_json::from_str::<serde_json::Value>(&text).ok()?["seq"].as_u64()
}

impl Channel {
    fn open(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        let Some(socket) = address(&self.ap_id).and_then(|a| WebSocket::new(&a).ok()) else {
            return self.retry();
        };
        let on_message = {
            let channel = Rc::downgrade(self);
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let (Some(channel), Some(seq)) = (channel.upgrade(), seq_of(&event)) else {
                    return;
                };
                channel.failures.set(0);
                if channel.seq.replace(Some(seq)) != Some(seq) {
                    channel.on_change.emit(());
                }
            })
        };
        let on_close = {
            let channel = Rc::downgrade(self);
            Closure::<dyn Fn()>::new(move || {
                if let Some(channel) = channel.upgrade() {
                    channel.retry();
                }
            })
        };
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.connection.borrow_mut() = Some(Connection {
            socket,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    /// Reconnects after 1, 2, 4 … up to 15 seconds.
    fn retry(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        let failures = self.failures.get();
        self.failures.set(failures.saturating_add(1));
        let pause = Duration::from_secs(1u64 << failures.min(4)).min(Duration::from_secs(15));
        let channel = Rc::clone(self);
        spawn_local(async move {
            yew::platform::time::sleep(pause).await;
            channel.open();
        });
    }

    fn stop(&self) {
        self.stopped.set(true);
        if let Some(connection) = self.connection.borrow_mut().take() {
            connection.socket.set_onclose(None);
            let _ = connection.socket.close();
        }
    }
}

/// Listens to each AP's channel while the screen is shown, and calls
/// `on_change` whenever today may have changed.
#[hook]
pub fn use_live(ap_ids: Vec<String>, on_change: Callback<()>) {
    use_effect_with(ap_ids, move |ap_ids| {
        let channels: Vec<Rc<Channel>> = ap_ids
            .iter()
            .map(|ap_id| {
                let channel = Rc::new(Channel {
                    ap_id: ap_id.clone(),
                    on_change: on_change.clone(),
                    seq: Cell::new(None),
                    failures: Cell::new(0),
                    stopped: Cell::new(false),
                    connection: RefCell::new(None),
                });
                channel.open();
                channel
            })
            .collect();
        move || channels.iter().for_each(|c| c.stop())
    });
}
