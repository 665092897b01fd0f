//! Alerts: open ones first (urgent first, then oldest), each one tap from
//! its detail; how alerts reach this person; and, for the AP's managers,
//! the AP's alert timings.

use lt_core::alerts::AlertSettings;
use lt_core::api::{AlertList, AlertSummary};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, Reach, input_value};
use crate::route::Route;
use crate::session::use_session;

#[component]
pub fn AlertsPage() -> Html {
    let list = use_state(|| None::<Result<AlertList, Failure>>);
    {
        let list = list.clone();
        use_effect_with((), move |()| {
            spawn_local(async move { list.set(Some(api::alerts().await)) });
        });
    }
    let body = match &*list {
        None => html! { <p class="status" role="status">{ "Loading alerts…" }</p> },
        Some(Err(f)) => html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(l)) => {
            let (open, closed): (Vec<_>, Vec<_>) =
                l.alerts.iter().partition(|a| a.closed_at.is_none());
            html! {
                <>
                    <h3>{ "Open" }</h3>
                    if open.is_empty() {
                        <p class="empty">{ "No open alerts." }</p>
                    } else {
                        <ul class="cards alerts">{ for open.into_iter().map(item) }</ul>
                    }
                    if !closed.is_empty() {
                        <h3>{ "Closed" }</h3>
                        <ul class="cards alerts">{ for closed.into_iter().map(item) }</ul>
                    }
                </>
            }
        }
    };
    let managed = use_session().session.managed_ap();
    html! {
        <section class="alerts-page">
            <h2>{ "Alerts" }</h2>
            { body }
            <Reach />
            if let Some((ap_id, _)) = managed {
                <Timings {ap_id} />
            }
        </section>
    }
}

fn item(a: &AlertSummary) -> Html {
    let when = match &a.starts_at {
        Some(t) => format!("{} · {} {}", a.place, a.date.format("%a %-d %b"), t),
        None => format!("{} · from {}", a.place, a.date.format("%a %-d %b")),
    };
    let status = match (&a.closed_at, &a.acknowledged_by) {
        (Some(_), _) => a.outcome.map_or("Closed", |o| o.label()).to_owned(),
        (None, Some(by)) => format!("{by} is dealing with it"),
        (None, None) => format!("Not acknowledged · told: {}", a.stage.label()),
    };
    html! {
        <li key={a.id.clone()} class={classes!("card", "alert", a.urgent.then_some("urgent"))}>
            <Link<Route> to={Route::Alert { id: a.id.clone() }}>
                <strong>{ format!("{}: {}", a.kind.label(), a.pupil_name) }</strong>
                <span>{ when }</span>
                <span class="alert-status">{ status }</span>
            </Link<Route>>
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct TimingsProps {
    ap_id: String,
}

/// The AP's grace and escalation times, for its admins and DSLs.
#[component]
fn Timings(props: &TimingsProps) -> Html {
    let current = use_state(|| None::<Result<AlertSettings, Failure>>);
    let failure = use_state(|| None::<Failure>);
    let nodes = use_state(|| std::array::from_fn::<NodeRef, 3, _>(|_| NodeRef::default()));
    {
        let (current, id) = (current.clone(), props.ap_id.clone());
        use_effect_with(props.ap_id.clone(), move |_| {
            spawn_local(async move { current.set(Some(api::alert_settings(&id).await)) });
        });
    }
    let [grace, drop_off, escalation] = (*nodes).clone();
    {
        let (grace, drop_off, escalation) = (grace.clone(), drop_off.clone(), escalation.clone());
        use_effect_with(current.clone(), move |current| {
            if let Some(Ok(s)) = &**current {
                for (node, value) in [
                    (&grace, s.grace_minutes),
                    (&drop_off, s.drop_off_grace_minutes),
                    (&escalation, s.escalation_minutes),
                ] {
                    if let Some(input) = node.cast::<web_sys::HtmlInputElement>() {
                        input.set_value(&value.to_string());
                    }
                }
            }
        });
    }
    let save = {
        let (current, failure, id) = (current.clone(), failure.clone(), props.ap_id.clone());
        let (grace, drop_off, escalation) = (grace.clone(), drop_off.clone(), escalation.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let minutes = |n: &NodeRef| input_value(n).trim().parse().unwrap_or(u32::MAX);
            let body = AlertSettings {
                grace_minutes: minutes(&grace),
                drop_off_grace_minutes: minutes(&drop_off),
                escalation_minutes: minutes(&escalation),
            };
            let (current, failure, id) = (current.clone(), failure.clone(), id.clone());
            spawn_local(async move {
                match api::save_alert_settings(&id, &body).await {
                    Ok(saved) => {
                        failure.set(None);
                        current.set(Some(Ok(saved)));
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let error = |field: &str| Failure::split((*failure).as_ref(), field).0;
    let general = [
        "grace_minutes",
        "drop_off_grace_minutes",
        "escalation_minutes",
    ]
    .iter()
    .all(|f| error(f).is_none())
    .then(|| (*failure).as_ref().map(Failure::message))
    .flatten();
    html! {
        <details class="timings">
            <summary>{ "Alert timings for this AP" }</summary>
            <form onsubmit={save} novalidate=true>
                <Field id="t-grace" label="Missed arrival after (minutes past the start)" kind="number" node={grace} error={error("grace_minutes")} />
                <Field id="t-drop-off" label="Urgent after a drop-off or pick-up (minutes)" kind="number" node={drop_off} error={error("drop_off_grace_minutes")} />
                <Field id="t-escalation" label="Escalate when not acknowledged within (minutes)" kind="number" node={escalation} error={error("escalation_minutes")} />
                <button type="submit" class="primary">{ "Save the timings" }</button>
                if let Some(message) = general {
                    <p class="error" role="alert">{ message }</p>
                }
            </form>
        </details>
    }
}
