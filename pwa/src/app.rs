use lt_core::api::Me;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::pages::{SignIn, TodayPage};

#[derive(Debug, Clone, PartialEq)]
enum Screen {
    Starting,
    Offline,
    SignIn,
    Today(Me),
}

#[component]
pub fn App() -> Html {
    let screen = use_state(|| Screen::Starting);

    let check = {
        let screen = screen.clone();
        Callback::from(move |()| {
            let screen = screen.clone();
            spawn_local(async move {
                screen.set(match api::me().await {
                    Ok(me) => Screen::Today(me),
                    Err(f) if f.is_signed_out() => Screen::SignIn,
                    Err(_) => Screen::Offline,
                });
            });
        })
    };
    {
        let check = check.clone();
        use_effect_with((), move |()| check.emit(()));
    }

    let signed_in = {
        let screen = screen.clone();
        Callback::from(move |me: Me| screen.set(Screen::Today(me)))
    };
    let signed_out = {
        let screen = screen.clone();
        Callback::from(move |()| screen.set(Screen::SignIn))
    };

    let body = match &*screen {
        Screen::Starting => html! { <p class="status" role="status">{ "Opening LearnTrek…" }</p> },
        Screen::Offline => html! {
            <section class="notice" role="status" aria-live="polite">
                <h2>{ "You're offline" }</h2>
                <p>{ "LearnTrek can't reach the server. Your screens will load as soon as the signal returns." }</p>
                <button class="primary" onclick={check.reform(|_| ())}>{ "Try again" }</button>
            </section>
        },
        Screen::SignIn => html! { <SignIn on_signed_in={signed_in} /> },
        Screen::Today(me) => html! { <TodayPage me={me.clone()} on_signed_out={signed_out} /> },
    };

    html! {
        <>
            <header class="bar">
                <h1 class="brand">{ "LearnTrek" }</h1>
            </header>
            <main id="main">{ body }</main>
        </>
    }
}
