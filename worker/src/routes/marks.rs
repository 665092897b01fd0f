//! Registers: `PUT /api/marks/{mark_id}`. Idempotent on the device's id; a
//! mark is refused, naming the problem, unless the caller may register this
//! session, the placement is active and the session takes place that day.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use lt_core::access::{PlacementRef, Role};
use lt_core::api::{Endpoint, ErrorCode, ErrorDetail, HandoverRequest, MarkRecord, MarkRequest};
use lt_core::attendance::{self, AbsenceReason, HalfDay, Mark, MarkKind, Stamped};
use lt_core::domain::OrganisationKind;
use lt_core::gate::PlacementState;
use lt_core::timetable;
use serde::Deserialize;
use worker::d1::{D1Database, D1PreparedStatement, D1Result};
use worker::{Request, Response, query};

use super::timetable as timetable_route;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http};

/// How early a register may be taken: a tutor greets a pupil before the start.
const OPENS_BEFORE_START: Duration = Duration::minutes(60);

#[derive(Deserialize)]
pub(super) struct SessionRow {
    pub(super) placement_id: String,
    pub(super) ap_id: String,
    state: String,
    commissioner_kind: String,
    tutor_id: Option<String>,
    pub(super) escort_id: Option<String>,
    /// With that date's one-off change, if any (cancelled, or other times).
    #[serde(flatten)]
    times: timetable_route::SessionTimes,
}

#[derive(Deserialize)]
pub(crate) struct MarkRow {
    pub(crate) id: String,
    pub(super) session_id: String,
    pub(super) date: String,
    placement_id: String,
    kind: String,
    pub(super) minutes_late: Option<u32>,
    pub(super) reason: Option<String>,
    half_day: String,
    pub(super) ap_code: String,
    school_code: String,
    pub(super) marked_by: Option<String>,
    pub(super) device_time: String,
    received_at: String,
}

pub(super) fn corrupt(what: &str) -> ApiError {
    ApiError::Unexpected(format!("marks: bad {what}"))
}

impl MarkRow {
    fn mark(&self) -> ApiResult<Mark> {
        let kind = MarkKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?;
        let reason = self
            .reason
            .as_deref()
            .map(|r| AbsenceReason::parse(r).ok_or_else(|| corrupt("reason")))
            .transpose()?;
        attendance::read_mark(kind, self.minutes_late, reason).map_err(|_| corrupt("mark"))
    }

    pub(crate) fn stamped(&self) -> ApiResult<Stamped> {
        Ok(Stamped {
            mark: self.mark()?,
            device_time: self.device_time.parse().map_err(|_| corrupt("time"))?,
            received_at: self.received_at.parse().map_err(|_| corrupt("time"))?,
        })
    }

    fn record(self, current: bool) -> ApiResult<MarkRecord> {
        Ok(MarkRecord {
            kind: MarkKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?,
            reason: self.reason.as_deref().and_then(AbsenceReason::parse),
            half_day: if self.half_day == "AM" {
                HalfDay::Am
            } else {
                HalfDay::Pm
            },
            date: self.date.parse().map_err(|_| corrupt("date"))?,
            device_time: self.device_time.parse().map_err(|_| corrupt("time"))?,
            received_at: self.received_at.parse().map_err(|_| corrupt("time"))?,
            id: self.id,
            session_id: self.session_id,
            placement_id: self.placement_id,
            minutes_late: self.minutes_late,
            ap_code: self.ap_code,
            school_code: self.school_code,
            marked_by: self.marked_by,
            current,
        })
    }
}

pub(super) const MARK_COLUMNS: &str =
    "m.id, m.session_id, m.date, m.placement_id, m.kind, m.minutes_late, m.reason,
    m.half_day, m.ap_code, m.school_code, p.name AS marked_by, m.device_time, m.received_at";

/// Every mark of one session on one date, and which of them counts.
pub(crate) async fn occurrence_marks(
    db: &D1Database,
    session_id: &str,
    date: &str,
) -> ApiResult<(Vec<MarkRow>, Option<String>)> {
    let rows: Vec<MarkRow> = occurrence_marks_query(db, session_id, date)?
        .all()
        .await?
        .results()?;
    with_current(rows)
}

fn occurrence_marks_query(
    db: &D1Database,
    session_id: &str,
    date: &str,
) -> ApiResult<D1PreparedStatement> {
    Ok(query!(
        db,
        &format!(
            "SELECT {MARK_COLUMNS} FROM marks m LEFT JOIN people p ON p.id = m.marked_by
             WHERE m.session_id = ?1 AND m.date = ?2 ORDER BY m.received_at, m.id"
        ),
        session_id,
        date
    )?)
}

