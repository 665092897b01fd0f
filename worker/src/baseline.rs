//! Reading and appending baseline entries in D1. What they mean (current
//! value, history, who may see what) is decided in `lt_core::gate`.

use lt_core::api::{Provenance, Source};
use lt_core::gate::view::Entry;
use serde::Deserialize;
use serde_json::Value;
use worker::d1::{D1Database, D1PreparedStatement};
use worker::query;

use crate::audit::AuditContext;
use crate::error::{ApiError, ApiResult};

#[derive(Deserialize)]
struct Row {
    id: i64,
    field: String,
    value: String,
    source: String,
    entered_by: Option<String>,
    entered_by_name: Option<String>,
    organisation: Option<String>,
    entered_at: String,
}

/// Every entry of a placement's baseline, oldest first.
pub async fn entries(db: &D1Database, placement_id: &str) -> ApiResult<Vec<Entry>> {
    let rows: Vec<Row> = query!(
        db,
        "SELECT e.id, e.field, e.value, e.source, e.entered_by, p.name AS entered_by_name,
                o.name AS organisation, e.entered_at
         FROM baseline_entries e
         LEFT JOIN people p ON p.id = e.entered_by
         LEFT JOIN organisations o ON o.id = e.organisation_id
         WHERE e.placement_id = ?1
         ORDER BY e.id",
        placement_id
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter()
        .map(|r| {
            let corrupt =
                |what: &str| ApiError::Unexpected(format!("baseline entry {}: bad {what}", r.id));
            Ok(Entry {
                seq: r.id,
                value: serde_json::from_str(&r.value).map_err(|_| corrupt("value"))?,
                provenance: Provenance {
                    entered_by: r.entered_by_name.clone(),
                    organisation: r.organisation.clone(),
                    entered_at: r.entered_at.parse().map_err(|_| corrupt("time"))?,
                    source: Source::parse(&r.source).ok_or_else(|| corrupt("source"))?,
                },
                entered_by_id: r.entered_by,
                field: r.field,
            })
        })
        .collect()
}

/// Each field's current value (its newest entry).
pub fn current(entries: &[Entry]) -> Vec<(String, Value)> {
    let mut latest: Vec<&Entry> = Vec::new();
    for e in entries {
        match latest.iter_mut().find(|l| l.field == e.field) {
            Some(l) if l.seq < e.seq => *l = e,
            Some(_) => {}
            None => latest.push(e),
        }
    }
    latest
        .into_iter()
        .map(|e| (e.field.clone(), e.value.clone()))
        .collect()
}

/// Who is entering values, and how.
pub struct Author<'a> {
    pub audit: &'a AuditContext,
    /// The organisation they enter it for (their own, through their grant).
    pub organisation_id: Option<&'a str>,
    pub source: Source,
}

/// The statements that append `changes` (field id, canonical value), and
/// keep the pupil's name, date of birth and UPN in step with the identity
/// section (a cleared name keeps the last one for lists and registers).
pub fn append(
    db: &D1Database,
    placement_id: &str,
    author: &Author<'_>,
    changes: &[(String, Value)],
) -> ApiResult<Vec<D1PreparedStatement>> {
    let mut statements = Vec::new();
    for (field, value) in changes {
        statements.push(query!(
            db,
            "INSERT INTO baseline_entries (placement_id, field, value, source, entered_by,
                                           organisation_id, entered_at, request_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            placement_id,
            field,
            &value.to_string(),
            author.source.as_str(),
            &author.audit.actor_id,
            &author.organisation_id,
            &crate::clock::stamp(author.audit.at),
            &author.audit.request_id
        )?);
        let column = match field.as_str() {
            "identity.first_name" => "first_name",
            "identity.last_name" => "last_name",
            "identity.date_of_birth" => "date_of_birth",
            "identity.upn" => "upn",
            _ => continue,
        };
        let text = value.as_str().map(str::to_owned);
        // The UPN may be cleared; names and the date of birth keep their last value.
        let set = if column == "upn" {
            format!("{column} = ?2")
        } else {
            format!("{column} = COALESCE(?2, {column})")
        };
        statements.push(query!(
            db,
            &format!(
                "UPDATE pupils SET {set} WHERE id = (SELECT pupil_id FROM placements WHERE id = ?1)"
            ),
            placement_id,
            &text
        )?);
    }
    Ok(statements)
}
