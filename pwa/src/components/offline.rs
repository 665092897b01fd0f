use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OfflineProps {
    pub retry: Callback<()>,
}

/// Said when the server can't be reached and nothing on the phone can stand in.
#[component]
pub fn Offline(props: &OfflineProps) -> Html {
    html! {
        <section class="notice" role="status" aria-live="polite">
            <h2>{ "You're offline" }</h2>
            <p>{ "LearnTrek can't reach the server. Your screens will load as soon as the signal returns." }</p>
            <button class="primary" onclick={props.retry.reform(|_| ())}>{ "Try again" }</button>
        </section>
    }
}