/// The occurrence's marks and which of them counts.
fn with_current(rows: Vec<MarkRow>) -> ApiResult<(Vec<MarkRow>, Option<String>)> {
    let stamped = rows
        .iter()
        .map(|row| Ok((row.id.clone(), row.stamped()?)))
        .collect::<ApiResult<Vec<_>>>()?;
    let current = attendance::current(stamped).map(|(id, _)| id);
    Ok((rows, current))
}

/// Whether this caller may take this session's register: the AP's staff,
/// or the tutor it is assigned to. Schools, LAs and escorts may not.
pub(super) fn may_register(caller: &Caller, ap_id: &str, tutor_id: Option<&str>) -> bool {
    caller.principal.grants.iter().any(|g| {
        g.ap_id == ap_id
            && (g.role.is_ap_staff()
                || (g.role == Role::OffSiteTutor
                    && tutor_id == Some(caller.principal.person_id.as_str())))
    })
}

pub(super) fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Conflict, message)
}

/// One occurrence of a session, found for a caller who may see it, on an
/// active placement, on a date it takes place.
pub(super) struct Found {
    pub(super) session: SessionRow,
    pub(super) occurrence: timetable::Occurrence,
}

/// What a caller wants to record for an occurrence.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Purpose {
    Register,
    HandOver,
}

/// A tap's body (a mark or a hand-over), read before the gate so that the
/// session it names is read in the sign-in's round trip: on the morning's
/// busiest write that saves one. A fault in the body is still answered after
/// the gate's refusals, as on any other route.
pub(crate) enum Tap {
    Mark(ApiResult<MarkRequest>),
    Handover(ApiResult<HandoverRequest>),
}

impl Tap {
    pub(crate) async fn read(endpoint: Endpoint, req: &mut Request) -> Option<Tap> {
        match endpoint {
            Endpoint::PutMark => Some(Tap::Mark(http::read_json(req).await)),
            Endpoint::PutHandover => Some(Tap::Handover(http::read_json(req).await)),
            _ => None,
        }
    }

    /// What [`find_occurrence`] will read, when the body names a session.
    pub(crate) fn reads(&self, db: &D1Database) -> ApiResult<Vec<D1PreparedStatement>> {
        let names = match self {
            Tap::Mark(Ok(body)) => Some((&body.session_id, body.date)),
            Tap::Handover(Ok(body)) => Some((&body.session_id, body.date)),
            _ => None,
        };
        match names {
            Some((session_id, date)) => Ok(occurrence_reads(db, session_id, date)?.into()),
            None => Ok(Vec::new()),
        }
    }
}

/// The session (with that date's one-off change) and its AP's terms.
fn occurrence_reads(
    db: &D1Database,
    session_id: &str,
    date: NaiveDate,
) -> ApiResult<[D1PreparedStatement; 2]> {
    let session = query!(
        db,
        &format!(
            "SELECT s.placement_id, p.ap_id, p.state, c.kind AS commissioner_kind, s.tutor_id,
                    s.escort_id, {}
             FROM sessions s JOIN placements p ON p.id = s.placement_id
             JOIN organisations c ON c.id = p.commissioner_id
             LEFT JOIN session_changes sc ON sc.session_id = s.id AND sc.date = ?2
             WHERE s.id = ?1",
            timetable_route::SESSION_TIMES
        ),
        session_id,
        &date.to_string()
    )?;
    Ok([session, timetable_route::terms_of_session(db, session_id)?])
}

/// Finds the occurrence a mark or a hand-over is for, refusing (in this
/// order) a session out of the caller's sight (404), a caller who may not
/// record it (403), a placement not active and a date it does not take place (409).
/// `read` holds [`occurrence_reads`]' results when they were made already.
pub(super) async fn find_occurrence(
    db: &D1Database,
    caller: &Caller,
    session_id: &str,
    date: NaiveDate,
    purpose: Purpose,
    read: Vec<D1Result>,
) -> ApiResult<Found> {
    let mut read = read.into_iter();
    let (session, terms) = match (read.next(), read.next()) {
        (Some(session), Some(terms)) => (session, terms),
        _ => {
            let [session, terms] = occurrence_reads(db, session_id, date)?;
            crate::db::both(db, session, terms).await?
        }
    };
    let terms: Vec<timetable_route::TermRow> = terms.results()?;
    let session: Option<SessionRow> = session.results()?.into_iter().next();
    // A session out of the caller's sight looks like one that does not
    // exist: they must see its placement or teach it, or, for a hand-over,
    // escort its run (an escort never sees a register).
    let me = Some(caller.principal.person_id.as_str());
    let session = session
        .filter(|s| {
            let placement = PlacementRef {
                id: &s.placement_id,
                ap_id: &s.ap_id,
            };
            caller.principal.placement(placement).is_some()
                || s.tutor_id.as_deref() == me
                || (purpose == Purpose::HandOver && s.escort_id.as_deref() == me)
        })
        .ok_or_else(|| {
            ApiError::from(ErrorDetail {
                code: ErrorCode::NotFound,
                message: "there is no such session in your account".into(),
                field: Some("session_id".into()),
            })
        })?;
    let (allowed, refusal) = match purpose {
        Purpose::Register => (
            may_register(caller, &session.ap_id, session.tutor_id.as_deref()),
            "you are not assigned to this session; only its tutor and the AP's staff take its register",
        ),
        Purpose::HandOver => (
            super::handovers::may_hand_over(caller, &session.ap_id, session.escort_id.as_deref()),
            "you are not this session's escort; only its escort and the AP's staff confirm its run",
        ),
    };
    if !allowed {
        return Err(ApiError::new(ErrorCode::Forbidden, refusal));
    }
    if PlacementState::parse(&session.state) != Some(PlacementState::Active) {
        return Err(conflict(
            "the placement is not active yet: its transition baseline must be accepted before registers are taken",
        ));
    }
    let terms = timetable_route::terms_from(&terms)?;
    let occurrence = session.times.occurrence_on(session_id, date, &terms)?;
    let occurrence = occurrence.ok_or_else(|| {
        conflict(format!(
            "this session does not take place on {} (not its day, out of term, or cancelled)",
            date.format("%-d %B %Y")
        ))
    })?;
    Ok(Found {
        session,
        occurrence,
    })
}

