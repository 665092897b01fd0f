//! The transition gate: the baseline an AP needs before it can keep a pupil
//! safe, and the steps that take a placement from referral to active.

pub mod ctf;
pub mod fields;
pub mod referral;
pub mod state;
pub mod values;
pub mod view;

use serde_json::{Map, Value, json};

pub use fields::{FIELDS, FieldSpec, Kind, Section};
pub use state::{EndReason, PlacementState, Transition, may_edit_baseline};
pub use values::{check_section, check_value};

/// The required fields still unanswered, given which fields have an answer
/// (by `section.key`). An empty list answers a list question ("none").
pub fn missing<'a>(answered: impl Fn(&str) -> bool + 'a) -> Vec<&'static FieldSpec> {
    FIELDS
        .iter()
        .filter(|f| f.required && !answered(&f.id()))
        .collect()
}

/// Whether a stored value counts as an answer.
pub fn is_answer(value: &Value) -> bool {
    !value.is_null()
}

/// The JSON Schema of one section's form body, read from the field table, so
/// the OpenAPI document says exactly what the server checks.
pub fn section_schema(section: Section) -> Value {
    let mut properties = Map::new();
    for f in section.fields() {
        let mut schema = kind_schema(f.kind);
        schema["description"] = Value::String(if f.hint.is_empty() {
            f.label.to_owned()
        } else {
            format!("{}. {}", f.label, f.hint)
        });
        properties.insert(f.key.to_owned(), schema);
    }
    json!({
        "title": format!("{} section", section.title()),
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "minProperties": 1,
    })
}

fn kind_schema(kind: Kind) -> Value {
    let text = |max: usize| json!({ "type": ["string", "null"], "maxLength": max });
    let contact = json!({
        "type": "object",
        "required": ["name", "relationship"],
        "properties": {
            "name": { "type": "string", "maxLength": 100 },
            "relationship": { "type": "string", "maxLength": 60 },
            "phone": { "type": ["string", "null"], "maxLength": 30 },
            "email": { "type": ["string", "null"], "maxLength": 254 },
            "parental_responsibility": { "type": ["boolean", "null"] },
        },
        "additionalProperties": false,
    });
    match kind {
        Kind::Text { max, .. } => text(max),
        Kind::PastDate => json!({ "type": ["string", "null"], "format": "date" }),
        Kind::Upn => json!({ "type": ["string", "null"], "maxLength": 20 }),
        Kind::YesNo => json!({ "type": ["boolean", "null"] }),
        Kind::Choice(options) => {
            let mut values: Vec<Value> = options.iter().map(|(v, _)| json!(v)).collect();
            values.push(Value::Null);
            json!({ "enum": values })
        }
        Kind::List { max_items, max_len } => json!({
            "type": ["array", "null"],
            "maxItems": max_items,
            "items": { "type": "string", "maxLength": max_len },
        }),
        Kind::Contact => {
            let mut c = contact;
            c["required"] = json!(["name", "relationship", "phone"]);
            if let Some(p) = c["properties"].as_object_mut() {
                p.retain(|k, _| ["name", "relationship", "phone"].contains(&k.as_str()));
            }
            json!({ "anyOf": [c, { "type": "null" }] })
        }
        Kind::Contacts => json!({ "type": ["array", "null"], "maxItems": 10, "items": contact }),
        Kind::AttendanceSummary => {
            let n = json!({ "type": "integer", "minimum": 0, "maximum": 10000 });
            json!({ "anyOf": [{
                "type": "object",
                "required": ["academic_year", "possible", "attended", "authorised", "unauthorised"],
                "properties": {
                    "academic_year": { "type": "integer", "minimum": 1990, "maximum": 2100 },
                    "possible": n, "attended": n, "authorised": n, "unauthorised": n,
                },
                "additionalProperties": false,
            }, { "type": "null" }] })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_answered_means_every_required_field_is_missing() {
        let all = missing(|_| false);
        assert_eq!(all.len(), FIELDS.iter().filter(|f| f.required).count());
        assert!(missing(|_| true).is_empty());
    }

    #[test]
    fn optional_fields_never_hold_the_gate() {
        let left = missing(|id| fields::by_id(id).is_some_and(|f| f.required));
        assert!(left.is_empty());
    }

    #[test]
    fn schemas_list_every_field() {
        for &s in Section::ALL {
            let schema = section_schema(s);
            let props = schema["properties"].as_object().expect("properties");
            assert_eq!(props.len(), s.fields().count());
        }
    }
}
