//! Placements: the list a person may see, one placement narrowed to what the
//! caller may see, and recording a referral.

use chrono::{DateTime, NaiveDate, Utc};
use lt_core::access::{ApManager, PlacementAccess, PlacementRef};
use lt_core::api::{
    ContactSide, DesignatedContact, ErrorCode, NewPlacement, PlacementDetail, PlacementEvent,
    PlacementList, PlacementListItem, PlacementState, SafeguardingFlags, Source,
};
use lt_core::domain::Tier;
use lt_core::gate::view::missing_count;
use lt_core::gate::{self, EndReason, Transition, may_edit_baseline};
use lt_core::london;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::baseline::{self, Author};
use crate::error::{ApiError, ApiResult};
use crate::{http, ids};

/// A placement as stored, with the names the screens show.
#[derive(Deserialize)]
pub struct Row {
    pub id: String,
    pub ap_id: String,
    ap_name: String,
    first_name: String,
    last_name: String,
    date_of_birth: String,
    tier: String,
    state: String,
    start_date: String,
    end_date: Option<String>,
    end_reason: Option<String>,
    ended_on: Option<String>,
    pub commissioner_id: String,
    commissioner_name: String,
}

impl Row {
    pub fn state(&self) -> ApiResult<PlacementState> {
        PlacementState::parse(&self.state)
            .ok_or_else(|| ApiError::Unexpected(format!("placement {}: bad state", self.id)))
    }

    fn date(&self, text: &str) -> ApiResult<NaiveDate> {
        text.parse()
            .map_err(|_| ApiError::Unexpected(format!("placement {}: bad date {text}", self.id)))
    }

    /// Start and planned end.
    pub fn dates(&self) -> ApiResult<(NaiveDate, Option<NaiveDate>)> {
        Ok((
            self.date(&self.start_date)?,
            self.end_date.as_deref().map(|d| self.date(d)).transpose()?,
        ))
    }

    fn tier(&self) -> ApiResult<Tier> {
        Tier::parse(&self.tier)
            .ok_or_else(|| ApiError::Unexpected(format!("placement {}: bad tier", self.id)))
    }
}

const SELECT: &str =
    "SELECT p.id, p.ap_id, a.name AS ap_name, pu.first_name, pu.last_name, pu.date_of_birth,
        p.tier, p.state, p.start_date, p.end_date, p.end_reason, p.ended_on,
        p.commissioner_id, c.name AS commissioner_name
    FROM placements p
    JOIN pupils pu ON pu.id = p.pupil_id
    JOIN organisations a ON a.id = p.ap_id
    JOIN organisations c ON c.id = p.commissioner_id";

pub(super) fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "there is no such placement in your account",
    )
}

/// The placement and what the caller may do with it. Out of scope and
/// nonexistent look the same (404).
pub async fn find(db: &D1Database, caller: &Caller, id: &str) -> ApiResult<(Row, PlacementAccess)> {
    let row: Option<Row> = query!(db, &format!("{SELECT} WHERE p.id = ?1"), id)?
        .first(None)
        .await?;
    let row = row.ok_or_else(not_found)?;
    let access = caller
        .principal
        .placement(PlacementRef {
            id: &row.id,
            ap_id: &row.ap_id,
        })
        .ok_or_else(not_found)?;
    Ok((row, access))
}

#[derive(Deserialize)]
struct EventRow {
    at: String,
    by_name: Option<String>,
    from_state: String,
    to_state: String,
    comment: Option<String>,
}

