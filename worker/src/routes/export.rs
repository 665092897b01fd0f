//! `GET /api/placements/{placement_id}/export`: the Reintegration Export.
//! This reads the placement's records; `lt_core::report` does the rest.

use chrono::{DateTime, NaiveDate, Utc};
use lt_core::api::{ExportFormat, ExportQuery, parse_query};
use lt_core::attendance;
use lt_core::domain::Tier;
use lt_core::report::{self, Baseline, HeldSession, PlacementSummary, ProgressEntry, PupilSummary};
use lt_core::timetable::{self, WeeklySession};
use lt_core::{access::PlacementRef, london};
use serde::Deserialize;
use serde_json::Value;
use worker::d1::D1Database;
use worker::{Env, Headers, Method, Request, RequestInit, Response, query};

use super::marks::{MARK_COLUMNS, MarkRow};
use super::timetable::{self as timetable_route, ChangeRow};
use super::{placements, progress, reviews};
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::db::{date, time};
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
pub(super) struct SummaryRow {
    pub(super) id: String,
    pub(super) ap_id: String,
    ap_name: String,
    commissioner_name: String,
    tier: String,
    state: String,
    start_date: String,
    end_date: Option<String>,
    ended_on: Option<String>,
    first_name: String,
    last_name: String,
    date_of_birth: String,
    upn: Option<String>,
}

#[derive(Deserialize)]
struct SessionRow {
    id: String,
    weekday: u8,
    start_time: String,
    end_time: String,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

#[derive(Deserialize)]
struct BaselineRow {
    field: String,
    value: String,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("export: bad {what}"))
}

/// Only the baseline fields the export shows: the safeguarding section is
/// never read here, so making an export reads no safeguarding data.
const BASELINE_FIELDS: [&str; 5] = [
    "academic.reading_age",
    "academic.english_level",
    "academic.maths_level",
    "behaviour.triggers",
    "strategies.to_avoid",
];

async fn baseline(db: &D1Database, placement_id: &str) -> ApiResult<Baseline> {
    let rows: Vec<BaselineRow> = query!(
        db,
        "SELECT field, value FROM baseline_entries
         WHERE placement_id = ?1 AND field IN (?2, ?3, ?4, ?5, ?6)
         ORDER BY id",
        placement_id,
        BASELINE_FIELDS[0],
        BASELINE_FIELDS[1],
        BASELINE_FIELDS[2],
        BASELINE_FIELDS[3],
        BASELINE_FIELDS[4]
    )?
    .all()
    .await?
    .results()?;
    // Later rows are later entries: the last of each field is its value.
    let mut b = Baseline::default();
    for row in rows {
        let value: Value = serde_json::from_str(&row.value).map_err(|_| corrupt("baseline"))?;
        let text = value.as_str().map(str::to_owned);
        let list = || -> Vec<String> {
            value
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        match row.field.as_str() {
            "academic.reading_age" => b.reading_age = text,
            "academic.english_level" => b.english_level = text,
            "academic.maths_level" => b.maths_level = text,
            "behaviour.triggers" => b.triggers = list(),
            "strategies.to_avoid" => b.to_avoid = list(),
            _ => {}
        }
    }
    Ok(b)
}

/// Every timetabled session that has begun by `now`, up to `up_to`, with
/// the AP code of the mark that counts for it.
async fn held_sessions(
    db: &D1Database,
    p: &SummaryRow,
    up_to: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Vec<HeldSession>> {
    let sessions: Vec<SessionRow> = query!(
        db,
        "SELECT id, weekday, start_time, end_time, valid_from, valid_until
         FROM sessions WHERE placement_id = ?1",
        &p.id
    )?
    .all()
    .await?
    .results()?;
    let changes: Vec<ChangeRow> = query!(
        db,
        "SELECT c.session_id, c.date, c.cancelled, c.start_time, c.end_time, c.reason
         FROM session_changes c JOIN sessions s ON s.id = c.session_id
         WHERE s.placement_id = ?1",
        &p.id
    )?
    .all()
    .await?
    .results()?;
    let marks: Vec<MarkRow> = query!(
        db,
        &format!(
            "SELECT {MARK_COLUMNS} FROM marks m LEFT JOIN people p ON p.id = m.marked_by
             WHERE m.placement_id = ?1"
        ),
        &p.id
    )?
    .all()
    .await?
    .results()?;
    let terms = timetable_route::terms(db, &p.ap_id).await?;
    let starts = date(&p.start_date)?;
    let ends = match (&p.ended_on, &p.end_date) {
        (Some(e), _) | (None, Some(e)) => Some(date(e)?),
        (None, None) => None,
    };
    let mut held = Vec::new();
    for s in &sessions {
        let weekly = WeeklySession {
            weekday: chrono::Weekday::try_from(s.weekday.wrapping_sub(1))
                .map_err(|_| corrupt("weekday"))?,
            start: time(&s.start_time)?,
            end: time(&s.end_time)?,
        };
        let mine: Vec<&ChangeRow> = changes.iter().filter(|c| c.session_id == s.id).collect();
        let from = match &s.valid_from {
            Some(f) => date(f)?.max(starts),
            None => starts,
        };
        let calendar = timetable_route::calendar(
            from,
            ends,
            s.valid_until.as_deref().map(date).transpose()?,
            &terms,
            &mine,
        )?;
        for o in timetable::occurrences(&weekly, from, up_to, &calendar) {
            if o.starts_at > now {
                continue;
            }
            let day = o.date.to_string();
            let stamped = marks
                .iter()
                .filter(|m| m.session_id == s.id && m.date == day)
                .map(|m| Ok((m, m.stamped()?)))
                .collect::<ApiResult<Vec<_>>>()?;
            let code = attendance::current(stamped).map(|(m, _)| m.ap_code.clone());
            held.push(HeldSession { date: o.date, code });
        }
    }
    held.sort_by_key(|h| h.date);
    Ok(held)
}

/// The placement and pupil the export is about (404 when there is none).
pub(super) async fn summary(db: &D1Database, placement_id: &str) -> ApiResult<SummaryRow> {
    let row: Option<SummaryRow> = query!(
        db,
        "SELECT p.id, p.ap_id, a.name AS ap_name, c.name AS commissioner_name, p.tier, p.state,
                p.start_date, p.end_date, p.ended_on, pu.first_name, pu.last_name,
                pu.date_of_birth, pu.upn
         FROM placements p
         JOIN pupils pu ON pu.id = p.pupil_id
         JOIN organisations a ON a.id = p.ap_id
         JOIN organisations c ON c.id = p.commissioner_id
         WHERE p.id = ?1",
        placement_id
    )?
    .first(None)
    .await?;
    row.ok_or_else(placements::not_found)
}

/// The export's figures for the placement as its records stand at `now`.
/// Whoever calls this has checked that the reader may have them.
pub(super) async fn assemble(
    db: &D1Database,
    row: &SummaryRow,
    now: DateTime<Utc>,
) -> ApiResult<report::ReintegrationExport> {
    let today = london::local_date(now);
    let starts = date(&row.start_date)?;
    let ended = row.state == "ended";
    let end_date = match (&row.ended_on, &row.end_date) {
        (Some(e), _) if ended => Some(date(e)?),
        (_, Some(e)) => Some(date(e)?),
        _ => None,
    };
    let up_to = match end_date {
        Some(end) if end < today => end,
        _ => today,
    }
    .max(starts);
    let sessions = held_sessions(db, row, up_to, now).await?;
    let entries = progress::current(db, &row.id).await?;
    let records = report::Records {
        generated_at: now,
        up_to,
        pupil: PupilSummary {
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            date_of_birth: date(&row.date_of_birth)?,
            upn: row.upn.clone(),
        },
        placement: PlacementSummary {
            placement_id: row.id.clone(),
            ap: row.ap_name.clone(),
            commissioner: row.commissioner_name.clone(),
            tier: Tier::parse(&row.tier).ok_or_else(|| corrupt("tier"))?,
            start_date: starts,
            end_date,
            ended,
        },
        sessions,
        progress: entries
            .into_iter()
            .map(|e| ProgressEntry {
                date: e.date,
                engagement: e.engagement,
                incidents: e.incidents,
                strategies: e.strategies,
            })
            .collect(),
        baseline: baseline(db, &row.id).await?,
        reviews: reviews::of(db, &row.id).await?,
    };
    Ok(report::build(&records))
}

fn file(bytes: Vec<u8>, content_type: &str, name: &str, inline: bool) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", content_type)?;
    headers.set("cache-control", "no-store")?;
    let disposition = if inline { "inline" } else { "attachment" };
    headers.set(
        "content-disposition",
        &format!("{disposition}; filename=\"{name}\""),
    )?;
    Ok(Response::builder()
        .with_status(200)
        .with_headers(headers)
        .fixed(bytes))
}

pub fn format_name(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Json => "json",
        ExportFormat::Html => "html",
        ExportFormat::Pdf => "pdf",
    }
}

