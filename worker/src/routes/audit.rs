//! The audit log, for the AP's admins and DSLs: a filtered page, or CSV.

use lt_core::access::ApManager;
use lt_core::api::{
    AuditChange, AuditEntry, AuditPage, AuditQuery, ErrorDetail, MAX_AUDIT_LIMIT, parse_query,
};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use crate::clock::stamp;
use crate::csv_out::{attachment, cell};
use crate::error::{ApiError, ApiResult};
use crate::http;

const DEFAULT_LIMIT: u32 = 100;
/// The export is for an inspection or a subject access request, not a backup.
const MAX_EXPORT_ROWS: u32 = 100_000;

#[derive(Deserialize)]
struct Row {
    id: i64,
    at: String,
    actor_id: Option<String>,
    actor_name: Option<String>,
    action: String,
    subject_type: String,
    subject_id: String,
    request_id: String,
    changes: String,
}

impl Row {
    fn into_entry(self) -> ApiResult<AuditEntry> {
        Ok(AuditEntry {
            at: self
                .at
                .parse()
                .map_err(|_| ApiError::Unexpected(format!("audit {}: bad time", self.id)))?,
            changes: serde_json::from_str::<Vec<AuditChange>>(&self.changes).unwrap_or_default(),
            id: self.id,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            action: self.action,
            subject_type: self.subject_type,
            subject_id: self.subject_id,
            request_id: self.request_id,
        })
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_ID: i64 = 9_007_199_254_740_991;

fn filters(req: &Request) -> ApiResult<AuditQuery> {
    let url = req.url()?;
    let query: AuditQuery = parse_query(url.query().unwrap_or(""))?;
    if query.limit.is_some_and(|n| n == 0 || n > MAX_AUDIT_LIMIT) {
        return Err(ErrorDetail::invalid(
            "limit",
            format!("choose a limit from 1 to {MAX_AUDIT_LIMIT}"),
        )
        .into());
    }
    // Ids are positive and D1 binds numbers as JavaScript doubles.
    if query
        .before
        .is_some_and(|id| !(1..=MAX_SAFE_ID).contains(&id))
    {
        return Err(
            ErrorDetail::invalid("before", "use the next_before of the previous page").into(),
        );
    }
    Ok(query)
}

async fn rows(db: &D1Database, ap_id: &str, q: &AuditQuery, limit: u32) -> ApiResult<Vec<Row>> {
    Ok(query!(
        db,
        "SELECT a.id, a.at, a.actor_id, p.name AS actor_name, a.action, a.subject_type, a.subject_id,
                a.request_id, a.changes
         FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id
         WHERE a.ap_id = ?1
           AND (?2 IS NULL OR a.action = ?2)
           AND (?3 IS NULL OR a.actor_id = ?3)
           AND (?4 IS NULL OR a.at >= ?4)
           AND (?5 IS NULL OR a.at < ?5)
           AND (?6 IS NULL OR a.id < ?6)
         ORDER BY a.id DESC LIMIT ?7",
        ap_id,
        &q.action,
        &q.actor_id,
        &q.from.map(stamp),
        &q.to.map(stamp),
        &q.before,
        &limit
    )?
    .all()
    .await?
    .results()?)
}

pub async fn list(req: &Request, db: &D1Database, manager: &ApManager) -> ApiResult<Response> {
    let q = filters(req)?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    // One extra row tells whether there is another page.
    let mut rows = rows(db, manager.ap_id(), &q, limit + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_before = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let entries = rows
        .into_iter()
        .map(Row::into_entry)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(http::json(
        200,
        &AuditPage {
            entries,
            next_before,
        },
    ))
}

pub async fn export(req: &Request, db: &D1Database, manager: &ApManager) -> ApiResult<Response> {
    let q = filters(req)?;
    let rows = rows(db, manager.ap_id(), &q, MAX_EXPORT_ROWS).await?;
    let mut out = vec![
        [
            "id",
            "at",
            "actor_id",
            "actor_name",
            "action",
            "subject_type",
            "subject_id",
            "request_id",
            "changes",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for row in rows {
        out.push(vec![
            row.id.to_string(),
            row.at,
            cell(row.actor_id.as_deref().unwrap_or("")),
            cell(row.actor_name.as_deref().unwrap_or("")),
            cell(&row.action),
            cell(&row.subject_type),
            cell(&row.subject_id),
            cell(&row.request_id),
            cell(&row.changes),
        ]);
    }
    let filename = format!(
        "learntrek-audit-{}-{}.csv",
        manager.ap_id(),
        crate::clock::now().format("%Y-%m-%d")
    );
    attachment(out, &filename)
}
