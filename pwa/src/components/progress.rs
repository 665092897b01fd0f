//! Logging a session's progress from the phone, straight after it: one tap
//! for engagement, the strategies used with how well each worked, any
//! incidents, a note. Saved through the outbox like a mark, so it works with
//! no signal; saving again edits the entry (a new version).

use lt_core::api::{Incident, ProgressRequest, StrategyUse, TodayProgress, TodaySession};
use lt_core::progress::{Effect, Engagement, IncidentKind, Severity};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

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

/// One strategy row as typed: its name and the 1–5 effect chosen.
#[derive(Clone, PartialEq, Default)]
struct StrategyRow {
    name: String,
    effect: Option<u8>,
}

/// One incident row as typed; checked only when saving.
#[derive(Clone, PartialEq)]
struct IncidentRow {
    kind: String,
    severity: String,
    time: String,
    trigger: String,
    used: String,
    outcome: String,
}

impl Default for IncidentRow {
    fn default() -> Self {
        IncidentRow {
            kind: enum_name(&IncidentKind::Disruption),
            severity: enum_name(&Severity::Low),
            time: String::new(),
            trigger: String::new(),
            used: String::new(),
            outcome: String::new(),
        }
    }
}

impl From<&Incident> for IncidentRow {
    fn from(i: &Incident) -> Self {
        IncidentRow {
            kind: enum_name(&i.kind),
            severity: enum_name(&i.severity),
            time: i.time.format("%H:%M").to_string(),
            trigger: i.trigger.clone(),
            used: i.strategy.clone(),
            outcome: i.outcome.clone(),
        }
    }
}

/// The wire name of an enum value, as a select's option carries it.
fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// The value of the input or select an event came from.
fn event_value(e: &Event) -> String {
    let target = e.target();
    target
        .as_ref()
        .and_then(|t| wasm_bindgen::JsCast::dyn_ref::<HtmlInputElement>(t).map(|i| i.value()))
        .or_else(|| {
            target.as_ref().and_then(|t| {
                wasm_bindgen::JsCast::dyn_ref::<HtmlSelectElement>(t).map(|s| s.value())
            })
        })
        .unwrap_or_default()
}

/// Row `n`'s element id: the first row keeps the plain id, so a label or a
/// test that knows the form finds it.
fn row_id(part: &str, n: usize, session: &str) -> String {
    if n == 0 {
        format!("{part}-{session}")
    } else {
        format!("{part}{n}-{session}")
    }
}

/// The rows read into an entry's lists, or what is wrong with them.
fn read_rows(
    strategies: &[StrategyRow],
    incidents: &[IncidentRow],
) -> Result<(Vec<StrategyUse>, Vec<Incident>), String> {
    let mut uses = Vec::new();
    for (n, row) in strategies.iter().enumerate() {
        let name = row.name.trim();
        match (name.is_empty(), row.effect.and_then(Effect::new)) {
            (true, _) => {}
            (false, Some(effect)) => uses.push(StrategyUse {
                strategy: name.to_owned(),
                effect,
            }),
            (false, None) => {
                return Err(format!("Say how well strategy {} worked, 1 to 5.", n + 1));
            }
        }
    }
    let mut out = Vec::new();
    for (n, row) in incidents.iter().enumerate() {
        let (Some(kind), Some(severity)) = (parse_enum(&row.kind), parse_enum(&row.severity))
        else {
            return Err(format!("Choose incident {}'s kind and severity.", n + 1));
        };
        let Ok(time) = chrono::NaiveTime::parse_from_str(&row.time, "%H:%M") else {
            return Err(format!("Give incident {}'s time, HH:MM.", n + 1));
        };
        out.push(Incident {
            kind,
            severity,
            time,
            trigger: row.trigger.trim().to_owned(),
            strategy: row.used.trim().to_owned(),
            outcome: row.outcome.trim().to_owned(),
        });
    }
    Ok((uses, out))
}

