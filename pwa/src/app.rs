use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;
use crate::components::{Frame, Nav, Offline};
use crate::outbox::{self, OutboxHandle, Pending};
use crate::pages::{
    AlertPage, AlertsPage, AuditPage, DashboardPage, Forgot, InvitationsPage, Invite,
    PlacementPage, PlacementsPage, Reset, Shared, SignIn, TodayPage,
};
use crate::route::Route;
use crate::session::{OPENING, Session, SessionHandle, use_session};
use crate::store;

#[component]
pub fn App() -> Html {
    let session = use_state(|| Session::Checking);
    let recheck = {
        let session = session.clone();
        Callback::from(move |()| {
            let session = session.clone();
            spawn_local(async move {
                session.set(match api::me().await {
                    // Shown at once; kept on the phone after (the store may be slow).
                    Ok(me) => {
                        let kept = me.clone();
                        spawn_local(async move {
                            store::put(store::CACHE, "me", &kept).await;
                        });
                        Session::SignedIn(me)
                    }
                    Err(f) if f.is_signed_out() => Session::SignedOut,
                    // With no signal, whoever last signed in on this phone
                    // carries on: their day and their outbox are on it.
                    Err(_) => match store::get(store::CACHE, "me").await {
                        Some(me) => Session::SignedIn(me),
                        None => Session::Offline,
                    },
                });
            });
        })
    };
    {
        let recheck = recheck.clone();
        use_effect_with((), move |()| recheck.emit(()));
    }
    let outbox = use_outbox_state(session.me().map(|me| me.person_id.clone()));
    let handle = SessionHandle {
        session: (*session).clone(),
        set: {
            let session = session.clone();
            Callback::from(move |s: Session| {
                // Whoever signs in is remembered on the phone for opening
                // the app with no signal.
                if let Session::SignedIn(me) = &s {
                    let me = me.clone();
                    spawn_local(async move {
                        store::put(store::CACHE, "me", &me).await;
                    });
                }
                session.set(s)
            })
        },
        recheck,
        signing_in: Callback::noop(),
    };
    html! {
        <ContextProvider<SessionHandle> context={handle}>
        <ContextProvider<OutboxHandle> context={outbox}>
            <BrowserRouter>
                <Frame nav={html! { <Nav /> }}>
                    <Switch<Route> render={switch} />
                </Frame>
            </BrowserRouter>
        </ContextProvider<OutboxHandle>>
        </ContextProvider<SessionHandle>>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Invite => html! { <Invite /> },
        Route::Forgot => html! { <Forgot /> },
        Route::Reset => html! { <Reset /> },
        Route::Shared => html! { <Shared /> },
        Route::Today => html! { <SignedIn><TodayPage /></SignedIn> },
        Route::Dashboard => html! { <SignedIn><DashboardPage /></SignedIn> },
        Route::Alerts => html! { <SignedIn><AlertsPage /></SignedIn> },
        Route::Alert { id } => html! { <SignedIn><AlertPage {id} /></SignedIn> },
        Route::Invitations => html! { <SignedIn><InvitationsPage /></SignedIn> },
        Route::Audit => html! { <SignedIn><AuditPage /></SignedIn> },
        Route::Placements => html! { <SignedIn><PlacementsPage /></SignedIn> },
        Route::Placement { id } => html! { <SignedIn><PlacementPage {id} /></SignedIn> },
        Route::NotFound => html! {
            <section class="notice">
                <h2>{ "Page not found" }</h2>
                <Link<Route> to={Route::Today}>{ "Go to today's sessions" }</Link<Route>>
            </section>
        },
    }
}

#[derive(Properties, PartialEq)]
struct SignedInProps {
    children: Children,
}

/// Shows its children only to a signed-in person; otherwise the sign-in form
/// or the offline notice.
#[component]
fn SignedIn(props: &SignedInProps) -> Html {
    let handle = use_session();
    match &handle.session {
        Session::Checking => html! { <p class="status" role="status">{ OPENING }</p> },
        Session::Offline => html! { <Offline retry={handle.recheck.clone()} /> },
        Session::SignedOut => html! { <SignIn /> },
        Session::SignedIn(_) => html! { <>{ props.children.clone() }</> },
    }
}

/// The outbox's state, sent on sign-in (app start), on the browser's
/// `online` event and after each new tap.
#[hook]
fn use_outbox_state(person_id: Option<String>) -> OutboxHandle {
    let items = use_state(Vec::<Pending>::new);
    let sent = use_state(|| 0u32);
    // The `online` listener lives as long as the app; it reads the current
    // person through this cell rather than a stale copy.
    let person = use_mut_ref(|| None::<String>);
    *person.borrow_mut() = person_id.clone();
    let send = {
        let (items, sent, person) = (items.clone(), sent.clone(), person.clone());
        Callback::from(move |()| {
            let (items, sent) = (items.clone(), sent.clone());
            let Some(person_id) = person.borrow().clone() else {
                return;
            };
            spawn_local(async move {
                items.set(outbox::items().await);
                if outbox::send(&person_id).await {
                    sent.set(*sent + 1);
                }
                items.set(outbox::items().await);
            });
        })
    };
    {
        let send = send.clone();
        use_effect_with(person_id, move |person_id| {
            if person_id.is_some() {
                send.emit(());
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with((), move |()| listen_online(send));
    }
    let add = {
        let (items, sent, send) = (items.clone(), sent.clone(), send.clone());
        Callback::from(move |pending: Pending| {
            let (items, sent, send) = (items.clone(), sent.clone(), send.clone());
            spawn_local(async move {
                if outbox::keep(&pending).await {
                    send.emit(());
                    return;
                }
                // The phone would not keep it (private browsing, storage
                // full): send it now, and say plainly if that fails too.
                let refused = match outbox::send_one(&pending).await {
                    outbox::Outcome::Sent => {
                        sent.set(*sent + 1);
                        return;
                    }
                    outbox::Outcome::Refused(reason) => reason,
                    outbox::Outcome::Later => "Not saved: this phone could not keep it and LearnTrek can't be reached. Tap again when you have a signal.".into(),
                };
                let mut now = outbox::items().await;
                now.push(Pending {
                    refused: Some(refused),
                    ..pending
                });
                items.set(now);
            });
        })
    };
    let dismiss = {
        let items = items.clone();
        Callback::from(move |id: String| {
            let items = items.clone();
            spawn_local(async move {
                outbox::discard(&id).await;
                items.set(outbox::items().await);
            });
        })
    };
    OutboxHandle {
        items: (*items).clone(),
        sent: *sent,
        add,
        dismiss,
    }
}

fn listen_online(send: Callback<()>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_online = Closure::<dyn Fn()>::new(move || send.emit(()));
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    // The app's whole life: the listener is never removed.
    on_online.forget();
}
