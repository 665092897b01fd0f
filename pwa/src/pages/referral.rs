use lt_core::api::{Directory, NewPlacement};
use lt_core::domain::{OrganisationKind, Tier};
use web_sys::HtmlSelectElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct ReferralProps {
    pub ap_id: AttrValue,
}

fn select_value(node: &NodeRef) -> String {
    node.cast::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

/// Recording a referral the AP has received: who, commissioned by whom, in
/// which tier, from when. The school or LA then completes the baseline.
#[component]
pub fn ReferralForm(props: &ReferralProps) -> Html {
    let directory = use_state(|| None::<Directory>);
    let failure = use_state(|| None::<Failure>);
    let navigator = use_navigator();
    let nodes: Vec<NodeRef> = (0..8).map(|_| NodeRef::default()).collect();
    let nodes = use_state(|| nodes);
    {
        let (directory, ap) = (directory.clone(), props.ap_id.clone());
        use_effect_with((), move |()| {
            spawn_local(async move { directory.set(api::directory(&ap).await.ok()) });
        });
    }
    let [first, last, born, upn, commissioner, tier, start, end] =
        std::array::from_fn(|i| nodes[i].clone());
    let onsubmit = {
        let (failure, ap) = (failure.clone(), props.ap_id.clone());
        let (first, last, born, upn) = (first.clone(), last.clone(), born.clone(), upn.clone());
        let (commissioner, tier, start, end) = (
            commissioner.clone(),
            tier.clone(),
            start.clone(),
            end.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let date = |n: &NodeRef, field: &str| {
                input_value(n).parse().map_err(|_| {
                    Failure::Refused(lt_core::api::ErrorDetail::invalid(field, "give a date"))
                })
            };
            let referral = (|| {
                Ok::<_, Failure>(NewPlacement {
                    first_name: input_value(&first),
                    last_name: input_value(&last),
                    date_of_birth: date(&born, "date_of_birth")?,
                    upn: Some(input_value(&upn)).filter(|u| !u.trim().is_empty()),
                    commissioner_id: select_value(&commissioner),
                    tier: Tier::parse(&select_value(&tier)).unwrap_or(Tier::ShortTerm),
                    start_date: date(&start, "start_date")?,
                    end_date: input_value(&end).parse().ok(),
                })
            })();
            let referral = match referral {
                Ok(r) => r,
                Err(f) => return failure.set(Some(f)),
            };
            let (failure, ap, navigator) = (failure.clone(), ap.clone(), navigator.clone());
            spawn_local(async move {
                match api::refer(&ap, &referral).await {
                    Ok(created) => {
                        if let Some(n) = navigator {
                            n.push(&Route::Placement { id: created.id });
                        }
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let error = |field: &str| Failure::split((*failure).as_ref(), field).0;
    let general = (*failure)
        .as_ref()
        .filter(|f| f.field().is_none())
        .map(Failure::message);
    let commissioners: Vec<(String, String)> = (*directory)
        .as_ref()
        .map(|d| {
            d.organisations
                .iter()
                .filter(|o| matches!(o.kind, OrganisationKind::School | OrganisationKind::La))
                .map(|o| (o.id.clone(), o.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let select_error = |field: &str, id: &str| {
        error(field).map(|m| html! { <p id={format!("{id}-error")} class="field-error">{ m }</p> })
    };
    html! {
        <details class="referral">
            <summary>{ "Record a referral" }</summary>
            <form class="referral-form" {onsubmit} novalidate=true>
                <Field id="ref-first" label="Legal first name" node={first} error={error("first_name")} />
                <Field id="ref-last" label="Legal last name" node={last} error={error("last_name")} />
                <Field id="ref-born" label="Date of birth" kind="date" node={born} error={error("date_of_birth")} />
                <Field id="ref-upn" label="UPN (optional)" node={upn} error={error("upn")}
                    hint="The school can add it later, or import it from a CTF" />
                <label for="ref-commissioner">{ "Commissioned by" }</label>
                <select id="ref-commissioner" ref={commissioner} aria-invalid={error("commissioner_id").is_some().to_string()}>
                    { for commissioners.iter().map(|(id, name)| html! { <option value={id.clone()}>{ name.clone() }</option> }) }
                </select>
                { select_error("commissioner_id", "ref-commissioner") }
                <label for="ref-tier">{ "Tier" }</label>
                <select id="ref-tier" ref={tier}>
                    { for Tier::ALL.iter().map(|t| html! { <option value={t.as_str()} selected={*t == Tier::ShortTerm}>{ t.label() }</option> }) }
                </select>
                <Field id="ref-start" label="Start date" kind="date" node={start} error={error("start_date")} />
                <Field id="ref-end" label="Planned end date" kind="date" node={end} error={error("end_date")}
                    hint="Required for a tier 2 short-term placement" />
                <button type="submit" class="primary">{ "Record the referral" }</button>
                if let Some(m) = general {
                    <p class="error" role="alert">{ m }</p>
                }
            </form>
        </details>
    }
}
