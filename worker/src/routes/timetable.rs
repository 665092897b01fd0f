//! A placement's timetable: reading it with the next fortnight's occurrences,
//! and the AP's edits (add or take off a weekly session, change one date).

use chrono::{Duration, NaiveDate, Weekday};
use lt_core::access::PlacementAccess;
use lt_core::api::{
    Choice, ErrorCode, ErrorDetail, NewSession, SessionChange, SessionSlot, Timetable,
    UpcomingSession,
};
use lt_core::gate::PlacementState;
use lt_core::timetable::{self, Calendar, WeeklySession};
use lt_core::{london, timetable_edits};
use serde::Deserialize;
use worker::d1::{D1Database, D1PreparedStatement};
use worker::{Request, Response, query};

use super::placements::{Row as PlacementRow, find};
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::db::{date, time};
use crate::error::{ApiError, ApiResult};
use crate::{alerts, clock, http, ids};

/// How far ahead the timetable lists occurrences.
const UPCOMING_DAYS: i64 = 14;

#[derive(Deserialize)]
struct SlotRow {
    id: String,
    weekday: u8,
    start_time: String,
    end_time: String,
    venue_id: String,
    venue_name: String,
    tutor_id: Option<String>,
    tutor_name: Option<String>,
    escort_id: Option<String>,
    escort_name: Option<String>,
    pickup_place: Option<String>,
    pickup_time: Option<String>,
    valid_until: Option<String>,
}

#[derive(Deserialize)]
pub struct ChangeRow {
    pub session_id: String,
    pub date: String,
    pub cancelled: u8,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub reason: String,
}

impl ChangeRow {
    /// A change read through a LEFT JOIN beside its session: present when
    /// `cancelled` is (the column is NOT NULL in `session_changes`).
    pub fn joined(
        session_id: &str,
        date: NaiveDate,
        cancelled: Option<u8>,
        start_time: &Option<String>,
        end_time: &Option<String>,
        reason: &Option<String>,
    ) -> Option<ChangeRow> {
        cancelled.map(|cancelled| ChangeRow {
            session_id: session_id.to_owned(),
            date: date.to_string(),
            cancelled,
            start_time: start_time.clone(),
            end_time: end_time.clone(),
            reason: reason.clone().unwrap_or_default(),
        })
    }
}

#[derive(Deserialize)]
pub struct TermRow {
    pub starts: String,
    pub ends: String,
}

#[derive(Deserialize)]
struct ChoiceRow {
    id: String,
    name: String,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("timetable: bad {what}"))
}

/// The AP's terms as inclusive date ranges.
pub async fn terms(db: &D1Database, ap_id: &str) -> ApiResult<Vec<(NaiveDate, NaiveDate)>> {
    let rows: Vec<TermRow> = query!(
        db,
        "SELECT starts, ends FROM term_dates WHERE ap_id = ?1 ORDER BY starts",
        ap_id
    )?
    .all()
    .await?
    .results()?;
    terms_from(&rows)
}

/// The terms of the AP a session belongs to, to read in the same batch as the session.
pub fn terms_of_session(db: &D1Database, session_id: &str) -> ApiResult<D1PreparedStatement> {
    Ok(query!(
        db,
        "SELECT starts, ends FROM term_dates WHERE ap_id =
           (SELECT p.ap_id FROM sessions s JOIN placements p ON p.id = s.placement_id WHERE s.id = ?1)
         ORDER BY starts",
        session_id
    )?)
}

pub fn terms_from(rows: &[TermRow]) -> ApiResult<Vec<(NaiveDate, NaiveDate)>> {
    rows.iter()
        .map(|t| Ok((date(&t.starts)?, date(&t.ends)?)))
        .collect()
}

