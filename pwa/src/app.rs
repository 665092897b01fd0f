use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::Nav;
use crate::pages::{
    AuditPage, Forgot, InvitationsPage, Invite, PlacementPage, PlacementsPage, Reset, SignIn,
    TodayPage,
};
use crate::route::Route;
use crate::session::{Session, SessionHandle, use_session};

#[component]
pub fn App() -> Html {
    let session = use_state(|| Session::Checking);
    let recheck = {
        let session = session.clone();
        Callback::from(move |()| {
            let session = session.clone();
            spawn_local(async move {
                session.set(match api::me().await {
                    Ok(me) => Session::SignedIn(me),
                    Err(f) if f.is_signed_out() => Session::SignedOut,
                    Err(_) => Session::Offline,
                });
            });
        })
    };
    {
        let recheck = recheck.clone();
        use_effect_with((), move |()| recheck.emit(()));
    }
    let handle = SessionHandle {
        session: (*session).clone(),
        set: {
            let session = session.clone();
            Callback::from(move |s| session.set(s))
        },
        recheck,
    };
    html! {
        <ContextProvider<SessionHandle> context={handle}>
            <BrowserRouter>
                <div class="top">
                    <header class="bar">
                        <h1 class="brand">{ "LearnTrek" }</h1>
                    </header>
                    <Nav />
                </div>
                <main id="main">
                    <Switch<Route> render={switch} />
                </main>
            </BrowserRouter>
        </ContextProvider<SessionHandle>>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Invite => html! { <Invite /> },
        Route::Forgot => html! { <Forgot /> },
        Route::Reset => html! { <Reset /> },
        Route::Today => html! { <SignedIn><TodayPage /></SignedIn> },
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
        Session::Checking => html! { <p class="status" role="status">{ "Opening LearnTrek…" }</p> },
        Session::Offline => html! {
            <section class="notice" role="status" aria-live="polite">
                <h2>{ "You're offline" }</h2>
                <p>{ "LearnTrek can't reach the server. Your screens will load as soon as the signal returns." }</p>
                <button class="primary" onclick={handle.recheck.reform(|_| ())}>{ "Try again" }</button>
            </section>
        },
        Session::SignedOut => html! { <SignIn /> },
        Session::SignedIn(_) => html! { <>{ props.children.clone() }</> },
    }
}
