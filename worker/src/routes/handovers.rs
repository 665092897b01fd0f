//! Escorts' hand-overs: `PUT /api/handovers/{handover_id}`. One tap each for
//! the pick-up and the drop-off, idempotent on the device's id like a mark.

use chrono::{DateTime, Duration, Utc};
use lt_core::alerts::CheckKind;
use lt_core::api::{HandoverRecord, HandoverRequest};
use lt_core::attendance;
use lt_core::handover::{self, HandoverKind};
use serde::Deserialize;
use worker::d1::{D1Database, D1Result};
use worker::{Response, query};

use super::marks::{self, Found, Purpose};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::{alerts, clock};

/// A run can start well before the session: the pick-up window comes first.
const OPENS_BEFORE_START: Duration = Duration::hours(3);

#[derive(Deserialize)]
pub(super) struct HandoverRow {
    id: String,
    pub(super) session_id: String,
    date: String,
    pub(super) kind: String,
    recorded_by: Option<String>,
    pub(super) device_time: String,
    received_at: String,
    located: u8,
}

pub(super) const HANDOVER_COLUMNS: &str =
    "h.id, h.session_id, h.date, h.kind, p.name AS recorded_by, h.device_time, h.received_at,
     (h.latitude IS NOT NULL) AS located";

impl HandoverRow {
    fn record(self) -> ApiResult<HandoverRecord> {
        let bad = |what: &str| marks::corrupt(&format!("hand-over {what}"));
        Ok(HandoverRecord {
            kind: HandoverKind::parse(&self.kind).ok_or_else(|| bad("kind"))?,
            date: self.date.parse().map_err(|_| bad("date"))?,
            device_time: self.device_time.parse().map_err(|_| bad("time"))?,
            received_at: self.received_at.parse().map_err(|_| bad("time"))?,
            id: self.id,
            session_id: self.session_id,
            recorded_by: self.recorded_by,
            located: self.located != 0,
        })
    }
}

/// The run's escort confirms its hand-overs; the AP's staff may too (the
/// office taking a call from the taxi).
pub(super) fn may_hand_over(caller: &Caller, ap_id: &str, escort_id: Option<&str>) -> bool {
    let me = caller.principal.person_id.as_str();
    caller
        .principal
        .grants
        .iter()
        .any(|g| g.ap_id == ap_id && (g.role.is_ap_staff() || escort_id == Some(me)))
}

async fn find(db: &D1Database, id: &str) -> ApiResult<Option<HandoverRow>> {
    Ok(query!(
        db,
        &format!(
            "SELECT {HANDOVER_COLUMNS} FROM handovers h LEFT JOIN people p ON p.id = h.recorded_by
             WHERE h.id = ?1"
        ),
        id
    )?
    .first(None)
    .await?)
}

/// Records a hand-over; answers with the AP whose dashboards must hear of it
/// when it is new.
/// `body` and `read` come from the [`marks::Tap`] read before the gate.
pub async fn put(
    body: ApiResult<HandoverRequest>,
    read: Vec<D1Result>,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    received: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<(Response, Option<String>)> {
    lt_core::api::check_device_id(id, "handover_id")?;
    let body = body?;
    if let Some(location) = &body.location {
        handover::check_location(location)?;
    }
    let Found {
        session,
        occurrence,
    } = marks::find_occurrence(
        db,
        caller,
        &body.session_id,
        body.date,
        Purpose::HandOver,
        read,
    )
    .await?;
    if session.escort_id.is_none() {
        return Err(marks::conflict("this session has no taxi run to confirm"));
    }
    if received < occurrence.starts_at - OPENS_BEFORE_START {
        return Err(marks::conflict(
            "this run cannot be confirmed yet: it opens three hours before the session",
        ));
    }
    attendance::check_device_time(body.device_time, received)?;
    let location = body.location;
    let insert = query!(
        db,
        "INSERT INTO handovers (id, session_id, date, placement_id, kind, recorded_by, device_time,
                                received_at, latitude, longitude, accuracy_m, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO NOTHING",
        id,
        &body.session_id,
        &body.date.to_string(),
        &session.placement_id,
        body.kind.as_str(),
        &caller.principal.person_id,
        &clock::stamp(body.device_time),
        &clock::stamp(received),
        &location.map(|l| l.latitude),
        &location.map(|l| l.longitude),
        &location.and_then(|l| l.accuracy_m),
        request_id
    )?;
    // The cron looks at the journey next: a pick-up should end in a
    // drop-off, a drop-off in a registered arrival.
    let check = match body.kind {
        HandoverKind::PickUp => CheckKind::PickUp,
        HandoverKind::DropOff => CheckKind::DropOff,
    };
    let follow_up = alerts::plan::check(
        db,
        &body.session_id,
        body.date,
        check,
        body.device_time,
        true,
    )?;
    let results = db.batch(vec![insert, follow_up]).await?;
    let fresh = results.first().is_some_and(crate::db::wrote);
    let row = find(db, id)
        .await?
        .ok_or_else(|| ApiError::Unexpected(format!("hand-over {id} vanished")))?;
    let same = row.session_id == body.session_id
        && row.date == body.date.to_string()
        && row.kind == body.kind.as_str();
    let response = marks::answer_tap(fresh, same, &row.record()?, "hand-over")?;
    Ok((response, fresh.then_some(session.ap_id)))
}
