//! One session's register on a phone: a tap for present, two for late or
//! absent. The mark's id is made here, so a retry can never count twice.

use lt_core::api::{MarkRequest, TodayMark, TodaySession};
use lt_core::attendance::{AbsenceReason, MarkKind};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::outbox::{self, OutboxHandle, Pending, Tap, use_outbox};
use crate::session::use_session;

#[derive(Properties, PartialEq)]
pub struct RegisterProps {
    pub session: TodaySession,
}

#[derive(Clone, Copy, PartialEq)]
enum Asking {
    Nothing,
    Minutes,
    Reason,
}

/// A mark in the words the register uses, whether saved or waiting.
fn mark_words(kind: MarkKind, minutes_late: Option<u32>, reason: Option<AbsenceReason>) -> String {
    match (kind, minutes_late, reason) {
        (MarkKind::Late, Some(m), _) => format!("Late, {m} min"),
        (MarkKind::Absent, _, Some(r)) => format!("Absent: {}", r.label()),
        (MarkKind::Present, ..) => "Present".to_owned(),
        (MarkKind::Late, ..) => "Late".to_owned(),
        (MarkKind::Absent, ..) => "Absent".to_owned(),
    }
}

pub fn describe(mark: &TodayMark) -> String {
    let what = mark_words(mark.kind, mark.minutes_late, mark.reason);
    let when = lt_core::london::clock(mark.device_time);
    match &mark.marked_by {
        Some(by) => format!("{what} · {by}, {when}"),
        None => format!("{what} · {when}"),
    }
}

/// What the phone shows for a tap not yet on the server.
pub fn describe_pending(pending: &Pending) -> String {
    let (what, when) = match &pending.tap {
        Tap::Mark(m) => (mark_words(m.kind, m.minutes_late, m.reason), m.device_time),
        Tap::Handover(h) => (h.kind.label().to_owned(), h.device_time),
        Tap::Progress(p) => (
            format!("Progress: engagement {}", p.engagement.point()),
            p.device_time,
        ),
    };
    format!("{what} · tapped {}", lt_core::london::clock(when))
}

/// A session's taps still on the phone: waiting to send, or refused with
/// the server's reason and a way to clear it.
pub fn outbox_lines(outbox: &OutboxHandle, session_id: &str) -> Html {
    html! {
        { for outbox.for_session(session_id).map(|p| match &p.refused {
            None => html! {
                <p class="pending" role="status">
                    <span class="badge">{ "Waiting to send" }</span>{ " " }{ describe_pending(p) }
                </p>
            },
            Some(reason) => {
                let id = p.id.clone();
                html! {
                    <p class="error" role="alert">
                        { format!("Not saved ({}): {reason} ", describe_pending(p)) }
                        <button class="link" onclick={outbox.dismiss.reform(move |_| id.clone())}>{ "Dismiss" }</button>
                    </p>
                }
            }
        }) }
    }
}

#[component]
pub fn Register(props: &RegisterProps) -> Html {
    let asking = use_state(|| Asking::Nothing);
    let failure = use_state(|| None::<String>);
    let outbox = use_outbox();
    let person_id = use_session().session.me().map(|m| m.person_id.clone());
    let minutes = use_node_ref();
    let reason = use_node_ref();
    let s = &props.session;
    let send = {
        let (failure, asking, add) = (failure.clone(), asking.clone(), outbox.add.clone());
        let (session_id, date) = (
            s.session_id.clone(),
            lt_core::london::local_date(s.starts_at),
        );
        let (minutes, reason) = (minutes.clone(), reason.clone());
        move |kind: MarkKind| {
            let (failure, asking, add) = (failure.clone(), asking.clone(), add.clone());
            let (session_id, person_id) = (session_id.clone(), person_id.clone());
            let (minutes, reason) = (minutes.clone(), reason.clone());
            Callback::from(move |_: MouseEvent| {
                let body = MarkRequest {
                    session_id: session_id.clone(),
                    date,
                    kind,
                    minutes_late: (kind == MarkKind::Late).then(|| {
                        minutes
                            .cast::<HtmlInputElement>()
                            .and_then(|i| i.value().trim().parse().ok())
                            .unwrap_or(0)
                    }),
                    reason: (kind == MarkKind::Absent)
                        .then(|| {
                            reason
                                .cast::<HtmlSelectElement>()
                                .and_then(|s| AbsenceReason::parse(&s.value()))
                        })
                        .flatten(),
                    device_time: crate::clock::device_now(),
                };
                if kind == MarkKind::Late && body.minutes_late == Some(0) {
                    return failure.set(Some("Enter how many minutes late, from 1.".into()));
                }
                let (Some(id), Some(person_id)) = (outbox::new_id(), person_id.clone()) else {
                    return failure.set(Some(
                        "This browser cannot make a mark's id; update it.".into(),
                    ));
                };
                failure.set(None);
                asking.set(Asking::Nothing);
                add.emit(Pending {
                    id,
                    person_id,
                    tap: Tap::Mark(body),
                    refused: None,
                });
            })
        }
    };
    let ask = |what: Asking| {
        let asking = asking.clone();
        Callback::from(move |_: MouseEvent| asking.set(what))
    };
    let label = format!("{} {}", s.pupil_first_name, s.pupil_last_name);
    let ids = |part: &str| format!("{part}-{}", s.session_id);
    let waiting = outbox
        .for_session(&s.session_id)
        .any(|p| p.refused.is_none());
    html! {
        <div class="register" role="group" aria-label={format!("Register for {label}")}>
            if let (Some(mark), false) = (&s.mark, waiting) {
                <p class={classes!("marked", format!("marked-{}", mark.kind.as_str()))}>
                    { describe(mark) }{ " " }<span class="badge saved">{ "Saved" }</span>
                </p>
            }
            { outbox_lines(&outbox, &s.session_id) }
            <div class="register-buttons">
                <button class="mark present" onclick={send(MarkKind::Present)}>{ "Present" }</button>
                <button class="mark late" aria-expanded={(*asking == Asking::Minutes).to_string()}
                    onclick={ask(Asking::Minutes)}>{ "Late…" }</button>
                <button class="mark absent" aria-expanded={(*asking == Asking::Reason).to_string()}
                    onclick={ask(Asking::Reason)}>{ "Absent…" }</button>
            </div>
            if *asking == Asking::Minutes {
                <div class="ask">
                    <label for={ids("minutes")}>{ "Minutes late" }</label>
                    <input id={ids("minutes")} ref={minutes} type="number" inputmode="numeric" min="1" max="240" />
                    <button class="primary" onclick={send(MarkKind::Late)}>{ "Save: late" }</button>
                </div>
            }
            if *asking == Asking::Reason {
                <div class="ask">
                    <label for={ids("reason")}>{ "Why absent" }</label>
                    <select id={ids("reason")} ref={reason}>
                        { for AbsenceReason::ALL.iter().map(|r| html! {
                            <option value={r.as_str()} selected={*r == AbsenceReason::NotYetKnown}>{ r.label() }</option>
                        }) }
                    </select>
                    <button class="primary" onclick={send(MarkKind::Absent)}>{ "Save: absent" }</button>
                </div>
            }
            if let Some(message) = &*failure {
                <p class="error" role="alert">{ message }</p>
            }
        </div>
    }
}
