use lt_core::api::CompletePasswordReset;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::fragment_token;
use crate::api::{self, Failure};
use crate::components::{NewPassword, confirmed};
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
            let Some(chosen) = confirmed(&password, &confirm) else {
                mismatch.set(true);
                return;
            };
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
    let (password_error, general) = Failure::split(failure.as_ref(), "password");
    html! {
        <form class="card" {onsubmit} novalidate=true>
            <h2>{ "Choose a new password" }</h2>
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
            <NewPassword label="New password" {password} {confirm} error={password_error} mismatch={*mismatch} />
            <button class="primary" type="submit">{ "Save and sign in" }</button>
        </form>
    }
}
