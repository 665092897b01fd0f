//! The alert cycle the cron runs every minute: plan the London day's checks
//! once, decide the checks that have come due, climb the escalations that
//! have come due, and send the deliveries that have come due. Each step reads
//! through an index on its due instant and does at most `PER_RUN` items, so
//! a quiet minute costs four indexed lookups.

mod checks;
mod deliver;
pub mod plan;
mod raise;

use chrono::{DateTime, Utc};
use worker::Env;
use worker::d1::D1Database;

use crate::error::ApiResult;

/// The most of each kind of work one run takes on; the rest waits a minute.
const PER_RUN: u32 = 50;

#[derive(Debug, Default)]
pub struct Summary {
    pub planned_day: bool,
    pub alerting_aps: Vec<String>,
    pub escalated: usize,
    pub sent: usize,
    pub not_sent: usize,
    /// What went wrong; each step runs whatever the others did, so one bad
    /// row or an unreachable provider never stops the rest of the cycle.
    pub errors: Vec<String>,
}

fn keep<T: Default>(result: ApiResult<T>, errors: &mut Vec<String>) -> T {
    result.unwrap_or_else(|e| {
        errors.push(format!("{e:?}"));
        T::default()
    })
}

pub async fn run(env: &Env, db: &D1Database, at: DateTime<Utc>) -> Summary {
    let mut errors = Vec::new();
    let planned_day = keep(plan::day(db, at).await, &mut errors);
    let alerting_aps = keep(
        checks::decide_due(db, at, PER_RUN, &mut errors).await,
        &mut errors,
    );
    let escalated = keep(
        raise::escalate_due(db, at, PER_RUN, &mut errors).await,
        &mut errors,
    );
    let (sent, not_sent) = keep(
        deliver::send_due(env, db, at, PER_RUN, &mut errors).await,
        &mut errors,
    );
    for ap_id in &alerting_aps {
        if let Err(e) = crate::live::announce(env, ap_id).await {
            errors.push(format!("live {ap_id}: {e}"));
        }
    }
    Summary {
        planned_day,
        alerting_aps,
        escalated,
        sent,
        not_sent,
        errors,
    }
}