/// The export in the form asked for: JSON, the HTML page to read in the
/// browser, or the PDF as a download.
pub(super) async fn respond(
    env: &Env,
    export: &report::ReintegrationExport,
    format: ExportFormat,
) -> ApiResult<Response> {
    let name = format!(
        "reintegration-export-{}-{}",
        export
            .pupil
            .last_name
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
        london::local_date(export.generated_at)
    );
    match format {
        ExportFormat::Json => Ok(http::json(200, export)),
        ExportFormat::Html => file(
            report::html::render(export).into_bytes(),
            "text/html; charset=utf-8",
            &format!("{name}.html"),
            true,
        ),
        ExportFormat::Pdf => file(
            pdf(env, export).await?,
            "application/pdf",
            &format!("{name}.pdf"),
            false,
        ),
    }
}

/// The PDF, drawn by the PDF worker (pdf/) through the `PDF` service binding.
async fn pdf(env: &Env, export: &report::ReintegrationExport) -> ApiResult<Vec<u8>> {
    let failed = |why: String| ApiError::Unexpected(format!("pdf worker: {why}"));
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(
        serde_json::to_string(export)
            .map_err(|e| failed(e.to_string()))?
            .into(),
    ));
    let mut answer = env
        .service("PDF")?
        .fetch("https://pdf/", Some(init))
        .await?;
    if answer.status_code() != 200 {
        let why = answer.text().await.unwrap_or_default();
        return Err(failed(format!("{} {why}", answer.status_code())));
    }
    Ok(answer.bytes().await?)
}

pub fn requested_format(req: &Request) -> ApiResult<ExportFormat> {
    let url = req.url()?;
    let q: ExportQuery = parse_query(url.query().unwrap_or(""))?;
    Ok(q.format)
}

pub async fn get(
    req: &Request,
    env: &Env,
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let format = requested_format(req)?;
    let row = summary(db, placement_id).await?;
    caller
        .principal
        .placement(PlacementRef {
            id: &row.id,
            ap_id: &row.ap_id,
        })
        .ok_or_else(placements::not_found)?;
    let export = assemble(db, &row, audit.at).await?;
    let response = respond(env, &export, format).await?;
    // Who took the pupil's record away, and in which form.
    audit
        .for_ap(&row.ap_id)
        .entry(
            db,
            "export.generated",
            "placement",
            placement_id,
            &[Change::set("format", format_name(format))],
        )?
        .run()
        .await?;
    Ok(response)
}
