use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;
use crate::session::use_session;

/// Tabs for AP staff and commissioners; tutors and escorts have one screen.
#[component]
pub fn Nav() -> Html {
    let handle = use_session();
    let current = use_route::<Route>();
    let navigator = use_navigator();
    let manages = handle.session.managed_ap().is_some();
    if !manages && !handle.session.sees_placements() {
        return html! {};
    }
    let tab = |route: Route, label: &'static str| {
        let here = current.as_ref() == Some(&route);
        let href = route.to_path();
        let onclick = navigator.clone().map(|n| {
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                n.push(&route);
            })
        });
        html! {
            <li>
                <a {href} {onclick} class={classes!("tab", here.then_some("current"))}
                    aria-current={here.then_some("page")}>{ label }</a>
            </li>
        }
    };
    html! {
        <nav class="tabs" aria-label="Sections">
            <ul>
                { tab(Route::Today, "Today") }
                { tab(Route::Dashboard, "Dashboard") }
                { tab(Route::Alerts, "Alerts") }
                { tab(Route::Placements, "Pupils") }
                if manages {
                    { tab(Route::Invitations, "People") }
                    { tab(Route::Audit, "Audit") }
                }
            </ul>
        </nav>
    }
}
