//! A GOV.UK Notify stand-in for tests and `make run`: it accepts
//! `POST /v2/notifications/email` and `/sms` only when the request is one Notify would
//! accept (HS256 bearer token signed with the service's secret, `iss` = the
//! service id, `iat` within 30 seconds, a known template, every placeholder
//! filled) and keeps what it received. `GET /` shows the messages to a person;
//! `GET /messages` lists them as JSON.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
pub const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";
pub const TEMPLATE_INVITATION: &str = "8f0c55c2-7a7e-4a53-9d0e-3c2a6b1e5a01";
pub const TEMPLATE_PASSWORD_RESET: &str = "8f0c55c2-7a7e-4a53-9d0e-3c2a6b1e5a02";
pub const TEMPLATE_ALERT: &str = "8f0c55c2-7a7e-4a53-9d0e-3c2a6b1e5a03";
pub const TEMPLATE_ALERT_SMS: &str = "8f0c55c2-7a7e-4a53-9d0e-3c2a6b1e5a04";
pub const TEMPLATE_SHARE: &str = "8f0c55c2-7a7e-4a53-9d0e-3c2a6b1e5a05";
pub const TEMPLATE_SHARE_CODE: &str = "8f0c55c2-7a7e-4a53-9d0e-3c2a6b1e5a06";

/// The API key the worker is given: `{name}-{service id}-{secret}`.
pub fn api_key() -> String {
    format!("learntrek_local-{SERVICE_ID}-{SECRET}")
}

