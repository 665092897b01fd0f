//! One section of the transition baseline as a form, drawn from lt-core's
//! field table. Only fields the person changed are sent, so a value they may
//! not see (safeguarding entered by someone else) is never overwritten by a blank.

use lt_core::api::{Baseline, BaselineField, BaselineSection, Provenance, Source};
use lt_core::gate::{FieldSpec, Kind, Section, fields::by_id};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};

#[derive(Properties, PartialEq)]
pub struct SectionFormProps {
    pub placement_id: AttrValue,
    pub section: BaselineSection,
    pub editable: bool,
    pub on_saved: Callback<Baseline>,
}

/// The text each input starts with, by element id.
fn initial(spec: &FieldSpec, value: &Value) -> Vec<(String, String)> {
    let id = format!("f-{}", spec.key);
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    match spec.kind {
        Kind::YesNo => vec![(
            id,
            match value.as_bool() {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .to_owned(),
        )],
        Kind::List { .. } => {
            let lines: Vec<String> = value
                .as_array()
                .map(|a| a.iter().map(text).collect())
                .unwrap_or_default();
            vec![(id, lines.join("\n"))]
        }
        Kind::Contact => ["name", "relationship", "phone"]
            .iter()
            .map(|p| (format!("{id}-{p}"), text(&value[*p])))
            .collect(),
        Kind::Contacts => {
            let lines: Vec<String> = value
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| {
                            ["name", "relationship", "phone", "email"]
                                .iter()
                                .map(|p| text(&c[*p]))
                                .collect::<Vec<_>>()
                                .join(", ")
                                .trim_end_matches([',', ' '])
                                .to_owned()
                        })
                        .collect()
                })
                .unwrap_or_default();
            vec![(id, lines.join("\n"))]
        }
        Kind::AttendanceSummary => vec![],
        _ => vec![(id, text(value))],
    }
}

/// What the person has typed for a field, by element id.
fn current(spec: &FieldSpec, drafts: &Drafts) -> Vec<(String, String)> {
    initial(spec, &Value::Null)
        .into_iter()
        .map(|(id, _)| {
            let typed = drafts.get(&id).cloned().unwrap_or_default();
            (id, typed)
        })
        .collect()
}

/// The text in each input, by element id: the form is controlled, so a
/// re-render never loses what someone typed.
type Drafts = HashMap<String, String>;

fn drafts_of(section: &BaselineSection) -> Drafts {
    section
        .fields
        .iter()
        .filter_map(|f| {
            Some((
                by_id(&format!("{}.{}", section.section.as_str(), f.key))?,
                f,
            ))
        })
        .flat_map(|(spec, f)| initial(spec, &f.value))
        .collect()
}

