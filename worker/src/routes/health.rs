use chrono::{DateTime, Utc};
use lt_core::api::{DatabaseHealth, Health, SchedulerHealth};
use serde::Deserialize;
use worker::{Env, Response, query};

use super::VERSION;
use crate::error::ApiResult;
use crate::{db, http};

#[derive(Deserialize)]
struct Migration {
    name: String,
}

#[derive(Deserialize)]
struct CronSummary {
    runs: u64,
    last_at: Option<String>,
    last_cron: Option<String>,
}

pub async fn get(env: &Env) -> ApiResult<Response> {
    let db = db::open(env)?;
    let migration: Option<Migration> = query!(
        &db,
        "SELECT name FROM d1_migrations ORDER BY id DESC LIMIT 1"
    )
    .first(None)
    .await
    .map_err(db::unavailable)?;
    let cron: Option<CronSummary> = query!(
        &db,
        "SELECT (SELECT COUNT(*) FROM cron_runs) AS runs, scheduled_at AS last_at, cron AS last_cron
         FROM (SELECT 1) LEFT JOIN
              (SELECT scheduled_at, cron FROM cron_runs ORDER BY scheduled_at DESC LIMIT 1)"
    )
    .first(None)
    .await
    .map_err(db::unavailable)?;
    let cron = cron.unwrap_or(CronSummary {
        runs: 0,
        last_at: None,
        last_cron: None,
    });
    let health = Health {
        version: VERSION.to_owned(),
        database: DatabaseHealth {
            reachable: true,
            latest_migration: migration.map(|m| m.name),
        },
        scheduler: SchedulerHealth {
            runs_recorded: cron.runs,
            last_run_scheduled_at: cron.last_at.and_then(|t| t.parse::<DateTime<Utc>>().ok()),
            last_run_cron: cron.last_cron,
        },
    };
    Ok(http::json(200, &health))
}
