//! LearnTrek's Cloudflare Worker: thin glue between HTTP, D1 and the cron
//! trigger. Every decision is made in `lt_core`; this crate moves data.

mod alerts;
mod audit;
mod auth;
mod baseline;
mod clock;
mod cron;
mod csv_out;
mod db;
mod error;
mod http;
mod ids;
mod live;
mod outbound;
mod push;
mod rate_limit;
mod routes;

use worker::{Context, Env, Request, Response, ScheduleContext, ScheduledEvent, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    Ok(routes::handle(req, &env, &ctx).await)
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    // The event's scheduled time, not the wall clock: a late or replayed run
    // must act for the minute it stands for.
    let at = clock::from_millis(event.schedule());
    match cron::run(&env, &event.cron(), at).await {
        Ok(outcome) => {
            let a = &outcome.alerts;
            for e in &a.errors {
                worker::console_error!("cron {} at {at}: {e}", event.cron());
            }
            worker::console_log!(
                "cron {} at {at}: first run {}, day planned {}, alerts at {:?}, escalated {}, sent {}, not sent {}",
                event.cron(),
                outcome.first_for_instant,
                a.planned_day,
                a.alerting_aps,
                a.escalated,
                a.sent,
                a.not_sent
            )
        }
        Err(err) => worker::console_error!("cron {} at {at} failed: {err}", event.cron()),
    }
}
