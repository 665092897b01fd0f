//! The audit log, for AP admins and DSLs.

use lt_core::api::AuditEntry;
use web_sys::HtmlSelectElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::session::use_session;

const ACTIONS: &[(&str, &str)] = &[
    ("", "Everything"),
    ("safeguarding.read", "Safeguarding read"),
    ("invitation.created", "Invitation sent"),
    ("invitation.accepted", "Invitation accepted"),
    ("invitation.revoked", "Invitation withdrawn"),
    ("person.password_reset", "Password reset"),
];

#[component]
pub fn AuditPage() -> Html {
    let handle = use_session();
    match handle.session.managed_ap() {
        Some((ap_id, _)) => html! { <AuditLog {ap_id} /> },
        None => html! { <p class="notice">{ "Only AP admins and DSLs see the audit log." }</p> },
    }
}

#[derive(Properties, PartialEq)]
struct AuditLogProps {
    ap_id: String,
}

#[component]
fn AuditLog(props: &AuditLogProps) -> Html {
    let ap_id = props.ap_id.clone();
    let action = use_state(String::new);
    let entries = use_state(|| None::<Result<Vec<AuditEntry>, Failure>>);
    {
        let (entries, ap_id) = (entries.clone(), ap_id.clone());
        use_effect_with((*action).clone(), move |action| {
            let action = action.clone();
            spawn_local(async move {
                entries.set(Some(
                    api::audit(&ap_id, Some(&action)).await.map(|p| p.entries),
                ));
            });
        });
    }
    let on_action = {
        let action = action.clone();
        Callback::from(move |e: Event| {
            action.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let body = match &*entries {
        None => html! { <p class="status" role="status">{ "Loading…" }</p> },
        Some(Err(f)) => html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="status">{ "Nothing recorded yet." }</p> }
        }
        Some(Ok(list)) => html! {
            <ul class="list" aria-label="Audit entries">
                { for list.iter().map(entry) }
            </ul>
        },
    };
    html! {
        <>
            <h2>{ "Audit log" }</h2>
            <p class="aside">{ "Every change, and every time someone reads safeguarding information." }</p>
            <label for="audit-action">{ "Show" }</label>
            <select id="audit-action" onchange={on_action}>
                { for ACTIONS.iter().map(|(value, label)| html! { <option value={*value} selected={*value == action.as_str()}>{ *label }</option> }) }
            </select>
            <a class="button secondary" href={api::audit_csv_url(&ap_id)} download="">{ "Download as CSV" }</a>
            { body }
        </>
    }
}

fn entry(e: &AuditEntry) -> Html {
    let when = lt_core::london::local_date(e.at)
        .format("%-d %b")
        .to_string()
        + " "
        + &lt_core::london::clock(e.at);
    let label = ACTIONS
        .iter()
        .find(|(value, _)| *value == e.action)
        .map_or(e.action.as_str(), |(_, label)| label);
    html! {
        <li class="row" key={e.id.to_string()}>
            <p class="pupil">{ label }</p>
            <p class="meta">{ format!("{when} · {}", e.actor_name.clone().unwrap_or_else(|| "Someone not signed in".into())) }</p>
            <p class="meta">{ format!("{} {}", e.subject_type, e.subject_id) }</p>
        </li>
    }
}
