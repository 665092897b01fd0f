//! Email and SMS through GOV.UK Notify. Base URL, API key and template ids
//! come from the environment, so tests and `make run` point at a local receiver.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lt_core::api::EmailDelivery;
use lt_core::notify::{self, ApiKey, EmailRequest, NotificationResponse, SmsRequest};
use worker::d1::D1Database;
use worker::{
    AbortController, Delay, Env, Fetch, Headers, Method, Request, RequestInit, Response, query,
};

#[derive(Debug, Clone, Copy)]
pub enum Template {
    Invitation,
    PasswordReset,
    /// An alert by email: `((title))`, `((body))`, `((link))`.
    Alert,
    /// The same alert as a text message.
    AlertSms,
    /// A Reintegration Export shared outside LearnTrek: `((name))`,
    /// `((ap_name))`, `((link))`, `((expires))`; no pupil is named.
    Share,
    /// The one-time code that opens a shared export: `((name))`, `((code))`.
    ShareCode,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Template::Invitation => "invitation",
            Template::PasswordReset => "password_reset",
            Template::Alert => "alert",
            Template::AlertSms => "alert_sms",
            Template::Share => "share",
            Template::ShareCode => "share_code",
        }
    }

    fn template_var(self) -> &'static str {
        match self {
            Template::Invitation => "NOTIFY_TEMPLATE_INVITATION",
            Template::PasswordReset => "NOTIFY_TEMPLATE_PASSWORD_RESET",
            Template::Alert => "NOTIFY_TEMPLATE_ALERT",
            Template::AlertSms => "NOTIFY_TEMPLATE_ALERT_SMS",
            Template::Share => "NOTIFY_TEMPLATE_SHARE",
            Template::ShareCode => "NOTIFY_TEMPLATE_SHARE_CODE",
        }
    }
}

pub fn setting(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string())
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// How long a provider (Notify, a push service) gets to answer before the
/// attempt counts as failed and is retried later: one that hangs must not
/// hold up the cron run's other deliveries. `PROVIDER_TIMEOUT_SECONDS`
/// overrides it (tests use a short one).
const PROVIDER_TIMEOUT_SECONDS: u64 = 10;

fn provider_timeout(env: &Env) -> std::time::Duration {
    let seconds = setting(env, "PROVIDER_TIMEOUT_SECONDS")
        .and_then(|v| v.parse().ok())
        .filter(|s| (1..=60).contains(s))
        .unwrap_or(PROVIDER_TIMEOUT_SECONDS);
    std::time::Duration::from_secs(seconds)
}

/// Sends `request` to `provider` and reads its answer with `read`, all
/// within the provider timeout; past it the request is aborted.
pub async fn exchange<T, F, Fut>(
    env: &Env,
    provider: &str,
    request: Request,
    read: F,
) -> Result<T, String>
where
    F: FnOnce(Response) -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let limit = provider_timeout(env);
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let answer = async {
        let response = fetch
            .send_with_signal(&signal)
            .await
            .map_err(|e| format!("could not reach {provider}: {e}"))?;
        read(response).await
    };
    let timer = Delay::from(limit);
    futures_util::pin_mut!(answer);
    futures_util::pin_mut!(timer);
    match futures_util::future::select(answer, timer).await {
        futures_util::future::Either::Left((result, _)) => result,
        futures_util::future::Either::Right(_) => {
            controller.abort();
            Err(format!(
                "{provider} did not answer within {} seconds",
                limit.as_secs()
            ))
        }
    }
}

