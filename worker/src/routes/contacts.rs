//! The designated contacts of a placement: who its alerts go to, at the AP
//! and at the commissioning school or LA.

use lt_core::api::{ErrorCode, ErrorDetail, SetContacts};
use lt_core::london;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use super::placements::{detail, find};
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
struct Candidate {
    role: String,
    organisation_id: String,
    scoped: u8,
}

pub async fn set(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = find(db, caller, id).await?;
    if !access.manages {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the AP's admin or DSL can choose who alerts go to",
        ));
    }
    let audit = audit.for_ap(&row.ap_id);
    let body: SetContacts = http::read_json(req).await?;
    if body.person_ids.len() > 10 {
        return Err(ErrorDetail::invalid("person_ids", "at most 10 contacts").into());
    }
    let mut rows = Vec::new();
    for (i, person) in body.person_ids.iter().enumerate() {
        if body.person_ids[..i].contains(person) {
            continue;
        }
        let held: Vec<Candidate> = query!(
            db,
            "SELECT g.role, g.organisation_id,
                    EXISTS (SELECT 1 FROM grant_scopes s WHERE s.person_id = g.person_id
                            AND s.ap_id = g.ap_id AND s.role = g.role AND s.placement_id = ?3) AS scoped
             FROM grants g WHERE g.person_id = ?1 AND g.ap_id = ?2",
            person,
            &row.ap_id,
            id
        )?
        .all()
        .await?
        .results()?;
        // AP staff on the AP's side; the commissioner's own invited staff on theirs.
        let side = held.iter().find_map(|g| match g.role.as_str() {
            "ap_admin" | "dsl" | "ap_practitioner" => Some("ap"),
            "school_staff" | "la_commissioner"
                if g.organisation_id == row.commissioner_id && g.scoped != 0 =>
            {
                Some("commissioner")
            }
            _ => None,
        });
        let side = side.ok_or_else(|| {
            ErrorDetail::invalid(
                format!("person_ids[{i}]"),
                "a contact must be AP staff, or staff of the commissioner invited for this pupil",
            )
        })?;
        rows.push((person.clone(), side));
    }
    let mut statements = vec![query!(
        db,
        "DELETE FROM designated_contacts WHERE placement_id = ?1",
        id
    )?];
    for (person, side) in &rows {
        statements.push(query!(
            db,
            "INSERT INTO designated_contacts (placement_id, person_id, side) VALUES (?1, ?2, ?3)",
            id,
            person,
            side
        )?);
    }
    let named: Vec<String> = rows.iter().map(|(p, _)| p.clone()).collect();
    statements.push(audit.entry(
        db,
        "placement.contacts_set",
        "placement",
        id,
        &[Change::set("person_ids", named.join(","))],
    )?);
    db.batch(statements).await?;
    let (row, access) = find(db, caller, id).await?;
    let today = london::local_date(audit.at);
    Ok(http::json(
        200,
        &detail(db, row, &access, &audit, today).await?,
    ))
}