/// The worker's settings that point it at a receiver on `base_url`.
pub fn worker_vars(base_url: &str) -> Vec<(String, String)> {
    vec![
        ("NOTIFY_BASE_URL".into(), base_url.into()),
        ("NOTIFY_API_KEY".into(), api_key()),
        (
            "NOTIFY_TEMPLATE_INVITATION".into(),
            TEMPLATE_INVITATION.into(),
        ),
        (
            "NOTIFY_TEMPLATE_PASSWORD_RESET".into(),
            TEMPLATE_PASSWORD_RESET.into(),
        ),
        ("NOTIFY_TEMPLATE_ALERT".into(), TEMPLATE_ALERT.into()),
        (
            "NOTIFY_TEMPLATE_ALERT_SMS".into(),
            TEMPLATE_ALERT_SMS.into(),
        ),
        ("NOTIFY_TEMPLATE_SHARE".into(), TEMPLATE_SHARE.into()),
        (
            "NOTIFY_TEMPLATE_SHARE_CODE".into(),
            TEMPLATE_SHARE_CODE.into(),
        ),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Email,
    Sms,
}

struct Template {
    id: &'static str,
    kind: Kind,
    subject: &'static str,
    body: &'static str,
}

/// Our templates as they would be set up in the Notify service.
const TEMPLATES: &[Template] = &[
    Template {
        id: TEMPLATE_INVITATION,
        kind: Kind::Email,
        subject: "You're invited to LearnTrek by ((ap_name))",
        body: "Dear ((name)),\n\n((ap_name)) has invited you to LearnTrek as ((role)).\n\nAccept the invitation and choose a password:\n((link))\n\nThe link works once, until ((expires)). If you were not expecting this, ignore this email.",
    },
    Template {
        id: TEMPLATE_PASSWORD_RESET,
        kind: Kind::Email,
        subject: "Reset your LearnTrek password",
        body: "Dear ((name)),\n\nUse this link to choose a new password:\n((link))\n\nIt works once, for one hour. If you did not ask for this, ignore this email.",
    },
    Template {
        id: TEMPLATE_ALERT,
        kind: Kind::Email,
        subject: "LearnTrek: ((title))",
        body: "((body))\n\nOpen the alert (sign-in needed):\n((link))",
    },
    Template {
        id: TEMPLATE_ALERT_SMS,
        kind: Kind::Sms,
        subject: "",
        body: "LearnTrek: ((title)). ((body)) ((link))",
    },
    Template {
        id: TEMPLATE_SHARE,
        kind: Kind::Email,
        subject: "((ap_name)) has shared a Reintegration Export with you",
        body: "Dear ((name)),\n\n((ap_name)) has shared a pupil's Reintegration Export with you on LearnTrek.\n\nOpen it here:\n((link))\n\nWe will email you a code to open it with. The link works until ((expires)).",
    },
    Template {
        id: TEMPLATE_SHARE_CODE,
        kind: Kind::Email,
        subject: "Your LearnTrek code",
        body: "Dear ((name)),\n\nYour code to open the shared export is ((code)). It works for 10 minutes.\n\nIf you did not ask for it, ignore this email.",
    },
];

fn placeholders(text: &str) -> Vec<String> {
    text.split("((")
        .skip(1)
        .filter_map(|rest| rest.split_once("))").map(|(name, _)| name.to_owned()))
        .collect()
}

fn render(text: &str, values: &BTreeMap<String, String>) -> String {
    values.iter().fold(text.to_owned(), |t, (k, v)| {
        t.replace(&format!("(({k}))"), v)
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub id: String,
    pub kind: Kind,
    /// Empty for a text message.
    pub email_address: String,
    /// Empty for an email.
    pub phone_number: String,
    pub template_id: String,
    pub personalisation: BTreeMap<String, String>,
    pub reference: Option<String>,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub status: u16,
    pub error: String,
    pub message: String,
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    rejected: Vec<Rejected>,
    /// Answer every send with this status instead (to test provider outages).
    fail_with: Option<u16>,
    /// Answer the next sends with these statuses, then accept again.
    fail_next: std::collections::VecDeque<u16>,
    /// Every authenticated send that reached us, refused on purpose or not.
    arrivals: usize,
    /// Sends to hold without ever answering, as a provider that hangs.
    hang_next: usize,
}

type Shared = Arc<Mutex<Inbox>>;

pub struct NotifyReceiver {
    pub base_url: String,
    inbox: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl NotifyReceiver {
    /// Listens on 127.0.0.1:`port` (0 picks a free port).
    pub async fn start(port: u16) -> NotifyReceiver {
        let inbox: Shared = Arc::default();
        let app = Router::new()
            .route("/v2/notifications/email", post(send_email))
            .route("/v2/notifications/sms", post(send_sms))
            .route("/messages", get(list))
            .route("/", get(page))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the Notify receiver");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        NotifyReceiver {
            base_url,
            inbox,
            task,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox
            .lock()
            .map(|i| i.received.clone())
            .unwrap_or_default()
    }

    pub fn rejected(&self) -> Vec<Rejected> {
        self.inbox
            .lock()
            .map(|i| i.rejected.clone())
            .unwrap_or_default()
    }

    /// Makes every following send fail with `status` (None: accept again).
    pub fn fail_with(&self, status: Option<u16>) {
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.fail_with = status;
        }
    }

    /// Answers the next sends with these statuses, then accepts again.
    pub fn fail_next(&self, statuses: &[u16]) {
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.fail_next.extend(statuses);
        }
    }

    /// Authenticated sends that reached the service, accepted or not.
    /// Holds the next `n` sends open without answering.
    pub fn hang_next(&self, n: usize) {
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.hang_next += n;
        }
    }

    pub fn arrivals(&self) -> usize {
        self.inbox.lock().map(|i| i.arrivals).unwrap_or(0)
    }

    /// The `link` of the newest email to `address`.
    pub fn link_for(&self, address: &str) -> Option<String> {
        self.received()
            .iter()
            .rev()
            .find(|m| m.email_address == address)
            .and_then(|m| m.personalisation.get("link").cloned())
    }

    /// Like [`NotifyReceiver::link_for`], waiting up to ten seconds for an
    /// email the worker sends after answering (password resets).
    pub async fn wait_for_link(&self, address: &str) -> String {
        for _ in 0..100 {
            if let Some(link) = self.link_for(address) {
                return link;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "no email to {address} arrived; rejected: {:?}",
            self.rejected()
        );
    }

    /// Waits up to ten seconds for the `nth` (from 1) email of `template` to
    /// `address`, which the worker may send after answering, and returns it.
    pub async fn wait_for_email(&self, address: &str, template: &str, nth: usize) -> Received {
        for _ in 0..100 {
            let mine: Vec<Received> = self
                .received()
                .into_iter()
                .filter(|m| m.email_address == address && m.template_id == template)
                .collect();
            if let Some(m) = mine.get(nth - 1) {
                return m.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "email {nth} of {template} to {address} did not arrive; rejected: {:?}",
            self.rejected()
        );
    }

    /// Fails the test if anything the worker sent was refused.
    pub fn assert_nothing_rejected(&self) {
        let rejected = self.rejected();
        assert!(
            rejected.is_empty(),
            "Notify would have refused: {rejected:?}"
        );
    }
}

impl Drop for NotifyReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    iat: Option<i64>,
}

fn refuse(inbox: &Shared, status: StatusCode, error: &str, message: &str) -> Response {
    if let Ok(mut i) = inbox.lock() {
        i.rejected.push(Rejected {
            status: status.as_u16(),
            error: error.into(),
            message: message.into(),
        });
    }
    let body = json!({ "status_code": status.as_u16(), "errors": [{ "error": error, "message": message }] });
    (status, Json(body)).into_response()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

async fn send_email(State(inbox): State<Shared>, headers: HeaderMap, body: String) -> Response {
    hang_if_asked(&inbox).await;
    send(inbox, headers, body, Kind::Email)
}

async fn send_sms(State(inbox): State<Shared>, headers: HeaderMap, body: String) -> Response {
    hang_if_asked(&inbox).await;
    send(inbox, headers, body, Kind::Sms)
}

/// Holds a request open far longer than any client should wait for it.
async fn hang_if_asked(inbox: &Shared) {
    let hang = inbox.lock().is_ok_and(|mut i| {
        let hang = i.hang_next > 0;
        i.hang_next = i.hang_next.saturating_sub(1);
        hang
    });
    if hang {
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    }
}

/// Notify's validation of a UK mobile number, loosely: digits with an
/// optional +44 or 0 prefix, 07 and 11 digits once normalised.
fn uk_mobile(number: &str) -> bool {
    let digits: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let national = digits
        .strip_prefix("+44")
        .or_else(|| digits.strip_prefix("0044"))
        .map(|r| format!("0{r}"))
        .unwrap_or(digits);
    national.len() == 11
        && national.starts_with("07")
        && national.chars().all(|c| c.is_ascii_digit())
}

fn send(inbox: Shared, headers: HeaderMap, body: String, kind: Kind) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(token) = auth.strip_prefix("Bearer ") else {
        return refuse(
            &inbox,
            StatusCode::UNAUTHORIZED,
            "AuthError",
            "Unauthorized: authentication token must be provided",
        );
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let claims = match jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(SECRET.as_bytes()).expect("a non-empty secret"),
        &validation,
    ) {
        Ok(data) => data.claims,
        Err(_) => {
            return refuse(
                &inbox,
                StatusCode::FORBIDDEN,
                "AuthError",
                "Invalid token: signature, api token not found",
            );
        }
    };
    if claims.iss.as_deref() != Some(SERVICE_ID) {
        return refuse(
            &inbox,
            StatusCode::FORBIDDEN,
            "AuthError",
            "Invalid token: service not found",
        );
    }
    let now = chrono::Utc::now().timestamp();
    match claims.iat {
        Some(iat) if (now - iat).abs() <= 30 => {}
        Some(_) => {
            return refuse(
                &inbox,
                StatusCode::FORBIDDEN,
                "AuthError",
                "Error: Your system clock must be accurate to within 30 seconds",
            );
        }
        None => {
            return refuse(
                &inbox,
                StatusCode::FORBIDDEN,
                "AuthError",
                "Invalid token: iat field required",
            );
        }
    }
    let scripted = inbox.lock().ok().and_then(|mut i| {
        i.arrivals += 1;
        i.fail_next.pop_front().or(i.fail_with)
    });
    if let Some(status) = scripted {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, Json(json!({ "status_code": status.as_u16(), "errors": [{ "error": "Exception", "message": "Internal server error" }] }))).into_response();
    }
    let request: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(_) => {
            return refuse(
                &inbox,
                StatusCode::BAD_REQUEST,
                "BadRequestError",
                "Invalid JSON supplied in POST data",
            );
        }
    };
    let Some(fields) = request.as_object() else {
        return refuse(
            &inbox,
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "request body must be an object",
        );
    };
    let allowed: &[&str] = match kind {
        Kind::Email => &[
            "email_address",
            "template_id",
            "personalisation",
            "reference",
            "email_reply_to_id",
            "one_click_unsubscribe_url",
        ],
        Kind::Sms => &[
            "phone_number",
            "template_id",
            "personalisation",
            "reference",
            "sms_sender_id",
        ],
    };
    for key in fields.keys() {
        if !allowed.contains(&key.as_str()) {
            return refuse(
                &inbox,
                StatusCode::BAD_REQUEST,
                "ValidationError",
                &format!("Additional properties are not allowed ({key} was unexpected)"),
            );
        }
    }
    let address_field = match kind {
        Kind::Email => "email_address",
        Kind::Sms => "phone_number",
    };
    let address = fields
        .get(address_field)
        .and_then(Value::as_str)
        .unwrap_or("");
    if address.is_empty() {
        return refuse(
            &inbox,
            StatusCode::BAD_REQUEST,
            "ValidationError",
            &format!("{address_field} is a required property"),
        );
    }
    if kind == Kind::Sms && !uk_mobile(address) {
        return refuse(
            &inbox,
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "phone_number Not a UK mobile number",
        );
    }
    let email = if kind == Kind::Email { address } else { "" };
    if kind == Kind::Email && (!email.contains('@') || email.contains(' ')) {
        return refuse(
            &inbox,
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "email_address Not a valid email address",
        );
    }
    let template_id = fields
        .get("template_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !is_uuid(template_id) {
        return refuse(
            &inbox,
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "template_id is not a valid UUID",
        );
    }
    let Some(template) = TEMPLATES
        .iter()
        .find(|t| t.id == template_id && t.kind == kind)
    else {
        return refuse(
            &inbox,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "Template not found",
        );
    };
    let personalisation: BTreeMap<String, String> = match fields.get("personalisation") {
        None => BTreeMap::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect(),
        Some(_) => {
            return refuse(
                &inbox,
                StatusCode::BAD_REQUEST,
                "ValidationError",
                "personalisation is not of type object",
            );
        }
    };
    let mut missing: Vec<String> = placeholders(template.subject)
        .into_iter()
        .chain(placeholders(template.body))
        .filter(|p| !personalisation.contains_key(p))
        .collect();
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        return refuse(
            &inbox,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            &format!("Missing personalisation: {}", missing.join(", ")),
        );
    }
    let reference = fields
        .get("reference")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let id = format!(
        "{:08x}-0000-4000-8000-{:012x}",
        now & 0xffff_ffff,
        inbox.lock().map(|i| i.received.len()).unwrap_or(0)
    );
    let message = Received {
        id: id.clone(),
        kind,
        email_address: email.to_owned(),
        phone_number: if kind == Kind::Sms {
            address.to_owned()
        } else {
            String::new()
        },
        template_id: template_id.to_owned(),
        subject: render(template.subject, &personalisation),
        body: render(template.body, &personalisation),
        personalisation,
        reference: reference.clone(),
    };
    let response = json!({
        "id": id,
        "reference": reference,
        "content": if kind == Kind::Email {
            json!({ "subject": message.subject, "body": message.body, "from_email": "learntrek@notifications.service.gov.uk" })
        } else {
            json!({ "body": message.body, "from_number": "LearnTrek" })
        },
        "uri": format!("/v2/notifications/{id}"),
        "template": { "id": template_id, "version": 1, "uri": format!("/services/{SERVICE_ID}/templates/{template_id}") },
    });
    if let Ok(mut i) = inbox.lock() {
        i.received.push(message);
    }
    (StatusCode::CREATED, Json(response)).into_response()
}