/// The public address of the app, for links in emails.
pub fn app_url(env: &Env, fallback: &str) -> String {
    setting(env, "APP_URL")
        .unwrap_or_else(|| fallback.to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// Sends one email after the response has gone (`ctx.wait_until`), so the
/// answer neither waits for Notify nor says by its timing whether anything
/// was sent; the attempt is recorded like any other.
pub fn send_email_after(
    ctx: &worker::Context,
    env: &Env,
    template: Template,
    to: String,
    personalisation: BTreeMap<String, String>,
    reference: String,
    now: DateTime<Utc>,
) {
    let env = env.clone();
    ctx.wait_until(async move {
        match crate::db::open(&env) {
            Ok(db) => {
                send_email(&env, &db, template, &to, personalisation, &reference, now).await;
            }
            Err(e) => worker::console_error!("email {} for {reference}: {e:?}", template.name()),
        }
    });
}

/// Sends one email and records the attempt, whatever its outcome.
pub async fn send_email(
    env: &Env,
    db: &D1Database,
    template: Template,
    to: &str,
    personalisation: BTreeMap<String, String>,
    reference: &str,
    now: DateTime<Utc>,
) -> EmailDelivery {
    let outcome = email_attempt(env, template, to, personalisation, reference, now)
        .await
        .map_err(|f| f.message);
    let (status, provider_id, error) = match &outcome {
        Ok(id) => ("accepted", Some(id.clone()), None),
        Err(e) => ("failed", None, Some(e.clone())),
    };
    if let Some(e) = &error {
        worker::console_error!("email {} for {reference} failed: {e}", template.name());
    }
    let logged = query!(
        db,
        "INSERT INTO email_deliveries (at, template, recipient, reference, status, provider_id, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &now.to_rfc3339(),
        template.name(),
        to,
        reference,
        status,
        &provider_id,
        &error
    );
    if let Ok(statement) = logged
        && let Err(e) = statement.run().await
    {
        worker::console_error!("could not log an email delivery: {e}");
    }
    if outcome.is_ok() {
        EmailDelivery::Sent
    } else {
        EmailDelivery::Failed
    }
}

fn template_id(env: &Env, template: Template) -> Result<String, String> {
    setting(env, template.template_var())
        .ok_or_else(|| format!("{} is not set", template.template_var()))
}

/// A send Notify did not accept: its HTTP status when it answered.
#[derive(Debug)]
pub struct Refused {
    pub status: Option<u16>,
    pub message: String,
}

impl From<String> for Refused {
    fn from(message: String) -> Self {
        Refused {
            status: None,
            message,
        }
    }
}

/// One text message: the id Notify gave it, or why not.
pub async fn sms_attempt(
    env: &Env,
    template: Template,
    phone_number: &str,
    personalisation: BTreeMap<String, String>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<String, Refused> {
    let body = SmsRequest {
        phone_number: phone_number.to_owned(),
        template_id: template_id(env, template)?,
        personalisation,
        reference: Some(reference.to_owned()),
    };
    post(env, notify::SMS_PATH, &body, now).await
}

/// One email, for a caller that keeps its own log of attempts.
pub async fn email_attempt(
    env: &Env,
    template: Template,
    to: &str,
    personalisation: BTreeMap<String, String>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<String, Refused> {
    let body = EmailRequest {
        email_address: to.to_owned(),
        template_id: template_id(env, template)?,
        personalisation,
        reference: Some(reference.to_owned()),
    };
    post(env, notify::EMAIL_PATH, &body, now).await
}

/// POSTs one notification to Notify with a fresh bearer token; Notify
/// answers 201 with the notification's id.
async fn post<T: serde::Serialize>(
    env: &Env,
    path: &str,
    body: &T,
    now: DateTime<Utc>,
) -> Result<String, Refused> {
    let key = env
        .secret("NOTIFY_API_KEY")
        .map(|s| s.to_string())
        .map_err(|_| "NOTIFY_API_KEY is not set".to_owned())?;
    let key = ApiKey::parse(&key)?;
    let base = setting(env, "NOTIFY_BASE_URL").unwrap_or_else(|| notify::DEFAULT_BASE_URL.into());
    let failed = |e: worker::Error| Refused::from(e.to_string());
    let headers = Headers::new();
    let bearer = format!("Bearer {}", key.bearer_token(now.timestamp()));
    headers.set("authorization", &bearer).map_err(failed)?;
    headers
        .set("content-type", "application/json")
        .map_err(failed)?;
    let text = serde_json::to_string(body).map_err(|e| e.to_string())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(text.into()));
    let url = format!("{}{path}", base.trim_end_matches('/'));
    let request = Request::new_with_init(&url, &init).map_err(failed)?;
    exchange(env, "Notify", request, |mut response| async move {
        let status = response.status_code();
        if status != 201 {
            let detail = response.text().await.unwrap_or_default();
            return Ok(Err(Refused {
                status: Some(status),
                message: format!(
                    "Notify answered {status}: {}",
                    detail.chars().take(300).collect::<String>()
                ),
            }));
        }
        let accepted: NotificationResponse = response
            .json()
            .await
            .map_err(|e| format!("unreadable Notify response: {e}"))?;
        Ok(Ok(accepted.id))
    })
    .await
    .unwrap_or_else(|e| Err(Refused::from(e)))
}