/// The JSON the server expects for what was typed.
fn to_value(spec: &FieldSpec, typed: &[(String, String)]) -> Value {
    let first = typed.first().map(|(_, v)| v.trim()).unwrap_or("");
    let lines = |t: &str| -> Vec<String> {
        t.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    match spec.kind {
        Kind::YesNo => match first {
            "yes" => Value::Bool(true),
            "no" => Value::Bool(false),
            _ => Value::Null,
        },
        Kind::List { .. } => json!(lines(first)),
        Kind::Contact => {
            if typed.iter().all(|(_, v)| v.trim().is_empty()) {
                return Value::Null;
            }
            let part = |n: usize| typed.get(n).map(|(_, v)| v.trim().to_owned());
            json!({ "name": part(0), "relationship": part(1), "phone": part(2) })
        }
        Kind::Contacts => {
            let list: Vec<Value> = lines(first)
                .iter()
                .map(|line| {
                    let parts: Vec<&str> = line.split(',').map(str::trim).collect();
                    let at = |n: usize| parts.get(n).filter(|p| !p.is_empty()).copied();
                    json!({ "name": at(0), "relationship": at(1), "phone": at(2), "email": at(3) })
                })
                .collect();
            json!(list)
        }
        _ => json!(first),
    }
}

fn provenance(p: &Provenance) -> String {
    let who = match (&p.entered_by, &p.organisation) {
        (Some(n), Some(o)) => format!("{n}, {o}"),
        (Some(n), None) => n.clone(),
        _ => "someone no longer listed".to_owned(),
    };
    let how = match p.source {
        Source::Typed => "Entered",
        Source::Imported => "Imported from a CTF",
    };
    let day = lt_core::london::local_date(p.entered_at).format("%-d %b %Y");
    let time = lt_core::london::clock(p.entered_at);
    format!("{how} by {who}, {day} at {time}")
}

#[component]
pub fn SectionForm(props: &SectionFormProps) -> Html {
    let failure = use_state(|| None::<Failure>);
    let saved = use_state(|| false);
    let busy = use_state(|| false);
    let drafts = use_state(|| drafts_of(&props.section));
    {
        // A fresh copy from the server (after a save) starts the form again.
        let drafts = drafts.clone();
        use_effect_with(props.section.clone(), move |s| drafts.set(drafts_of(s)));
    }
    let set = {
        let (drafts, saved) = (drafts.clone(), saved.clone());
        Callback::from(move |(id, text): (String, String)| {
            let mut next = (*drafts).clone();
            next.insert(id, text);
            drafts.set(next);
            saved.set(false);
        })
    };
    let section = props.section.section;
    let onsubmit = {
        let (failure, saved, busy) = (failure.clone(), saved.clone(), busy.clone());
        let fields = props.section.fields.clone();
        let typed_now = (*drafts).clone();
        let id = props.placement_id.clone();
        let on_saved = props.on_saved.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut body = Map::new();
            for f in &fields {
                let Some(spec) = by_id(&format!("{}.{}", section.as_str(), f.key)) else {
                    continue;
                };
                let typed = current(spec, &typed_now);
                // An empty list is an answer ("none"): saving the section says so.
                let unanswered_list =
                    matches!(spec.kind, Kind::List { .. }) && f.required && !f.answered;
                if typed != initial(spec, &f.value) || unanswered_list {
                    body.insert(f.key.clone(), to_value(spec, &typed));
                }
            }
            if body.is_empty() {
                saved.set(true);
                return;
            }
            let (failure, saved, busy) = (failure.clone(), saved.clone(), busy.clone());
            let (id, on_saved) = (id.clone(), on_saved.clone());
            busy.set(true);
            spawn_local(async move {
                match api::save_section(&id, section, &Value::Object(body)).await {
                    Ok(b) => {
                        failure.set(None);
                        saved.set(true);
                        on_saved.emit(b);
                    }
                    Err(f) => {
                        saved.set(false);
                        failure.set(Some(f));
                    }
                }
                busy.set(false);
            });
        })
    };
    let error_for = |key: &str| {
        (*failure).as_ref().and_then(|f| {
            let named = f.field()?;
            let base = named.split(['.', '[']).next().unwrap_or(named);
            (base == key).then(|| crate::api::capitalise(&f.message()))
        })
    };
    let general = (*failure)
        .as_ref()
        .filter(|f| f.field().is_none())
        .map(Failure::message);
    let s = &props.section;
    html! {
        <form class="baseline-section" id={format!("section-{}", section.as_str())} {onsubmit}>
            <h3>
                { s.title.clone() }
                if s.complete {
                    <span class="done">{ " · complete" }</span>
                } else {
                    <span class="todo">{ format!(" · {} to fill", s.missing.len()) }</span>
                }
            </h3>
            { for s.fields.iter().map(|f| field_input(section, f, props.editable, error_for(&f.key), &drafts, &set)) }
            if props.editable {
                <button type="submit" class="primary" disabled={*busy}>{ format!("Save {}", s.title.to_lowercase()) }</button>
            }
            if *saved {
                <p class="success" role="status">{ "Saved" }</p>
            }
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
        </form>
    }
}

