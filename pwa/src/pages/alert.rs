//! One alert, as a DSL opens it from a notification: who, where, when, who
//! has been told; one tap to say "I'm dealing with it"; closing it with an
//! outcome and a note; and its timeline.

use lt_core::alerts::{Channel, Outcome};
use lt_core::api::{AlertDetail, CloseAlert, TimelineEntry, TimelineKind};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::components::textarea_value;

#[derive(Properties, PartialEq)]
pub struct AlertProps {
    pub id: String,
}

#[component]
pub fn AlertPage(props: &AlertProps) -> Html {
    let detail = use_state(|| None::<Result<AlertDetail, Failure>>);
    let failure = use_state(|| None::<Failure>);
    let outcome = use_state(|| None::<Outcome>);
    let note = use_node_ref();
    {
        let (detail, id) = (detail.clone(), props.id.clone());
        use_effect_with(props.id.clone(), move |_| {
            spawn_local(async move { detail.set(Some(api::alert(&id).await)) });
        });
    }
    let d = match &*detail {
        None => return html! { <p class="status" role="status">{ "Loading the alert…" }</p> },
        Some(Err(f)) => return html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(d)) => d.clone(),
    };
    let acknowledge = {
        let (detail, failure, id) = (detail.clone(), failure.clone(), props.id.clone());
        Callback::from(move |_| {
            let (detail, failure, id) = (detail.clone(), failure.clone(), id.clone());
            spawn_local(async move {
                match api::acknowledge_alert(&id).await {
                    Ok(d) => detail.set(Some(Ok(d))),
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let close = {
        let (detail, failure, id) = (detail.clone(), failure.clone(), props.id.clone());
        let (outcome, note) = (outcome.clone(), note.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(chosen) = *outcome else {
                failure.set(Some(Failure::Refused(lt_core::api::ErrorDetail::invalid(
                    "outcome",
                    "choose what happened",
                ))));
                return;
            };
            let body = CloseAlert {
                outcome: chosen,
                note: textarea_value(&note),
            };
            let (detail, failure, id) = (detail.clone(), failure.clone(), id.clone());
            spawn_local(async move {
                match api::close_alert(&id, &body).await {
                    Ok(d) => {
                        failure.set(None);
                        detail.set(Some(Ok(d)));
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let a = &d.alert;
    let (outcome_error, rest) = Failure::split((*failure).as_ref(), "outcome");
    let note_error = Failure::split((*failure).as_ref(), "note").0;
    let general = rest.filter(|_| note_error.is_none());
    let when = a.starts_at.clone().map_or_else(
        || format!("placement started {}", a.date.format("%A %-d %B")),
        |t| format!("{} at {t}", a.date.format("%A %-d %B")),
    );
    html! {
        <section class={classes!("alert-detail", a.urgent.then_some("urgent"))}>
            <h2>{ format!("{}: {}", a.kind.label(), a.pupil_name) }</h2>
            <p class="where">{ format!("{} · {when}", a.place) }</p>
            <p>{ format!("Raised {} · told so far: {}", lt_core::london::clock(a.raised_at), a.stage.label()) }</p>
            if let Some(by) = &a.acknowledged_by {
                <p role="status">{ format!("{by} is dealing with it.") }</p>
            }
            if a.closed_at.is_some() {
                <p class="closed" role="status">{ format!("Closed: {}", a.outcome.map_or("", |o| o.label())) }</p>
                if let Some(n) = &d.note {
                    <p class="note">{ n.clone() }</p>
                }
            } else {
                if a.acknowledged_at.is_none() {
                    <button class="primary big" onclick={acknowledge}>{ "I'm dealing with it" }</button>
                }
                <form class="close-alert" onsubmit={close} novalidate=true>
                    <fieldset aria-describedby={outcome_error.as_ref().map(|_| "outcome-error")}>
                        <legend>{ "What happened?" }</legend>
                        { for Outcome::ALL.iter().map(|o| {
                            let o = *o;
                            let id = format!("outcome-{}", o.as_str());
                            let chosen = outcome.clone();
                            html! {
                                <div class="choice">
                                    <input type="radio" name="outcome" id={id.clone()} value={o.as_str()}
                                        checked={*outcome == Some(o)}
                                        onchange={Callback::from(move |_| chosen.set(Some(o)))} />
                                    <label for={id}>{ o.label() }</label>
                                </div>
                            }
                        }) }
                    </fieldset>
                    if let Some(m) = outcome_error {
                        <p id="outcome-error" class="field-error">{ m }</p>
                    }
                    <label for="alert-note">{ "Note (needed for a missing child and for other)" }</label>
                    <textarea id="alert-note" ref={note} rows="3"
                        aria-invalid={note_error.is_some().to_string()}
                        aria-describedby={note_error.as_ref().map(|_| "note-error")} />
                    if let Some(m) = note_error {
                        <p id="note-error" class="field-error">{ m }</p>
                    }
                    <button type="submit" class="primary">{ "Close the alert" }</button>
                </form>
            }
            if let Some(m) = general {
                <p class="error" role="alert">{ m }</p>
            }
            <h3>{ "Timeline" }</h3>
            <ol class="timeline">{ for d.timeline.iter().map(entry) }</ol>
        </section>
    }
}

fn entry(e: &TimelineEntry) -> Html {
    let who = e.person.clone().unwrap_or_default();
    let what = match e.kind {
        TimelineKind::Raised => "Raised".to_owned(),
        TimelineKind::Delivery => {
            let channel = match e.channel {
                Some(Channel::Push) => "phone notification",
                Some(Channel::Email) => "email",
                Some(Channel::Sms) => "text",
                None => "message",
            };
            let status = match e.status.as_deref() {
                Some("accepted") => "sent",
                Some("gone") => "device no longer subscribed",
                _ => "failed, will retry",
            };
            format!("{channel} to {who}: {status}")
        }
        TimelineKind::Acknowledged => format!("Acknowledged by {who}"),
        TimelineKind::Escalated => format!(
            "Escalated to {}",
            e.detail.clone().unwrap_or_default().to_lowercase()
        ),
        TimelineKind::Closed => {
            format!("Closed by {who}: {}", e.detail.clone().unwrap_or_default())
        }
    };
    html! {
        <li><time>{ lt_core::london::clock(e.at) }</time>{ " " }{ what }</li>
    }
}
