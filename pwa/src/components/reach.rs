//! How alerts reach this person: push to this phone (one tap to turn on,
//! which is when the browser asks permission) and texts to their mobile.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};
use crate::push::{self, PushState};
use crate::session::use_session;

#[component]
pub fn Reach() -> Html {
    let state = use_state(|| None::<PushState>);
    let busy = use_state(|| false);
    let said = use_state(|| None::<String>);
    {
        let state = state.clone();
        use_effect_with((), move |()| {
            spawn_local(async move { state.set(Some(push::state().await)) });
        });
    }
    let toggle = {
        let (state, busy, said) = (state.clone(), busy.clone(), said.clone());
        Callback::from(move |_| {
            let on = *state == Some(PushState::On);
            let (state, busy, said) = (state.clone(), busy.clone(), said.clone());
            busy.set(true);
            spawn_local(async move {
                let done = if on {
                    push::turn_off().await
                } else {
                    push::turn_on().await
                };
                said.set(done.err());
                state.set(Some(push::state().await));
                busy.set(false);
            });
        })
    };
    let push_part = match &*state {
        None => html! { <p class="status">{ "Checking this phone…" }</p> },
        Some(PushState::Unsupported) => html! {
            <p class="hint">{ "This browser cannot show alerts. On an iPhone, add LearnTrek to the Home Screen first; elsewhere use Chrome, Edge or Firefox." }</p>
        },
        Some(PushState::Blocked) => html! {
            <p class="hint">{ "Notifications are blocked for LearnTrek in this browser's settings. Allow them there to get alerts on this phone." }</p>
        },
        Some(s) => {
            let on = *s == PushState::On;
            html! {
                <>
                    <p id="push-state" role="status">
                        { if on { "Alerts come to this phone." } else { "Alerts do not come to this phone yet." } }
                    </p>
                    <button class={if on { "secondary" } else { "primary" }} onclick={toggle} disabled={*busy}>
                        { if on { "Stop alerts on this phone" } else { "Turn on alerts on this phone" } }
                    </button>
                </>
            }
        }
    };
    html! {
        <section class="reach" aria-labelledby="reach-title">
            <h3 id="reach-title">{ "How alerts reach you" }</h3>
            { push_part }
            if let Some(message) = &*said {
                <p class="error" role="alert">{ message.clone() }</p>
            }
            <PhoneForm />
        </section>
    }
}

#[component]
fn PhoneForm() -> Html {
    let handle = use_session();
    let current = handle.session.me().and_then(|m| m.phone.clone());
    let node = use_node_ref();
    let outcome = use_state(|| None::<Result<Option<String>, Failure>>);
    {
        let (node, current) = (node.clone(), current.clone());
        use_effect_with(current.clone(), move |_| {
            if let Some(input) = node.cast::<web_sys::HtmlInputElement>() {
                input.set_value(current.as_deref().unwrap_or(""));
            }
        });
    }
    let save = {
        let (node, outcome) = (node.clone(), outcome.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = input_value(&node);
            let phone = (!typed.trim().is_empty()).then_some(typed);
            let outcome = outcome.clone();
            spawn_local(async move {
                outcome.set(Some(api::set_phone(phone).await.map(|s| s.phone)));
            });
        })
    };
    let (error, general) = Failure::split(outcome.as_ref().and_then(|o| o.as_ref().err()), "phone");
    html! {
        <form class="phone" onsubmit={save} novalidate=true>
            <Field id="alert-phone" label="Text alerts to this mobile" kind="tel" autocomplete="tel"
                hint="A UK mobile, e.g. 07700 900123. Leave empty for no texts." {error} node={node} />
            <button type="submit" class="secondary">{ "Save the number" }</button>
            if let Some(Ok(saved)) = &*outcome {
                <p role="status">{ match saved {
                    Some(p) => format!("Alerts will be texted to {p}."),
                    None => "No texts will be sent.".to_owned(),
                } }</p>
            }
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
        </form>
    }
}
