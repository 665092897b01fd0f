use lt_core::access::ApManager;
use lt_core::api::{Directory, OrganisationSummary, PlacementState, PlacementSummary};
use lt_core::domain::{OrganisationKind, Tier};
use serde::Deserialize;
use worker::d1::D1Database;
use worker::{Response, query};

use crate::error::ApiResult;
use crate::http;

#[derive(Deserialize)]
struct OrganisationRow {
    id: String,
    name: String,
    kind: String,
}

#[derive(Deserialize)]
struct PlacementRow {
    id: String,
    first_name: String,
    last_name: String,
    tier: String,
    state: String,
    commissioner_id: String,
    commissioner_name: String,
}

pub async fn get(db: &D1Database, manager: &ApManager) -> ApiResult<Response> {
    // Other APs are not listed: an AP sees only itself and the public bodies.
    let organisations: Vec<OrganisationRow> = query!(
        db,
        "SELECT id, name, kind FROM organisations WHERE kind <> 'ap' OR id = ?1 ORDER BY kind, name",
        manager.ap_id()
    )?
    .all()
    .await?
    .results()?;
    let placements: Vec<PlacementRow> = query!(
        db,
        "SELECT p.id, pu.first_name, pu.last_name, p.tier, p.state, p.commissioner_id,
                c.name AS commissioner_name
         FROM placements p JOIN pupils pu ON pu.id = p.pupil_id JOIN organisations c ON c.id = p.commissioner_id
         WHERE p.ap_id = ?1 ORDER BY pu.last_name, pu.first_name",
        manager.ap_id()
    )?
    .all()
    .await?
    .results()?;
    let ap_name = organisations
        .iter()
        .find(|o| o.id == manager.ap_id())
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let directory = Directory {
        ap_id: manager.ap_id().to_owned(),
        ap_name,
        organisations: organisations
            .into_iter()
            .filter_map(|o| {
                Some(OrganisationSummary {
                    kind: OrganisationKind::parse(&o.kind)?,
                    id: o.id,
                    name: o.name,
                })
            })
            .collect(),
        placements: placements
            .into_iter()
            .filter_map(|p| {
                Some(PlacementSummary {
                    tier: Tier::parse(&p.tier)?,
                    state: PlacementState::parse(&p.state)?,
                    id: p.id,
                    pupil_first_name: p.first_name,
                    pupil_last_name: p.last_name,
                    commissioner_id: p.commissioner_id,
                    commissioner_name: p.commissioner_name,
                })
            })
            .collect(),
    };
    Ok(http::json(200, &directory))
}
