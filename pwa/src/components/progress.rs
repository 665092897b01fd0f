//! Logging a session's progress from the phone, straight after it: one tap
//! for engagement, a strategy or two with how well each worked, an incident
//! if there was one, a note. Saved through the outbox like a mark, so it
//! works with no signal; saving again edits the entry (a new version).

use lt_core::api::{Incident, ProgressRequest, StrategyUse, TodayProgress, TodaySession};
use lt_core::progress::{Effect, Engagement, IncidentKind, Severity};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::textarea_value;
use crate::outbox::{self, Pending, Tap, use_outbox};
use crate::session::use_session;

/// An entry's content, whether this phone saved it or the server sent it.
#[derive(Clone, PartialEq)]
struct Draft {
    engagement: Engagement,
    incidents: Vec<Incident>,
    strategies: Vec<StrategyUse>,
    note: String,
}

impl From<&TodayProgress> for Draft {
    fn from(p: &TodayProgress) -> Self {
        Draft {
            engagement: p.engagement,
            incidents: p.incidents.clone(),
            strategies: p.strategies.clone(),
            note: p.note.clone(),
        }
    }
}

impl From<&ProgressRequest> for Draft {
    fn from(p: &ProgressRequest) -> Self {
        Draft {
            engagement: p.engagement,
            incidents: p.incidents.clone(),
            strategies: p.strategies.clone(),
            note: p.note.clone(),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub session: TodaySession,
}

const KINDS: [(IncidentKind, &str); 8] = [
    (IncidentKind::Disruption, "Disruption"),
    (IncidentKind::Refusal, "Refusal"),
    (IncidentKind::VerbalAggression, "Verbal aggression"),
    (IncidentKind::PhysicalAggression, "Physical aggression"),
    (IncidentKind::DamageToProperty, "Damage to property"),
    (
        IncidentKind::LeftWithoutPermission,
        "Left without permission",
    ),
    (IncidentKind::SelfHarmConcern, "Self-harm concern"),
    (IncidentKind::Other, "Other"),
];

fn value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| node.cast::<HtmlSelectElement>().map(|s| s.value()))
        .unwrap_or_default()
}

/// The wire name of an enum value, as a select's option carries it.
fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn set_value(node: &NodeRef, value: &str) {
    if let Some(input) = node.cast::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(select) = node.cast::<HtmlSelectElement>() {
        select.set_value(value);
    } else if let Some(area) = node.cast::<web_sys::HtmlTextAreaElement>() {
        area.set_value(value);
    }
}

/// A select's value read as the enum it names.
fn chosen<T: serde::de::DeserializeOwned>(node: &NodeRef) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value(node))).ok()
}

