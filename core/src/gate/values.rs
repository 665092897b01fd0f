//! Checking what someone typed (or a CTF supplied) for a baseline field, and
//! turning it into the one JSON form that is stored.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::fields::{FieldSpec, Kind, Section};
use crate::api::{ErrorCode, ErrorDetail};
use crate::domain::{EmailAddress, Upn};

/// The fields of one section as sent by the form: present keys are changed,
/// `null` (or blank text) clears a field, absent keys are left alone.
pub fn check_section(
    section: Section,
    body: &Map<String, Value>,
    today: NaiveDate,
) -> Result<Vec<(&'static FieldSpec, Value)>, ErrorDetail> {
    let mut checked = Vec::new();
    for (key, value) in body {
        let spec = section.fields().find(|f| f.key == key).ok_or_else(|| {
            ErrorDetail::invalid(
                key,
                format!(
                    "the {} section has no field called {key}",
                    section.title().to_lowercase()
                ),
            )
        })?;
        checked.push((spec, check_value(spec, value, key, today)?));
    }
    if checked.is_empty() {
        return Err(ErrorDetail::new(
            ErrorCode::InvalidField,
            "send at least one field of the section",
        ));
    }
    Ok(checked)
}

/// One field's value, canonical, or an error naming `path`.
pub fn check_value(
    spec: &FieldSpec,
    value: &Value,
    path: &str,
    today: NaiveDate,
) -> Result<Value, ErrorDetail> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let bad = |why: String| Err(ErrorDetail::invalid(path, why));
    match spec.kind {
        Kind::Text { max, .. } => match text(value, path, max)? {
            Some(t) => Ok(Value::String(t)),
            None => Ok(Value::Null),
        },
        Kind::PastDate => {
            let Some(t) = text(value, path, 10)? else {
                return Ok(Value::Null);
            };
            match NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
                Ok(d) if d > today => bad("a date of birth cannot be in the future".into()),
                Ok(d) if d < NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(d) => {
                    bad("give a date after 1 January 1990".into())
                }
                Ok(d) => Ok(Value::String(d.to_string())),
                Err(_) => bad("give the date as YYYY-MM-DD".into()),
            }
        }
        Kind::Upn => match text(value, path, 20)? {
            Some(t) => Ok(Value::String(Upn::parse(&t, path)?.as_ref().to_owned())),
            None => Ok(Value::Null),
        },
        Kind::YesNo => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            _ => bad("answer true (yes) or false (no)".into()),
        },
        Kind::Choice(options) => {
            let Some(t) = text(value, path, 40)? else {
                return Ok(Value::Null);
            };
            if options.iter().any(|(v, _)| *v == t) {
                Ok(Value::String(t))
            } else {
                let names: Vec<&str> = options.iter().map(|(v, _)| *v).collect();
                bad(format!("choose one of {}", names.join(", ")))
            }
        }
        Kind::List { max_items, max_len } => {
            let Value::Array(items) = value else {
                return bad("send a list of text items".into());
            };
            if items.len() > max_items {
                return bad(format!("at most {max_items} items"));
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if let Some(t) = text(item, &format!("{path}[{i}]"), max_len)? {
                    out.push(Value::String(t));
                }
            }
            Ok(Value::Array(out))
        }
        Kind::Contact => contact(value, path, false),
        Kind::Contacts => {
            let Value::Array(items) = value else {
                return bad("send a list of contacts".into());
            };
            if items.len() > 10 {
                return bad("at most 10 contacts".into());
            }
            let list = items
                .iter()
                .enumerate()
                .map(|(i, c)| contact(c, &format!("{path}[{i}]"), true))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(list))
        }
        Kind::AttendanceSummary => attendance(value, path),
    }
}

