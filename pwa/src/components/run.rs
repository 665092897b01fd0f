//! An escort's run: one tap for the pick-up and one for the drop-off. The
//! phone's location goes with a tap only when the escort ticks the box for it.

use js_sys::{Promise, Reflect};
use lt_core::api::{HandoverRequest, TodaySession};
use lt_core::handover::{HandoverKind, Location};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, PositionOptions};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::register::outbox_lines;
use crate::clock::device_now;
use crate::outbox::{self, Pending, Tap, use_outbox};
use crate::session::use_session;

#[derive(Properties, PartialEq)]
pub struct RunProps {
    pub session: TodaySession,
}

/// Where the phone is, if the browser and the escort allow it (10 s at most).
async fn locate() -> Option<Location> {
    let geolocation = web_sys::window()?.navigator().geolocation().ok()?;
    let promise = Promise::new(&mut |resolve, reject| {
        let options = PositionOptions::new();
        options.set_enable_high_accuracy(true);
        options.set_timeout(10_000);
        options.set_maximum_age(60_000);
        if geolocation
            .get_current_position_with_error_callback_and_options(&resolve, Some(&reject), &options)
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    let position = JsFuture::from(promise).await.ok()?;
    let coords = Reflect::get(&position, &"coords".into()).ok()?;
    let number = |name: &str| Reflect::get(&coords, &name.into()).ok()?.as_f64();
    Some(Location {
        latitude: number("latitude")?,
        longitude: number("longitude")?,
        accuracy_m: number("accuracy"),
    })
}

#[component]
pub fn Run(props: &RunProps) -> Html {
    let outbox = use_outbox();
    let person_id = use_session().session.me().map(|m| m.person_id.clone());
    let share = use_node_ref();
    let note = use_state(|| None::<String>);
    let s = &props.session;
    let waiting = |kind: HandoverKind| {
        outbox
            .for_session(&s.session_id)
            .any(|p| p.refused.is_none() && matches!(&p.tap, Tap::Handover(h) if h.kind == kind))
    };
    let tap =
        |kind: HandoverKind| {
            let (add, share, note) = (outbox.add.clone(), share.clone(), note.clone());
            let (session_id, person_id) = (s.session_id.clone(), person_id.clone());
            let date = lt_core::london::local_date(s.starts_at);
            Callback::from(move |_: MouseEvent| {
                let (Some(id), Some(person_id)) = (outbox::new_id(), person_id.clone()) else {
                    return note.set(Some(
                        "This browser cannot make an id for the tap; update it.".into(),
                    ));
                };
                let shares = share
                    .cast::<HtmlInputElement>()
                    .is_some_and(|c| c.checked());
                // The time is the tap's, taken before any wait for a location.
                let device_time = device_now();
                let (add, note, session_id) = (add.clone(), note.clone(), session_id.clone());
                spawn_local(async move {
                    let location = if shares { locate().await } else { None };
                    note.set((shares && location.is_none()).then(|| {
                        "Saved without a location: the phone did not give one.".to_owned()
                    }));
                    add.emit(Pending {
                        id,
                        person_id,
                        tap: Tap::Handover(HandoverRequest {
                            session_id,
                            date,
                            kind,
                            device_time,
                            location,
                        }),
                        refused: None,
                    });
                });
            })
        };
    let done = |at: Option<chrono::DateTime<chrono::Utc>>, kind: HandoverKind| match at {
        Some(at) => html! {
            <p class="handed">{ format!("{} at {}", kind.label(), lt_core::london::clock(at)) }{ " " }
                <span class="badge saved">{ "Saved" }</span></p>
        },
        None if waiting(kind) => html! {},
        None => html! {
            <button class={classes!("mark", "handover", kind.as_str().replace('_', "-"))} onclick={tap(kind)}>
                { kind.label() }
            </button>
        },
    };
    let share_id = format!("share-{}", s.session_id);
    html! {
        <div class="run-taps" role="group" aria-label={format!("Run for {}", s.pupil_first_name)}>
            { done(s.picked_up_at, HandoverKind::PickUp) }
            { done(s.dropped_off_at, HandoverKind::DropOff) }
            { outbox_lines(&outbox, &s.session_id) }
            if s.dropped_off_at.is_none() {
                <p class="consent">
                    <input type="checkbox" id={share_id.clone()} ref={share} />
                    <label for={share_id}>{ "Share my location with this tap" }</label>
                </p>
            }
            if let Some(message) = &*note {
                <p class="status" role="status">{ message }</p>
            }
        </div>
    }
}