/// The placement as `access` may see it, reading the safeguarding section
/// (and auditing the read in the same batch) only for those allowed.
pub async fn detail(
    db: &D1Database,
    row: Row,
    access: &PlacementAccess,
    audit: &AuditContext,
    today: NaiveDate,
) -> ApiResult<PlacementDetail> {
    let entries = baseline::entries(db, &row.id).await?;
    let current = baseline::current(&entries);
    let has_safeguarding = current
        .iter()
        .any(|(k, v)| k.starts_with("safeguarding.") && !v.is_null());
    let safeguarding = if access.safeguarding && has_safeguarding {
        // The read and its audit entry go to D1 together: no read without a trace.
        let results = db
            .batch(vec![
                audit.entry(db, "safeguarding.read", "placement", &row.id, &[])?,
                query!(
                    db,
                    "SELECT e.field, e.value FROM baseline_entries e
                     WHERE e.placement_id = ?1 AND e.field LIKE 'safeguarding.%'
                       AND e.id = (SELECT MAX(id) FROM baseline_entries
                                   WHERE placement_id = e.placement_id AND field = e.field)",
                    &row.id
                )?,
            ])
            .await?;
        let rows: Vec<(String, Value)> = results
            .get(1)
            .map(|r| r.results::<FieldValue>())
            .transpose()?
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| Some((f.field, serde_json::from_str(&f.value).ok()?)))
            .collect();
        Some(flags(&rows))
    } else if access.safeguarding {
        Some(SafeguardingFlags::default())
    } else {
        None
    };
    let events: Vec<EventRow> = query!(
        db,
        "SELECT e.at, p.name AS by_name, e.from_state, e.to_state, e.comment
         FROM placement_events e LEFT JOIN people p ON p.id = e.actor_id
         WHERE e.placement_id = ?1 ORDER BY e.at, e.id",
        &row.id
    )?
    .all()
    .await?
    .results()?;
    let contacts = contacts(db, &row.id).await?;
    let state = row.state()?;
    let start_date = row.date(&row.start_date)?;
    let steps = [
        Transition::Submit,
        Transition::Accept,
        Transition::Return,
        Transition::End,
    ]
    .into_iter()
    .filter(|t| t.allowed_for(access) && t.apply(state, 0).is_ok())
    .collect();
    let corrupt = |what: &str| ApiError::Unexpected(format!("placement {}: bad {what}", row.id));
    Ok(PlacementDetail {
        date_of_birth: row.date(&row.date_of_birth)?,
        start_date,
        end_date: row.end_date.as_deref().map(|d| row.date(d)).transpose()?,
        ended_on: row.ended_on.as_deref().map(|d| row.date(d)).transpose()?,
        end_reason: row
            .end_reason
            .as_deref()
            .map(|r| EndReason::parse(r).ok_or_else(|| corrupt("end reason")))
            .transpose()?,
        tier: row.tier()?,
        state,
        missing: missing_count(&current),
        gate_overdue: is_overdue(state, start_date, today),
        editable: may_edit_baseline(access, state),
        steps,
        safeguarding_withheld: !access.safeguarding && has_safeguarding,
        safeguarding,
        events: events
            .into_iter()
            .map(|e| {
                Ok(PlacementEvent {
                    at: e.at.parse().map_err(|_| corrupt("event time"))?,
                    by: e.by_name,
                    from_state: PlacementState::parse(&e.from_state)
                        .ok_or_else(|| corrupt("event"))?,
                    to_state: PlacementState::parse(&e.to_state).ok_or_else(|| corrupt("event"))?,
                    comment: e.comment,
                })
            })
            .collect::<ApiResult<_>>()?,
        contacts,
        id: row.id,
        ap_id: row.ap_id,
        ap_name: row.ap_name,
        pupil_first_name: row.first_name,
        pupil_last_name: row.last_name,
        commissioner_id: row.commissioner_id,
        commissioner_name: row.commissioner_name,
    })
}

#[derive(Deserialize)]
struct ContactRow {
    person_id: String,
    name: String,
    organisation: String,
    side: String,
}

