//! The shell: all a first visit downloads. It has the screens someone who
//! is signed out needs — sign-in, an invitation, a password reset — and
//! hands the page to the app once someone is signed in. The app is fetched
//! only then, so opening the sign-in page on one bar of signal costs the
//! shell alone; after that both are kept by the service worker.

use std::cell::{Cell, RefCell};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::AppHandle;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{Frame, Offline};
use crate::pages::{Forgot, Invite, Reset, SignIn};
use crate::route::Route;
use crate::session::{OPENING, Session, SessionHandle, use_session};
use crate::store;

#[wasm_bindgen]
extern "C" {
    /// In index.html: fetches the app's code (once) and resolves to a
    /// function that starts it.
    #[wasm_bindgen(js_name = ltLoadApp, catch)]
    async fn load_app() -> Result<JsValue, JsValue>;
}

thread_local! {
    static SHELL: RefCell<Option<AppHandle<Shell>>> = const { RefCell::new(None) };
    static ENTERING: Cell<bool> = const { Cell::new(false) };
}

/// Registers the service worker (it keeps the shell, then the app, so the
/// app opens with no signal) and shows the shell.
pub fn start() {
    if let Some(window) = web_sys::window() {
        // A failed registration only costs offline start-up.
        let _ = window.navigator().service_worker().register("/sw.js");
    }
    let shell = yew::Renderer::<Shell>::new().render();
    SHELL.with(|s| *s.borrow_mut() = Some(shell));
}

/// Fetches the app and hands the page over to it; `failed` hears when it
/// could not be fetched (no signal on a phone that has not kept it yet).
fn enter(failed: Callback<()>) {
    // A sign-in also moves to `/`, which would ask again.
    if ENTERING.with(|e| e.replace(true)) {
        return;
    }
    spawn_local(async move {
        let start = load_app()
            .await
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let Some(start) = start else {
            ENTERING.with(|e| e.set(false));
            failed.emit(());
            return;
        };
        // The app renders into the same page: the shell leaves it first.
        if let Some(shell) = SHELL.with(|s| s.borrow_mut().take()) {
            shell.destroy();
        }
        let _ = start.call0(&JsValue::NULL);
    });
}

#[component]
fn Shell() -> Html {
    let session = use_state(|| Session::Checking);
    let offline = {
        let session = session.clone();
        Callback::from(move |()| session.set(Session::Offline))
    };
    let set = {
        let (session, offline) = (session.clone(), offline.clone());
        Callback::from(move |s: Session| {
            if let Session::SignedIn(me) = &s {
                let (me, offline) = (me.clone(), offline.clone());
                // Kept before the app starts: it opens with it when offline.
                spawn_local(async move {
                    store::put(store::CACHE, "me", &me).await;
                    enter(offline);
                });
            }
            session.set(s);
        })
    };
    let recheck = {
        let (session, set) = (session.clone(), set.clone());
        Callback::from(move |()| {
            let (session, set, offline) = (session.clone(), set.clone(), offline.clone());
            spawn_local(async move {
                // Whoever last signed in on this phone goes straight to the
                // app, which checks with the server itself (and the phone
                // already keeps them: nothing to write on the way).
                if let Some(me) = store::get(store::CACHE, "me").await {
                    session.set(Session::SignedIn(me));
                    enter(offline);
                    return;
                }
                set.emit(match api::me().await {
                    Ok(me) => Session::SignedIn(me),
                    Err(f) if f.is_signed_out() => Session::SignedOut,
                    Err(_) => Session::Offline,
                });
            });
        })
    };
    let handle = SessionHandle {
        session: (*session).clone(),
        set,
        recheck,
        // While the password is checked; a wrong one still leaves the app
        // fetched for the next try.
        signing_in: Callback::from(|()| {
            spawn_local(async {
                let _ = load_app().await;
            })
        }),
    };
    html! {
        <ContextProvider<SessionHandle> context={handle}>
            <BrowserRouter>
                <Frame>
                    <Switch<Route> render={door} />
                </Frame>
            </BrowserRouter>
        </ContextProvider<SessionHandle>>
    }
}

/// The shell shows the screens for someone signed out; every other
/// address is the app's.
fn door(route: Route) -> Html {
    match route {
        Route::Invite => html! { <Invite /> },
        Route::Forgot => html! { <Forgot /> },
        Route::Reset => html! { <Reset /> },
        // A shared Reintegration Export opens in the app, with no sign-in.
        Route::Shared => html! { <Entry open=true /> },
        _ => html! { <Entry /> },
    }
}

#[derive(Properties, PartialEq)]
struct EntryProps {
    /// Straight to the app, whoever is (or is not) signed in.
    #[prop_or_default]
    open: bool,
}

/// The way into the app: the sign-in form for someone signed out.
#[component]
fn Entry(props: &EntryProps) -> Html {
    let handle = use_session();
    let go = if props.open {
        let set = handle.set.clone();
        Callback::from(move |()| enter(set.reform(|()| Session::Offline)))
    } else {
        handle.recheck.clone()
    };
    {
        let go = go.clone();
        use_effect_with((), move |()| go.emit(()));
    }
    match &handle.session {
        Session::SignedOut => html! { <SignIn /> },
        Session::Offline => html! { <Offline retry={go} /> },
        Session::Checking | Session::SignedIn(_) => {
            html! { <p class="status" role="status">{ OPENING }</p> }
        }
    }
}
