//! The scheduled handler as a plain function: tests fire it for a chosen
//! instant and read what it did.

use chrono::{DateTime, Utc};
use worker::{Env, query};

use crate::{clock, db};

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Recorded,
    /// This cron already ran for this instant (a retry or a replay).
    AlreadyRecorded,
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
    let changed = result
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.changes)
        .unwrap_or(0);
    Ok(if changed > 0 {
        Outcome::Recorded
    } else {
        Outcome::AlreadyRecorded
    })
}
