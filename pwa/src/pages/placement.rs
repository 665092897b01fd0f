use lt_core::api::ContactSide;
use lt_core::api::{Baseline, PlacementDetail};
use lt_core::gate::{EndReason, PlacementState, Transition};
use serde_json::json;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::components::{SectionForm, input_value};

use super::ctf::CtfUpload;
use super::shares::SharePanel;
use super::timetable::TimetablePanel;

#[derive(Properties, PartialEq)]
pub struct PlacementProps {
    pub id: AttrValue,
}

/// A pupil's placement: where its transition gate stands, the baseline form
/// section by section, and the steps this person may take.
#[component]
pub fn PlacementPage(props: &PlacementProps) -> Html {
    let detail = use_state(|| None::<Result<PlacementDetail, Failure>>);
    let baseline = use_state(|| None::<Result<Baseline, Failure>>);
    let reload = {
        let (detail, baseline, id) = (detail.clone(), baseline.clone(), props.id.clone());
        Callback::from(move |()| {
            let (detail, baseline, id) = (detail.clone(), baseline.clone(), id.clone());
            spawn_local(async move {
                detail.set(Some(api::placement(&id).await));
                baseline.set(Some(api::baseline(&id).await));
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with(props.id.clone(), move |_| reload.emit(()));
    }
    let on_saved = {
        let (baseline, reload) = (baseline.clone(), reload.clone());
        Callback::from(move |b: Baseline| {
            baseline.set(Some(Ok(b)));
            reload.emit(());
        })
    };
    let d = match &*detail {
        None => return html! { <p class="status" role="status">{ "Loading the placement…" }</p> },
        Some(Err(f)) => return html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(d)) => d.clone(),
    };
    html! {
        <section class="placement">
            <h2>{ format!("{} {}", d.pupil_first_name, d.pupil_last_name) }</h2>
            <p class="meta">
                { format!("{} at {} · commissioned by {} · starts {}", d.tier.label(), d.ap_name,
                    d.commissioner_name, d.start_date.format("%-d %b %Y")) }
                if let Some(end) = d.end_date {
                    { format!(" · planned end {}", end.format("%-d %b %Y")) }
                }
            </p>
            <p class={classes!("state", format!("state-{}", d.state.as_str()))}>{ d.state.label() }</p>
            if d.gate_overdue {
                <p class="overdue" role="alert">{ "The start date has passed and the transition gate is still open." }</p>
            }
            <Gate detail={d.clone()} baseline={(*baseline).clone().and_then(Result::ok)} />
            <Steps detail={d.clone()} on_done={reload.reform(|_| ())} />
            <Contacts detail={d.clone()} />
            <Timeline detail={d.clone()} />
            if d.editable {
                <CtfUpload placement_id={props.id.clone()} on_done={reload.reform(|_| ())} />
            }
            if matches!(d.state, PlacementState::Active | PlacementState::Ended) {
                <ExportLinks placement_id={props.id.clone()} />
                <SharePanel placement_id={props.id.clone()} ended={d.state == PlacementState::Ended}
                    last_name={d.pupil_last_name.clone()} />
            }
            <TimetablePanel placement_id={props.id.clone()} state={d.state} />
            { match &*baseline {
                None => html! { <p class="status" role="status">{ "Loading the baseline…" }</p> },
                Some(Err(f)) => html! { <p class="error" role="alert">{ f.message() }</p> },
                Some(Ok(b)) => html! {
                    <div class="baseline">
                        { for b.sections.iter().map(|s| html! {
                            <SectionForm placement_id={props.id.clone()} section={s.clone()}
                                editable={b.editable} on_saved={on_saved.clone()} />
                        }) }
                    </div>
                },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DetailProps {
    detail: PlacementDetail,
}

#[derive(Properties, PartialEq)]
struct GateProps {
    detail: PlacementDetail,
    baseline: Option<Baseline>,
}

/// How far the baseline is from opening the gate, and what is missing.
#[component]
fn Gate(props: &GateProps) -> Html {
    let d = &props.detail;
    if !matches!(
        d.state,
        PlacementState::Referred | PlacementState::Submitted
    ) {
        return html! {};
    }
    let text = if d.missing == 0 {
        "Every required item is filled in.".to_owned()
    } else {
        format!(
            "{} required item{} still to fill in before the placement can start.",
            d.missing,
            if d.missing == 1 { "" } else { "s" }
        )
    };
    let missing: Vec<(String, Vec<(String, String)>)> = props
        .baseline
        .iter()
        .flat_map(|b| b.sections.iter())
        .filter(|s| !s.complete)
        .map(|s| {
            let items = s
                .fields
                .iter()
                .filter(|f| s.missing.contains(&f.key))
                .map(|f| (f.key.clone(), f.label.clone()))
                .collect();
            (s.title.clone(), items)
        })
        .collect();
    html! {
        <div class={classes!("gate", (d.missing == 0).then_some("gate-complete"))} role="status">
            <h3>{ "Transition gate" }</h3>
            <p>{ text }</p>
            if !missing.is_empty() {
                <ul class="missing-items">
                    { for missing.iter().map(|(title, items)| html! {
                        <li>
                            <strong>{ format!("{title}: ") }</strong>
                            { for items.iter().enumerate().map(|(i, (key, label))| html! {
                                <>
                                    if i > 0 { { ", " } }
                                    <a href={format!("#f-{key}")}>{ label.clone() }</a>
                                </>
                            }) }
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StepsProps {
    detail: PlacementDetail,
    on_done: Callback<()>,
}

#[component]
fn Steps(props: &StepsProps) -> Html {
    let failure = use_state(|| None::<Failure>);
    let comment = use_node_ref();
    let end_reason = use_node_ref();
    let end_note = use_node_ref();
    let d = &props.detail;
    let act = |step: Transition| {
        let (failure, on_done, id, comment) = (
            failure.clone(),
            props.on_done.clone(),
            d.id.clone(),
            comment.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let body = match step {
                Transition::Return => {
                    json!({ "comment": crate::components::textarea_value(&comment) })
                }
                _ => json!({}),
            };
            let (failure, on_done, id) = (failure.clone(), on_done.clone(), id.clone());
            spawn_local(async move {
                match api::take_step(&id, step, &body).await {
                    Ok(_) => {
                        failure.set(None);
                        on_done.emit(());
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let can = |t: Transition| d.steps.contains(&t);
    let end = {
        let (failure, on_done, id) = (failure.clone(), props.on_done.clone(), d.id.clone());
        let (reason, note) = (end_reason.clone(), end_note.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = json!({
                "reason": reason.cast::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default(),
                "note": Some(input_value(&note)).filter(|n| !n.trim().is_empty()),
            });
            let (failure, on_done, id) = (failure.clone(), on_done.clone(), id.clone());
            spawn_local(async move {
                match api::take_step(&id, Transition::End, &body).await {
                    Ok(_) => {
                        failure.set(None);
                        on_done.emit(());
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    if !can(Transition::Submit) && !can(Transition::Accept) && !can(Transition::End) {
        return html! {};
    }
    html! {
        <div class="steps">
            if can(Transition::Submit) {
                <button class="primary" disabled={d.missing > 0} onclick={act(Transition::Submit)}>
                    { "Submit the baseline to the AP" }
                </button>
            }
            if can(Transition::Accept) {
                <button class="primary" id="accept" onclick={act(Transition::Accept)}>
                    { "Accept and start the placement" }
                </button>
                <label for="return-comment">{ "Or return it to the commissioner: what must they add or correct?" }</label>
                <textarea id="return-comment" ref={comment.clone()} rows="2" />
                <button class="secondary" onclick={act(Transition::Return)}>{ "Return with this comment" }</button>
            }
            if can(Transition::End) {
                <details class="end">
                    <summary>{ "End this placement" }</summary>
                    <form onsubmit={end}>
                        <label for="end-reason">{ "Why it ends" }</label>
                        <select id="end-reason" ref={end_reason}>
                            { for EndReason::ALL.iter().map(|r| html! { <option value={r.as_str()}>{ r.label() }</option> }) }
                        </select>
                        <label for="end-note">{ "Note (needed for \"Other\")" }</label>
                        <input id="end-note" type="text" ref={end_note} />
                        <button type="submit" class="secondary">{ "End the placement today" }</button>
                    </form>
                </details>
            }
            if let Some(f) = &*failure {
                <p class="error" role="alert">{ f.message() }</p>
            }
        </div>
    }
}

/// Who the alerts about this pupil go to, on each side.
#[component]
fn Contacts(props: &DetailProps) -> Html {
    let d = &props.detail;
    let side = |s: ContactSide| -> Vec<String> {
        d.contacts
            .iter()
            .filter(|c| c.side == s)
            .map(|c| format!("{} ({})", c.name, c.organisation))
            .collect()
    };
    let line = |label: &str, names: Vec<String>| {
        let text = if names.is_empty() {
            "nobody named yet".to_owned()
        } else {
            names.join(", ")
        };
        html! { <p><strong>{ format!("{label}: ") }</strong>{ text }</p> }
    };
    html! {
        <div class="contacts">
            <h3>{ "Alert contacts" }</h3>
            { line("At the AP", side(ContactSide::Ap)) }
            { line("At the commissioner", side(ContactSide::Commissioner)) }
        </div>
    }
}

#[component]
fn Timeline(props: &DetailProps) -> Html {
    let d = &props.detail;
    if d.events.is_empty() {
        return html! {};
    }
    html! {
        <ol class="timeline" aria-label="History">
            { for d.events.iter().map(|e| html! {
                <li>
                    { format!("{} at {}: {} by {}", lt_core::london::local_date(e.at).format("%-d %b"),
                        lt_core::london::clock(e.at), e.to_state.label(), e.by.as_deref().unwrap_or("someone")) }
                    if let Some(c) = &e.comment {
                        <q>{ c.clone() }</q>
                    }
                </li>
            }) }
        </ol>
    }
}

#[derive(Properties, PartialEq)]
struct ExportProps {
    placement_id: AttrValue,
}

/// The Reintegration Export, made fresh from the records on each open.
#[component]
fn ExportLinks(props: &ExportProps) -> Html {
    let id = props.placement_id.as_str();
    html! {
        <section class="export" aria-labelledby="export-heading">
            <h3 id="export-heading">{ "Reintegration Export" }</h3>
            <p>{ "Attendance, behaviour and engagement over the placement with their trends, the strategies that worked, triggers to avoid, and the baseline beside where the pupil is now." }</p>
            <div class="actions">
                <a class="button secondary open-export" href={api::export_url(id, "html")}>{ "Read it here" }</a>
                <a class="button secondary" href={api::export_url(id, "pdf")} download="">{ "Download the PDF" }</a>
                <a class="button secondary" href={api::export_url(id, "json")} download="">{ "Download the data (JSON)" }</a>
            </div>
        </section>
    }
}
