use lt_core::api::SignInRequest;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};
use crate::route::Route;
use crate::session::{Session, use_session};

#[component]
pub fn SignIn() -> Html {
    let handle = use_session();
    let email = use_node_ref();
    let password = use_node_ref();
    let failure = use_state(|| None::<Failure>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (email, password) = (email.clone(), password.clone());
        let (failure, busy, set) = (failure.clone(), busy.clone(), handle.set.clone());
        let signing_in = handle.signing_in.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            signing_in.emit(());
            let request = SignInRequest {
                email: input_value(&email),
                password: input_value(&password),
            };
            let (failure, busy, set) = (failure.clone(), busy.clone(), set.clone());
            busy.set(true);
            spawn_local(async move {
                match api::sign_in(&request).await {
                    Ok(me) => set.emit(Session::SignedIn(me)),
                    Err(f) => failure.set(Some(f)),
                }
                busy.set(false);
            });
        })
    };
    let error_for = |name: &str| {
        failure
            .as_ref()
            .filter(|f| f.field() == Some(name))
            .map(Failure::message)
    };
    let general = failure
        .as_ref()
        .filter(|f| f.field().is_none())
        .map(Failure::message);

    html! {
        <form class="card sign-in" {onsubmit} novalidate=true>
            <h2>{ "Sign in" }</h2>
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
            <Field id="email" label="Email" kind="email" autocomplete="username" node={email} error={error_for("email")} />
            <Field id="password" label="Password" kind="password" autocomplete="current-password" node={password} error={error_for("password")} />
            <button class="primary" type="submit" disabled={*busy}>
                { if *busy { "Signing in…" } else { "Sign in" } }
            </button>
            <p class="aside"><Link<Route> to={Route::Forgot}>{ "Forgotten your password?" }</Link<Route>></p>
        </form>
    }
}
