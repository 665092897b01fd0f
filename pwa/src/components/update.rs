//! A new release of the app: the service worker caches the new shell and
//! takes over; the page still running the old code offers to reload, so
//! nobody is left on a stale app and nobody loses what they were typing.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

#[component]
pub fn UpdateBanner() -> Html {
    let ready = use_state(|| false);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| watch(Callback::from(move |_| ready.set(true))));
    }
    if !*ready {
        return html! {};
    }
    let reload = Callback::from(|_: MouseEvent| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    html! {
        <div class="notice update" role="status">
            <p>{ "A new version of LearnTrek is ready." }</p>
            <button class="primary" onclick={reload}>{ "Reload now" }</button>
        </div>
    }
}

/// Tells `updated` when a new service worker takes over a page that an
/// older one controlled, and asks for a release check each time the app
/// comes back into view (a phone keeps it open for days).
fn watch(updated: Callback<()>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // The first install also changes the controller (from none); only a
    // change from one service worker to another is a new release.
    let controlled = std::cell::Cell::new(container.controller().is_some());
    let on_change = Closure::<dyn Fn()>::new(move || {
        if controlled.replace(true) {
            updated.emit(());
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    let Some(document) = window.document() else {
        return;
    };
    let seen = document.clone();
    let on_visible = Closure::<dyn Fn()>::new(move || {
        if seen.visibility_state() == web_sys::VisibilityState::Visible {
            check_for_release();
        }
    });
    let _ = document
        .add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    on_visible.forget();
}

fn check_for_release() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let ready = window.navigator().service_worker().ready();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(ready) = ready else {
            return;
        };
        if let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await {
            let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
            if let Ok(check) = registration.update() {
                let _ = wasm_bindgen_futures::JsFuture::from(check).await;
            }
        }
    });
}
