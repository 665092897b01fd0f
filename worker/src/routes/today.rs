use chrono::{DateTime, Datelike, NaiveTime, Utc};
use lt_core::access::{self, TodayScope};
use lt_core::api::{Today, TodaySession};
use lt_core::domain::Tier;
use lt_core::london;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::Response;
use worker::d1::D1Database;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
struct Row {
    session_id: String,
    placement_id: String,
    first_name: String,
    last_name: String,
    tier: String,
    start_time: String,
    end_time: String,
    venue_name: String,
    tutor_name: Option<String>,
    has_transport: u8,
}

pub async fn get(db: &D1Database, caller: &Caller, now: DateTime<Utc>) -> ApiResult<Response> {
    let date = london::local_date(now);
    let scopes = caller.principal.today_scopes();
    let mut sessions = Vec::new();
    if !scopes.is_empty() {
        let mut params = vec![
            JsValue::from(date.weekday().number_from_monday()),
            JsValue::from_str(&date.to_string()),
        ];
        let mut bind = |value: &str| {
            params.push(JsValue::from_str(value));
            format!("?{}", params.len())
        };
        let clauses: Vec<String> = scopes
            .iter()
            .map(|scope| match scope {
                TodayScope::WholeAp(ap) => format!("p.ap_id = {}", bind(ap)),
                TodayScope::Teaching(person) => format!("s.tutor_id = {}", bind(person)),
                TodayScope::Escorting(person) => format!("s.escort_id = {}", bind(person)),
                // One JSON parameter, however many placements (D1 allows 100 bindings).
                TodayScope::Placements(ids) => format!(
                    "p.id IN (SELECT value FROM json_each({}))",
                    bind(&serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
                ),
            })
            .collect();
        let sql = format!(
            "SELECT s.id AS session_id, p.id AS placement_id, pu.first_name, pu.last_name, p.tier,
                    s.start_time, s.end_time, v.name AS venue_name, t.name AS tutor_name,
                    (s.escort_id IS NOT NULL) AS has_transport
             FROM sessions s
             JOIN placements p ON p.id = s.placement_id
             JOIN pupils pu ON pu.id = p.pupil_id
             JOIN venues v ON v.id = s.venue_id
             LEFT JOIN people t ON t.id = s.tutor_id
             WHERE s.weekday = ?1 AND p.state = 'active'
               AND p.start_date <= ?2 AND (p.end_date IS NULL OR p.end_date >= ?2)
               AND ({})
             ORDER BY s.start_time, pu.last_name, pu.first_name",
            clauses.join(" OR ")
        );
        let rows: Vec<Row> = db.prepare(sql).bind(&params)?.all().await?.results()?;
        let full_names = access::shows_full_names(&scopes);
        for row in rows {
            sessions.push(to_session(row, date, full_names)?);
        }
    }
    Ok(http::json(200, &Today { date, sessions }))
}

fn to_session(row: Row, date: chrono::NaiveDate, full_names: bool) -> ApiResult<TodaySession> {
    let corrupt =
        |what: &str| ApiError::Unexpected(format!("session {}: bad {what}", row.session_id));
    let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M");
    let start = time(&row.start_time).map_err(|_| corrupt("start_time"))?;
    let end = time(&row.end_time).map_err(|_| corrupt("end_time"))?;
    let tier = Tier::parse(&row.tier).ok_or_else(|| corrupt("tier"))?;
    let starts_at = london::to_utc(date, start);
    let ends_at = london::to_utc(date, end);
    let last_name = if full_names {
        row.last_name
    } else {
        row.last_name.chars().take(1).collect()
    };
    Ok(TodaySession {
        session_id: row.session_id,
        placement_id: row.placement_id,
        pupil_first_name: row.first_name,
        pupil_last_name: last_name,
        tier,
        starts_local: london::clock(starts_at),
        ends_local: london::clock(ends_at),
        starts_at,
        ends_at,
        venue_name: row.venue_name,
        tutor_name: row.tutor_name,
        has_transport: row.has_transport != 0,
    })
}
