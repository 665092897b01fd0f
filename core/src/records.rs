//! A pupil record brought in from another AP, checked before anything is
//! written: every stored name must be one this system uses, every time a
//! time, every session a record's session, so an import is whole or not
//! at all and a bad file gets an error naming the field, never a 500.

use chrono::NaiveTime;

use crate::api::{ErrorDetail, PUPIL_RECORD_SCHEMA, PupilRecord, RecordContent};
use crate::attendance::{AbsenceReason, MarkKind};
use crate::domain::Tier;
use crate::gate::{EndReason, PlacementState};
use crate::handover::HandoverKind;

/// Largest record an import accepts: a year's placement is around 150 kB, so
/// this leaves room for long ones without letting a body exhaust memory.
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;

fn bad(field: String, why: &str) -> ErrorDetail {
    ErrorDetail::invalid(field, why)
}

fn time(value: &str, field: String) -> Result<(), ErrorDetail> {
    NaiveTime::parse_from_str(value, "%H:%M")
        .map(|_| ())
        .map_err(|_| bad(field, "a time as HH:MM"))
}

fn text(value: &str, max: usize, field: String) -> Result<(), ErrorDetail> {
    if value.chars().count() > max {
        return Err(bad(field, "too long"));
    }
    Ok(())
}

/// Checks a record for import, naming the first field at fault (a JSON path).
pub fn check(record: &PupilRecord) -> Result<(), ErrorDetail> {
    if record.schema != PUPIL_RECORD_SCHEMA {
        return Err(bad(
            "schema".into(),
            "a LearnTrek pupil record (learntrek.pupil-record.v1)",
        ));
    }
    check_content(&record.content)
}

