//! One placement, narrowed to what the caller may see.

use lt_core::access::PlacementRef;
use lt_core::api::{ErrorCode, PlacementDetail, PlacementState, SafeguardingFlags};
use lt_core::domain::Tier;
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Response, query};

use crate::audit::AuditContext;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;

#[derive(Deserialize)]
struct Row {
    id: String,
    ap_id: String,
    ap_name: String,
    first_name: String,
    last_name: String,
    date_of_birth: String,
    tier: String,
    state: String,
    start_date: String,
    end_date: Option<String>,
    commissioner_id: String,
    commissioner_name: String,
    has_safeguarding: u8,
}

#[derive(Deserialize)]
struct Section {
    data: String,
}

const DETAIL: &str = "SELECT p.id, p.ap_id, a.name AS ap_name, pu.first_name, pu.last_name, pu.date_of_birth,
        p.tier, p.state, p.start_date, p.end_date, p.commissioner_id, c.name AS commissioner_name,
        EXISTS (SELECT 1 FROM baseline_sections b WHERE b.placement_id = p.id AND b.section = 'safeguarding')
            AS has_safeguarding
    FROM placements p
    JOIN pupils pu ON pu.id = p.pupil_id
    JOIN organisations a ON a.id = p.ap_id
    JOIN organisations c ON c.id = p.commissioner_id
    WHERE p.id = ?1";

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "there is no such placement in your account",
    )
}

pub async fn get(
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let row: Option<Row> = query!(db, DETAIL, id)?.first(None).await?;
    let row = row.ok_or_else(not_found)?;
    // Out of scope and nonexistent look the same.
    let access = caller
        .principal
        .placement(PlacementRef {
            id: &row.id,
            ap_id: &row.ap_id,
        })
        .ok_or_else(not_found)?;
    let safeguarding = if access.safeguarding && row.has_safeguarding != 0 {
        // The read and its audit entry go to D1 together: no read without a trace.
        let audit = AuditContext {
            ap_id: Some(access.ap_id().to_owned()),
            ..audit
        };
        let results = db
            .batch(vec![
                audit.entry(db, "safeguarding.read", "placement", access.placement_id(), &[])?,
                query!(
                    db,
                    "SELECT data FROM baseline_sections WHERE placement_id = ?1 AND section = 'safeguarding'",
                    access.placement_id()
                )?,
            ])
            .await?;
        let section = results
            .get(1)
            .map(|r| r.results::<Section>())
            .transpose()?
            .and_then(|rows| rows.into_iter().next());
        match section {
            Some(s) => Some(
                serde_json::from_str::<SafeguardingFlags>(&s.data)
                    .map_err(|e| ApiError::Unexpected(format!("safeguarding of {id}: {e}")))?,
            ),
            None => Some(SafeguardingFlags::default()),
        }
    } else if access.safeguarding {
        Some(SafeguardingFlags::default())
    } else {
        None
    };
    let date = |t: &str| {
        t.parse()
            .map_err(|_| ApiError::Unexpected(format!("placement {id}: bad date {t}")))
    };
    let detail = PlacementDetail {
        date_of_birth: date(&row.date_of_birth)?,
        start_date: date(&row.start_date)?,
        end_date: row.end_date.as_deref().map(date).transpose()?,
        tier: Tier::parse(&row.tier)
            .ok_or_else(|| ApiError::Unexpected(format!("placement {id}: bad tier")))?,
        state: PlacementState::parse(&row.state)
            .ok_or_else(|| ApiError::Unexpected(format!("placement {id}: bad state")))?,
        safeguarding_withheld: !access.safeguarding && row.has_safeguarding != 0,
        safeguarding,
        id: row.id,
        ap_id: row.ap_id,
        ap_name: row.ap_name,
        pupil_first_name: row.first_name,
        pupil_last_name: row.last_name,
        commissioner_id: row.commissioner_id,
        commissioner_name: row.commissioner_name,
    };
    Ok(http::json(200, &detail))
}
