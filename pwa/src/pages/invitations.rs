//! People and invitations, for AP admins and DSLs.

use lt_core::access::Role;
use lt_core::api::{Directory, Invitation, InvitationRequest, InvitationStatus};
use lt_core::invitations::organisation_kind_for;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};
use crate::session::use_session;

#[component]
pub fn InvitationsPage() -> Html {
    let handle = use_session();
    match handle.session.managed_ap() {
        Some((ap_id, ap_name)) => html! { <People {ap_id} {ap_name} /> },
        None => html! { <p class="notice">{ "Only AP admins and DSLs manage people." }</p> },
    }
}

#[derive(Properties, PartialEq)]
struct PeopleProps {
    ap_id: String,
    ap_name: String,
}

#[component]
fn People(props: &PeopleProps) -> Html {
    let (ap_id, ap_name) = (props.ap_id.clone(), props.ap_name.clone());
    let list = use_state(|| None::<Result<Vec<Invitation>, Failure>>);
    let directory = use_state(|| None::<Directory>);
    let reload = {
        let (list, ap_id) = (list.clone(), ap_id.clone());
        Callback::from(move |()| {
            let (list, ap_id) = (list.clone(), ap_id.clone());
            spawn_local(async move {
                list.set(Some(api::invitations(&ap_id).await.map(|l| l.invitations)))
            });
        })
    };
    {
        let (reload, directory, ap_id) = (reload.clone(), directory.clone(), ap_id.clone());
        use_effect_with((), move |()| {
            reload.emit(());
            spawn_local(async move { directory.set(api::directory(&ap_id).await.ok()) });
        });
    }
    let revoke = {
        let (ap_id, reload) = (ap_id.clone(), reload.clone());
        Callback::from(move |id: String| {
            let (ap_id, reload) = (ap_id.clone(), reload.clone());
            spawn_local(async move {
                let _ = api::revoke_invitation(&ap_id, &id).await;
                reload.emit(());
            });
        })
    };
    let people = use_state(|| None::<Result<Vec<lt_core::api::Person>, Failure>>);
    let removal = use_state(|| None::<Failure>);
    let reload_people = {
        let (people, ap_id) = (people.clone(), ap_id.clone());
        Callback::from(move |()| {
            let (people, ap_id) = (people.clone(), ap_id.clone());
            spawn_local(
                async move { people.set(Some(api::people(&ap_id).await.map(|l| l.people))) },
            );
        })
    };
    {
        let reload_people = reload_people.clone();
        use_effect_with((), move |()| reload_people.emit(()));
    }
    let remove = {
        let (ap_id, reload_people, removal) =
            (ap_id.clone(), reload_people.clone(), removal.clone());
        Callback::from(move |(id, name): (String, String)| {
            let asked = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(&format!(
                        "Remove all of {name}'s access? They are signed out everywhere."
                    ))
                    .ok()
                })
                .unwrap_or(false);
            if !asked {
                return;
            }
            let (ap_id, reload_people, removal) =
                (ap_id.clone(), reload_people.clone(), removal.clone());
            spawn_local(async move {
                removal.set(api::remove_person(&ap_id, &id).await.err());
                reload_people.emit(());
            });
        })
    };
    let people_rows = match &*people {
        None => html! { <p class="status" role="status">{ "Loading people…" }</p> },
        Some(Err(f)) => html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(list)) => html! {
            <ul class="list" aria-label="People with access">
                { for list.iter().map(|p| person_row(p, remove.clone())) }
            </ul>
        },
    };
    let rows = match &*list {
        None => html! { <p class="status" role="status">{ "Loading invitations…" }</p> },
        Some(Err(f)) => html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(items)) if items.is_empty() => {
            html! { <p class="status">{ "No invitations yet." }</p> }
        }
        Some(Ok(items)) => html! {
            <ul class="list" aria-label="Invitations">
                { for items.iter().map(|i| invitation_row(i, revoke.clone())) }
            </ul>
        },
    };
    html! {
        <>
            <h2>{ format!("People at {ap_name}") }</h2>
            if let Some(directory) = &*directory {
                <InviteForm ap_id={ap_id.clone()} directory={directory.clone()} on_invited={reload.clone()} />
            }
            <h3>{ "Invitations" }</h3>
            { rows }
            <h3>{ "People with access" }</h3>
            if let Some(f) = &*removal {
                <p class="error" role="alert">{ f.message() }</p>
            }
            { people_rows }
        </>
    }
}