/// The answer to a write under a device-made id: 201 with the new record;
/// for an id already taken, the first answer again (200) when it is the same
/// tap replayed, and 409 when it is a different one, which is refused rather
/// than lost.
pub(super) fn answer_tap<T: serde::Serialize>(
    fresh: bool,
    same_tap: bool,
    record: &T,
    what: &str,
) -> ApiResult<Response> {
    match (fresh, same_tap) {
        (true, _) => Ok(http::json(201, record)),
        (false, true) => Ok(http::json(200, record)),
        (false, false) => Err(conflict(format!(
            "this {what} id was already used for a different one; make a new id"
        ))),
    }
}

/// `body` and `read` come from the [`Tap`] read before the gate.
pub async fn put(
    body: ApiResult<MarkRequest>,
    read: Vec<D1Result>,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    received: DateTime<Utc>,
    request_id: &str,
) -> ApiResult<(Response, Option<String>)> {
    lt_core::api::check_device_id(id, "mark_id")?;
    let body = body?;
    let mark = attendance::read_mark(body.kind, body.minutes_late, body.reason)?;
    let Found {
        session,
        occurrence,
    } = find_occurrence(
        db,
        caller,
        &body.session_id,
        body.date,
        Purpose::Register,
        read,
    )
    .await?;
    if received < occurrence.starts_at - OPENS_BEFORE_START {
        return Err(conflict(
            "this session's register is not open yet: it opens an hour before the start",
        ));
    }
    attendance::check_device_time(body.device_time, received)?;
    let half = HalfDay::of(lt_core::london::local_time(occurrence.starts_at));
    let commissioner =
        OrganisationKind::parse(&session.commissioner_kind).unwrap_or(OrganisationKind::School);
    let codes = attendance::codes(mark, half, commissioner);
    let insert = query!(
        db,
        "INSERT INTO marks (id, session_id, date, placement_id, kind, minutes_late, reason, half_day,
                            ap_code, school_code, marked_by, device_time, received_at, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO NOTHING",
        id,
        &body.session_id,
        &body.date.to_string(),
        &session.placement_id,
        body.kind.as_str(),
        &body.minutes_late,
        &body.reason.map(|r| r.as_str()),
        half.as_str(),
        codes.ap,
        codes.school,
        &caller.principal.person_id,
        &clock::stamp(body.device_time),
        &clock::stamp(received),
        request_id
    )?;
    // The write and one read in a single round trip: the occurrence's marks
    // hold this one (and say which counts) unless the id was first used for
    // another occurrence.
    let read = occurrence_marks_query(db, &body.session_id, &body.date.to_string())?;
    let (written, marks) = crate::db::both(db, insert, read).await?;
    let fresh = crate::db::wrote(&written);
    let (rows, current) = with_current(marks.results()?)?;
    let is_current = current.as_deref() == Some(id);
    let row = rows.into_iter().find(|r| r.id == id);
    let row = match (row, fresh) {
        (Some(row), true) => row,
        (None, true) => return Err(ApiError::Unexpected(format!("mark {id} vanished"))),
        // The id is taken: a replay of the same mark gets the first answer; a
        // different mark under a used id is refused rather than lost.
        (Some(row), false) if row.mark()? == mark => row,
        _ => {
            return Err(conflict(
                "this mark id was already used for a different mark; make a new id",
            ));
        }
    };
    let status = if fresh { 201 } else { 200 };
    let changed_ap = fresh.then_some(session.ap_id);
    Ok((http::json(status, &row.record(is_current)?), changed_ap))
}
