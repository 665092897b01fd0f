use lt_core::api::{NewSession, SessionChange, Timetable, UpcomingSession};
use web_sys::HtmlSelectElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Properties, PartialEq)]
pub struct TimetableProps {
    pub placement_id: AttrValue,
    /// Occurrences start with activation: a new state means a new timetable.
    pub state: lt_core::gate::PlacementState,
}

fn select_value(node: &NodeRef) -> String {
    node.cast::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

type Shown = UseStateHandle<Option<Result<Timetable, Failure>>>;

/// Runs an edit and shows the timetable it returns, or why it was refused.
fn show(
    timetable: Shown,
    failure: UseStateHandle<Option<Failure>>,
    edit: impl std::future::Future<Output = Result<Timetable, Failure>> + 'static,
) {
    spawn_local(async move {
        match edit.await {
            Ok(t) => {
                failure.set(None);
                timetable.set(Some(Ok(t)));
            }
            Err(f) => failure.set(Some(f)),
        }
    });
}

fn optional(text: String) -> Option<String> {
    Some(text).filter(|t| !t.trim().is_empty())
}

/// The weekly timetable and the next fortnight; the AP's managers add
/// sessions and cancel single dates here.
#[component]
pub fn TimetablePanel(props: &TimetableProps) -> Html {
    let timetable = use_state(|| None::<Result<Timetable, Failure>>);
    let failure = use_state(|| None::<Failure>);
    let reason = use_node_ref();
    let nodes = use_state(|| std::array::from_fn::<NodeRef, 10, _>(|_| NodeRef::default()));
    {
        let (timetable, id) = (timetable.clone(), props.placement_id.clone());
        use_effect_with((props.placement_id.clone(), props.state), move |_| {
            spawn_local(async move { timetable.set(Some(api::timetable(&id).await)) });
        });
    }
    let t = match &*timetable {
        None => return html! { <p class="status" role="status">{ "Loading the timetable…" }</p> },
        Some(Err(f)) => return html! { <p class="error" role="alert">{ f.message() }</p> },
        Some(Ok(t)) => t.clone(),
    };
    let [
        weekday,
        start,
        end,
        venue,
        tutor,
        escort,
        place,
        pickup,
        grace,
        _,
    ] = (*nodes).clone();
    let add = {
        let (timetable, failure, id) = (
            timetable.clone(),
            failure.clone(),
            props.placement_id.clone(),
        );
        let (weekday, start, end, venue, tutor, escort, place, pickup, grace) = (
            weekday.clone(),
            start.clone(),
            end.clone(),
            venue.clone(),
            tutor.clone(),
            escort.clone(),
            place.clone(),
            pickup.clone(),
            grace.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = NewSession {
                weekday: select_value(&weekday).parse().unwrap_or(1),
                start_time: input_value(&start),
                end_time: input_value(&end),
                venue_id: select_value(&venue),
                tutor_id: optional(select_value(&tutor)),
                escort_id: optional(select_value(&escort)),
                pickup_place: optional(input_value(&place)),
                pickup_time: optional(input_value(&pickup)),
                alert_grace_minutes: input_value(&grace).trim().parse().ok(),
            };
            let (timetable, failure, id) = (timetable.clone(), failure.clone(), id.clone());
            show(timetable, failure, async move {
                api::add_session(&id, &body).await
            });
        })
    };
    let cancel = |u: &UpcomingSession| {
        let (timetable, failure, id) = (
            timetable.clone(),
            failure.clone(),
            props.placement_id.clone(),
        );
        let (session, date, reason) = (u.session_id.clone(), u.date, reason.clone());
        Callback::from(move |_: MouseEvent| {
            let body = SessionChange {
                cancelled: true,
                start_time: None,
                end_time: None,
                reason: input_value(&reason),
            };
            let (timetable, failure, id, session) = (
                timetable.clone(),
                failure.clone(),
                id.clone(),
                session.clone(),
            );
            show(timetable, failure, async move {
                api::change_session(&id, &session, date, &body).await
            });
        })
    };
    let take_off = |session_id: &str| {
        let (timetable, failure, id) = (
            timetable.clone(),
            failure.clone(),
            props.placement_id.clone(),
        );
        let session = session_id.to_owned();
        Callback::from(move |_: MouseEvent| {
            let (timetable, failure, id, session) = (
                timetable.clone(),
                failure.clone(),
                id.clone(),
                session.clone(),
            );
            show(timetable, failure, async move {
                api::remove_session(&id, &session).await
            });
        })
    };
    let error = |field: &str| Failure::split((*failure).as_ref(), field).0;
    let general = (*failure)
        .as_ref()
        .filter(|f| f.field().is_none())
        .map(Failure::message);
    let options = |list: &[lt_core::api::Choice], none: Option<&str>| {
        html! {
            <>
                if let Some(label) = none {
                    <option value="">{ label.to_owned() }</option>
                }
                { for list.iter().map(|c| html! { <option value={c.id.clone()}>{ c.name.clone() }</option> }) }
            </>
        }
    };
    html! {
        <section class="timetable" aria-labelledby="timetable-title">
            <h3 id="timetable-title">{ "Timetable" }</h3>
            if t.sessions.is_empty() {
                <p class="empty">{ "No weekly sessions yet." }</p>
            }
            <ul class="list">
                { for t.sessions.iter().map(|s| html! {
                    <li class="row">
                        <p class="pupil">{ format!("{} {}–{}", DAYS.get(usize::from(s.weekday.max(1)) - 1).copied().unwrap_or(""), s.start_time, s.end_time) }</p>
                        <p class="meta">
                            { s.venue_name.clone() }
                            if let Some(t) = &s.tutor_name { { format!(" · {t}") } }
                            if let Some(e) = &s.escort_name { { format!(" · taxi with {e}") } }
                            if let Some(u) = s.valid_until { { format!(" · until {}", u.format("%-d %b")) } }
                        </p>
                        if t.editable && s.valid_until.is_none() {
                            <button class="secondary" onclick={take_off(&s.id)}>{ "Take off the timetable after today" }</button>
                        }
                    </li>
                }) }
            </ul>
            <h4>{ "Next 14 days" }</h4>
            if t.upcoming.is_empty() {
                <p class="empty">{ "Nothing takes place: sessions start once the placement is active." }</p>
            } else {
                if t.editable {
                    <label for="change-reason">{ "Reason, when you cancel a date" }</label>
                    <input id="change-reason" ref={reason.clone()} type="text" aria-invalid={error("reason").is_some().to_string()} />
                    if let Some(m) = error("reason") {
                        <p class="field-error">{ m }</p>
                    }
                }
                <ul class="list upcoming">
                    { for t.upcoming.iter().map(|u| html! {
                        <li class={classes!("row", u.cancelled.then_some("cancelled"))}>
                            <p class="pupil">{ format!("{} {}–{}", u.date.format("%a %-d %b"), u.starts_local, u.ends_local) }</p>
                            <p class="meta">
                                { u.venue_name.clone() }
                                if u.cancelled { { " · cancelled" } }
                                if let Some(r) = &u.change_reason { { format!(": {r}") } }
                            </p>
                            if t.editable && !u.cancelled {
                                <button class="secondary" onclick={cancel(u)}>{ format!("Cancel {}", u.date.format("%a %-d %b")) }</button>
                            }
                        </li>
                    }) }
                </ul>
            }
            if t.editable {
                <details class="add-session">
                    <summary>{ "Add a weekly session" }</summary>
                    <form onsubmit={add} novalidate=true>
                        <label for="s-weekday">{ "Day" }</label>
                        <select id="s-weekday" ref={weekday}>
                            { for DAYS.iter().enumerate().map(|(i, d)| html! { <option value={(i + 1).to_string()}>{ *d }</option> }) }
                        </select>
                        <Field id="s-start" label="Starts (HH:MM)" kind="time" node={start} error={error("start_time")} />
                        <Field id="s-end" label="Ends (HH:MM)" kind="time" node={end} error={error("end_time")} />
                        <label for="s-venue">{ "Where" }</label>
                        <select id="s-venue" ref={venue}>{ options(&t.venues, None) }</select>
                        <label for="s-tutor">{ "Tutor" }</label>
                        <select id="s-tutor" ref={tutor}>{ options(&t.tutors, Some("No tutor yet")) }</select>
                        <label for="s-escort">{ "Taxi escort" }</label>
                        <select id="s-escort" ref={escort}>{ options(&t.escorts, Some("No taxi")) }</select>
                        <Field id="s-place" label="Pick-up address (with a taxi)" node={place} error={error("pickup_place")} />
                        <Field id="s-pickup" label="Pick-up time (with a taxi)" kind="time" node={pickup} error={error("pickup_time")} />
                        <Field id="s-grace" label="Alert if not registered after (minutes; blank: the AP's setting)" kind="number" node={grace} error={error("alert_grace_minutes")} />
                        <button type="submit" class="primary">{ "Add the session" }</button>
                    </form>
                </details>
            }
            if let Some(m) = general {
                <p class="error" role="alert">{ m }</p>
            }
        </section>
    }
}
