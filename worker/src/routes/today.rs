use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use lt_core::access::{self, SessionView, TodayScope};
use lt_core::api::{EmergencyContact, Today, TodayMark, TodayProgress, TodaySession, TransportRun};
use lt_core::attendance::{Mark, MarkKind};
use lt_core::dashboard::{self, Counts, Observed, SessionState};
use lt_core::domain::Tier;
use lt_core::handover::HandoverKind;
use lt_core::london;
use std::collections::HashMap;

use super::timetable as timetable_route;
use super::{handovers, marks};
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
    venue_name: String,
    venue_address: String,
    tutor_name: Option<String>,
    tutor_id: Option<String>,
    escort_id: Option<String>,
    has_transport: u8,
    pickup_place: Option<String>,
    pickup_time: Option<String>,
    pickup_window_minutes: i64,
    emergency: Option<String>,
    ap_id: String,
    #[serde(flatten)]
    times: timetable_route::SessionTimes,
    via_ap_staff: u8,
    via_scope: u8,
    via_escort: u8,
    /// Minutes after the start before "missing": the session's own, or the AP's.
    grace: u32,
}

#[derive(Deserialize)]
struct ProgressRow {
    entry_id: String,
    session_id: String,
    engagement: u8,
    incidents: String,
    strategies: String,
    note: String,
    device_time: String,
}

/// Each session's progress entry as last saved on its device, for those who
/// may log it.
async fn attach_progress(
    db: &D1Database,
    date: NaiveDate,
    sessions: &mut [TodaySession],
) -> ApiResult<()> {
    let rows: Vec<ProgressRow> = records_on(
        db,
        "SELECT p.entry_id, p.session_id, p.engagement, p.incidents, p.strategies, p.note,
                p.device_time FROM progress_saves p",
        "p",
        date,
        sessions.iter().filter(|s| s.may_register),
    )
    .await?;
    for session in sessions.iter_mut().filter(|s| s.may_register) {
        let mine: Vec<&ProgressRow> = rows
            .iter()
            .filter(|r| r.session_id == session.session_id)
            .collect();
        let Some(latest) = mine.iter().max_by(|a, b| a.device_time.cmp(&b.device_time)) else {
            continue;
        };
        let bad = || ApiError::Unexpected("progress: bad save".into());
        session.progress = Some(TodayProgress {
            entry_id: latest.entry_id.clone(),
            engagement: lt_core::progress::Engagement::new(latest.engagement).ok_or_else(bad)?,
            incidents: serde_json::from_str(&latest.incidents).map_err(|_| bad())?,
            strategies: serde_json::from_str(&latest.strategies).map_err(|_| bad())?,
            note: latest.note.clone(),
            versions: mine
                .iter()
                .filter(|r| r.entry_id == latest.entry_id)
                .count() as u32,
            device_time: latest.device_time.parse().map_err(|_| bad())?,
        });
    }
    Ok(())
}

#[derive(Deserialize)]
struct AlertedRow {
    session_id: String,
}

/// The SQL conditions for each way a session can come into sight, with their values.
struct Visibility {
    params: Vec<JsValue>,
    ap_staff: String,
    scope: String,
    escort: String,
}

impl Visibility {
    fn of(scopes: &[TodayScope], first_param: usize) -> Visibility {
        let mut aps: Vec<&str> = Vec::new();
        let mut placements: Vec<&str> = Vec::new();
        let (mut teacher, mut escort) = (None, None);
        for scope in scopes {
            match scope {
                TodayScope::WholeAp(ap) => aps.push(ap),
                TodayScope::Placements(ids) => placements.extend(ids.iter().map(String::as_str)),
                TodayScope::Teaching(person) => teacher = Some(person.as_str()),
                TodayScope::Escorting(person) => escort = Some(person.as_str()),
            }
        }
        let json = |list: &[&str]| {
            JsValue::from_str(&serde_json::to_string(list).unwrap_or_else(|_| "[]".into()))
        };
        let n = first_param;
        // Lists go in as one JSON parameter each: D1 allows 100 bindings.
        Visibility {
            params: vec![
                json(&aps),
                json(&placements),
                JsValue::from_str(teacher.unwrap_or("")),
                JsValue::from_str(escort.unwrap_or("")),
            ],
            ap_staff: format!("p.ap_id IN (SELECT value FROM json_each(?{n}))"),
            scope: format!(
                "(p.id IN (SELECT value FROM json_each(?{})) OR (?{} <> '' AND s.tutor_id = ?{}))",
                n + 1,
                n + 2,
                n + 2
            ),
            escort: format!("(?{} <> '' AND s.escort_id = ?{})", n + 3, n + 3),
        }
    }
}