fn person_row(p: &lt_core::api::Person, remove: Callback<(String, String)>) -> Html {
    let roles: Vec<String> = p
        .grants
        .iter()
        .map(|g| {
            let mut text = format!("{} · {}", g.role.label(), g.organisation_name);
            if g.is_dsl {
                text.push_str(" · DSL");
            }
            if !g.placement_ids.is_empty() {
                text.push_str(&format!(
                    " · {} placement{}",
                    g.placement_ids.len(),
                    if g.placement_ids.len() == 1 { "" } else { "s" }
                ));
            }
            text
        })
        .collect();
    let (id, name) = (p.person_id.clone(), p.name.clone());
    html! {
        <li class="row" key={p.person_id.clone()}>
            <p class="pupil">{ &p.name }</p>
            <p class="meta">{ &p.email }</p>
            { for roles.iter().map(|r| html! { <p class="meta">{ r }</p> }) }
            <button class="secondary" onclick={move |_| remove.emit((id.clone(), name.clone()))}>
                { format!("Remove {}'s access", p.name) }
            </button>
        </li>
    }
}

fn invitation_row(i: &Invitation, revoke: Callback<String>) -> Html {
    let (label, class) = match i.status {
        InvitationStatus::Pending => ("Waiting", "tag"),
        InvitationStatus::Accepted => ("Accepted", "tag ok"),
        InvitationStatus::Revoked => ("Withdrawn", "tag muted"),
        InvitationStatus::Expired => ("Expired", "tag muted"),
    };
    let id = i.id.clone();
    html! {
        <li class="row" key={i.id.clone()}>
            <p class="pupil">{ &i.name }</p>
            <p class="meta">{ format!("{} · {} · {}", i.email, i.role.label(), i.organisation_name) }</p>
            <p class="tags">
                <span class={class}>{ label }</span>
                if !i.placement_ids.is_empty() {
                    <span class="tag">{ format!("{} placement{}", i.placement_ids.len(), if i.placement_ids.len() == 1 { "" } else { "s" }) }</span>
                }
            </p>
            if i.status == InvitationStatus::Pending {
                <button class="secondary" onclick={move |_| revoke.emit(id.clone())}>{ format!("Withdraw invitation for {}", i.name) }</button>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct InviteFormProps {
    ap_id: String,
    directory: Directory,
    on_invited: Callback<()>,
}

const ROLES: &[Role] = &[
    Role::SchoolStaff,
    Role::LaCommissioner,
    Role::OffSiteTutor,
    Role::TaxiEscort,
    Role::ApPractitioner,
    Role::Dsl,
    Role::ApAdmin,
];

#[component]
fn InviteForm(props: &InviteFormProps) -> Html {
    let role = use_state(|| Role::SchoolStaff);
    let organisation = use_state(String::new);
    let chosen = use_state(Vec::<String>::new);
    let failure = use_state(|| None::<Failure>);
    let sent = use_state(|| None::<String>);
    let (email, name, is_dsl) = (use_node_ref(), use_node_ref(), use_node_ref());

    let kind = organisation_kind_for(*role);
    let organisations: Vec<_> = props
        .directory
        .organisations
        .iter()
        .filter(|o| o.kind == kind)
        .collect();
    let organisation_id = if organisations.iter().any(|o| o.id == *organisation) {
        (*organisation).clone()
    } else {
        organisations
            .first()
            .map(|o| o.id.clone())
            .unwrap_or_default()
    };
    let placements: Vec<_> = props
        .directory
        .placements
        .iter()
        .filter(|p| {
            !matches!(*role, Role::SchoolStaff | Role::LaCommissioner)
                || p.commissioner_id == organisation_id
        })
        .collect();
    let scoped = role.is_placement_scoped();

    let on_role = {
        let role = role.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(r) = Role::parse(&value) {
                role.set(r);
            }
        })
    };
    let on_organisation = {
        let organisation = organisation.clone();
        Callback::from(move |e: Event| {
            organisation.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let toggle = {
        let chosen = chosen.clone();
        Callback::from(move |id: String| {
            let mut now = (*chosen).clone();
            if let Some(i) = now.iter().position(|c| *c == id) {
                now.remove(i);
            } else {
                now.push(id);
            }
            chosen.set(now);
        })
    };
    let onsubmit = {
        let (email, name, is_dsl) = (email.clone(), name.clone(), is_dsl.clone());
        let (failure, sent, chosen) = (failure.clone(), sent.clone(), chosen.clone());
        let (ap_id, on_invited, role) = (props.ap_id.clone(), props.on_invited.clone(), *role);
        let visible: Vec<String> = placements.iter().map(|p| p.id.clone()).collect();
        let organisation_id = organisation_id.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = InvitationRequest {
                email: input_value(&email),
                name: input_value(&name),
                role,
                organisation_id: organisation_id.clone(),
                is_dsl: is_dsl
                    .cast::<HtmlInputElement>()
                    .is_some_and(|c| c.checked()),
                placement_ids: if scoped {
                    chosen
                        .iter()
                        .filter(|c| visible.contains(c))
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                },
            };
            let (failure, sent, on_invited) = (failure.clone(), sent.clone(), on_invited.clone());
            let (ap_id, email, name, chosen) =
                (ap_id.clone(), email.clone(), name.clone(), chosen.clone());
            spawn_local(async move {
                match api::invite(&ap_id, &body).await {
                    Ok(invitation) => {
                        // Ready for the next person.
                        for field in [&email, &name] {
                            if let Some(input) = field.cast::<HtmlInputElement>() {
                                input.set_value("");
                            }
                        }
                        chosen.set(Vec::new());
                        failure.set(None);
                        sent.set(Some(match invitation.email_delivery {
                            Some(lt_core::api::EmailDelivery::Failed) => format!(
                                "Invitation saved, but the email to {} could not be sent. Withdraw it and invite again later.",
                                invitation.email
                            ),
                            _ => format!("Invitation emailed to {}.", invitation.email),
                        }));
                        on_invited.emit(());
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let error_for = |field: &str| {
        failure
            .as_ref()
            .filter(|f| {
                f.field()
                    .is_some_and(|n| n == field || n.starts_with(&format!("{field}[")))
            })
            .map(Failure::message)
    };
    let general = failure
        .as_ref()
        .filter(|f| {
            !matches!(f.field(), Some("email" | "name"))
                && !f.field().is_some_and(|n| n.starts_with("placement_ids"))
        })
        .map(Failure::message);
    html! {
        <form class="card invite-form" {onsubmit} novalidate=true>
            <h3>{ "Invite someone" }</h3>
            if let Some(message) = &*sent {
                <p class="success" role="status">{ message.clone() }</p>
            }
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
            <Field id="invite-name" label="Their name" autocomplete="off" node={name} error={error_for("name")} />
            <Field id="invite-email" label="Their email" kind="email" autocomplete="off" node={email} error={error_for("email")} />
            <label for="invite-role">{ "Role" }</label>
            <select id="invite-role" onchange={on_role}>
                { for ROLES.iter().map(|r| html! { <option value={r.as_str()} selected={*r == *role}>{ r.label() }</option> }) }
            </select>
            if kind != lt_core::domain::OrganisationKind::Ap {
                <label for="invite-organisation">{ "Their organisation" }</label>
                <select id="invite-organisation" onchange={on_organisation}>
                    { for organisations.iter().map(|o| html! { <option value={o.id.clone()} selected={o.id == organisation_id}>{ &o.name }</option> }) }
                </select>
            }
            if *role == Role::SchoolStaff {
                <label class="check"><input type="checkbox" ref={is_dsl} />{ " They are the school's designated safeguarding lead" }</label>
            }
            if scoped {
                <fieldset>
                    <legend>{ "Placements they may see" }</legend>
                    if placements.is_empty() {
                        <p class="status">{ "This organisation has no placements here." }</p>
                    }
                    { for placements.iter().map(|p| {
                        let id = p.id.clone();
                        let toggle = toggle.clone();
                        html! {
                            <label class="check">
                                <input type="checkbox" checked={chosen.contains(&p.id)} onchange={move |_| toggle.emit(id.clone())} />
                                { format!(" {} {} ({})", p.pupil_first_name, p.pupil_last_name, p.tier.label()) }
                            </label>
                        }
                    }) }
                    if let Some(message) = error_for("placement_ids") {
                        <p class="field-error">{ message }</p>
                    }
                </fieldset>
            }
            <button class="primary" type="submit">{ "Send invitation" }</button>
        </form>
    }
}