fn field_input(
    section: Section,
    f: &BaselineField,
    editable: bool,
    error: Option<String>,
    drafts: &Drafts,
    set: &Callback<(String, String)>,
) -> Html {
    let Some(spec) = by_id(&format!("{}.{}", section.as_str(), f.key)) else {
        return html! {};
    };
    let id = format!("f-{}", f.key);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [
        (!spec.hint.is_empty()).then_some(hint_id.clone()),
        error.as_ref().map(|_| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let described = (!described.is_empty()).then_some(described);
    let invalid = error.is_some().to_string();
    let text = |part: &str| drafts.get(part).cloned().unwrap_or_default();
    let on_input = |part: String| {
        set.reform(move |e: InputEvent| {
            let value = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| {
                    e.target_dyn_into::<HtmlTextAreaElement>()
                        .map(|t| t.value())
                })
                .unwrap_or_default();
            (part.clone(), value)
        })
    };
    let on_choose = |part: String, fixed: Option<&'static str>| {
        set.reform(move |e: Event| {
            let value = match fixed {
                Some(v) => v.to_owned(),
                None => e
                    .target_dyn_into::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default(),
            };
            (part.clone(), value)
        })
    };
    let label = format!("{}{}", f.label, if f.required { "" } else { " (optional)" });
    let disabled = !editable;
    let input = match spec.kind {
        Kind::YesNo => {
            let chosen = text(&id);
            html! {
                <fieldset class="yes-no" id={id.clone()} aria-describedby={described.clone()}>
                    <legend>{ label.clone() }</legend>
                    { for [("yes", "Yes"), ("no", "No")].iter().map(|(v, l)| html! {
                        <label class="choice">
                            <input type="radio" id={format!("{id}-{v}")} name={id.clone()} value={*v}
                                checked={chosen == *v} {disabled} aria-invalid={invalid.clone()}
                                onchange={on_choose(id.clone(), Some(*v))} />
                            { *l }
                        </label>
                    }) }
                </fieldset>
            }
        }
        Kind::Contact => html! {
            <fieldset class="contact" id={id.clone()} aria-describedby={described.clone()}>
                <legend>{ label.clone() }</legend>
                { for [("name", "Name", "text"), ("relationship", "Relationship to the pupil", "text"), ("phone", "Phone", "tel")]
                    .iter().map(|(p, l, t)| {
                    let part = format!("{id}-{p}");
                    html! {
                        <>
                            <label for={part.clone()}>{ *l }</label>
                            <input id={part.clone()} type={*t} value={text(&part)} {disabled}
                                aria-invalid={invalid.clone()} oninput={on_input(part.clone())} />
                        </>
                    }
                }) }
            </fieldset>
        },
        Kind::AttendanceSummary => {
            let a = &f.value;
            let summary = match (
                a["academic_year"].as_u64(),
                a["possible"].as_u64(),
                a["attended"].as_u64(),
            ) {
                (Some(y), Some(p), Some(at)) if p > 0 => format!(
                    "{y}/{:02}: attended {at} of {p} sessions ({:.1}%)",
                    (y + 1) % 100,
                    at as f64 * 100.0 / p as f64
                ),
                _ => "Not known (import a CTF to fill it)".to_owned(),
            };
            html! { <><p class="label">{ label.clone() }</p><p class="readonly">{ summary }</p></> }
        }
        _ => {
            let control = match spec.kind {
                Kind::Text { long: true, .. } | Kind::List { .. } | Kind::Contacts => html! {
                    <textarea id={id.clone()} rows="3" value={text(&id)} {disabled}
                        aria-invalid={invalid.clone()} aria-describedby={described.clone()}
                        oninput={on_input(id.clone())} />
                },
                Kind::Choice(options) => html! {
                    <select id={id.clone()} {disabled} aria-invalid={invalid.clone()} aria-describedby={described.clone()}
                        onchange={on_choose(id.clone(), None)}>
                        <option value="" selected={text(&id).is_empty()}>{ "Choose…" }</option>
                        { for options.iter().map(|(v, l)| html! {
                            <option value={*v} selected={text(&id) == *v}>{ *l }</option>
                        }) }
                    </select>
                },
                Kind::PastDate => html! {
                    <input id={id.clone()} type="date" value={text(&id)} {disabled}
                        aria-invalid={invalid.clone()} aria-describedby={described.clone()}
                        oninput={on_input(id.clone())} />
                },
                _ => html! {
                    <input id={id.clone()} type="text" value={text(&id)} {disabled}
                        autocapitalize={(spec.kind == Kind::Upn).then_some("characters")}
                        aria-invalid={invalid.clone()} aria-describedby={described.clone()}
                        oninput={on_input(id.clone())} />
                },
            };
            html! { <><label for={id.clone()}>{ label.clone() }</label>{ control }</> }
        }
    };
    let hint = match spec.kind {
        Kind::Contacts => "One person per line: name, relationship, phone, email".to_owned(),
        _ => spec.hint.to_owned(),
    };
    html! {
        <div class={classes!("field", (f.required && !f.answered).then_some("missing"))}>
            { input }
            if !hint.is_empty() {
                <p id={hint_id} class="hint">{ hint }</p>
            }
            if f.withheld {
                <p class="withheld">{ "Recorded; shown only to safeguarding leads." }</p>
            }
            if let Some(p) = &f.current {
                <p class="provenance">
                    { provenance(p) }
                    if !f.history.is_empty() {
                        { format!(" · {} earlier value{}", f.history.len(), if f.history.len() == 1 { "" } else { "s" }) }
                    }
                </p>
            }
            if let Some(message) = error {
                <p id={error_id} class="field-error">{ message }</p>
            }
        </div>
    }
}
