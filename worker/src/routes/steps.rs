//! Moving a placement along: submit, accept, return, end. The rules are
//! `lt_core::gate::Transition`; this writes the step, its event and its
//! audit entry together, and only if nobody moved the placement meanwhile.

use lt_core::api::{EndPlacement, ErrorCode, ReturnBaseline};
use lt_core::gate::Transition;
use lt_core::gate::state::{check_end, check_return_comment};
use lt_core::gate::view::missing_count;
use lt_core::london;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use super::placements::{detail, find};
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::baseline;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http, ids};

pub async fn take(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    step: Transition,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = find(db, caller, id).await?;
    let audit = audit.for_ap(access.ap_id());
    if !step.allowed_for(&access) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            match step {
                Transition::Submit => "only the commissioner or the AP can submit the baseline",
                _ => "only the AP's admin or DSL can do this",
            },
        ));
    }
    let today = london::local_date(audit.at);
    // Read the body before anything is decided, so bad input names its field.
    let (comment, ending) = match step {
        Transition::Return => {
            let body: ReturnBaseline = http::read_json(req).await?;
            (Some(check_return_comment(&body.comment)?), None)
        }
        Transition::End => {
            let body: EndPlacement = http::read_json(req).await?;
            let (on, note) = check_end(&body, today)?;
            (note, Some((body.reason, on)))
        }
        Transition::Submit | Transition::Accept => (None, None),
    };
    let from = row.state()?;
    let current = baseline::current(&baseline::entries(db, id).await?);
    let to = step.apply(from, missing_count(&current))?;
    let update = match ending {
        Some((reason, on)) => query!(
            db,
            "UPDATE placements SET state = ?3, end_reason = ?4, ended_on = ?5
             WHERE id = ?1 AND state = ?2",
            id,
            from.as_str(),
            to.as_str(),
            reason.as_str(),
            &on.to_string()
        )?,
        None => query!(
            db,
            "UPDATE placements SET state = ?3 WHERE id = ?1 AND state = ?2",
            id,
            from.as_str(),
            to.as_str()
        )?,
    };
    // Each statement after the update runs only if the one before it wrote:
    // a step raced by another request leaves no event and no audit entry.
    let event_id = ids::new_id("event")?;
    let event = query!(
        db,
        "INSERT INTO placement_events (id, placement_id, from_state, to_state, comment, actor_id, at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE changes() = 1",
        &event_id,
        id,
        from.as_str(),
        to.as_str(),
        &comment,
        &audit.actor_id,
        &clock::stamp(audit.at)
    )?;
    let mut changes = vec![Change {
        field: "state".into(),
        old: Some(from.as_str().into()),
        new: Some(to.as_str().into()),
    }];
    if let Some((reason, _)) = ending {
        changes.push(Change::set("end_reason", reason.as_str()));
    }
    let changes = serde_json::to_string(&changes).unwrap_or_else(|_| "[]".into());
    let entry = query!(
        db,
        "INSERT INTO audit_log (at, actor_id, ap_id, action, subject_type, subject_id, request_id, changes)
         SELECT ?1, ?2, ?3, ?4, 'placement', ?5, ?6, ?7 WHERE changes() = 1",
        &clock::stamp(audit.at),
        &audit.actor_id,
        &audit.ap_id,
        &format!("placement.{}", step.as_str()),
        id,
        &audit.request_id,
        &changes
    )?;
    let results = db.batch(vec![update, event, entry]).await?;
    let moved = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0);
    if moved == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "someone else changed this placement a moment ago; reload and try again",
        ));
    }
    let (row, access) = find(db, caller, id).await?;
    Ok(http::json(
        200,
        &detail(db, row, &access, &audit, today).await?,
    ))
}
