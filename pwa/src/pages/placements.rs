use lt_core::api::{PlacementList, PlacementListItem};
use lt_core::gate::PlacementState;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Failure};
use crate::route::Route;
use crate::session::use_session;

use super::referral::ReferralForm;
use super::retention::RetentionPanel;

/// Every placement the person may see, baselines still to complete first.
#[component]
pub fn PlacementsPage() -> Html {
    let list = use_state(|| None::<Result<PlacementList, Failure>>);
    {
        let list = list.clone();
        use_effect_with((), move |()| {
            spawn_local(async move { list.set(Some(api::placements().await)) });
        });
    }
    let body = match &*list {
        None => html! { <p class="status" role="status">{ "Loading pupils…" }</p> },
        Some(Err(f)) => html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(l)) if l.placements.is_empty() => {
            html! { <p class="empty">{ "No placements to show." }</p> }
        }
        Some(Ok(l)) => {
            let (open, rest): (Vec<_>, Vec<_>) = l.placements.iter().partition(|p| {
                matches!(
                    p.state,
                    PlacementState::Referred | PlacementState::Submitted
                )
            });
            html! {
                <>
                    if !open.is_empty() {
                        <h3>{ "Transition baselines" }</h3>
                        <ul class="cards">{ for open.into_iter().map(item) }</ul>
                    }
                    if !rest.is_empty() {
                        <h3>{ "Placements" }</h3>
                        <ul class="cards">{ for rest.into_iter().map(item) }</ul>
                    }
                </>
            }
        }
    };
    let managed = use_session().session.managed_ap();
    html! {
        <section class="placements">
            <h2>{ "Pupils" }</h2>
            if let Some((ap_id, _)) = &managed {
                <ReferralForm ap_id={ap_id.clone()} />
            }
            { body }
            if let Some((ap_id, _)) = managed {
                <RetentionPanel ap_id={ap_id} />
            }
        </section>
    }
}

fn item(p: &PlacementListItem) -> Html {
    let progress = match p.state {
        PlacementState::Referred | PlacementState::Submitted if p.missing > 0 => {
            format!(
                "{} required item{} missing",
                p.missing,
                if p.missing == 1 { "" } else { "s" }
            )
        }
        PlacementState::Referred => "Baseline complete: ready to submit".to_owned(),
        _ => p.state.label().to_owned(),
    };
    html! {
        <li class="card">
            <Link<Route> to={Route::Placement { id: p.id.clone() }} classes="card-link">
                <span class="pupil">{ format!("{} {}", p.pupil_first_name, p.pupil_last_name) }</span>
                <span class="meta">{ format!("{} · {} · starts {}", p.tier.label(), p.commissioner_name, p.start_date.format("%-d %b %Y")) }</span>
                <span class={classes!("state", format!("state-{}", p.state.as_str()))}>{ progress }</span>
                if p.gate_overdue {
                    <span class="overdue">{ "Start date passed: the gate is still open" }</span>
                }
            </Link<Route>>
        </li>
    }
}