fn check_content(c: &RecordContent) -> Result<(), ErrorDetail> {
    let p = &c.placement;
    text(&c.pupil.first_name, 100, "content.pupil.first_name".into())?;
    text(&c.pupil.last_name, 100, "content.pupil.last_name".into())?;
    if c.pupil.first_name.trim().is_empty() {
        return Err(bad("content.pupil.first_name".into(), "a name is needed"));
    }
    if c.pupil.last_name.trim().is_empty() {
        return Err(bad("content.pupil.last_name".into(), "a name is needed"));
    }
    if let Some(upn) = &c.pupil.upn {
        crate::domain::Upn::parse(upn, "content.pupil.upn")?;
    }
    text(
        &p.commissioner.name,
        200,
        "content.placement.commissioner.name".into(),
    )?;
    let tier = Tier::parse(&p.tier).ok_or_else(|| {
        bad(
            "content.placement.tier".into(),
            "outreach, short_term or eotas",
        )
    })?;
    if tier == Tier::ShortTerm && p.end_date.is_none() {
        return Err(bad(
            "content.placement.end_date".into(),
            "a short-term placement has an end date",
        ));
    }
    if PlacementState::parse(&p.state) != Some(PlacementState::Ended) {
        return Err(bad(
            "content.placement.state".into(),
            "only an ended placement's record moves to another AP",
        ));
    }
    match p.end_reason.as_deref().map(EndReason::parse) {
        Some(Some(_)) => {}
        _ => {
            return Err(bad(
                "content.placement.end_reason".into(),
                "why the placement ended",
            ));
        }
    }
    for (i, e) in p.events.iter().enumerate() {
        for (name, state) in [("from_state", &e.from_state), ("to_state", &e.to_state)] {
            if PlacementState::parse(state).is_none() {
                return Err(bad(
                    format!("content.placement.events[{i}].{name}"),
                    "referred, submitted, active or ended",
                ));
            }
        }
    }
    for (i, b) in c.baseline.iter().enumerate() {
        if crate::gate::fields::by_id(&b.field).is_none() {
            return Err(bad(
                format!("content.baseline[{i}].field"),
                "not a baseline field",
            ));
        }
        if !["typed", "imported"].contains(&b.source.as_str()) {
            return Err(bad(
                format!("content.baseline[{i}].source"),
                "typed or imported",
            ));
        }
    }
    let mut keys = Vec::new();
    for (i, s) in c.sessions.iter().enumerate() {
        let at = |f: &str| format!("content.sessions[{i}].{f}");
        if keys.contains(&s.key.as_str()) || s.key.is_empty() {
            return Err(bad(at("key"), "each session has its own key"));
        }
        keys.push(s.key.as_str());
        if !(1..=7).contains(&s.weekday) {
            return Err(bad(at("weekday"), "1 (Monday) to 7 (Sunday)"));
        }
        time(&s.start_time, at("start_time"))?;
        time(&s.end_time, at("end_time"))?;
        if s.end_time <= s.start_time {
            return Err(bad(at("end_time"), "after the start"));
        }
        if let Some(t) = &s.pickup_time {
            time(t, at("pickup_time"))?;
        }
        text(&s.venue, 200, at("venue"))?;
        for (j, ch) in s.changes.iter().enumerate() {
            let at = |f: &str| format!("content.sessions[{i}].changes[{j}].{f}");
            match (ch.cancelled, &ch.start_time, &ch.end_time) {
                (true, _, _) => {}
                (false, Some(a), Some(b)) => {
                    time(a, at("start_time"))?;
                    time(b, at("end_time"))?;
                    if b <= a {
                        return Err(bad(at("end_time"), "after the start"));
                    }
                }
                _ => return Err(bad(at("start_time"), "a moved session has both times")),
            }
        }
    }
    let session = |key: &str, field: String| {
        if keys.contains(&key) {
            Ok(())
        } else {
            Err(bad(field, "not one of the record's sessions"))
        }
    };
    for (i, m) in c.marks.iter().enumerate() {
        let at = |f: &str| format!("content.marks[{i}].{f}");
        session(&m.session, at("session"))?;
        let kind =
            MarkKind::parse(&m.kind).ok_or_else(|| bad(at("kind"), "present, late or absent"))?;
        let reason = match &m.reason {
            Some(r) => {
                Some(AbsenceReason::parse(r).ok_or_else(|| bad(at("reason"), "not a reason"))?)
            }
            None => None,
        };
        crate::attendance::read_mark(kind, m.minutes_late, reason)
            .map_err(|e| bad(at(e.field.as_deref().unwrap_or("kind")), &e.message))?;
        if !["AM", "PM"].contains(&m.half_day.as_str()) {
            return Err(bad(at("half_day"), "AM or PM"));
        }
        for (name, code) in [("ap_code", &m.ap_code), ("school_code", &m.school_code)] {
            if crate::attendance::category(code).is_none() {
                return Err(bad(at(name), "a DfE attendance code"));
            }
        }
    }
    for (i, h) in c.handovers.iter().enumerate() {
        let at = |f: &str| format!("content.handovers[{i}].{f}");
        session(&h.session, at("session"))?;
        if HandoverKind::parse(&h.kind).is_none() {
            return Err(bad(at("kind"), "pick_up or drop_off"));
        }
        match (h.latitude, h.longitude) {
            (None, None) => {}
            (Some(la), Some(lo))
                if (-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo) => {}
            _ => {
                return Err(bad(
                    at("latitude"),
                    "a latitude and a longitude, or neither",
                ));
            }
        }
    }
    for (i, p) in c.progress.iter().enumerate() {
        let at = |f: &str| format!("content.progress[{i}].{f}");
        session(&p.session, at("session"))?;
        if p.entry.is_empty() {
            return Err(bad(at("entry"), "the entry this version belongs to"));
        }
    }
    for (i, r) in c.reviews.iter().enumerate() {
        text(
            &r.commentary,
            crate::progress::MAX_NOTE,
            format!("content.reviews[{i}].commentary"),
        )?;
    }
    Ok(())
}
