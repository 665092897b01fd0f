//! The whole record of a pupil's placement, out (subject access,
//! portability) and in (the record follows the child to another AP).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use lt_core::access::{ApManager, PlacementRef};
use lt_core::api::{
    ErrorCode, PUPIL_RECORD_SCHEMA, PupilRecord, RecordAccess, RecordAlert, RecordBaselineEntry,
    RecordContent, RecordEvent, RecordHandover, RecordImported, RecordMark, RecordOrganisation,
    RecordPerson, RecordPlacement, RecordProgress, RecordPupil, RecordReview, RecordSession,
    RecordSessionChange,
};
use lt_core::domain::OrganisationKind;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::d1::{D1Database, D1PreparedStatement};
use worker::{Request, Response, query};

use super::placements;
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http, ids};

fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("record: bad {what}"))
}

fn instant(text: &str) -> ApiResult<DateTime<Utc>> {
    text.parse().map_err(|_| corrupt("time"))
}

fn day(text: &str) -> ApiResult<NaiveDate> {
    text.parse().map_err(|_| corrupt("date"))
}

fn opt_day(text: &Option<String>) -> ApiResult<Option<NaiveDate>> {
    text.as_deref().map(day).transpose()
}

fn person(id: &Option<String>, name: &Option<String>) -> Option<RecordPerson> {
    id.as_ref().map(|id| RecordPerson {
        id: id.clone(),
        name: name.clone().unwrap_or_default(),
    })
}

fn organisation_kind(kind: &str) -> ApiResult<OrganisationKind> {
    OrganisationKind::parse(kind).ok_or_else(|| corrupt("organisation kind"))
}

#[derive(Deserialize)]
struct Head {
    ap_id: String,
    ap_name: String,
    commissioner_name: String,
    commissioner_kind: String,
    tier: String,
    state: String,
    start_date: String,
    end_date: Option<String>,
    end_reason: Option<String>,
    ended_on: Option<String>,
    first_name: String,
    last_name: String,
    date_of_birth: String,
    upn: Option<String>,
}

#[derive(Deserialize)]
struct EventRow {
    from_state: String,
    to_state: String,
    comment: Option<String>,
    actor_id: Option<String>,
    actor_name: Option<String>,
    at: String,
}

#[derive(Deserialize)]
struct BaselineRow {
    field: String,
    value: String,
    source: String,
    entered_by: Option<String>,
    entered_by_name: Option<String>,
    org_name: Option<String>,
    org_kind: Option<String>,
    entered_at: String,
}

