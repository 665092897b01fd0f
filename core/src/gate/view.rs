//! The baseline as one person may see it, built from every value ever entered.

use serde_json::Value;

use super::fields::Section;
use super::{FIELDS, PlacementState, is_answer};
use crate::api::{Baseline, BaselineField, BaselineSection, FieldVersion, Provenance};

/// One stored value of a field (a row of `baseline_entries`).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Order of entry (the row id): later entries win.
    pub seq: i64,
    /// `section.key`.
    pub field: String,
    pub value: Value,
    pub entered_by_id: Option<String>,
    pub provenance: Provenance,
}

/// Who is looking, for the safeguarding rule.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub person_id: &'a str,
    /// May see safeguarding values (AP admin or DSL, the school's DSL).
    pub safeguarding: bool,
}

impl Viewer<'_> {
    /// Safeguarding values go to those who need them, and back to whoever
    /// entered them (they already know, and must be able to correct them).
    fn sees(&self, field: &str, entered_by: Option<&str>) -> bool {
        !field.starts_with("safeguarding.")
            || self.safeguarding
            || entered_by == Some(self.person_id)
    }
}

/// What [`build`] made, and whether it revealed safeguarding values (so the
/// caller must write the read to the audit log before answering).
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    pub baseline: Baseline,
    pub reveals_safeguarding: bool,
}

/// `entries` in any order; each field's newest entry is its current value.
/// Entries for fields no longer in the table are ignored.
pub fn build(
    placement_id: &str,
    state: PlacementState,
    editable: bool,
    mut entries: Vec<Entry>,
    viewer: Viewer<'_>,
) -> Built {
    entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
    let mut reveals = false;
    let mut missing_total = 0;
    let mut sections = Vec::new();
    for &section in Section::ALL {
        let mut fields = Vec::new();
        let mut missing = Vec::new();
        for spec in section.fields() {
            let id = spec.id();
            let mut versions = entries.iter().filter(|e| e.field == id).map(|e| {
                let visible = viewer.sees(&id, e.entered_by_id.as_deref());
                reveals |= visible && id.starts_with("safeguarding.") && !e.value.is_null();
                FieldVersion {
                    value: if visible {
                        e.value.clone()
                    } else {
                        Value::Null
                    },
                    withheld: !visible && !e.value.is_null(),
                    provenance: e.provenance.clone(),
                }
            });
            let current = versions.next();
            let history: Vec<FieldVersion> = versions.collect();
            let answered = entries
                .iter()
                .find(|e| e.field == id)
                .is_some_and(|e| is_answer(&e.value));
            if spec.required && !answered {
                missing.push(spec.key.to_owned());
            }
            fields.push(BaselineField {
                key: spec.key.to_owned(),
                label: spec.label.to_owned(),
                required: spec.required,
                answered,
                value: current.as_ref().map_or(Value::Null, |c| c.value.clone()),
                withheld: current.as_ref().is_some_and(|c| c.withheld),
                current: current.map(|c| c.provenance),
                history,
            });
        }
        missing_total += missing.len();
        sections.push(BaselineSection {
            section,
            title: section.title().to_owned(),
            complete: missing.is_empty(),
            missing,
            fields,
        });
    }
    Built {
        baseline: Baseline {
            placement_id: placement_id.to_owned(),
            state,
            editable,
            missing: missing_total,
            sections,
        },
        reveals_safeguarding: reveals,
    }
}

/// Required items unanswered, from each field's current value.
pub fn missing_count(current: &[(String, Value)]) -> usize {
    FIELDS
        .iter()
        .filter(|f| f.required)
        .filter(|f| {
            let id = f.id();
            !current.iter().any(|(k, v)| *k == id && is_answer(v))
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Source;
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    fn entry(field: &str, value: Value, by: &str, minute: u32) -> Entry {
        Entry {
            seq: i64::from(minute),
            field: field.into(),
            value,
            entered_by_id: Some(by.into()),
            provenance: Provenance {
                entered_by: Some(by.into()),
                organisation: None,
                entered_at: Utc
                    .with_ymd_and_hms(2026, 12, 4, 9, minute, 0)
                    .single()
                    .expect("time"),
                source: Source::Typed,
            },
        }
    }

    fn field<'a>(b: &'a Baseline, id: &str) -> &'a BaselineField {
        let (section, key) = id.split_once('.').expect("id");
        b.sections
            .iter()
            .find(|s| s.section.as_str() == section)
            .and_then(|s| s.fields.iter().find(|f| f.key == key))
            .expect("field")
    }

    #[test]
    fn the_newest_value_is_current_and_older_ones_are_history() {
        let entries = vec![
            entry("identity.first_name", json!("Noa"), "senco", 1),
            entry("identity.first_name", json!("Noah"), "senco", 2),
        ];
        let viewer = Viewer {
            person_id: "x",
            safeguarding: false,
        };
        let b = build("p", PlacementState::Referred, true, entries, viewer).baseline;
        let f = field(&b, "identity.first_name");
        assert_eq!(f.value, json!("Noah"));
        assert_eq!(f.history.len(), 1);
        assert_eq!(f.history[0].value, json!("Noa"));
    }

    #[test]
    fn a_cleared_field_is_missing_again() {
        let entries = vec![
            entry("medical.needs", json!("asthma"), "a", 1),
            entry("medical.needs", Value::Null, "a", 2),
        ];
        let viewer = Viewer {
            person_id: "a",
            safeguarding: true,
        };
        let b = build("p", PlacementState::Referred, true, entries, viewer).baseline;
        assert!(!field(&b, "medical.needs").answered);
        assert_eq!(b.missing, FIELDS.iter().filter(|f| f.required).count());
    }

    #[test]
    fn safeguarding_is_withheld_except_from_leads_and_its_author() {
        let entries = vec![entry("safeguarding.looked_after", json!(true), "senco", 1)];
        let other = Viewer {
            person_id: "tutor",
            safeguarding: false,
        };
        let built = build("p", PlacementState::Active, false, entries.clone(), other);
        let f = field(&built.baseline, "safeguarding.looked_after");
        assert!(f.withheld && f.value.is_null() && f.answered);
        assert!(!built.reveals_safeguarding);
        let author = Viewer {
            person_id: "senco",
            safeguarding: false,
        };
        let built = build("p", PlacementState::Active, false, entries.clone(), author);
        assert_eq!(
            field(&built.baseline, "safeguarding.looked_after").value,
            json!(true)
        );
        assert!(built.reveals_safeguarding);
        let dsl = Viewer {
            person_id: "dsl",
            safeguarding: true,
        };
        assert!(build("p", PlacementState::Active, false, entries, dsl).reveals_safeguarding);
    }

    #[test]
    fn missing_count_agrees_with_the_view() {
        let current = vec![("identity.first_name".to_owned(), json!("A"))];
        let total = FIELDS.iter().filter(|f| f.required).count();
        assert_eq!(missing_count(&current), total - 1);
    }
}