/// The calendar one weekly session runs by: the placement's dates, the
/// AP's terms, its own end and its one-off changes.
pub fn calendar(
    starts: NaiveDate,
    ends: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    terms: &[(NaiveDate, NaiveDate)],
    changes: &[&ChangeRow],
) -> ApiResult<Calendar> {
    let mut calendar = Calendar {
        starts: Some(starts),
        ends: match (ends, valid_until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        },
        terms: terms.to_vec(),
        ..Calendar::default()
    };
    for c in changes {
        let day = date(&c.date)?;
        if c.cancelled != 0 {
            calendar.cancelled.push(day);
        } else if let (Some(s), Some(e)) = (&c.start_time, &c.end_time) {
            calendar.moved.push((day, time(s)?, time(e)?));
        }
    }
    Ok(calendar)
}

/// A weekly session's times and dates as stored, with one date's change
/// read beside it (`LEFT JOIN session_changes … AS change_*`): what its
/// occurrence that day is computed from. Rows that carry these columns
/// flatten this in.
#[derive(Deserialize)]
pub struct SessionTimes {
    pub weekday: u8,
    pub start_time: String,
    pub end_time: String,
    /// The placement's dates.
    pub start_date: String,
    pub end_date: Option<String>,
    pub valid_until: Option<String>,
    pub change_cancelled: Option<u8>,
    pub change_start: Option<String>,
    pub change_end: Option<String>,
    pub change_reason: Option<String>,
}

/// The columns of [`SessionTimes`], for a SELECT over `sessions s`,
/// `placements p` and `session_changes sc`.
pub const SESSION_TIMES: &str = "s.weekday, s.start_time, s.end_time, p.start_date, p.end_date,
    s.valid_until, sc.cancelled AS change_cancelled, sc.start_time AS change_start,
    sc.end_time AS change_end, sc.reason AS change_reason";

impl SessionTimes {
    /// The session on `date`, if it takes place then (its day, in term,
    /// inside the placement's dates, not cancelled), at that day's times.
    pub fn occurrence_on(
        &self,
        session_id: &str,
        date: NaiveDate,
        terms: &[(NaiveDate, NaiveDate)],
    ) -> ApiResult<Option<timetable::Occurrence>> {
        let weekly = WeeklySession {
            weekday: weekday(self.weekday)?,
            start: time(&self.start_time)?,
            end: time(&self.end_time)?,
        };
        let change = ChangeRow::joined(
            session_id,
            date,
            self.change_cancelled,
            &self.change_start,
            &self.change_end,
            &self.change_reason,
        );
        let calendar = calendar(
            self::date(&self.start_date)?,
            self.end_date.as_deref().map(self::date).transpose()?,
            self.valid_until.as_deref().map(self::date).transpose()?,
            terms,
            &change.iter().collect::<Vec<_>>(),
        )?;
        Ok(timetable::occurrence(&weekly, date, &calendar))
    }
}

/// Each AP's terms, read once however many of its sessions are looked at.
#[derive(Default)]
pub struct TermsByAp(std::collections::HashMap<String, Vec<(NaiveDate, NaiveDate)>>);

impl TermsByAp {
    pub async fn of(
        &mut self,
        db: &D1Database,
        ap_id: &str,
    ) -> ApiResult<&[(NaiveDate, NaiveDate)]> {
        if !self.0.contains_key(ap_id) {
            self.0.insert(ap_id.to_owned(), terms(db, ap_id).await?);
        }
        Ok(self.0.get(ap_id).map_or(&[][..], Vec::as_slice))
    }
}

fn weekday(n: u8) -> ApiResult<Weekday> {
    Weekday::try_from(n.wrapping_sub(1)).map_err(|_| corrupt("weekday"))
}

