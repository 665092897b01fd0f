use lt_core::api::CompletePasswordReset;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::fragment_token;
use crate::api::{self, Failure};
use crate::components::{Field, input_value};
use crate::session::use_enter_app;

#[component]
pub fn Reset() -> Html {
    let enter = use_enter_app();
    let password = use_node_ref();
    let confirm = use_node_ref();
    let failure = use_state(|| None::<Failure>);
    let mismatch = use_state(|| false);
    let onsubmit = {
        let (password, confirm, failure, mismatch) = (
            password.clone(),
            confirm.clone(),
            failure.clone(),
            mismatch.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let chosen = input_value(&password);
            if chosen != input_value(&confirm) {
                mismatch.set(true);
                return;
            }
            mismatch.set(false);
            let body = CompletePasswordReset {
                token: fragment_token(),
                password: chosen,
            };
            let (failure, enter) = (failure.clone(), enter.clone());
            spawn_local(async move {
                match api::complete_password_reset(&body).await {
                    Ok(me) => enter.emit(me),
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let password_error = failure
        .as_ref()
        .filter(|f| f.field() == Some("password"))
        .map(Failure::message);
    let general = failure
        .as_ref()
        .filter(|f| f.field() != Some("password"))
        .map(Failure::message);
    html! {
        <form class="card" {onsubmit} novalidate=true>
            <h2>{ "Choose a new password" }</h2>
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
            <Field id="password" label="New password" kind="password" autocomplete="new-password"
                hint="At least 10 characters. Three random words work well." node={password} error={password_error} />
            <Field id="confirm" label="Type it again" kind="password" autocomplete="new-password" node={confirm}
                error={mismatch.then(|| "the two passwords are different".to_owned())} />
            <button class="primary" type="submit">{ "Save and sign in" }</button>
        </form>
    }
}