async fn list(State(inbox): State<Shared>) -> Json<Value> {
    let inbox = inbox
        .lock()
        .map(|i| (i.received.clone(), i.rejected.clone()));
    let (received, rejected) = inbox.unwrap_or_default();
    Json(json!({ "received": received, "rejected": rejected }))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(State(inbox): State<Shared>) -> Html<String> {
    let received = inbox.lock().map(|i| i.received.clone()).unwrap_or_default();
    let mut html = String::from(
        "<!doctype html><html lang=en-GB><meta charset=utf-8><meta name=viewport content='width=device-width'>\
         <title>LearnTrek local email</title><style>body{font:16px system-ui;max-width:40rem;margin:1rem auto;padding:0 1rem}\
         article{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}pre{white-space:pre-wrap}</style>\
         <h1>Emails and texts LearnTrek sent (local Notify)</h1>",
    );
    if received.is_empty() {
        html.push_str("<p>No emails yet. Invite someone from LearnTrek and reload this page.</p>");
    }
    for m in received.iter().rev() {
        let mut body = escape(&m.body);
        if let Some(link) = m.personalisation.get("link") {
            let safe = escape(link);
            body = body.replace(&safe, &format!("<a href=\"{safe}\">{safe}</a>"));
        }
        html.push_str(&format!(
            "<article><p><strong>To:</strong> {}<br><strong>Subject:</strong> {}</p><pre>{body}</pre></article>",
            escape(if m.kind == Kind::Sms { &m.phone_number } else { &m.email_address }),
            escape(&m.subject)
        ));
    }
    Html(html)
}
