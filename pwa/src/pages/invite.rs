use lt_core::api::{AcceptInvitation, InvitationPreview};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::fragment_token;
use crate::api::{self, Failure};
use crate::components::{Field, NewPassword, confirmed, input_value};
use crate::session::use_enter_app;

/// Following an invitation link: see what it is for, choose a password, done.
#[component]
pub fn Invite() -> Html {
    let enter = use_enter_app();
    let preview = use_state(|| None::<Result<InvitationPreview, Failure>>);
    let failure = use_state(|| None::<Failure>);
    let mismatch = use_state(|| false);
    let password = use_node_ref();
    let confirm = use_node_ref();
    {
        let preview = preview.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                preview.set(Some(api::look_up_invitation(&fragment_token()).await))
            });
        });
    }
    let invitation = match &*preview {
        None => {
            return html! { <p class="status" role="status">{ "Checking your invitation…" }</p> };
        }
        Some(Err(f)) => {
            return html! {
                <section class="notice" role="alert">
                    <h2>{ "This invitation can't be used" }</h2>
                    <p>{ f.message() }</p>
                </section>
            };
        }
        Some(Ok(invitation)) => invitation.clone(),
    };
    let existing = invitation.existing_account;
    let onsubmit = {
        let (password, confirm, failure, mismatch) = (
            password.clone(),
            confirm.clone(),
            failure.clone(),
            mismatch.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let chosen = if existing {
                input_value(&password)
            } else if let Some(chosen) = confirmed(&password, &confirm) {
                chosen
            } else {
                mismatch.set(true);
                return;
            };
            mismatch.set(false);
            let body = AcceptInvitation {
                token: fragment_token(),
                password: chosen,
            };
            let (failure, enter) = (failure.clone(), enter.clone());
            spawn_local(async move {
                match api::accept_invitation(&body).await {
                    Ok(me) => enter.emit(me),
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let (password_error, general) = Failure::split(failure.as_ref(), "password");
    html! {
        <form class="card invite" {onsubmit} novalidate=true>
            <h2>{ format!("Welcome, {}", invitation.name) }</h2>
            <p>{ format!("{} has invited you to LearnTrek as {} for {}.", invitation.ap_name, invitation.role.label(), invitation.organisation_name) }</p>
            <p class="aside">{ format!("You'll sign in as {}.", invitation.email) }</p>
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
            if existing {
                <Field id="password" label="Your current LearnTrek password" kind="password" autocomplete="current-password"
                    hint="You already have an account; this adds the new access to it." node={password} error={password_error} />
            } else {
                <NewPassword label="Choose a password" {password} {confirm} error={password_error} mismatch={*mismatch} />
            }
            <button class="primary" type="submit">{ "Accept and sign in" }</button>
        </form>
    }
}
