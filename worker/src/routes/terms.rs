//! The AP's term dates: sessions happen only inside a term.

use lt_core::access::ApManager;
use lt_core::api::{Term, Terms};
use lt_core::timetable_edits::check_terms;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use crate::audit::{AuditContext, Change};
use crate::error::{ApiError, ApiResult};
use crate::{http, ids};

#[derive(Deserialize)]
struct Row {
    name: String,
    starts: String,
    ends: String,
}

async fn load(db: &D1Database, ap_id: &str) -> ApiResult<Terms> {
    let rows: Vec<Row> = query!(
        db,
        "SELECT name, starts, ends FROM term_dates WHERE ap_id = ?1 ORDER BY starts",
        ap_id
    )?
    .all()
    .await?
    .results()?;
    let date = |t: &str| {
        t.parse()
            .map_err(|_| ApiError::Unexpected(format!("term of {ap_id}: bad date {t}")))
    };
    let terms = rows
        .iter()
        .map(|r| {
            Ok(Term {
                name: r.name.clone(),
                starts: date(&r.starts)?,
                ends: date(&r.ends)?,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Terms { terms })
}

pub async fn get(db: &D1Database, manager: &ApManager) -> ApiResult<Response> {
    Ok(http::json(200, &load(db, manager.ap_id()).await?))
}

pub async fn save(
    req: &mut Request,
    db: &D1Database,
    manager: &ApManager,
    audit: &AuditContext,
) -> ApiResult<Response> {
    let body: Terms = http::read_json(req).await?;
    check_terms(&body.terms)?;
    let mut statements = vec![query!(
        db,
        "DELETE FROM term_dates WHERE ap_id = ?1",
        manager.ap_id()
    )?];
    for t in &body.terms {
        let term_id = ids::new_id("term")?;
        statements.push(query!(
            db,
            "INSERT INTO term_dates (id, ap_id, name, starts, ends) VALUES (?1, ?2, ?3, ?4, ?5)",
            &term_id,
            manager.ap_id(),
            t.name.trim(),
            &t.starts.to_string(),
            &t.ends.to_string()
        )?);
    }
    let summary: Vec<String> = body
        .terms
        .iter()
        .map(|t| format!("{} {}–{}", t.name.trim(), t.starts, t.ends))
        .collect();
    statements.push(audit.entry(
        db,
        "ap.terms_set",
        "ap",
        manager.ap_id(),
        &[Change::set("terms", summary.join("; "))],
    )?);
    db.batch(statements).await?;
    Ok(http::json(200, &load(db, manager.ap_id()).await?))
}