async fn contacts(db: &D1Database, placement_id: &str) -> ApiResult<Vec<DesignatedContact>> {
    let rows: Vec<ContactRow> = query!(
        db,
        "SELECT d.person_id, p.name, COALESCE(
                    (SELECT o.name FROM grants g JOIN organisations o ON o.id = g.organisation_id
                     WHERE g.person_id = d.person_id AND g.ap_id = pl.ap_id LIMIT 1), '') AS organisation,
                d.side
         FROM designated_contacts d JOIN people p ON p.id = d.person_id
         JOIN placements pl ON pl.id = d.placement_id
         WHERE d.placement_id = ?1 ORDER BY d.side, p.name",
        placement_id
    )?
    .all()
    .await?
    .results()?;
    Ok(rows
        .into_iter()
        .map(|r| DesignatedContact {
            person_id: r.person_id,
            name: r.name,
            organisation: r.organisation,
            side: if r.side == "ap" {
                ContactSide::Ap
            } else {
                ContactSide::Commissioner
            },
        })
        .collect())
}

#[derive(Deserialize)]
struct FieldValue {
    field: String,
    value: String,
}

fn flags(current: &[(String, Value)]) -> SafeguardingFlags {
    let get = |k: &str| {
        current
            .iter()
            .find(|(f, _)| f == &format!("safeguarding.{k}"))
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null)
    };
    SafeguardingFlags {
        child_protection_plan: get("child_protection_plan").as_bool().unwrap_or(false),
        child_in_need: get("child_in_need").as_bool().unwrap_or(false),
        looked_after: get("looked_after").as_bool().unwrap_or(false),
        known_risks: get("known_risks").as_str().map(str::to_owned),
        not_to_collect: serde_json::from_value(get("not_to_collect")).unwrap_or_default(),
    }
}

/// The start date has come and the placement has not started.
fn is_overdue(state: PlacementState, start: NaiveDate, today: NaiveDate) -> bool {
    matches!(state, PlacementState::Referred | PlacementState::Submitted) && start <= today
}

pub async fn get(
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
    now: DateTime<Utc>,
) -> ApiResult<Response> {
    let (row, access) = find(db, caller, id).await?;
    let audit = audit.for_ap(access.ap_id());
    let detail = detail(db, row, &access, &audit, london::local_date(now)).await?;
    Ok(http::json(200, &detail))
}

#[derive(Deserialize)]
struct ListRow {
    id: String,
    ap_id: String,
    ap_name: String,
    first_name: String,
    last_name: String,
    tier: String,
    state: String,
    start_date: String,
    end_date: Option<String>,
    commissioner_name: String,
    answered: String,
}

/// Every placement the caller may see: all of an AP for its staff, the
/// invited ones for everyone else. Escorts see none (their view is the run).
pub async fn list(db: &D1Database, caller: &Caller, now: DateTime<Utc>) -> ApiResult<Response> {
    let (staff_aps, scoped) = caller.principal.placement_scope();
    let json = |list: &[&str]| JsValue::from_str(&serde_json::to_string(list).unwrap_or_default());
    let rows: Vec<ListRow> = db
        .prepare(
            "SELECT p.id, p.ap_id, a.name AS ap_name, pu.first_name, pu.last_name, p.tier, p.state,
                    p.start_date, p.end_date, c.name AS commissioner_name,
                    (SELECT json_group_array(e.field) FROM baseline_entries e
                     WHERE e.placement_id = p.id AND e.value <> 'null'
                       AND e.id = (SELECT MAX(id) FROM baseline_entries
                                   WHERE placement_id = e.placement_id AND field = e.field)) AS answered
             FROM placements p
             JOIN pupils pu ON pu.id = p.pupil_id
             JOIN organisations a ON a.id = p.ap_id
             JOIN organisations c ON c.id = p.commissioner_id
             WHERE p.ap_id IN (SELECT value FROM json_each(?1))
                OR p.id IN (SELECT value FROM json_each(?2))
             ORDER BY p.state = 'ended', p.start_date DESC, pu.last_name, pu.first_name",
        )
        .bind(&[json(&staff_aps), json(&scoped)])?
        .all()
        .await?
        .results()?;
    let today = london::local_date(now);
    let mut placements = Vec::new();
    for r in rows {
        let corrupt = |what: &str| ApiError::Unexpected(format!("placement {}: bad {what}", r.id));
        let state = PlacementState::parse(&r.state).ok_or_else(|| corrupt("state"))?;
        let start_date: NaiveDate = r.start_date.parse().map_err(|_| corrupt("start"))?;
        let answered: Vec<String> = serde_json::from_str(&r.answered).unwrap_or_default();
        let current: Vec<(String, Value)> = answered
            .into_iter()
            .map(|f| (f, Value::Bool(true)))
            .collect();
        placements.push(PlacementListItem {
            tier: Tier::parse(&r.tier).ok_or_else(|| corrupt("tier"))?,
            end_date: r
                .end_date
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|_| corrupt("end"))?,
            missing: missing_count(&current),
            gate_overdue: is_overdue(state, start_date, today),
            state,
            start_date,
            id: r.id,
            ap_id: r.ap_id,
            ap_name: r.ap_name,
            pupil_first_name: r.first_name,
            pupil_last_name: r.last_name,
            commissioner_name: r.commissioner_name,
        });
    }
    Ok(http::json(200, &PlacementList { placements }))
}

