//! Reviews: the AP's staff say where the pupil is now and what the next
//! school should hear. The Reintegration Export reads them.

use lt_core::api::{ErrorCode, Review, ReviewList, ReviewRequest};
use lt_core::progress;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Request, Response, query};

use super::placements;
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::{clock, http, ids};

#[derive(Deserialize)]
struct Row {
    id: String,
    placement_id: String,
    reading_age: Option<String>,
    english_level: Option<String>,
    maths_level: Option<String>,
    commentary: String,
    written_by: Option<String>,
    written_at: String,
}

impl Row {
    fn review(self) -> ApiResult<Review> {
        Ok(Review {
            written_at: self
                .written_at
                .parse()
                .map_err(|_| ApiError::Unexpected(format!("review {}: bad time", self.id)))?,
            review_id: self.id,
            placement_id: self.placement_id,
            reading_age: self.reading_age,
            english_level: self.english_level,
            maths_level: self.maths_level,
            commentary: self.commentary,
            written_by: self.written_by.unwrap_or_else(|| "(removed)".into()),
        })
    }
}

/// Every review of a placement, newest first.
pub(super) async fn of(db: &D1Database, placement_id: &str) -> ApiResult<Vec<Review>> {
    let rows: Vec<Row> = query!(
        db,
        "SELECT r.id, r.placement_id, r.reading_age, r.english_level, r.maths_level, r.commentary,
                p.name AS written_by, r.written_at
         FROM reviews r LEFT JOIN people p ON p.id = r.written_by
         WHERE r.placement_id = ?1
         ORDER BY r.written_at DESC, r.id DESC",
        placement_id
    )?
    .all()
    .await?
    .results()?;
    rows.into_iter().map(Row::review).collect()
}

pub async fn list(db: &D1Database, caller: &Caller, placement_id: &str) -> ApiResult<Response> {
    placements::find(db, caller, placement_id).await?;
    let reviews = of(db, placement_id).await?;
    Ok(http::json(200, &ReviewList { reviews }))
}

fn trimmed(level: &Option<String>) -> Option<String> {
    level
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
}

pub async fn add(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    placement_id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = placements::find(db, caller, placement_id).await?;
    if !access.may_review() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "reviews are written by the AP's staff and tutors",
        ));
    }
    let body: ReviewRequest = http::read_json(req).await?;
    progress::check_review(&body)?;
    let audit = audit.for_ap(&row.ap_id);
    let id = ids::new_id("review")?;
    let (reading, english, maths) = (
        trimmed(&body.reading_age),
        trimmed(&body.english_level),
        trimmed(&body.maths_level),
    );
    let mut changes = Vec::new();
    for (field, value) in [
        ("reading_age", &reading),
        ("english_level", &english),
        ("maths_level", &maths),
    ] {
        if let Some(v) = value {
            changes.push(Change::set(field, v.clone()));
        }
    }
    // The commentary is the staff's words about a child: the log says it was written, not what.
    if !body.commentary.trim().is_empty() {
        changes.push(Change::set("commentary", "written"));
    }
    db.batch(vec![
        query!(
            db,
            "INSERT INTO reviews (id, placement_id, reading_age, english_level, maths_level,
                                  commentary, written_by, written_at, request_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            &id,
            placement_id,
            &reading,
            &english,
            &maths,
            body.commentary.trim(),
            &caller.principal.person_id,
            &clock::stamp(audit.at),
            &audit.request_id
        )?,
        audit.entry(db, "review.added", "placement", placement_id, &changes)?,
    ])
    .await?;
    let review = of(db, placement_id)
        .await?
        .into_iter()
        .find(|r| r.review_id == id)
        .ok_or_else(|| ApiError::Unexpected(format!("review {id} vanished")))?;
    Ok(http::json(201, &review))
}