async fn build(
    db: &D1Database,
    placement: &PlacementRow,
    access: &PlacementAccess,
    today: NaiveDate,
) -> ApiResult<Timetable> {
    let slots: Vec<SlotRow> = query!(
        db,
        "SELECT s.id, s.weekday, s.start_time, s.end_time, s.venue_id, v.name AS venue_name,
                s.tutor_id, t.name AS tutor_name, s.escort_id, e.name AS escort_name,
                s.pickup_place, s.pickup_time, s.valid_until
         FROM sessions s JOIN venues v ON v.id = s.venue_id
         LEFT JOIN people t ON t.id = s.tutor_id LEFT JOIN people e ON e.id = s.escort_id
         WHERE s.placement_id = ?1 ORDER BY s.weekday, s.start_time",
        &placement.id
    )?
    .all()
    .await?
    .results()?;
    let until = today + Duration::days(UPCOMING_DAYS - 1);
    let changes: Vec<ChangeRow> = query!(
        db,
        "SELECT c.session_id, c.date, c.cancelled, c.start_time, c.end_time, c.reason
         FROM session_changes c JOIN sessions s ON s.id = c.session_id
         WHERE s.placement_id = ?1 AND c.date BETWEEN ?2 AND ?3",
        &placement.id,
        &today.to_string(),
        &until.to_string()
    )?
    .all()
    .await?
    .results()?;
    let terms = terms(db, &placement.ap_id).await?;
    let (starts, ends) = placement.dates()?;
    let mut upcoming = Vec::new();
    let mut sessions = Vec::new();
    for slot in slots {
        let valid_until = slot.valid_until.as_deref().map(date).transpose()?;
        let weekly = WeeklySession {
            weekday: weekday(slot.weekday)?,
            start: time(&slot.start_time)?,
            end: time(&slot.end_time)?,
        };
        let own: Vec<&ChangeRow> = changes.iter().filter(|c| c.session_id == slot.id).collect();
        if placement.state()? == PlacementState::Active {
            // Cancelled dates are listed too, marked, so nobody waits for them.
            let open = calendar(starts, ends, valid_until, &terms, &[])?;
            let changed = calendar(starts, ends, valid_until, &terms, &own)?;
            for o in timetable::occurrences(&weekly, today, until, &open) {
                let change = own.iter().find(|c| c.date == o.date.to_string());
                let shown = timetable::occurrence(&weekly, o.date, &changed).unwrap_or(o);
                upcoming.push(UpcomingSession {
                    session_id: slot.id.clone(),
                    date: o.date,
                    starts_at: shown.starts_at,
                    ends_at: shown.ends_at,
                    starts_local: london::clock(shown.starts_at),
                    ends_local: london::clock(shown.ends_at),
                    venue_name: slot.venue_name.clone(),
                    cancelled: change.is_some_and(|c| c.cancelled != 0),
                    change_reason: change.map(|c| c.reason.clone()),
                });
            }
        }
        sessions.push(SessionSlot {
            id: slot.id,
            weekday: slot.weekday,
            start_time: slot.start_time,
            end_time: slot.end_time,
            venue_id: slot.venue_id,
            venue_name: slot.venue_name,
            tutor_id: slot.tutor_id,
            tutor_name: slot.tutor_name,
            escort_id: slot.escort_id,
            escort_name: slot.escort_name,
            pickup_place: slot.pickup_place,
            pickup_time: slot.pickup_time,
            valid_until,
        });
    }
    upcoming.sort_by_key(|u| u.starts_at);
    let editable = access.manages && placement.state()? != PlacementState::Ended;
    let (venues, tutors, escorts) = if editable {
        let choose = |sql: &'static str| async move {
            let rows: Vec<ChoiceRow> = query!(db, sql, &placement.ap_id)?.all().await?.results()?;
            Ok::<_, ApiError>(
                rows.into_iter()
                    .map(|r| Choice {
                        id: r.id,
                        name: r.name,
                    })
                    .collect::<Vec<_>>(),
            )
        };
        (
            choose("SELECT id, name FROM venues WHERE ap_id = ?1 ORDER BY name").await?,
            choose(
                "SELECT DISTINCT p.id, p.name FROM grants g JOIN people p ON p.id = g.person_id
                 WHERE g.ap_id = ?1 AND g.role IN ('off_site_tutor', 'ap_practitioner') ORDER BY p.name",
            )
            .await?,
            choose(
                "SELECT DISTINCT p.id, p.name FROM grants g JOIN people p ON p.id = g.person_id
                 WHERE g.ap_id = ?1 AND g.role = 'taxi_escort' ORDER BY p.name",
            )
            .await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    Ok(Timetable {
        placement_id: placement.id.clone(),
        editable,
        sessions,
        upcoming,
        venues,
        tutors,
        escorts,
    })
}

pub async fn get(
    db: &D1Database,
    caller: &Caller,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Response> {
    let (row, access) = find(db, caller, id).await?;
    let timetable = build(db, &row, &access, london::local_date(now)).await?;
    Ok(http::json(200, &timetable))
}

/// The placement, if the caller may edit its timetable.
async fn editable(
    db: &D1Database,
    caller: &Caller,
    id: &str,
) -> ApiResult<(PlacementRow, PlacementAccess)> {
    let (row, access) = find(db, caller, id).await?;
    if !access.manages {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the AP's admin or DSL can change the timetable",
        ));
    }
    if row.state()? == PlacementState::Ended {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the placement has ended; its timetable is kept as it was",
        ));
    }
    Ok((row, access))
}