pub async fn get(db: &D1Database, caller: &Caller, now: DateTime<Utc>) -> ApiResult<Response> {
    let date = london::local_date(now);
    let scopes = caller.principal.today_scopes();
    let mut sessions = Vec::new();
    let mut live: Vec<String> = Vec::new();
    let mut grace: HashMap<String, Duration> = HashMap::new();
    if !scopes.is_empty() {
        let seen = Visibility::of(&scopes, 2);
        let sql = format!(
            "SELECT s.id AS session_id, p.id AS placement_id, pu.first_name, pu.last_name, p.tier,
                    {}, v.name AS venue_name, v.address AS venue_address,
                    t.name AS tutor_name, s.tutor_id, s.escort_id, (s.escort_id IS NOT NULL) AS has_transport,
                    s.pickup_place, s.pickup_time, s.pickup_window_minutes,
                    (SELECT b.value FROM baseline_entries b WHERE b.placement_id = p.id
                       AND b.field = 'contacts.emergency' ORDER BY b.id DESC LIMIT 1) AS emergency,
                    p.ap_id, {} AS via_ap_staff, {} AS via_scope, {} AS via_escort,
                    COALESCE(s.alert_grace_minutes, o.alert_grace_minutes) AS grace
             FROM sessions s
             JOIN placements p ON p.id = s.placement_id
             JOIN organisations o ON o.id = p.ap_id
             JOIN pupils pu ON pu.id = p.pupil_id
             JOIN venues v ON v.id = s.venue_id
             LEFT JOIN people t ON t.id = s.tutor_id
             LEFT JOIN session_changes sc ON sc.session_id = s.id AND sc.date = ?6
             WHERE s.weekday = ?1 AND p.state = 'active'
               AND ({} OR {} OR {})
             ORDER BY s.start_time, pu.last_name, pu.first_name",
            timetable_route::SESSION_TIMES,
            seen.ap_staff,
            seen.scope,
            seen.escort,
            seen.ap_staff,
            seen.scope,
            seen.escort
        );
        // The weekday narrows the query; lt-core's timetable decides the rest.
        let mut params = vec![JsValue::from(date.weekday().number_from_monday())];
        params.extend(seen.params);
        params.push(JsValue::from_str(&date.to_string()));
        let rows: Vec<Row> = db.prepare(sql).bind(&params)?.all().await?.results()?;
        let mut terms = timetable_route::TermsByAp::default();
        for row in rows {
            let ap_terms = terms.of(db, &row.ap_id).await?;
            let view = access::session_view(
                row.via_ap_staff != 0,
                row.via_scope != 0,
                row.via_escort != 0,
            );
            if let Some(view) = view {
                let may_register = view != SessionView::Run
                    && marks::may_register(caller, &row.ap_id, row.tutor_id.as_deref());
                let may_hand_over = row.has_transport != 0
                    && handovers::may_hand_over(caller, &row.ap_id, row.escort_id.as_deref());
                if !live.contains(&row.ap_id) {
                    live.push(row.ap_id.clone());
                }
                grace.insert(
                    row.session_id.clone(),
                    Duration::minutes(i64::from(row.grace)),
                );
                sessions.extend(
                    to_session(row, date, view, ap_terms)?.map(|s| TodaySession {
                        may_register,
                        may_hand_over,
                        ..s
                    }),
                );
            }
        }
    }
    attach_marks(db, date, &mut sessions).await?;
    attach_handovers(db, date, &mut sessions).await?;
    attach_progress(db, date, &mut sessions).await?;
    let alerted: Vec<AlertedRow> = records_on(
        db,
        "SELECT a.session_id FROM alerts a",
        "a",
        date,
        sessions.iter(),
    )
    .await?;
    for s in &mut sessions {
        let observed = Observed {
            mark: s.mark.as_ref().map(|m| m.kind),
            picked_up: s.picked_up_at.is_some(),
            dropped_off: s.dropped_off_at.is_some(),
            alerted: alerted.iter().any(|a| a.session_id == s.session_id),
        };
        // An escort's run view has no register, so it cannot know "missing".
        s.state = if s.tier.is_none() {
            dashboard::journey(observed)
        } else {
            let grace = grace
                .get(&s.session_id)
                .copied()
                .unwrap_or(dashboard::DEFAULT_GRACE);
            dashboard::state(observed, s.starts_at, grace, now)
        };
    }
    // The APs of the sessions shown, and every AP where the person works, so
    // that a dashboard hears of the first session of the day too.
    for g in &caller.principal.grants {
        if !live.contains(&g.ap_id) {
            live.push(g.ap_id.clone());
        }
    }
    let counts = Counts::of(sessions.iter().map(|s| s.state));
    Ok(http::json(
        200,
        &Today {
            date,
            counts,
            live,
            sessions,
        },
    ))
}