#[component]
pub fn ProgressForm(props: &ProgressProps) -> Html {
    let open = use_state(|| false);
    let engagement = use_state(|| None::<u8>);
    let effect = use_state(|| None::<u8>);
    let incident = use_state(|| false);
    let failure = use_state(|| None::<String>);
    // What this phone saved last; until then what the server has. An edit
    // starts from it, so nothing saved before is lost by saving again.
    let kept = use_state(|| None::<Draft>);
    let known = (*kept)
        .clone()
        .or_else(|| props.session.progress.as_ref().map(Draft::from));
    // One entry per session: the one already logged (from the server), or a
    // new one; saving again is an edit of it.
    let entry_id = {
        let known = props.session.progress.as_ref().map(|p| p.entry_id.clone());
        use_state(move || known.or_else(outbox::new_id).unwrap_or_default())
    };
    let (strategy, kind, severity, time, trigger, used, outcome, note) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let outbox = use_outbox();
    let person_id = use_session().session.me().map(|m| m.person_id.clone());
    {
        // Opened, the form starts from what was saved. Set once on opening,
        // not as controlled values, so a re-render never undoes typing.
        let fields = [
            strategy.clone(),
            kind.clone(),
            severity.clone(),
            time.clone(),
            trigger.clone(),
            used.clone(),
            outcome.clone(),
            note.clone(),
        ];
        let known = known.clone();
        use_effect_with(*open, move |open| {
            if let (true, Some(d)) = (*open, &known) {
                let incident = d.incidents.first();
                let text = |f: fn(&Incident) -> String| incident.map(f).unwrap_or_default();
                let values = [
                    d.strategies
                        .first()
                        .map(|s| s.strategy.clone())
                        .unwrap_or_default(),
                    text(|i| enum_name(&i.kind)),
                    text(|i| enum_name(&i.severity)),
                    text(|i| i.time.format("%H:%M").to_string()),
                    text(|i| i.trigger.clone()),
                    text(|i| i.strategy.clone()),
                    text(|i| i.outcome.clone()),
                    d.note.clone(),
                ];
                for (node, value) in fields.iter().zip(values) {
                    set_value(node, &value);
                }
            }
        });
    }
    let s = &props.session;
    let ids = |part: &str| format!("{part}-{}", s.session_id);
    let save = {
        let (engagement, effect, incident, failure, kept, open) = (
            engagement.clone(),
            effect.clone(),
            incident.clone(),
            failure.clone(),
            kept.clone(),
            open.clone(),
        );
        let (strategy, kind, severity, time, trigger, used, outcome, note) = (
            strategy.clone(),
            kind.clone(),
            severity.clone(),
            time.clone(),
            trigger.clone(),
            used.clone(),
            outcome.clone(),
            note.clone(),
        );
        let (add, entry_id, session_id) = (
            outbox.add.clone(),
            (*entry_id).clone(),
            s.session_id.clone(),
        );
        let date = lt_core::london::local_date(s.starts_at);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(level) = (*engagement).and_then(Engagement::new) else {
                return failure.set(Some("Choose how engaged the pupil was, 1 to 5.".into()));
            };
            let named = value(&strategy).trim().to_owned();
            let strategies = match ((*effect).and_then(Effect::new), named.is_empty()) {
                (_, true) => Vec::new(),
                (Some(effect), false) => vec![StrategyUse {
                    strategy: named,
                    effect,
                }],
                (None, false) => {
                    return failure.set(Some("Say how well the strategy worked, 1 to 5.".into()));
                }
            };
            let incidents = if *incident {
                let (Some(kind), Some(severity)) =
                    (chosen::<IncidentKind>(&kind), chosen::<Severity>(&severity))
                else {
                    return failure.set(Some("Choose the incident's kind and severity.".into()));
                };
                let Ok(at) = chrono::NaiveTime::parse_from_str(&value(&time), "%H:%M") else {
                    return failure.set(Some("Give the incident's time, HH:MM.".into()));
                };
                vec![Incident {
                    kind,
                    severity,
                    time: at,
                    trigger: value(&trigger),
                    strategy: value(&used),
                    outcome: value(&outcome),
                }]
            } else {
                Vec::new()
            };
            let (Some(id), Some(person_id)) = (outbox::new_id(), person_id.clone()) else {
                return failure.set(Some(
                    "This browser cannot make an entry's id; update it.".into(),
                ));
            };
            let body = ProgressRequest {
                entry_id: entry_id.clone(),
                session_id: session_id.clone(),
                date,
                engagement: level,
                incidents,
                strategies,
                note: textarea_value(&note),
                device_time: crate::clock::device_now(),
            };
            failure.set(None);
            kept.set(Some(Draft::from(&body)));
            // Closed again: the card shows it waiting, then what was logged.
            open.set(false);
            add.emit(Pending {
                id,
                person_id,
                tap: Tap::Progress(body),
                refused: None,
            });
        })
    };
    if !*open {
        // Opening starts the choices from what was saved.
        let start = {
            let (open, engagement, effect, incident) = (
                open.clone(),
                engagement.clone(),
                effect.clone(),
                incident.clone(),
            );
            let known = known.clone();
            Callback::from(move |_| {
                engagement.set(known.as_ref().map(|d| d.engagement.point()));
                effect.set(
                    known
                        .as_ref()
                        .and_then(|d| d.strategies.first())
                        .map(|s| s.effect.point()),
                );
                incident.set(known.as_ref().is_some_and(|d| !d.incidents.is_empty()));
                open.set(true);
            })
        };
        let logged = props.session.progress.as_ref();
        return html! {
            <>
                if let Some(p) = logged {
                    <p class="logged">{ format!(
                        "Progress logged: engagement {} · {}",
                        p.engagement.point(),
                        p.engagement.descriptor()
                    ) }</p>
                }
                <button class="secondary log-progress" onclick={start}>
                    { if known.is_some() { "Edit progress" } else { "Log progress" } }
                </button>
            </>
        };
    }
    let points = |state: &UseStateHandle<Option<u8>>, name: &str, words: fn(u8) -> &'static str| {
        html! {
            { for (1..=5u8).map(|p| {
                let id = format!("{name}-{p}-{}", s.session_id);
                let chosen = state.clone();
                html! {
                    <div class="choice">
                        <input type="radio" name={format!("{name}-{}", s.session_id)} id={id.clone()}
                            checked={**state == Some(p)} onchange={Callback::from(move |_| chosen.set(Some(p)))} />
                        <label for={id}>{ format!("{p} · {}", words(p)) }</label>
                    </div>
                }
            }) }
        }
    };
    let show_incident = {
        let incident = incident.clone();
        Callback::from(move |_| incident.set(true))
    };
    html! {
        <form class="progress" onsubmit={save} novalidate=true aria-label={format!("Progress for {}", s.pupil_first_name)}>
            <fieldset>
                <legend>{ "Engagement" }</legend>
                { points(&engagement, "engagement", |p| Engagement::new(p).map_or("", Engagement::descriptor)) }
            </fieldset>
            <label for={ids("strategy")}>{ "A strategy you used (optional)" }</label>
            <input id={ids("strategy")} ref={strategy} type="text" />
            <fieldset>
                <legend>{ "How well it worked" }</legend>
                { points(&effect, "effect", |p| Effect::new(p).map_or("", Effect::descriptor)) }
            </fieldset>
            if *incident {
                <fieldset class="incident">
                    <legend>{ "Incident" }</legend>
                    <label for={ids("kind")}>{ "What happened" }</label>
                    <select id={ids("kind")} ref={kind}>
                        { for KINDS.iter().map(|(k, label)| html! {
                            <option value={enum_name(k)}>{ *label }</option>
                        }) }
                    </select>
                    <label for={ids("severity")}>{ "How serious" }</label>
                    <select id={ids("severity")} ref={severity}>
                        <option value="low">{ "Low" }</option>
                        <option value="medium">{ "Medium" }</option>
                        <option value="high">{ "High" }</option>
                    </select>
                    <label for={ids("time")}>{ "When (HH:MM)" }</label>
                    <input id={ids("time")} ref={time} type="time" />
                    <label for={ids("trigger")}>{ "What set it off" }</label>
                    <input id={ids("trigger")} ref={trigger} type="text" />
                    <label for={ids("used")}>{ "What you did" }</label>
                    <input id={ids("used")} ref={used} type="text" />
                    <label for={ids("outcome")}>{ "How it ended" }</label>
                    <input id={ids("outcome")} ref={outcome} type="text" />
                </fieldset>
            } else {
                <button type="button" class="link add-incident" onclick={show_incident}>{ "Add an incident" }</button>
            }
            <label for={ids("note")}>{ "Note (optional)" }</label>
            <textarea id={ids("note")} ref={note} rows="2" />
            <button type="submit" class="primary">{ "Save progress" }</button>
            if let Some(message) = &*failure {
                <p class="error" role="alert">{ message.clone() }</p>
            }
        </form>
    }
}
