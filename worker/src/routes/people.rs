//! Who holds access to an AP's data, and taking it away.

use lt_core::access::{ApManager, Role};
use lt_core::api::{ErrorCode, PeopleList, Person, PersonGrant};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Response, query};

use crate::audit::{AuditContext, Change};
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
struct Row {
    person_id: String,
    name: String,
    email: String,
    role: String,
    organisation_id: String,
    organisation_name: String,
    is_dsl: u8,
    placements: String,
}

async fn rows(db: &D1Database, ap_id: &str, person_id: Option<&str>) -> ApiResult<Vec<Row>> {
    Ok(query!(
        db,
        "SELECT g.person_id, p.name, p.email, g.role, g.organisation_id, o.name AS organisation_name, g.is_dsl,
                (SELECT json_group_array(s.placement_id) FROM grant_scopes s
                 WHERE s.person_id = g.person_id AND s.ap_id = g.ap_id AND s.role = g.role) AS placements
         FROM grants g JOIN people p ON p.id = g.person_id JOIN organisations o ON o.id = g.organisation_id
         WHERE g.ap_id = ?1 AND (?2 IS NULL OR g.person_id = ?2)
         ORDER BY p.name, p.id, g.role",
        ap_id,
        &person_id
    )?
    .all()
    .await?
    .results()?)
}

pub async fn list(db: &D1Database, manager: &ApManager) -> ApiResult<Response> {
    let mut people: Vec<Person> = Vec::new();
    for row in rows(db, manager.ap_id(), None).await? {
        let Some(role) = Role::parse(&row.role) else {
            continue;
        };
        let grant = PersonGrant {
            role,
            organisation_id: row.organisation_id,
            organisation_name: row.organisation_name,
            is_dsl: row.is_dsl != 0,
            placement_ids: serde_json::from_str(&row.placements).unwrap_or_default(),
        };
        match people.last_mut() {
            Some(last) if last.person_id == row.person_id => last.grants.push(grant),
            _ => people.push(Person {
                person_id: row.person_id,
                name: row.name,
                email: row.email,
                grants: vec![grant],
            }),
        }
    }
    Ok(http::json(200, &PeopleList { people }))
}

pub async fn remove(
    db: &D1Database,
    manager: &ApManager,
    person_id: &str,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let held = rows(db, manager.ap_id(), Some(person_id)).await?;
    if held.is_empty() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "there is no such person at this AP",
        ));
    }
    let roles: Vec<Role> = held.iter().filter_map(|r| Role::parse(&r.role)).collect();
    manager.may_remove(person_id, &roles)?;
    let removed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    db.batch(vec![
        query!(
            db,
            "DELETE FROM grant_scopes WHERE person_id = ?1 AND ap_id = ?2",
            person_id,
            manager.ap_id()
        )?,
        query!(
            db,
            "DELETE FROM grants WHERE person_id = ?1 AND ap_id = ?2",
            person_id,
            manager.ap_id()
        )?,
        // What they may see changed: every sign-in of theirs starts again.
        query!(db, "DELETE FROM sign_ins WHERE person_id = ?1", person_id)?,
        audit.entry(
            db,
            "person.access_removed",
            "person",
            person_id,
            &[Change {
                field: "roles".into(),
                old: Some(removed.join(",")),
                new: None,
            }],
        )?,
    ])
    .await?;
    Ok(http::no_content())
}