/// Each session's mark that counts today (by the conflict rule), except on
/// an escort's run view, which shows no record of the child.
async fn attach_marks(
    db: &D1Database,
    date: NaiveDate,
    sessions: &mut [TodaySession],
) -> ApiResult<()> {
    // An escort's run view (no tier) shows no record of the child.
    let rows: Vec<marks::MarkRow> = records_on(
        db,
        &format!(
            "SELECT {} FROM marks m LEFT JOIN people p ON p.id = m.marked_by",
            marks::MARK_COLUMNS
        ),
        "m",
        date,
        sessions.iter().filter(|s| s.tier.is_some()),
    )
    .await?;
    for session in sessions.iter_mut().filter(|s| s.tier.is_some()) {
        let stamped = rows
            .iter()
            .filter(|r| r.session_id == session.session_id)
            .map(|row| Ok((row, row.stamped()?)))
            .collect::<ApiResult<Vec<_>>>()?;
        let winner = lt_core::attendance::current(stamped);
        session.mark = winner.map(|(row, stamped)| TodayMark {
            id: row.id.clone(),
            kind: match stamped.mark {
                Mark::Present => MarkKind::Present,
                Mark::Late { .. } => MarkKind::Late,
                Mark::Absent(_) => MarkKind::Absent,
            },
            minutes_late: row.minutes_late,
            reason: row
                .reason
                .as_deref()
                .and_then(lt_core::attendance::AbsenceReason::parse),
            ap_code: row.ap_code.clone(),
            marked_by: row.marked_by.clone(),
            device_time: stamped.device_time,
        });
    }
    Ok(())
}

