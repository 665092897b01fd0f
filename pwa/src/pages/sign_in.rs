use lt_core::api::{Me, SignInRequest};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub on_signed_in: Callback<Me>,
}

#[component]
pub fn SignIn(props: &Props) -> Html {
    let email = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<(Option<String>, String)>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (email, password) = (email.clone(), password.clone());
        let (error, busy) = (error.clone(), busy.clone());
        let on_signed_in = props.on_signed_in.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let request = SignInRequest {
                email: value(&email),
                password: value(&password),
            };
            let (error, busy, on_signed_in) = (error.clone(), busy.clone(), on_signed_in.clone());
            busy.set(true);
            spawn_local(async move {
                match api::sign_in(&request).await {
                    Ok(me) => on_signed_in.emit(me),
                    Err(Failure::Offline) => error.set(Some((
                        None,
                        "You're offline. Sign in when you have a signal.".to_owned(),
                    ))),
                    Err(Failure::Refused(d)) => error.set(Some((d.field, d.message))),
                }
                busy.set(false);
            });
        })
    };

    let field_error = |name: &str| match &*error {
        Some((Some(f), message)) if f == name => Some(message.clone()),
        _ => None,
    };
    let general = match &*error {
        Some((None, message)) => Some(message.clone()),
        _ => None,
    };
    let email_error = field_error("email");
    let password_error = field_error("password");

    html! {
        <form class="card sign-in" {onsubmit} novalidate=true>
            <h2>{ "Sign in" }</h2>
            if let Some(message) = general {
                <p class="error" role="alert">{ capitalise(&message) }</p>
            }
            <label for="email">{ "Email" }</label>
            <input id="email" ref={email} type="email" autocomplete="username" inputmode="email"
                required=true aria-invalid={email_error.is_some().to_string()}
                aria-describedby={email_error.as_ref().map(|_| "email-error")} />
            if let Some(message) = email_error {
                <p id="email-error" class="field-error">{ capitalise(&message) }</p>
            }
            <label for="password">{ "Password" }</label>
            <input id="password" ref={password} type="password" autocomplete="current-password"
                required=true aria-invalid={password_error.is_some().to_string()}
                aria-describedby={password_error.as_ref().map(|_| "password-error")} />
            if let Some(message) = password_error {
                <p id="password-error" class="field-error">{ capitalise(&message) }</p>
            }
            <button class="primary" type="submit" disabled={*busy}>
                { if *busy { "Signing in…" } else { "Sign in" } }
            </button>
        </form>
    }
}

/// Server messages are sentence fragments; on their own they start with a capital.
fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