#[derive(Deserialize)]
struct SessionRow {
    id: String,
    weekday: u8,
    start_time: String,
    end_time: String,
    venue: String,
    tutor_id: Option<String>,
    tutor_name: Option<String>,
    escort_id: Option<String>,
    escort_name: Option<String>,
    pickup_place: Option<String>,
    pickup_time: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

#[derive(Deserialize)]
struct ChangeRow {
    session_id: String,
    date: String,
    cancelled: u8,
    start_time: Option<String>,
    end_time: Option<String>,
    reason: String,
}

#[derive(Deserialize)]
struct MarkRow {
    session_id: String,
    date: String,
    kind: String,
    minutes_late: Option<u32>,
    reason: Option<String>,
    half_day: String,
    ap_code: String,
    school_code: String,
    by_id: Option<String>,
    by_name: Option<String>,
    device_time: String,
    received_at: String,
}

#[derive(Deserialize)]
struct HandoverRow {
    session_id: String,
    date: String,
    kind: String,
    by_id: Option<String>,
    by_name: Option<String>,
    device_time: String,
    received_at: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    accuracy_m: Option<f64>,
}

#[derive(Deserialize)]
struct SaveRow {
    entry_id: String,
    session_id: String,
    date: String,
    engagement: u8,
    incidents: String,
    strategies: String,
    note: String,
    by_id: Option<String>,
    by_name: Option<String>,
    device_time: String,
    received_at: String,
}

#[derive(Deserialize)]
struct ReviewRow {
    reading_age: Option<String>,
    english_level: Option<String>,
    maths_level: Option<String>,
    commentary: String,
    by_id: Option<String>,
    by_name: Option<String>,
    written_at: String,
}

#[derive(Deserialize)]
struct AlertRow {
    kind: String,
    date: String,
    raised_at: String,
    acknowledged_at: Option<String>,
    closed_at: Option<String>,
    outcome: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
struct AccessRow {
    at: String,
    actor_id: Option<String>,
    actor_name: Option<String>,
    action: String,
    changes: String,
}

async fn rows<T: for<'de> Deserialize<'de>>(
    db: &D1Database,
    sql: &str,
    placement_id: &str,
) -> ApiResult<Vec<T>> {
    Ok(query!(db, sql, placement_id)?.all().await?.results()?)
}

/// The record's content as the database holds it now.
async fn content(db: &D1Database, placement_id: &str, head: &Head) -> ApiResult<RecordContent> {
    let events: Vec<EventRow> = rows(
        db,
        "SELECT e.from_state, e.to_state, e.comment, e.actor_id, p.name AS actor_name, e.at
         FROM placement_events e LEFT JOIN people p ON p.id = e.actor_id
         WHERE e.placement_id = ?1 ORDER BY e.at, e.rowid",
        placement_id,
    )
    .await?;
    let baseline: Vec<BaselineRow> = rows(
        db,
        "SELECT e.field, e.value, e.source, e.entered_by, p.name AS entered_by_name,
                o.name AS org_name, o.kind AS org_kind, e.entered_at
         FROM baseline_entries e LEFT JOIN people p ON p.id = e.entered_by
         LEFT JOIN organisations o ON o.id = e.organisation_id
         WHERE e.placement_id = ?1 ORDER BY e.id",
        placement_id,
    )
    .await?;
    let mut sessions: Vec<SessionRow> = rows(
        db,
        "SELECT s.id, s.weekday, s.start_time, s.end_time, v.name AS venue, s.tutor_id,
                t.name AS tutor_name, s.escort_id, e.name AS escort_name, s.pickup_place,
                s.pickup_time, s.valid_from, s.valid_until
         FROM sessions s JOIN venues v ON v.id = s.venue_id
         LEFT JOIN people t ON t.id = s.tutor_id LEFT JOIN people e ON e.id = s.escort_id
         WHERE s.placement_id = ?1",
        placement_id,
    )
    .await?;
    // Keys follow the timetable's order, so the same timetable gets the same keys.
    sessions.sort_by(|a, b| {
        (
            a.weekday,
            &a.start_time,
            &a.end_time,
            &a.venue,
            &a.valid_from,
            &a.valid_until,
        )
            .cmp(&(
                b.weekday,
                &b.start_time,
                &b.end_time,
                &b.venue,
                &b.valid_from,
                &b.valid_until,
            ))
    });
    let keys: BTreeMap<String, String> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), format!("s{}", i + 1)))
        .collect();
    let key = |id: &str| keys.get(id).cloned().ok_or_else(|| corrupt("session"));
    let changes: Vec<ChangeRow> = rows(
        db,
        "SELECT c.session_id, c.date, c.cancelled, c.start_time, c.end_time, c.reason
         FROM session_changes c JOIN sessions s ON s.id = c.session_id
         WHERE s.placement_id = ?1 ORDER BY c.date",
        placement_id,
    )
    .await?;
    let marks: Vec<MarkRow> = rows(
        db,
        "SELECT m.session_id, m.date, m.kind, m.minutes_late, m.reason, m.half_day, m.ap_code,
                m.school_code, m.marked_by AS by_id, p.name AS by_name, m.device_time, m.received_at
         FROM marks m LEFT JOIN people p ON p.id = m.marked_by
         WHERE m.placement_id = ?1 ORDER BY m.rowid",
        placement_id,
    )
    .await?;
    let handovers: Vec<HandoverRow> = rows(
        db,
        "SELECT h.session_id, h.date, h.kind, h.recorded_by AS by_id, p.name AS by_name,
                h.device_time, h.received_at, h.latitude, h.longitude, h.accuracy_m
         FROM handovers h LEFT JOIN people p ON p.id = h.recorded_by
         WHERE h.placement_id = ?1 ORDER BY h.rowid",
        placement_id,
    )
    .await?;
    let saves: Vec<SaveRow> = rows(
        db,
        "SELECT s.entry_id, s.session_id, s.date, s.engagement, s.incidents, s.strategies, s.note,
                s.recorded_by AS by_id, p.name AS by_name, s.device_time, s.received_at
         FROM progress_saves s LEFT JOIN people p ON p.id = s.recorded_by
         WHERE s.placement_id = ?1 ORDER BY s.rowid",
        placement_id,
    )
    .await?;
    let reviews: Vec<ReviewRow> = rows(
        db,
        "SELECT r.reading_age, r.english_level, r.maths_level, r.commentary,
                r.written_by AS by_id, p.name AS by_name, r.written_at
         FROM reviews r LEFT JOIN people p ON p.id = r.written_by
         WHERE r.placement_id = ?1 ORDER BY r.written_at, r.rowid",
        placement_id,
    )
    .await?;

    let mut record_marks = marks
        .iter()
        .map(|m| {
            Ok(RecordMark {
                session: key(&m.session_id)?,
                date: day(&m.date)?,
                kind: m.kind.clone(),
                minutes_late: m.minutes_late,
                reason: m.reason.clone(),
                half_day: m.half_day.clone(),
                ap_code: m.ap_code.clone(),
                school_code: m.school_code.clone(),
                marked_by: person(&m.by_id, &m.by_name),
                device_time: instant(&m.device_time)?,
                received_at: instant(&m.received_at)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    record_marks.sort_by(|a, b| {
        (a.date, &a.session, a.device_time, a.received_at).cmp(&(
            b.date,
            &b.session,
            b.device_time,
            b.received_at,
        ))
    });
    let mut record_handovers = handovers
        .iter()
        .map(|h| {
            Ok(RecordHandover {
                session: key(&h.session_id)?,
                date: day(&h.date)?,
                kind: h.kind.clone(),
                recorded_by: person(&h.by_id, &h.by_name),
                device_time: instant(&h.device_time)?,
                received_at: instant(&h.received_at)?,
                latitude: h.latitude,
                longitude: h.longitude,
                accuracy_m: h.accuracy_m,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    record_handovers.sort_by(|a, b| {
        (a.date, &a.session, a.device_time, &a.kind).cmp(&(
            b.date,
            &b.session,
            b.device_time,
            &b.kind,
        ))
    });
    let mut versions = saves
        .iter()
        .map(|s| {
            let bad = |_| corrupt("progress");
            Ok((
                s.entry_id.clone(),
                RecordProgress {
                    entry: String::new(),
                    session: key(&s.session_id)?,
                    date: day(&s.date)?,
                    engagement: lt_core::progress::Engagement::new(s.engagement)
                        .ok_or_else(|| corrupt("engagement"))?,
                    incidents: serde_json::from_str(&s.incidents).map_err(bad)?,
                    strategies: serde_json::from_str(&s.strategies).map_err(bad)?,
                    note: s.note.clone(),
                    recorded_by: person(&s.by_id, &s.by_name),
                    device_time: instant(&s.device_time)?,
                    received_at: instant(&s.received_at)?,
                },
            ))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    versions.sort_by(|(_, a), (_, b)| {
        (a.date, &a.session, a.device_time, a.received_at).cmp(&(
            b.date,
            &b.session,
            b.device_time,
            b.received_at,
        ))
    });
    // Entries are named in the order they first appear, not by their ids.
    let mut entry_keys: BTreeMap<String, String> = BTreeMap::new();
    let progress = versions
        .into_iter()
        .map(|(entry_id, mut v)| {
            let next = format!("e{}", entry_keys.len() + 1);
            v.entry = entry_keys.entry(entry_id).or_insert(next).clone();
            v
        })
        .collect();

    Ok(RecordContent {
        pupil: RecordPupil {
            first_name: head.first_name.clone(),
            last_name: head.last_name.clone(),
            date_of_birth: day(&head.date_of_birth)?,
            upn: head.upn.clone(),
        },
        placement: RecordPlacement {
            commissioner: RecordOrganisation {
                name: head.commissioner_name.clone(),
                kind: organisation_kind(&head.commissioner_kind)?,
            },
            tier: head.tier.clone(),
            state: head.state.clone(),
            start_date: day(&head.start_date)?,
            end_date: opt_day(&head.end_date)?,
            end_reason: head.end_reason.clone(),
            ended_on: opt_day(&head.ended_on)?,
            events: events
                .iter()
                .map(|e| {
                    Ok(RecordEvent {
                        from_state: e.from_state.clone(),
                        to_state: e.to_state.clone(),
                        comment: e.comment.clone(),
                        by: person(&e.actor_id, &e.actor_name),
                        at: instant(&e.at)?,
                    })
                })
                .collect::<ApiResult<_>>()?,
        },
        baseline: baseline
            .iter()
            .map(|b| {
                Ok(RecordBaselineEntry {
                    field: b.field.clone(),
                    value: serde_json::from_str(&b.value).map_err(|_| corrupt("baseline"))?,
                    source: b.source.clone(),
                    entered_by: person(&b.entered_by, &b.entered_by_name),
                    organisation: match (&b.org_name, &b.org_kind) {
                        (Some(name), Some(kind)) => Some(RecordOrganisation {
                            name: name.clone(),
                            kind: organisation_kind(kind)?,
                        }),
                        _ => None,
                    },
                    entered_at: instant(&b.entered_at)?,
                })
            })
            .collect::<ApiResult<_>>()?,
        sessions: sessions
            .iter()
            .map(|s| {
                Ok(RecordSession {
                    key: key(&s.id)?,
                    weekday: s.weekday,
                    start_time: s.start_time.clone(),
                    end_time: s.end_time.clone(),
                    venue: s.venue.clone(),
                    tutor: person(&s.tutor_id, &s.tutor_name),
                    escort: person(&s.escort_id, &s.escort_name),
                    pickup_place: s.pickup_place.clone(),
                    pickup_time: s.pickup_time.clone(),
                    valid_from: opt_day(&s.valid_from)?,
                    valid_until: opt_day(&s.valid_until)?,
                    changes: changes
                        .iter()
                        .filter(|c| c.session_id == s.id)
                        .map(|c| {
                            Ok(RecordSessionChange {
                                date: day(&c.date)?,
                                cancelled: c.cancelled != 0,
                                start_time: c.start_time.clone(),
                                end_time: c.end_time.clone(),
                                reason: c.reason.clone(),
                            })
                        })
                        .collect::<ApiResult<_>>()?,
                })
            })
            .collect::<ApiResult<_>>()?,
        marks: record_marks,
        handovers: record_handovers,
        progress,
        reviews: reviews
            .iter()
            .map(|r| {
                Ok(RecordReview {
                    reading_age: r.reading_age.clone(),
                    english_level: r.english_level.clone(),
                    maths_level: r.maths_level.clone(),
                    commentary: r.commentary.clone(),
                    written_by: person(&r.by_id, &r.by_name),
                    written_at: instant(&r.written_at)?,
                })
            })
            .collect::<ApiResult<_>>()?,
    })
}

const HEAD: &str = "SELECT p.ap_id, a.name AS ap_name, c.name AS commissioner_name,
        c.kind AS commissioner_kind, p.tier, p.state, p.start_date, p.end_date, p.end_reason,
        p.ended_on, pu.first_name, pu.last_name, pu.date_of_birth, pu.upn
    FROM placements p JOIN pupils pu ON pu.id = p.pupil_id
    JOIN organisations a ON a.id = p.ap_id JOIN organisations c ON c.id = p.commissioner_id
    WHERE p.id = ?1";

pub async fn export(
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let head: Head = query!(db, HEAD, placement_id)?
        .first(None)
        .await?
        .ok_or_else(placements::not_found)?;
    let access = caller
        .principal
        .placement(PlacementRef {
            id: placement_id,
            ap_id: &head.ap_id,
        })
        .ok_or_else(placements::not_found)?;
    if !access.manages {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "the whole record, safeguarding included, is for the AP's admins and DSLs",
        ));
    }
    let audit = audit.for_ap(&head.ap_id);
    // The reads are written down before the record leaves.
    db.batch(vec![
        audit.entry(db, "safeguarding.read", "placement", placement_id, &[])?,
        audit.entry(db, "record.exported", "placement", placement_id, &[])?,
    ])
    .await?;
    let content = content(db, placement_id, &head).await?;
    let alerts: Vec<AlertRow> = rows(
        db,
        "SELECT kind, date, raised_at, acknowledged_at, closed_at, outcome, note
         FROM alerts WHERE placement_id = ?1 ORDER BY raised_at",
        placement_id,
    )
    .await?;
    let access_log: Vec<AccessRow> = rows(
        db,
        "SELECT a.at, a.actor_id, p.name AS actor_name, a.action, a.changes
         FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id
         WHERE a.subject_id = ?1 ORDER BY a.id",
        placement_id,
    )
    .await?;
    let record = PupilRecord {
        schema: PUPIL_RECORD_SCHEMA.to_owned(),
        exported_at: audit.at,
        held_by: head.ap_name.clone(),
        content,
        alerts: alerts
            .iter()
            .map(|a| {
                Ok(RecordAlert {
                    kind: a.kind.clone(),
                    date: day(&a.date)?,
                    raised_at: instant(&a.raised_at)?,
                    acknowledged_at: a.acknowledged_at.as_deref().map(instant).transpose()?,
                    closed_at: a.closed_at.as_deref().map(instant).transpose()?,
                    outcome: a.outcome.clone(),
                    note: a.note.clone(),
                })
            })
            .collect::<ApiResult<_>>()?,
        access_log: access_log
            .iter()
            .map(|a| {
                Ok(RecordAccess {
                    at: instant(&a.at)?,
                    by: person(&a.actor_id, &a.actor_name),
                    action: a.action.clone(),
                    changes: serde_json::from_str(&a.changes).unwrap_or(Value::Null),
                })
            })
            .collect::<ApiResult<_>>()?,
    };
    Ok(http::json(200, &record))
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

/// An organisation of that name and kind, made when this LearnTrek has none.
async fn organisation(
    db: &D1Database,
    org: &RecordOrganisation,
    now: DateTime<Utc>,
    made: &mut Vec<D1PreparedStatement>,
    known: &mut BTreeMap<(String, String), String>,
) -> ApiResult<String> {
    let kind = org.kind.as_str().to_owned();
    if let Some(id) = known.get(&(org.name.clone(), kind.clone())) {
        return Ok(id.clone());
    }
    let found: Option<IdRow> = query!(
        db,
        "SELECT id FROM organisations WHERE name = ?1 AND kind = ?2 ORDER BY created_at LIMIT 1",
        &org.name,
        &kind
    )?
    .first(None)
    .await?;
    let id = match found {
        Some(r) => r.id,
        None => {
            let id = ids::new_id("org")?;
            made.push(query!(
                db,
                "INSERT INTO organisations (id, kind, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                &id,
                &kind,
                &org.name,
                &clock::stamp(now)
            )?);
            id
        }
    };
    known.insert((org.name.clone(), kind), id.clone());
    Ok(id)
}

pub async fn import(
    req: &mut Request,
    db: &D1Database,
    manager: &ApManager,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let record: PupilRecord =
        http::read_json_up_to(req, lt_core::records::MAX_RECORD_BYTES).await?;
    lt_core::records::check(&record)?;
    let c = &record.content;
    let ap_id = manager.ap_id();
    let now = audit.at;
    let stamp = clock::stamp;
    let origin = format!("import-{}", audit.request_id);

    // People keep their ids when they are on this LearnTrek; otherwise the
    // rows say nobody rather than point at someone else.
    let mut named: Vec<String> = Vec::new();
    let mut note = |p: &Option<RecordPerson>| {
        if let Some(p) = p {
            named.push(p.id.clone());
        }
    };
    c.placement.events.iter().for_each(|e| note(&e.by));
    c.baseline.iter().for_each(|b| note(&b.entered_by));
    c.sessions.iter().for_each(|s| {
        note(&s.tutor);
        note(&s.escort);
    });
    c.marks.iter().for_each(|m| note(&m.marked_by));
    c.handovers.iter().for_each(|h| note(&h.recorded_by));
    c.progress.iter().for_each(|p| note(&p.recorded_by));
    c.reviews.iter().for_each(|r| note(&r.written_by));
    let list = serde_json::to_string(&named).unwrap_or_else(|_| "[]".into());
    let present: Vec<IdRow> = query!(
        db,
        "SELECT id FROM people WHERE id IN (SELECT value FROM json_each(?1))",
        &list
    )?
    .all()
    .await?
    .results()?;
    let present: HashSet<String> = present.into_iter().map(|r| r.id).collect();
    let who = |p: &Option<RecordPerson>| -> JsValue {
        p.as_ref()
            .filter(|p| present.contains(&p.id))
            .map_or(JsValue::NULL, |p| JsValue::from_str(&p.id))
    };

    let mut batch = Vec::new();
    let mut orgs = BTreeMap::new();
    let commissioner =
        organisation(db, &c.placement.commissioner, now, &mut batch, &mut orgs).await?;
    let pupil_id = ids::new_id("pupil")?;
    let placement_id = ids::new_id("placement")?;
    batch.push(query!(
        db,
        "INSERT INTO pupils (id, ap_id, first_name, last_name, date_of_birth, upn, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &pupil_id,
        ap_id,
        &c.pupil.first_name,
        &c.pupil.last_name,
        &c.pupil.date_of_birth.to_string(),
        &c.pupil.upn,
        &stamp(now)
    )?);
    let p = &c.placement;
    batch.push(query!(
        db,
        "INSERT INTO placements (id, ap_id, pupil_id, commissioner_id, tier, state, start_date,
                                 end_date, end_reason, ended_on, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        &placement_id,
        ap_id,
        &pupil_id,
        &commissioner,
        &p.tier,
        &p.state,
        &p.start_date.to_string(),
        &p.end_date.map(|d| d.to_string()),
        &p.end_reason,
        &p.ended_on.map(|d| d.to_string()),
        &stamp(now)
    )?);
    for e in &p.events {
        batch.push(
            db.prepare(
                "INSERT INTO placement_events (id, placement_id, from_state, to_state, comment,
                                               actor_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(&[
                ids::new_id("event")?.into(),
                placement_id.as_str().into(),
                e.from_state.as_str().into(),
                e.to_state.as_str().into(),
                e.comment
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str),
                who(&e.by),
                stamp(e.at).into(),
            ])?,
        );
    }
    for b in &c.baseline {
        let org = match &b.organisation {
            Some(o) => JsValue::from_str(&organisation(db, o, now, &mut batch, &mut orgs).await?),
            None => JsValue::NULL,
        };
        batch.push(
            db.prepare(
                "INSERT INTO baseline_entries (placement_id, field, value, source, entered_by,
                                               organisation_id, entered_at, request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .bind(&[
                placement_id.as_str().into(),
                b.field.as_str().into(),
                b.value.to_string().into(),
                b.source.as_str().into(),
                who(&b.entered_by),
                org,
                stamp(b.entered_at).into(),
                origin.as_str().into(),
            ])?,
        );
    }
    let mut sessions: BTreeMap<&str, String> = BTreeMap::new();
    let mut venues: BTreeMap<&str, String> = BTreeMap::new();
    for s in &c.sessions {
        let venue = match venues.get(s.venue.as_str()) {
            Some(v) => v.clone(),
            None => {
                let found: Option<IdRow> = query!(
                    db,
                    "SELECT id FROM venues WHERE ap_id = ?1 AND name = ?2 LIMIT 1",
                    ap_id,
                    &s.venue
                )?
                .first(None)
                .await?;
                let id = match found {
                    Some(r) => r.id,
                    None => {
                        let id = ids::new_id("venue")?;
                        batch.push(query!(
                            db,
                            "INSERT INTO venues (id, ap_id, name, address) VALUES (?1, ?2, ?3, ?4)",
                            &id,
                            ap_id,
                            &s.venue,
                            "(from an imported record)"
                        )?);
                        id
                    }
                };
                venues.insert(&s.venue, id.clone());
                id
            }
        };
        let id = ids::new_id("session")?;
        batch.push(
            db.prepare(
                "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id,
                                       tutor_id, escort_id, pickup_place, pickup_time, valid_from,
                                       valid_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .bind(&[
                id.as_str().into(),
                placement_id.as_str().into(),
                s.weekday.into(),
                s.start_time.as_str().into(),
                s.end_time.as_str().into(),
                venue.as_str().into(),
                who(&s.tutor),
                who(&s.escort),
                s.pickup_place
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str),
                s.pickup_time
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str),
                s.valid_from.map_or(JsValue::NULL, |d| d.to_string().into()),
                s.valid_until
                    .map_or(JsValue::NULL, |d| d.to_string().into()),
            ])?,
        );
        for ch in &s.changes {
            batch.push(
                db.prepare(
                    "INSERT INTO session_changes (session_id, date, cancelled, start_time, end_time,
                                                  reason, changed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .bind(&[
                    id.as_str().into(),
                    ch.date.to_string().into(),
                    u8::from(ch.cancelled).into(),
                    ch.start_time.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                    ch.end_time.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                    ch.reason.as_str().into(),
                    stamp(now).into(),
                ])?,
            );
        }
        sessions.insert(&s.key, id);
    }
    let session = |key: &str| -> ApiResult<JsValue> {
        sessions
            .get(key)
            .map(|id| JsValue::from_str(id))
            .ok_or_else(|| corrupt("session key"))
    };
    for m in &c.marks {
        batch.push(
            db.prepare(
                "INSERT INTO marks (id, session_id, date, placement_id, kind, minutes_late, reason,
                                    half_day, ap_code, school_code, marked_by, device_time,
                                    received_at, request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )
            .bind(&[
                ids::new_id("mark")?.into(),
                session(&m.session)?,
                m.date.to_string().into(),
                placement_id.as_str().into(),
                m.kind.as_str().into(),
                m.minutes_late.map_or(JsValue::NULL, JsValue::from),
                m.reason.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                m.half_day.as_str().into(),
                m.ap_code.as_str().into(),
                m.school_code.as_str().into(),
                who(&m.marked_by),
                stamp(m.device_time).into(),
                stamp(m.received_at).into(),
                origin.as_str().into(),
            ])?,
        );
    }
    for h in &c.handovers {
        batch.push(
            db.prepare(
                "INSERT INTO handovers (id, session_id, date, placement_id, kind, recorded_by,
                                        device_time, received_at, latitude, longitude, accuracy_m,
                                        request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .bind(&[
                ids::new_id("handover")?.into(),
                session(&h.session)?,
                h.date.to_string().into(),
                placement_id.as_str().into(),
                h.kind.as_str().into(),
                who(&h.recorded_by),
                stamp(h.device_time).into(),
                stamp(h.received_at).into(),
                h.latitude.map_or(JsValue::NULL, JsValue::from),
                h.longitude.map_or(JsValue::NULL, JsValue::from),
                h.accuracy_m.map_or(JsValue::NULL, JsValue::from),
                origin.as_str().into(),
            ])?,
        );
    }
    let mut entries: BTreeMap<&str, String> = BTreeMap::new();
    for v in &c.progress {
        let entry = match entries.get(v.entry.as_str()) {
            Some(e) => e.clone(),
            None => {
                let e = ids::new_id("entry")?;
                entries.insert(&v.entry, e.clone());
                e
            }
        };
        batch.push(
            db.prepare(
                "INSERT INTO progress_saves (id, entry_id, session_id, date, placement_id,
                                             engagement, incidents, strategies, note, recorded_by,
                                             device_time, received_at, request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .bind(&[
                ids::new_id("save")?.into(),
                entry.as_str().into(),
                session(&v.session)?,
                v.date.to_string().into(),
                placement_id.as_str().into(),
                v.engagement.point().into(),
                serde_json::to_string(&v.incidents)
                    .unwrap_or_default()
                    .into(),
                serde_json::to_string(&v.strategies)
                    .unwrap_or_default()
                    .into(),
                v.note.as_str().into(),
                who(&v.recorded_by),
                stamp(v.device_time).into(),
                stamp(v.received_at).into(),
                origin.as_str().into(),
            ])?,
        );
    }
    for r in &c.reviews {
        batch.push(
            db.prepare(
                "INSERT INTO reviews (id, placement_id, reading_age, english_level, maths_level,
                                      commentary, written_by, written_at, request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(&[
                ids::new_id("review")?.into(),
                placement_id.as_str().into(),
                r.reading_age
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str),
                r.english_level
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str),
                r.maths_level
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str),
                r.commentary.as_str().into(),
                who(&r.written_by),
                stamp(r.written_at).into(),
                origin.as_str().into(),
            ])?,
        );
    }
    batch.push(audit.entry(
        db,
        "record.imported",
        "placement",
        &placement_id,
        &[
            Change::set("from", record.held_by.clone()),
            Change::set("exported_at", stamp(record.exported_at)),
        ],
    )?);
    // One batch: the record comes in whole or not at all.
    db.batch(batch).await?;
    Ok(http::json(201, &RecordImported { placement_id }))
}