#[derive(Deserialize)]
struct Held {
    role: String,
}

/// Whether `person_id` holds one of `roles` at this AP.
async fn holds(db: &D1Database, ap_id: &str, person_id: &str, roles: &[&str]) -> ApiResult<bool> {
    let held: Vec<Held> = query!(
        db,
        "SELECT role FROM grants WHERE ap_id = ?1 AND person_id = ?2",
        ap_id,
        person_id
    )?
    .all()
    .await?
    .results()?;
    Ok(held.iter().any(|h| roles.contains(&h.role.as_str())))
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

pub async fn add(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = editable(db, caller, id).await?;
    let audit = audit.for_ap(&row.ap_id);
    let new: NewSession = http::read_json(req).await?;
    timetable_edits::check_new_session(&new)?;
    let venue: Option<ChoiceRow> = query!(
        db,
        "SELECT id, name FROM venues WHERE id = ?1 AND ap_id = ?2",
        &new.venue_id,
        &row.ap_id
    )?
    .first(None)
    .await?;
    if venue.is_none() {
        return Err(ErrorDetail::invalid("venue_id", "choose one of the AP's venues").into());
    }
    let tutor = blank_to_none(&new.tutor_id);
    let escort = blank_to_none(&new.escort_id);
    let people = [
        (
            &tutor,
            "tutor_id",
            &["off_site_tutor", "ap_practitioner"][..],
            "choose a tutor or practitioner of the AP",
        ),
        (
            &escort,
            "escort_id",
            &["taxi_escort"][..],
            "choose one of the AP's taxi escorts",
        ),
    ];
    for (person, field, roles, why) in people {
        let Some(person) = person else { continue };
        if !holds(db, &row.ap_id, person, roles).await? {
            return Err(ErrorDetail::invalid(field, why).into());
        }
    }
    let session_id = ids::new_id("session")?;
    let mut statements = vec![
        query!(
            db,
            "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id,
                                   escort_id, pickup_place, pickup_time, alert_grace_minutes,
                                   valid_from)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            &session_id,
            id,
            new.weekday,
            new.start_time.trim(),
            new.end_time.trim(),
            &new.venue_id,
            &tutor,
            &escort,
            &blank_to_none(&new.pickup_place),
            &blank_to_none(&new.pickup_time),
            &new.alert_grace_minutes,
            &london::local_date(audit.at).to_string()
        )?,
        audit.entry(
            db,
            "timetable.session_added",
            "placement",
            id,
            &[Change::set("session_id", session_id.clone())],
        )?,
    ];
    // An off-site tutor sees the placements they teach (its record, not safeguarding).
    if let Some(t) = &tutor {
        statements.push(query!(
            db,
            "INSERT INTO grant_scopes (person_id, ap_id, role, placement_id, created_at)
             SELECT ?1, ?2, 'off_site_tutor', ?3, ?4
             WHERE EXISTS (SELECT 1 FROM grants WHERE person_id = ?1 AND ap_id = ?2 AND role = 'off_site_tutor')
             ON CONFLICT DO NOTHING",
            t,
            &row.ap_id,
            id,
            &clock::stamp(audit.at)
        )?);
    }
    db.batch(statements).await?;
    let today = london::local_date(audit.at);
    // Added for today after the cron planned the day: it needs its check.
    alerts::plan::session(db, &session_id, today).await?;
    Ok(http::json(201, &build(db, &row, &access, today).await?))
}

