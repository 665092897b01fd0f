use lt_core::api::{ErrorCode, NewShare, Share, ShareList, ShareState};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub placement_id: AttrValue,
    /// An ended placement's record can be erased.
    pub ended: bool,
    pub last_name: AttrValue,
}

/// The AP's admins and DSLs send the export to a named person outside
/// LearnTrek, see who has opened it, and withdraw a link. Others see nothing
/// here (the server answers them 403).
#[component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let list = use_state(|| None::<Result<ShareList, Failure>>);
    let failure = use_state(|| None::<Failure>);
    let done = use_state(|| None::<String>);
    let (name, email, days) = (use_node_ref(), use_node_ref(), use_node_ref());
    let reload = {
        let (list, id) = (list.clone(), props.placement_id.clone());
        Callback::from(move |()| {
            let (list, id) = (list.clone(), id.clone());
            spawn_local(async move { list.set(Some(api::shares(&id).await)) });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with(props.placement_id.clone(), move |_| reload.emit(()));
    }
    let shares = match &*list {
        Some(Ok(l)) => l.shares.clone(),
        Some(Err(Failure::Refused(d))) if d.code == ErrorCode::Forbidden => return html! {},
        Some(Err(f)) => return html! { <p class="error" role="alert">{ f.message() }</p> },
        None => return html! {},
    };
    let onsubmit = {
        let (id, failure, done, reload) = (
            props.placement_id.clone(),
            failure.clone(),
            done.clone(),
            reload.clone(),
        );
        let (name, email, days) = (name.clone(), email.clone(), days.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed_days = input_value(&days);
            let body = NewShare {
                recipient_name: input_value(&name),
                recipient_email: input_value(&email),
                days: typed_days.trim().parse().ok(),
            };
            let (id, failure, done, reload) =
                (id.clone(), failure.clone(), done.clone(), reload.clone());
            let inputs = [name.clone(), email.clone(), days.clone()];
            spawn_local(async move {
                match api::create_share(&id, &body).await {
                    Ok(s) => {
                        // Ready for the next person, not a resend to this one.
                        for input in &inputs {
                            if let Some(i) = input.cast::<web_sys::HtmlInputElement>() {
                                i.set_value("");
                            }
                        }
                        failure.set(None);
                        done.set(Some(format!("Emailed a link to {}.", s.recipient_email)));
                        reload.emit(());
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let revoke = {
        let (id, reload, failure) = (props.placement_id.clone(), reload.clone(), failure.clone());
        Callback::from(move |share_id: String| {
            let (id, reload, failure) = (id.clone(), reload.clone(), failure.clone());
            spawn_local(async move {
                match api::revoke_share(&id, &share_id).await {
                    Ok(_) => reload.emit(()),
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let field = |f: &str| {
        failure
            .as_ref()
            .filter(|x| x.field() == Some(f))
            .map(Failure::message)
    };
    let general = failure
        .as_ref()
        .filter(|x| {
            !matches!(
                x.field(),
                Some("recipient_name" | "recipient_email" | "days")
            )
        })
        .map(Failure::message);
    html! {
        <section class="shares" aria-labelledby="shares-heading">
            <h3 id="shares-heading">{ "Share outside LearnTrek" }</h3>
            <p class="hint">{ "The person gets a link by email; it opens only with a code we send to the same address, and stops working when it expires or you withdraw it." }</p>
            if !shares.is_empty() {
                <ul class="share-list">
                    { for shares.iter().map(|s| share_row(s, &revoke)) }
                </ul>
            }
            <form class="new-share" {onsubmit} novalidate=true>
                if let Some(message) = general {
                    <p class="error" role="alert">{ message }</p>
                }
                if let Some(message) = &*done {
                    <p class="saved" role="status">{ message }</p>
                }
                <Field id="share-name" label="Their name" node={name} error={field("recipient_name")} />
                <Field id="share-email" label="Their email" kind="email" autocomplete="off" node={email} error={field("recipient_email")} />
                <Field id="share-days" label="Days the link works" kind="number" hint="1 to 30; 14 if left empty" node={days} error={field("days")} />
                <button class="primary" type="submit">{ "Share the export" }</button>
            </form>
            <h3>{ "The whole record" }</h3>
            <p class="hint">{ "Everything held about this placement, safeguarding and the audit of who read it included: for a subject access request, or to move the record with the pupil to another AP on LearnTrek." }</p>
            <a class="button secondary" href={api::record_url(&props.placement_id)} download="">{ "Download the whole record (JSON)" }</a>
            if props.ended {
                <EraseForm placement_id={props.placement_id.clone()} last_name={props.last_name.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct EraseProps {
    placement_id: AttrValue,
    last_name: AttrValue,
}

/// Erasing is for AP admins, once a placement has ended; typing the
/// pupil's last name is the confirmation.
#[component]
fn EraseForm(props: &EraseProps) -> Html {
    let failure = use_state(|| None::<Failure>);
    let erased = use_state(|| false);
    let confirm = use_node_ref();
    let onsubmit = {
        let (failure, erased, confirm, id) = (
            failure.clone(),
            erased.clone(),
            confirm.clone(),
            props.placement_id.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = lt_core::api::EraseRecord {
                confirm_last_name: input_value(&confirm),
            };
            let (failure, erased, id) = (failure.clone(), erased.clone(), id.clone());
            spawn_local(async move {
                match api::erase_record(&id, &body).await {
                    Ok(_) => erased.set(true),
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    if *erased {
        return html! { <p class="saved" role="status">{ "The record has been erased. The audit log says what went and who erased it." }</p> };
    }
    let (field_error, general) = Failure::split(failure.as_ref(), "confirm_last_name");
    html! {
        <form class="erase" {onsubmit} novalidate=true>
            <h3>{ "Erase this record" }</h3>
            <p class="hint">{ "Removes the pupil's registers, progress, reviews, baseline, timetable, alerts and shares for good. Check your retention rule first." }</p>
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
            <Field id="erase-confirm" label={format!("Type the pupil's last name ({}) to confirm", props.last_name)} node={confirm} error={field_error} />
            <button class="danger" type="submit">{ "Erase the record" }</button>
        </form>
    }
}

fn share_row(s: &Share, revoke: &Callback<String>) -> Html {
    let state = match s.state {
        ShareState::Open => format!("works until {}", s.expires_at.format("%-d %b")),
        ShareState::Expired => "expired".to_owned(),
        ShareState::Revoked => "withdrawn".to_owned(),
    };
    let opened = match s.opened {
        0 => "not opened yet".to_owned(),
        1 => "opened once".to_owned(),
        n => format!("opened {n} times"),
    };
    let onclick = {
        let (revoke, id) = (revoke.clone(), s.share_id.clone());
        Callback::from(move |_: MouseEvent| revoke.emit(id.clone()))
    };
    html! {
        <li class="share">
            <strong>{ s.recipient_name.clone() }</strong>{ format!(" · {}", s.recipient_email) }
            <br />{ format!("Shared by {} · {state} · {opened}", s.shared_by) }
            if s.state == ShareState::Open {
                <button class="secondary revoke-share" {onclick}>{ "Withdraw the link" }</button>
            }
        </li>
    }
}