/// The rows `select` finds for these sessions on `date`, in one query;
/// `alias` names the table whose `date` and `session_id` are matched.
async fn records_on<'a, T: serde::de::DeserializeOwned>(
    db: &D1Database,
    select: &str,
    alias: &str,
    date: NaiveDate,
    sessions: impl Iterator<Item = &'a TodaySession>,
) -> ApiResult<Vec<T>> {
    let ids: Vec<&str> = sessions.map(|s| s.session_id.as_str()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(db
        .prepare(format!(
            "{select} WHERE {alias}.date = ?1 AND {alias}.session_id IN (SELECT value FROM json_each(?2))"
        ))
        .bind(&[
            JsValue::from_str(&date.to_string()),
            JsValue::from_str(&serde_json::to_string(&ids).unwrap_or_default()),
        ])?
        .all()
        .await?
        .results()?)
}

/// When each session's run was picked up and dropped off today: the first
/// confirmation of each counts. An escort sees these for their own runs.
async fn attach_handovers(
    db: &D1Database,
    date: NaiveDate,
    sessions: &mut [TodaySession],
) -> ApiResult<()> {
    let rows: Vec<handovers::HandoverRow> = records_on(
        db,
        &format!(
            "SELECT {} FROM handovers h LEFT JOIN people p ON p.id = h.recorded_by",
            handovers::HANDOVER_COLUMNS
        ),
        "h",
        date,
        sessions.iter().filter(|s| s.has_transport),
    )
    .await?;
    for session in sessions.iter_mut() {
        for row in rows.iter().filter(|r| r.session_id == session.session_id) {
            let at: DateTime<Utc> = row
                .device_time
                .parse()
                .map_err(|_| ApiError::Unexpected("hand-over: bad time".into()))?;
            let slot = match HandoverKind::parse(&row.kind) {
                Some(HandoverKind::PickUp) => &mut session.picked_up_at,
                Some(HandoverKind::DropOff) => &mut session.dropped_off_at,
                None => return Err(ApiError::Unexpected("hand-over: bad kind".into())),
            };
            if slot.is_none_or(|first| at < first) {
                *slot = Some(at);
            }
        }
    }
    Ok(())
}

/// The session as `view` shows it, if it happens on `date` at all.
fn to_session(
    row: Row,
    date: NaiveDate,
    view: SessionView,
    terms: &[(NaiveDate, NaiveDate)],
) -> ApiResult<Option<TodaySession>> {
    let corrupt =
        |what: &str| ApiError::Unexpected(format!("session {}: bad {what}", row.session_id));
    let Some(occurrence) = row.times.occurrence_on(&row.session_id, date, terms)? else {
        return Ok(None);
    };
    let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M");
    let (starts_at, ends_at) = (occurrence.starts_at, occurrence.ends_at);
    let tier = Tier::parse(&row.tier).ok_or_else(|| corrupt("tier"))?;
    let shows_transport = matches!(
        view,
        SessionView::Run | SessionView::Full { transport: true }
    );
    let transport = (row.has_transport != 0 && shows_transport).then(|| {
        let pickup = row.pickup_time.as_deref().and_then(|t| time(t).ok());
        let clock = |t: NaiveTime| t.format("%H:%M").to_string();
        TransportRun {
            pickup_place: row.pickup_place.clone(),
            pickup_from: pickup.map(clock),
            pickup_until: pickup.map(|t| clock(t + Duration::minutes(row.pickup_window_minutes))),
            dropoff_place: format!("{}, {}", row.venue_name, row.venue_address),
            // The baseline's emergency contact (a cleared one reads as null).
            emergency_contact: row
                .emergency
                .as_deref()
                .and_then(|c| serde_json::from_str::<Option<EmergencyContact>>(c).ok())
                .flatten(),
        }
    });
    let run_only = view == SessionView::Run;
    Ok(Some(TodaySession {
        session_id: row.session_id,
        placement_id: row.placement_id,
        pupil_first_name: row.first_name,
        pupil_last_name: if run_only {
            row.last_name.chars().take(1).collect()
        } else {
            row.last_name
        },
        tier: (!run_only).then_some(tier),
        starts_local: london::clock(starts_at),
        ends_local: london::clock(ends_at),
        starts_at,
        ends_at,
        venue_name: row.venue_name,
        tutor_name: if run_only { None } else { row.tutor_name },
        has_transport: row.has_transport != 0,
        transport,
        may_register: false,
        mark: None,
        picked_up_at: None,
        dropped_off_at: None,
        state: SessionState::Expected,
        may_hand_over: false,
        progress: None,
    }))
}