#[derive(Deserialize)]
struct SessionRow {
    weekday: u8,
    start_time: String,
    end_time: String,
    valid_until: Option<String>,
}

async fn session_of(
    db: &D1Database,
    placement_id: &str,
    session_id: &str,
) -> ApiResult<SessionRow> {
    let found: Option<SessionRow> = query!(
        db,
        "SELECT weekday, start_time, end_time, valid_until FROM sessions WHERE id = ?1 AND placement_id = ?2",
        session_id,
        placement_id
    )?
    .first(None)
    .await?;
    found.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "this placement has no such session"))
}

pub async fn remove(
    db: &D1Database,
    caller: &Caller,
    id: &str,
    session_id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = editable(db, caller, id).await?;
    let audit = audit.for_ap(&row.ap_id);
    let session = session_of(db, id, session_id).await?;
    if session.valid_until.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this session is already off the timetable",
        ));
    }
    let today = london::local_date(audit.at);
    db.batch(vec![
        // Today's occurrence stays (it may already be under way); later ones go.
        query!(
            db,
            "UPDATE sessions SET valid_until = ?2 WHERE id = ?1",
            session_id,
            &today.to_string()
        )?,
        audit.entry(
            db,
            "timetable.session_removed",
            "placement",
            id,
            &[Change::set("session_id", session_id)],
        )?,
    ])
    .await?;
    Ok(http::json(200, &build(db, &row, &access, today).await?))
}

pub async fn change(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    session_id: &str,
    on: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = editable(db, caller, id).await?;
    let audit = audit.for_ap(&row.ap_id);
    let session = session_of(db, id, session_id).await?;
    let day: NaiveDate = on
        .parse()
        .map_err(|_| ErrorDetail::invalid("date", "give the date as YYYY-MM-DD"))?;
    let body: SessionChange = http::read_json(req).await?;
    let moved = timetable_edits::check_change(&body)?;
    let today = london::local_date(audit.at);
    if day < today {
        return Err(ErrorDetail::invalid("date", "a session in the past cannot be changed").into());
    }
    let (starts, ends) = row.dates()?;
    let valid_until = session.valid_until.as_deref().map(date).transpose()?;
    let weekly = WeeklySession {
        weekday: weekday(session.weekday)?,
        start: time(&session.start_time)?,
        end: time(&session.end_time)?,
    };
    let terms = terms(db, &row.ap_id).await?;
    let open = calendar(starts, ends, valid_until, &terms, &[])?;
    if timetable::occurrence(&weekly, day, &open).is_none() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "the session does not run on {} (it runs on {}s)",
                day.format("%-d %B %Y"),
                weekly.weekday
            ),
        ));
    }
    let (start, end) = match moved {
        Some((s, e)) => (
            Some(s.format("%H:%M").to_string()),
            Some(e.format("%H:%M").to_string()),
        ),
        None => (None, None),
    };
    db.batch(vec![
        query!(
            db,
            "INSERT INTO session_changes (session_id, date, cancelled, start_time, end_time, reason, changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (session_id, date) DO UPDATE SET cancelled = excluded.cancelled,
                 start_time = excluded.start_time, end_time = excluded.end_time, reason = excluded.reason,
                 changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            session_id,
            &day.to_string(),
            u8::from(body.cancelled),
            &start,
            &end,
            body.reason.trim(),
            &audit.actor_id,
            &clock::stamp(audit.at)
        )?,
        audit.entry(
            db,
            if body.cancelled { "timetable.session_cancelled" } else { "timetable.session_moved" },
            "placement",
            id,
            &[Change::set("session_id", session_id), Change::set("date", day.to_string())],
        )?,
    ])
    .await?;
    // Today's alert check follows the session to its new time.
    if day == today {
        alerts::plan::session(db, session_id, day).await?;
    }
    Ok(http::json(200, &build(db, &row, &access, today).await?))
}