/// Trimmed text, `None` when blank; refuses non-strings and over-long text.
fn text(value: &Value, path: &str, max: usize) -> Result<Option<String>, ErrorDetail> {
    let Value::String(s) = value else {
        return Err(ErrorDetail::invalid(path, "send text"));
    };
    let t = s.trim();
    if t.chars().count() > max {
        return Err(ErrorDetail::invalid(
            path,
            format!("at most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ErrorDetail::invalid(path, "remove control characters"));
    }
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

fn contact(value: &Value, path: &str, extended: bool) -> Result<Value, ErrorDetail> {
    let Value::Object(map) = value else {
        return Err(ErrorDetail::invalid(
            path,
            "send a contact: name, relationship and phone",
        ));
    };
    let allowed: &[&str] = if extended {
        &[
            "name",
            "relationship",
            "phone",
            "email",
            "parental_responsibility",
        ]
    } else {
        &["name", "relationship", "phone"]
    };
    if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ErrorDetail::invalid(
            format!("{path}.{k}"),
            "a contact has no such detail",
        ));
    }
    let part = |k: &str, max: usize| -> Result<Option<String>, ErrorDetail> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => text(v, &format!("{path}.{k}"), max),
        }
    };
    let need = |k: &str, max: usize, what: &str| {
        part(k, max)?.ok_or_else(|| ErrorDetail::invalid(format!("{path}.{k}"), what))
    };
    let name = need("name", 100, "give the contact's name")?;
    let relationship = need(
        "relationship",
        60,
        "say who they are to the pupil, for example Mother",
    )?;
    let phone = match part("phone", 30)? {
        Some(p) => Some(phone_number(&p, &format!("{path}.phone"))?),
        None if extended => None,
        None => {
            return Err(ErrorDetail::invalid(
                format!("{path}.phone"),
                "give a phone number to call",
            ));
        }
    };
    let mut out = json!({ "name": name, "relationship": relationship, "phone": phone });
    if extended {
        let email = part("email", 254)?
            .map(|e| EmailAddress::parse(&e, &format!("{path}.email")))
            .transpose()?;
        let responsibility = match map.get("parental_responsibility") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(ErrorDetail::invalid(
                    format!("{path}.parental_responsibility"),
                    "answer true or false",
                ));
            }
        };
        out["email"] = email.map_or(Value::Null, |e| Value::String(e.as_ref().to_owned()));
        out["parental_responsibility"] = Value::Bool(responsibility);
    }
    Ok(out)
}

/// A UK phone number as people write it: digits with spaces, dashes,
/// brackets and an optional leading +.
pub fn phone_number(raw: &str, path: &str) -> Result<String, ErrorDetail> {
    let t = raw.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let allowed = t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(7..=15).contains(&digits) {
        return Err(ErrorDetail::invalid(
            path,
            "give a phone number of 7 to 15 digits, like 07700 900123",
        ));
    }
    Ok(t.to_owned())
}

