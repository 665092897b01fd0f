use lt_core::api::{TodaySession, TransportRun};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::components::{ProgressForm, Register, Run};
use crate::day::{Day, use_day};
use crate::session::{Session, use_session};

#[component]
pub fn TodayPage() -> Html {
    let handle = use_session();
    let name = handle
        .session
        .me()
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let signed_out = handle.set.reform(|()| Session::SignedOut);
    let (day, refresh) = use_day();
    let sign_out = {
        let on_signed_out = signed_out.clone();
        Callback::from(move |_| {
            let on_signed_out = on_signed_out.clone();
            spawn_local(async move {
                if api::sign_out().await.is_ok() {
                    crate::day::forget().await;
                    on_signed_out.emit(());
                }
            });
        })
    };
    {
        // An expired sign-in sends the person back to the sign-in form.
        let on_signed_out = signed_out.clone();
        use_effect_with(day.clone(), move |day| {
            if matches!(day, Day::Failed(f) if f.is_signed_out()) {
                on_signed_out.emit(());
            }
        });
    }

    let content = match &day {
        Day::Loading => {
            html! { <p class="status" role="status">{ "Loading today's sessions…" }</p> }
        }
        Day::Failed(Failure::Offline) => html! {
            <section class="notice" role="status">
                <p>{ "You're offline, so today's sessions can't be loaded yet." }</p>
                <button class="primary" onclick={refresh.reform(|_| ())}>{ "Try again" }</button>
            </section>
        },
        Day::Failed(Failure::Refused(d)) => html! {
            <p class="error" role="alert">{ d.message.clone() }</p>
        },
        Day::Loaded { today, offline } => html! {
            <>
                if *offline {
                    <p class="notice offline" role="status">
                        { "You're offline: showing today as last loaded. Taps are kept on this phone and sent when the signal returns." }
                    </p>
                }
                <h2 class="day">{ today.date.format("%A %-d %B").to_string() }</h2>
                if today.sessions.is_empty() {
                    <p class="status">{ "No sessions for you today." }</p>
                } else {
                    <p class="count">{ format!("{} sessions", today.sessions.len()) }</p>
                    <ul class="sessions" aria-label="Today's sessions">
                        { for today.sessions.iter().map(session_card) }
                    </ul>
                }
            </>
        },
    };

    html! {
        <>
            <div class="who">
                <span>{ format!("Signed in as {name}") }</span>
                <button class="link" onclick={sign_out}>{ "Sign out" }</button>
            </div>
            { content }
        </>
    }
}

fn session_card(s: &TodaySession) -> Html {
    html! {
        <li class="session" key={s.session_id.clone()} id={format!("s-{}", s.session_id)}>
            <p class="time">
                <time datetime={s.starts_at.to_rfc3339()}>{ &s.starts_local }</time>
                { "–" }
                <time datetime={s.ends_at.to_rfc3339()}>{ &s.ends_local }</time>
            </p>
            <p class="pupil">{ format!("{} {}", s.pupil_first_name, s.pupil_last_name) }</p>
            <p class="meta">
                { &s.venue_name }
                if let Some(tutor) = &s.tutor_name { { format!(" · {tutor}") } }
            </p>
            <p class="tags">
                if let Some(tier) = s.tier { <span class="tag">{ tier.label() }</span> }
                if s.has_transport { <span class="tag transport">{ "Taxi" }</span> }
            </p>
            if let Some(run) = &s.transport { { run_details(run) } }
            if s.may_hand_over {
                <Run session={s.clone()} />
            }
            if s.may_register {
                <Register session={s.clone()} />
                // Once the session has begun, as the server requires.
                if s.starts_at <= crate::clock::device_now() {
                    <ProgressForm session={s.clone()} />
                }
            } else if let Some(mark) = &s.mark {
                <p class="marked">{ crate::components::describe_mark(mark) }</p>
            }
        </li>
    }
}

/// The taxi run, for its escort and the AP's staff.
fn run_details(run: &TransportRun) -> Html {
    let window = match (&run.pickup_from, &run.pickup_until) {
        (Some(from), Some(until)) => format!("{from}–{until}"),
        _ => "time not set".to_owned(),
    };
    html! {
        <dl class="run">
            <dt>{ "Pick up" }</dt>
            <dd>{ format!("{window} · {}", run.pickup_place.clone().unwrap_or_else(|| "place not set".into())) }</dd>
            <dt>{ "Drop off" }</dt>
            <dd>{ &run.dropoff_place }</dd>
            if let Some(contact) = &run.emergency_contact {
                <dt>{ "Emergency contact" }</dt>
                <dd>
                    { format!("{} ({}) ", contact.name, contact.relationship) }
                    <a class="phone" href={format!("tel:{}", contact.phone.replace(' ', ""))}>{ &contact.phone }</a>
                </dd>
            }
        </dl>
    }
}
