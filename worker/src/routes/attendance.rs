//! The commissioning school's feed: its pupils' attendance as DfE codes,
//! one row per pupil per half-day, for its own register.

use chrono::Duration;
use lt_core::api::{AttendanceQuery, ErrorDetail, parse_query};
use lt_core::attendance::{self, AbsenceReason, Mark, MarkKind, Stamped};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::d1::D1Database;
use worker::{Request, Response};

use crate::auth::Caller;
use crate::csv_out::{attachment, cell};
use crate::error::{ApiError, ApiResult};

#[derive(Deserialize)]
struct Row {
    placement_id: String,
    session_id: String,
    date: String,
    kind: String,
    minutes_late: Option<u32>,
    reason: Option<String>,
    half_day: String,
    school_code: String,
    device_time: String,
    received_at: String,
    upn: Option<String>,
    first_name: String,
    last_name: String,
    ap_name: String,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("attendance feed: bad {what}"))
}

impl Row {
    fn stamped(&self) -> ApiResult<Stamped> {
        let kind = MarkKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?;
        let reason = self.reason.as_deref().and_then(AbsenceReason::parse);
        let mark: Mark =
            attendance::read_mark(kind, self.minutes_late, reason).map_err(|_| corrupt("mark"))?;
        Ok(Stamped {
            mark,
            device_time: self.device_time.parse().map_err(|_| corrupt("time"))?,
            received_at: self.received_at.parse().map_err(|_| corrupt("time"))?,
        })
    }
}

pub async fn export(req: &Request, db: &D1Database, caller: &Caller) -> ApiResult<Response> {
    let url = req.url()?;
    let q: AttendanceQuery = parse_query(url.query().unwrap_or(""))?;
    let to = q.to.unwrap_or(q.from);
    if to < q.from {
        return Err(ErrorDetail::invalid("to", "the last day comes on or after the first").into());
    }
    if to - q.from > Duration::days(365) {
        return Err(ErrorDetail::invalid("to", "at most 366 days at a time").into());
    }
    let (staff_aps, scoped) = caller.principal.placement_scope();
    let json = |list: &[&str]| JsValue::from_str(&serde_json::to_string(list).unwrap_or_default());
    let rows: Vec<Row> = db
        .prepare(
            "SELECT m.placement_id, m.session_id, m.date, m.kind, m.minutes_late, m.reason,
                    m.half_day, m.school_code, m.device_time, m.received_at,
                    pu.upn, pu.first_name, pu.last_name, a.name AS ap_name
             FROM marks m
             JOIN sessions s ON s.id = m.session_id
             JOIN placements p ON p.id = m.placement_id
             JOIN pupils pu ON pu.id = p.pupil_id
             JOIN organisations a ON a.id = p.ap_id
             WHERE m.date BETWEEN ?1 AND ?2
               AND (p.ap_id IN (SELECT value FROM json_each(?3))
                    OR p.id IN (SELECT value FROM json_each(?4)))
             ORDER BY m.date, pu.last_name, pu.first_name, s.start_time",
        )
        .bind(&[
            JsValue::from_str(&q.from.to_string()),
            JsValue::from_str(&to.to_string()),
            json(&staff_aps),
            json(&scoped),
        ])?
        .all()
        .await?
        .results()?;
    // The mark that counts for each session, by the conflict rule.
    let mut current: Vec<(Row, Stamped)> = Vec::new();
    for row in rows {
        let stamped = row.stamped()?;
        match current
            .iter_mut()
            .find(|(r, _)| r.session_id == row.session_id && r.date == row.date)
        {
            Some(slot) if attendance::prevails(&stamped, &slot.1) => *slot = (row, stamped),
            Some(_) => {}
            None => current.push((row, stamped)),
        }
    }
    // One code per pupil per half-day, decided among that half-day's sessions.
    let mut out = vec![
        [
            "upn",
            "first_name",
            "last_name",
            "date",
            "session",
            "code",
            "minutes_late",
            "reason",
            "source_ap",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut done: Vec<(String, String, String)> = Vec::new();
    for (row, _) in &current {
        let key = (
            row.placement_id.clone(),
            row.date.clone(),
            row.half_day.clone(),
        );
        if done.contains(&key) {
            continue;
        }
        let group: Vec<&Row> = current
            .iter()
            .map(|(r, _)| r)
            .filter(|r| r.placement_id == key.0 && r.date == key.1 && r.half_day == key.2)
            .collect();
        let codes: Vec<&str> = group.iter().map(|r| r.school_code.as_str()).collect();
        let Some(decider) = attendance::deciding(&codes).and_then(|i| group.get(i)) else {
            continue;
        };
        out.push(vec![
            cell(decider.upn.as_deref().unwrap_or("")),
            cell(&decider.first_name),
            cell(&decider.last_name),
            decider.date.clone(),
            decider.half_day.clone(),
            cell(&decider.school_code),
            decider
                .minutes_late
                .map(|m| m.to_string())
                .unwrap_or_default(),
            decider
                .reason
                .as_deref()
                .and_then(AbsenceReason::parse)
                .map(|r| r.label().to_owned())
                .unwrap_or_default(),
            cell(&decider.ap_name),
        ]);
        done.push(key);
    }
    let name = if to == q.from {
        format!("attendance-{}.csv", q.from)
    } else {
        format!("attendance-{}-to-{to}.csv", q.from)
    };
    attachment(out, &name)
}
