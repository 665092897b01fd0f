//! The scheduled handler as a plain function: tests fire it for a chosen
//! instant and read what it did.

use chrono::{DateTime, Utc};
use worker::{Env, query};

use crate::{alerts, clock, db};

#[derive(Debug)]
pub struct Outcome {
    /// False when this cron already ran for this instant (a retry or a
    /// replay): the alert cycle runs again all the same, since every step of
    /// it is safe to repeat, and a retry may be what finishes a failed run.
    pub first_for_instant: bool,
    pub alerts: alerts::Summary,
}

pub async fn run(env: &Env, cron: &str, at: DateTime<Utc>) -> Result<Outcome, String> {
    let db = db::open(env).map_err(|e| format!("{e:?}"))?;
    let result = query!(
        &db,
        "INSERT INTO cron_runs (cron, scheduled_at, recorded_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (cron, scheduled_at) DO NOTHING",
        cron,
        &at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        &clock::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    )
    .map_err(|e| e.to_string())?
    .run()
    .await
    .map_err(|e| e.to_string())?;
    let first_for_instant = db::wrote(&result);
    record_gates_overdue(&db, at).await?;
    let alerts = alerts::run(env, &db, at).await;
    // Once a London day; a failure is logged and tried again next minute.
    if let Err(e) = crate::routes::retention::review(&db, at, false).await {
        worker::console_error!("retention review: {e:?}");
    }
    if let Err(e) = crate::rate_limit::forget_ended(&db, at).await {
        worker::console_error!("rate limits: {e:?}");
    }
    Ok(Outcome {
        first_for_instant,
        alerts,
    })
}

/// Placements whose start date has come (in London) with the gate still
/// open are recorded once each, for the alerts to tell the AP admin and the
/// commissioner. The index on (state, start_date) keeps this cheap.
async fn record_gates_overdue(
    db: &worker::d1::D1Database,
    at: DateTime<Utc>,
) -> Result<(), String> {
    let today = lt_core::london::local_date(at).to_string();
    query!(
        db,
        "INSERT INTO gate_overdue (placement_id, start_date, recorded_at)
         SELECT id, start_date, ?2 FROM placements
         WHERE state IN ('referred', 'submitted') AND start_date <= ?1
         ON CONFLICT (placement_id) DO NOTHING",
        &today,
        &clock::stamp(at)
    )
    .map_err(|e| e.to_string())?
    .run()
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}
