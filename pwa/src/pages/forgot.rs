use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};
use crate::route::Route;

#[component]
pub fn Forgot() -> Html {
    let email = use_node_ref();
    let outcome = use_state(|| None::<Result<String, Failure>>);
    let onsubmit = {
        let (email, outcome) = (email.clone(), outcome.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (address, outcome) = (input_value(&email), outcome.clone());
            spawn_local(async move {
                outcome.set(Some(
                    api::request_password_reset(&address)
                        .await
                        .map(|r| r.message),
                ));
            });
        })
    };
    let error = match &*outcome {
        Some(Err(f)) => Some(f.message()),
        _ => None,
    };
    html! {
        <form class="card" {onsubmit} novalidate=true>
            <h2>{ "Reset your password" }</h2>
            if let Some(Ok(message)) = &*outcome {
                <p class="success" role="status">{ message.clone() }</p>
            } else {
                <p>{ "Enter the email address you sign in with. We'll email you a link to choose a new password." }</p>
                <Field id="email" label="Email" kind="email" autocomplete="username" node={email} error={error} />
                <button class="primary" type="submit">{ "Email me a link" }</button>
            }
            <p class="aside"><Link<Route> to={Route::Today}>{ "Back to sign in" }</Link<Route>></p>
        </form>
    }
}
