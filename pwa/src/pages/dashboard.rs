//! The live dashboard for the AP's staff and the commissioning school: every
//! session today in the person's sight, with its state and the day's figures.
//! It updates itself when the live channel says something changed.

use lt_core::api::{Today, TodaySession};
use lt_core::dashboard::SessionState;
use yew::prelude::*;

use crate::api::Failure;
use crate::day::{Day, use_day};

#[component]
pub fn DashboardPage() -> Html {
    let (day, refresh) = use_day();
    match &day {
        Day::Loading => html! { <p class="status" role="status">{ "Loading the dashboard…" }</p> },
        Day::Failed(Failure::Offline) => html! {
            <section class="notice" role="status">
                <p>{ "You're offline, so the dashboard can't be loaded yet." }</p>
                <button class="primary" onclick={refresh.reform(|_| ())}>{ "Try again" }</button>
            </section>
        },
        Day::Failed(Failure::Refused(d)) => {
            html! { <p class="error" role="alert">{ d.message.clone() }</p> }
        }
        Day::Loaded { today, offline } => board(today, *offline),
    }
}

fn board(today: &Today, offline: bool) -> Html {
    let c = &today.counts;
    let figure = |n: u32, label: &'static str, class: &'static str| {
        html! { <li class={classes!("figure", class)}><span class="n">{ n }</span><span>{ label }</span></li> }
    };
    // Who needs someone to act comes first; then in time order.
    let mut sessions: Vec<&TodaySession> = today.sessions.iter().collect();
    sessions.sort_by_key(|s| (!s.state.needs_attention(), s.starts_at));
    html! {
        <>
            if offline {
                <p class="notice offline" role="status">{ "You're offline: these figures are as last loaded." }</p>
            }
            <h2 class="day">{ format!("Dashboard · {}", today.date.format("%A %-d %B")) }</h2>
            <ul class="figures" aria-label="Today's figures" aria-live="polite">
                { figure(c.total, "sessions", "total") }
                { figure(c.arrived, "arrived", "arrived") }
                { figure(c.on_the_way, "on the way", "on-the-way") }
                { figure(c.expected, "expected", "expected") }
                { figure(c.absent, "absent", "absent") }
                { figure(c.missing, "missing", "missing") }
            </ul>
            if sessions.is_empty() {
                <p class="status">{ "No sessions today." }</p>
            } else {
                <ul class="board" aria-label="Sessions and their state">
                    { for sessions.into_iter().map(row) }
                </ul>
            }
        </>
    }
}

fn row(s: &TodaySession) -> Html {
    let clock = lt_core::london::clock;
    let mut journey = Vec::new();
    if let Some(at) = s.picked_up_at {
        journey.push(format!("picked up {}", clock(at)));
    }
    if let Some(at) = s.dropped_off_at {
        journey.push(format!("dropped off {}", clock(at)));
    }
    if let Some(mark) = &s.mark {
        journey.push(crate::components::describe_mark(mark));
    }
    html! {
        <li class={classes!("board-row", format!("state-{}", s.state.as_str()))} key={s.session_id.clone()}
            id={format!("d-{}", s.session_id)}>
            <span class="time">{ &s.starts_local }</span>
            <span class="pupil">{ format!("{} {}", s.pupil_first_name, s.pupil_last_name) }</span>
            <span class={classes!("state", s.state.as_str())}>{ s.state.label() }</span>
            <span class="meta">
                { &s.venue_name }
                if let Some(tutor) = &s.tutor_name { { format!(" · {tutor}") } }
            </span>
            if !journey.is_empty() {
                <span class="journey">{ journey.join(" · ") }</span>
            }
            if s.state == SessionState::Missing {
                <span class="hint">{ "No mark since the start: check with the tutor and the escort." }</span>
            }
        </li>
    }
}
