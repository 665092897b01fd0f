//! One session's register on a phone: a tap for present, two for late or
//! absent. The mark's id is made here, so a retry can never count twice.

use chrono::{DateTime, Utc};
use lt_core::api::{MarkRequest, TodayMark, TodaySession};
use lt_core::attendance::{AbsenceReason, MarkKind};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};

#[derive(Properties, PartialEq)]
pub struct RegisterProps {
    pub session: TodaySession,
    /// Told when a mark was recorded, to refresh the day.
    pub on_marked: Callback<()>,
}

#[derive(Clone, Copy, PartialEq)]
enum Asking {
    Nothing,
    Minutes,
    Reason,
}

/// The device's clock. (chrono's own clock is not available in the browser's
/// wasm; the JavaScript clock is.)
fn device_now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A new id for a mark, from the browser's UUID generator.
fn new_mark_id() -> Option<String> {
    Some(web_sys::window()?.crypto().ok()?.random_uuid())
}

pub fn describe(mark: &TodayMark) -> String {
    let what = match (mark.kind, mark.minutes_late, mark.reason) {
        (MarkKind::Present, ..) => "Present".to_owned(),
        (MarkKind::Late, Some(m), _) => format!("Late, {m} min"),
        (MarkKind::Absent, _, Some(r)) => format!("Absent: {}", r.label()),
        _ => "Marked".to_owned(),
    };
    let when = lt_core::london::clock(mark.device_time);
    match &mark.marked_by {
        Some(by) => format!("{what} · {by}, {when}"),
        None => format!("{what} · {when}"),
    }
}

#[component]
pub fn Register(props: &RegisterProps) -> Html {
    let asking = use_state(|| Asking::Nothing);
    let failure = use_state(|| None::<Failure>);
    let busy = use_state(|| false);
    let minutes = use_node_ref();
    let reason = use_node_ref();
    let s = &props.session;
    let send = {
        let (failure, busy, asking, on_marked) = (
            failure.clone(),
            busy.clone(),
            asking.clone(),
            props.on_marked.clone(),
        );
        let (session_id, date) = (
            s.session_id.clone(),
            lt_core::london::local_date(s.starts_at),
        );
        let (minutes, reason) = (minutes.clone(), reason.clone());
        move |kind: MarkKind| {
            let (failure, busy, asking, on_marked) = (
                failure.clone(),
                busy.clone(),
                asking.clone(),
                on_marked.clone(),
            );
            let session_id = session_id.clone();
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
                    device_time: device_now(),
                };
                let Some(id) = new_mark_id() else {
                    return failure.set(Some(Failure::Offline));
                };
                let (failure, busy, asking, on_marked) = (
                    failure.clone(),
                    busy.clone(),
                    asking.clone(),
                    on_marked.clone(),
                );
                busy.set(true);
                spawn_local(async move {
                    match api::put_mark(&id, &body).await {
                        Ok(_) => {
                            failure.set(None);
                            asking.set(Asking::Nothing);
                            on_marked.emit(());
                        }
                        Err(f) => failure.set(Some(f)),
                    }
                    busy.set(false);
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
    html! {
        <div class="register" role="group" aria-label={format!("Register for {label}")}>
            if let Some(mark) = &s.mark {
                <p class={classes!("marked", format!("marked-{}", mark.kind.as_str()))}>{ describe(mark) }</p>
            }
            <div class="register-buttons">
                <button class="mark present" disabled={*busy} onclick={send(MarkKind::Present)}>{ "Present" }</button>
                <button class="mark late" disabled={*busy} aria-expanded={(*asking == Asking::Minutes).to_string()}
                    onclick={ask(Asking::Minutes)}>{ "Late…" }</button>
                <button class="mark absent" disabled={*busy} aria-expanded={(*asking == Asking::Reason).to_string()}
                    onclick={ask(Asking::Reason)}>{ "Absent…" }</button>
            </div>
            if *asking == Asking::Minutes {
                <div class="ask">
                    <label for={ids("minutes")}>{ "Minutes late" }</label>
                    <input id={ids("minutes")} ref={minutes} type="number" inputmode="numeric" min="1" max="240" />
                    <button class="primary" disabled={*busy} onclick={send(MarkKind::Late)}>{ "Save: late" }</button>
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
                    <button class="primary" disabled={*busy} onclick={send(MarkKind::Absent)}>{ "Save: absent" }</button>
                </div>
            }
            if let Some(f) = &*failure {
                <p class="error" role="alert">{ f.message() }</p>
            }
        </div>
    }
}