fn attendance(value: &Value, path: &str) -> Result<Value, ErrorDetail> {
    let Value::Object(map) = value else {
        return Err(ErrorDetail::invalid(path, "send an attendance summary"));
    };
    const KEYS: [&str; 5] = [
        "academic_year",
        "possible",
        "attended",
        "authorised",
        "unauthorised",
    ];
    if let Some(k) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(ErrorDetail::invalid(
            format!("{path}.{k}"),
            "an attendance summary has no such figure",
        ));
    }
    let mut figures = [0u64; 5];
    for (slot, key) in figures.iter_mut().zip(KEYS) {
        *slot = map
            .get(key)
            .and_then(Value::as_u64)
            .filter(|n| *n <= 10_000)
            .ok_or_else(|| {
                ErrorDetail::invalid(format!("{path}.{key}"), "give a whole number of sessions")
            })?;
    }
    let [year, possible, attended, authorised, unauthorised] = figures;
    if !(1990..=2100).contains(&year) {
        return Err(ErrorDetail::invalid(
            format!("{path}.academic_year"),
            "give the year the academic year starts in, like 2025",
        ));
    }
    if attended + authorised + unauthorised > possible {
        return Err(ErrorDetail::invalid(
            format!("{path}.possible"),
            "sessions attended and missed add up to more than were possible",
        ));
    }
    Ok(json!({
        "academic_year": year, "possible": possible, "attended": attended,
        "authorised": authorised, "unauthorised": unauthorised,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::fields::by_id;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).expect("date")
    }

    fn check(id: &str, v: Value) -> Result<Value, ErrorDetail> {
        let spec = by_id(id).expect("field");
        check_value(spec, &v, spec.key, today())
    }

    #[test]
    fn blank_text_clears() {
        assert_eq!(check("identity.first_name", json!("  ")), Ok(Value::Null));
        assert_eq!(
            check("identity.first_name", json!(" Ava ")),
            Ok(json!("Ava"))
        );
    }

    #[test]
    fn wrong_upn_names_the_field() {
        let err = check("identity.upn", json!("A801400025001")).expect_err("bad");
        assert_eq!(err.field.as_deref(), Some("upn"));
    }

    #[test]
    fn dates_must_be_past_and_plausible() {
        assert!(check("identity.date_of_birth", json!("2027-01-01")).is_err());
        assert!(check("identity.date_of_birth", json!("1980-01-01")).is_err());
        assert!(check("identity.date_of_birth", json!("04/05/2013")).is_err());
        assert_eq!(
            check("identity.date_of_birth", json!("2013-05-04")),
            Ok(json!("2013-05-04"))
        );
    }

    #[test]
    fn yes_no_needs_a_boolean() {
        assert!(check("safeguarding.looked_after", json!("yes")).is_err());
        assert_eq!(
            check("safeguarding.looked_after", json!(false)),
            Ok(json!(false))
        );
    }

    #[test]
    fn lists_drop_blank_items_and_empty_is_an_answer() {
        assert_eq!(
            check(
                "behaviour.triggers",
                json!(["loud rooms", " ", "being rushed"])
            ),
            Ok(json!(["loud rooms", "being rushed"]))
        );
        assert_eq!(check("behaviour.triggers", json!([])), Ok(json!([])));
        let err = check("behaviour.triggers", json!(["ok", 3])).expect_err("bad");
        assert_eq!(err.field.as_deref(), Some("triggers[1]"));
    }

    #[test]
    fn contacts_name_the_part_at_fault() {
        let err = check(
            "contacts.emergency",
            json!({"name": "Sam", "relationship": "Aunt", "phone": "call me"}),
        )
        .expect_err("bad phone");
        assert_eq!(err.field.as_deref(), Some("emergency.phone"));
        let err = check(
            "contacts.others",
            json!([{"name": "Jo", "relationship": "Father", "email": "not-an-email"}]),
        )
        .expect_err("bad email");
        assert_eq!(err.field.as_deref(), Some("others[0].email"));
        assert!(
            check(
                "contacts.emergency",
                json!({"name": "Sam", "relationship": "Aunt", "phone": "+44 7700 900123"})
            )
            .is_ok()
        );
    }

    #[test]
    fn choices_are_closed() {
        assert!(check("academic.sen_status", json!("maybe")).is_err());
        assert_eq!(
            check("academic.sen_status", json!("ehc_plan")),
            Ok(json!("ehc_plan"))
        );
    }

    #[test]
    fn attendance_must_add_up() {
        let ok = json!({"academic_year": 2025, "possible": 300, "attended": 250, "authorised": 30, "unauthorised": 20});
        assert!(check("academic.prior_attendance", ok).is_ok());
        let too_many = json!({"academic_year": 2025, "possible": 10, "attended": 9, "authorised": 1, "unauthorised": 1});
        let err = check("academic.prior_attendance", too_many).expect_err("adds up");
        assert_eq!(err.field.as_deref(), Some("prior_attendance.possible"));
    }

    #[test]
    fn unknown_fields_are_named() {
        let body = json!({"shoe_size": "5"});
        let err = check_section(
            Section::Identity,
            body.as_object().expect("object"),
            today(),
        )
        .expect_err("unknown");
        assert_eq!(err.field.as_deref(), Some("shoe_size"));
    }
}