#[component]
pub fn ProgressForm(props: &ProgressProps) -> Html {
    let open = use_state(|| false);
    let engagement = use_state(|| None::<u8>);
    let strategies = use_state(|| vec![StrategyRow::default()]);
    let incidents = use_state(Vec::<IncidentRow>::new);
    let note = use_state(String::new);
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
    let outbox = use_outbox();
    let person_id = use_session().session.me().map(|m| m.person_id.clone());
    let s = &props.session;
    let sid = s.session_id.clone();
    let save = {
        let (engagement, strategies, incidents, note, failure, kept, open) = (
            engagement.clone(),
            strategies.clone(),
            incidents.clone(),
            note.clone(),
            failure.clone(),
            kept.clone(),
            open.clone(),
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
            let (uses, logged) = match read_rows(&strategies, &incidents) {
                Ok(rows) => rows,
                Err(message) => return failure.set(Some(message)),
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
                incidents: logged,
                strategies: uses,
                note: (*note).clone(),
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
        // Opening starts every row from what was saved.
        let start = {
            let (open, engagement, strategies, incidents, note) = (
                open.clone(),
                engagement.clone(),
                strategies.clone(),
                incidents.clone(),
                note.clone(),
            );
            let known = known.clone();
            Callback::from(move |_| {
                engagement.set(known.as_ref().map(|d| d.engagement.point()));
                let mut rows: Vec<StrategyRow> = known
                    .as_ref()
                    .map(|d| {
                        d.strategies
                            .iter()
                            .map(|u| StrategyRow {
                                name: u.strategy.clone(),
                                effect: Some(u.effect.point()),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if rows.is_empty() {
                    rows.push(StrategyRow::default());
                }
                strategies.set(rows);
                incidents.set(
                    known
                        .as_ref()
                        .map(|d| d.incidents.iter().map(IncidentRow::from).collect())
                        .unwrap_or_default(),
                );
                note.set(known.as_ref().map(|d| d.note.clone()).unwrap_or_default());
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
    let engagement_points = html! {
        { for (1..=5u8).map(|p| {
            let id = format!("engagement-{p}-{sid}");
            let chosen = engagement.clone();
            html! {
                <div class="choice">
                    <input type="radio" name={format!("engagement-{sid}")} id={id.clone()}
                        checked={*engagement == Some(p)} onchange={Callback::from(move |_| chosen.set(Some(p)))} />
                    <label for={id}>{ format!("{p} · {}", Engagement::new(p).map_or("", Engagement::descriptor)) }</label>
                </div>
            }
        }) }
    };
    let strategy_rows = strategies.iter().enumerate().map(|(n, row)| {
        let set_name = {
            let strategies = strategies.clone();
            Callback::from(move |e: InputEvent| {
                let mut rows = (*strategies).clone();
                if let Some(r) = rows.get_mut(n) {
                    r.name = event_value(&e);
                }
                strategies.set(rows);
            })
        };
        let remove = {
            let strategies = strategies.clone();
            Callback::from(move |_: MouseEvent| {
                let mut rows = (*strategies).clone();
                rows.remove(n);
                strategies.set(rows);
            })
        };
        let effect_id = |p: u8| {
            if n == 0 {
                format!("effect-{p}-{sid}")
            } else {
                format!("effect{n}-{p}-{sid}")
            }
        };
        html! {
            <div class="strategy-row">
                <label for={row_id("strategy", n, &sid)}>{ if n == 0 { "A strategy you used (optional)".to_owned() } else { format!("Strategy {}", n + 1) } }</label>
                <input id={row_id("strategy", n, &sid)} type="text" value={row.name.clone()} oninput={set_name} />
                <fieldset>
                    <legend>{ "How well it worked" }</legend>
                    { for (1..=5u8).map(|p| {
                        let strategies = strategies.clone();
                        let pick = Callback::from(move |_| {
                            let mut rows = (*strategies).clone();
                            if let Some(r) = rows.get_mut(n) {
                                r.effect = Some(p);
                            }
                            strategies.set(rows);
                        });
                        html! {
                            <div class="choice">
                                <input type="radio" name={format!("effect{n}-{sid}")} id={effect_id(p)}
                                    checked={row.effect == Some(p)} onchange={pick} />
                                <label for={effect_id(p)}>{ format!("{p} · {}", Effect::new(p).map_or("", Effect::descriptor)) }</label>
                            </div>
                        }
                    }) }
                </fieldset>
                if n > 0 {
                    <button type="button" class="link remove-strategy" onclick={remove}>{ format!("Remove strategy {}", n + 1) }</button>
                }
            </div>
        }
    });
    let incident_rows = incidents.iter().enumerate().map(|(n, row)| {
        let edit = |set: fn(&mut IncidentRow, String)| {
            let incidents = incidents.clone();
            Callback::from(move |e: Event| {
                let mut rows = (*incidents).clone();
                if let Some(r) = rows.get_mut(n) {
                    set(r, event_value(&e));
                }
                incidents.set(rows);
            })
        };
        let typed = |set: fn(&mut IncidentRow, String)| {
            let incidents = incidents.clone();
            Callback::from(move |e: InputEvent| {
                let mut rows = (*incidents).clone();
                if let Some(r) = rows.get_mut(n) {
                    set(r, event_value(&e));
                }
                incidents.set(rows);
            })
        };
        let remove = {
            let incidents = incidents.clone();
            Callback::from(move |_: MouseEvent| {
                let mut rows = (*incidents).clone();
                rows.remove(n);
                incidents.set(rows);
            })
        };
        let id = |part: &str| row_id(part, n, &sid);
        html! {
            <fieldset class="incident">
                <legend>{ if incidents.len() == 1 { "Incident".to_owned() } else { format!("Incident {}", n + 1) } }</legend>
                <label for={id("kind")}>{ "What happened" }</label>
                <select id={id("kind")} onchange={edit(|r, v| r.kind = v)}>
                    { for KINDS.iter().map(|(k, label)| {
                        let name = enum_name(k);
                        html! { <option value={name.clone()} selected={row.kind == name}>{ *label }</option> }
                    }) }
                </select>
                <label for={id("severity")}>{ "How serious" }</label>
                <select id={id("severity")} onchange={edit(|r, v| r.severity = v)}>
                    { for [("low", "Low"), ("medium", "Medium"), ("high", "High")].iter().map(|(v, label)| html! {
                        <option value={*v} selected={row.severity == *v}>{ *label }</option>
                    }) }
                </select>
                <label for={id("time")}>{ "When (HH:MM)" }</label>
                <input id={id("time")} type="time" value={row.time.clone()} oninput={typed(|r, v| r.time = v)} />
                <label for={id("trigger")}>{ "What set it off" }</label>
                <input id={id("trigger")} type="text" value={row.trigger.clone()} oninput={typed(|r, v| r.trigger = v)} />
                <label for={id("used")}>{ "What you did" }</label>
                <input id={id("used")} type="text" value={row.used.clone()} oninput={typed(|r, v| r.used = v)} />
                <label for={id("outcome")}>{ "How it ended" }</label>
                <input id={id("outcome")} type="text" value={row.outcome.clone()} oninput={typed(|r, v| r.outcome = v)} />
                <button type="button" class="link remove-incident" onclick={remove}>{ format!("Remove this incident") }</button>
            </fieldset>
        }
    });
    let add_strategy = {
        let strategies = strategies.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rows = (*strategies).clone();
            rows.push(StrategyRow::default());
            strategies.set(rows);
        })
    };
    let add_incident = {
        let incidents = incidents.clone();
        Callback::from(move |_: MouseEvent| {
            let mut rows = (*incidents).clone();
            rows.push(IncidentRow::default());
            incidents.set(rows);
        })
    };
    let set_note = {
        let note = note.clone();
        Callback::from(move |e: InputEvent| {
            let area = e.target().and_then(|t| {
                wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlTextAreaElement>(t).ok()
            });
            note.set(area.map(|a| a.value()).unwrap_or_default());
        })
    };
    html! {
        <form class="progress" onsubmit={save} novalidate=true aria-label={format!("Progress for {}", s.pupil_first_name)}>
            <fieldset>
                <legend>{ "Engagement" }</legend>
                { engagement_points }
            </fieldset>
            { for strategy_rows }
            <button type="button" class="link add-strategy" onclick={add_strategy}>{ "Add another strategy" }</button>
            { for incident_rows }
            <button type="button" class="link add-incident" onclick={add_incident}>
                { if incidents.is_empty() { "Add an incident" } else { "Add another incident" } }
            </button>
            <label for={format!("note-{sid}")}>{ "Note (optional)" }</label>
            <textarea id={format!("note-{sid}")} rows="2" value={(*note).clone()} oninput={set_note} />
            <button type="submit" class="primary">{ "Save progress" }</button>
            if let Some(message) = &*failure {
                <p class="error" role="alert">{ message.clone() }</p>
            }
        </form>
    }
}