#[derive(Deserialize)]
struct Commissioner {
    kind: String,
}

/// Records a referral: the pupil, a referred placement, and the identity
/// values it came with as the baseline's first entries.
pub async fn create(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    manager: &ApManager,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let referral: NewPlacement = http::read_json(req).await?;
    let today = london::local_date(audit.at);
    let identity = gate::referral::check(&referral, today)?;
    let commissioner: Option<Commissioner> = query!(
        db,
        "SELECT kind FROM organisations WHERE id = ?1",
        &referral.commissioner_id
    )?
    .first(None)
    .await?;
    if !commissioner.is_some_and(|c| c.kind == "school" || c.kind == "la") {
        return Err(lt_core::api::ErrorDetail::invalid(
            "commissioner_id",
            "choose a school or a local authority that LearnTrek knows",
        )
        .into());
    }
    let pupil_id = ids::new_id("pupil")?;
    let placement_id = ids::new_id("placement")?;
    let at = crate::clock::stamp(audit.at);
    let upn = identity
        .iter()
        .find(|(k, _)| k == "identity.upn")
        .and_then(|(_, v)| v.as_str().map(str::to_owned));
    let mut statements = vec![
        query!(
            db,
            "INSERT INTO pupils (id, ap_id, first_name, last_name, date_of_birth, upn, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &pupil_id,
            manager.ap_id(),
            referral.first_name.trim(),
            referral.last_name.trim(),
            &referral.date_of_birth.to_string(),
            &upn,
            &at
        )?,
        query!(
            db,
            "INSERT INTO placements (id, ap_id, pupil_id, commissioner_id, tier, state, start_date,
                                     end_date, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'referred', ?6, ?7, ?8)",
            &placement_id,
            manager.ap_id(),
            &pupil_id,
            &referral.commissioner_id,
            referral.tier.as_str(),
            &referral.start_date.to_string(),
            &referral.end_date.map(|d| d.to_string()),
            &at
        )?,
        audit.entry(
            db,
            "placement.referred",
            "placement",
            &placement_id,
            &[
                Change::set("tier", referral.tier.as_str()),
                Change::set("start_date", referral.start_date.to_string()),
                Change::set("commissioner_id", referral.commissioner_id.clone()),
            ],
        )?,
    ];
    let author = Author {
        audit,
        organisation_id: Some(manager.ap_id()),
        source: Source::Typed,
    };
    statements.extend(baseline::append(db, &placement_id, &author, &identity)?);
    db.batch(statements).await?;
    let (row, access) = find(db, caller, &placement_id).await?;
    Ok(http::json(
        201,
        &detail(db, row, &access, audit, today).await?,
    ))
}
