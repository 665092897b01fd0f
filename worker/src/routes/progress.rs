//! The progress log: `PUT /api/progress/{save_id}` after a session (the
//! tutor or the AP's staff, like the register), and the placement's log.

use chrono::{DateTime, Utc};
use lt_core::api::{ProgressHistory, ProgressLog, ProgressRecord, ProgressRequest};
use lt_core::{attendance, progress};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use super::marks::{self, Found, Purpose};
use super::placements;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http};

/// Which session on which date an entry belongs to.
#[derive(Deserialize)]
struct Occurrence {
    session_id: String,
    date: String,
}

#[derive(Deserialize)]
struct SaveRow {
    id: String,
    entry_id: String,
    session_id: String,
    date: String,
    placement_id: String,
    engagement: u8,
    incidents: String,
    strategies: String,
    note: String,
    recorded_by: Option<String>,
    device_time: String,
    received_at: String,
    versions: u32,
}

const COLUMNS: &str = "s.id, s.entry_id, s.session_id, s.date, s.placement_id, s.engagement,
    s.incidents, s.strategies, s.note, p.name AS recorded_by, s.device_time, s.received_at,
    (SELECT COUNT(*) FROM progress_saves v WHERE v.entry_id = s.entry_id) AS versions";

impl SaveRow {
    fn record(self) -> ApiResult<ProgressRecord> {
        let bad =
            |what: &str| ApiError::Unexpected(format!("progress save {}: bad {what}", self.id));
        Ok(ProgressRecord {
            engagement: progress::Engagement::new(self.engagement)
                .ok_or_else(|| bad("engagement"))?,
            incidents: serde_json::from_str(&self.incidents).map_err(|_| bad("incidents"))?,
            strategies: serde_json::from_str(&self.strategies).map_err(|_| bad("strategies"))?,
            date: self.date.parse().map_err(|_| bad("date"))?,
            device_time: self.device_time.parse().map_err(|_| bad("time"))?,
            received_at: self.received_at.parse().map_err(|_| bad("time"))?,
            save_id: self.id,
            entry_id: self.entry_id,
            session_id: self.session_id,
            placement_id: self.placement_id,
            note: self.note,
            recorded_by: self.recorded_by,
            versions: self.versions,
        })
    }
}

async fn find(db: &D1Database, save_id: &str) -> ApiResult<Option<SaveRow>> {
    Ok(query!(
        db,
        &format!(
            "SELECT {COLUMNS} FROM progress_saves s LEFT JOIN people p ON p.id = s.recorded_by
             WHERE s.id = ?1"
        ),
        save_id
    )?
    .first(None)
    .await?)
}

pub async fn put(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    save_id: &str,
    received: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<Response> {
    lt_core::api::check_device_id(save_id, "save_id")?;
    let body: ProgressRequest = http::read_json(req).await?;
    lt_core::api::check_device_id(&body.entry_id, "entry_id")?;
    progress::check_entry(&body)?;
    let Found {
        session,
        occurrence,
    } = marks::find_occurrence(
        db,
        caller,
        &body.session_id,
        body.date,
        Purpose::Register,
        Vec::new(),
    )
    .await?;
    if received < occurrence.starts_at {
        return Err(marks::conflict(
            "progress is logged once the session has begun",
        ));
    }
    attendance::check_device_time(body.device_time, received)?;
    // An entry belongs to one session on one date; its edits cannot move it.
    let owner: Option<Occurrence> = query!(
        db,
        "SELECT session_id, date FROM progress_saves WHERE entry_id = ?1 LIMIT 1",
        &body.entry_id
    )?
    .first(None)
    .await?;
    if owner.is_some_and(|o| o.session_id != body.session_id || o.date != body.date.to_string()) {
        return Err(marks::conflict(
            "this entry belongs to another session; make a new entry id",
        ));
    }
    let result = query!(
        db,
        "INSERT INTO progress_saves (id, entry_id, session_id, date, placement_id, engagement,
                                     incidents, strategies, note, recorded_by, device_time,
                                     received_at, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO NOTHING",
        save_id,
        &body.entry_id,
        &body.session_id,
        &body.date.to_string(),
        &session.placement_id,
        body.engagement.point(),
        &json_text(&body.incidents),
        &json_text(&body.strategies),
        body.note.trim(),
        &caller.principal.person_id,
        &clock::stamp(body.device_time),
        &clock::stamp(received),
        request_id
    )?
    .run()
    .await?;
    let fresh = crate::db::wrote(&result);
    let row = find(db, save_id)
        .await?
        .ok_or_else(|| ApiError::Unexpected(format!("progress save {save_id} vanished")))?;
    let same = row.entry_id == body.entry_id
        && row.session_id == body.session_id
        && row.date == body.date.to_string();
    marks::answer_tap(fresh, same, &row.record()?, "save")
}

/// A list as JSON text for a TEXT column.
fn json_text<T: serde::Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The current version of each entry of the placement, newest session first.
pub async fn log(db: &D1Database, caller: &Caller, placement_id: &str) -> ApiResult<Response> {
    placements::find(db, caller, placement_id).await?;
    let entries = current(db, placement_id).await?;
    Ok(http::json(200, &ProgressLog { entries }))
}

/// Every version of one entry of the placement, oldest first.
pub async fn history(
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    entry_id: &str,
) -> ApiResult<Response> {
    placements::find(db, caller, placement_id).await?;
    let rows: Vec<SaveRow> = query!(
        db,
        &format!(
            "SELECT {COLUMNS} FROM progress_saves s LEFT JOIN people p ON p.id = s.recorded_by
             WHERE s.placement_id = ?1 AND s.entry_id = ?2
             ORDER BY s.device_time, s.received_at, s.id"
        ),
        placement_id,
        entry_id
    )?
    .all()
    .await?
    .results()?;
    let versions = rows
        .into_iter()
        .map(SaveRow::record)
        .collect::<ApiResult<_>>()?;
    Ok(http::json(200, &ProgressHistory { versions }))
}

/// Each entry of a placement as last saved on its device.
pub(super) async fn current(db: &D1Database, placement_id: &str) -> ApiResult<Vec<ProgressRecord>> {
    let rows: Vec<SaveRow> = query!(
        db,
        &format!(
            "SELECT {COLUMNS} FROM progress_saves s LEFT JOIN people p ON p.id = s.recorded_by
             WHERE s.placement_id = ?1
               AND NOT EXISTS (SELECT 1 FROM progress_saves later WHERE later.entry_id = s.entry_id
                   AND (later.device_time, later.received_at, later.id) > (s.device_time, s.received_at, s.id))
             ORDER BY s.date DESC, s.device_time DESC"
        ),
        placement_id
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter().map(SaveRow::record).collect()
}
