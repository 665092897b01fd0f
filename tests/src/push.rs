//! A Web Push service stand-in for tests: it hands out subscriptions as a
//! browser's push service would (an endpoint, a P-256 key pair and an auth
//! secret), and accepts a push only when a real push service would (RFC 8030
//! headers, a VAPID JWT per RFC 8292 that verifies with ES256 against the
//! key it names, for this origin, not expired and at most 24 hours ahead).
//! It then decrypts the body as the browser would (RFC 8291) and keeps the
//! plaintext. It can be told to answer the next pushes with other statuses.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

struct Device {
    secret: SecretKey,
    auth: [u8; 16],
}

/// A push the service accepted, decrypted.
#[derive(Debug, Clone, Serialize)]
pub struct Pushed {
    pub device: String,
    pub payload: Value,
    pub ttl: u64,
    pub urgency: Option<String>,
    pub subject: String,
    /// The application server key (`k`), base64url.
    pub key: String,
    /// The encrypted body as received, for handing to a browser.
    pub encrypted: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub status: u16,
    pub reason: String,
}

#[derive(Default)]
struct Service {
    devices: HashMap<String, Device>,
    accepted: Vec<Pushed>,
    refused: Vec<Refused>,
    /// Statuses to answer the next valid pushes with, before accepting again.
    scripted: VecDeque<u16>,
    /// Every valid push that reached us, including the scripted failures.
    arrivals: usize,
    /// Pushes to hold without ever answering, as a service that hangs.
    hang_next: usize,
}

type Shared = Arc<Mutex<Service>>;

pub struct PushReceiver {
    pub base_url: String,
    service: Shared,
    task: tokio::task::JoinHandle<()>,
}

/// A subscription as `PushSubscription.toJSON()` gives it to the app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subscription {
    pub endpoint: String,
    pub keys: Keys,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keys {
    pub p256dh: String,
    pub auth: String,
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes
}

/// A fresh VAPID private key (a P-256 scalar, base64url), as
/// `web-push generate-vapid-keys` would make.
pub fn new_vapid_key() -> String {
    loop {
        let bytes = random::<32>();
        if SecretKey::from_slice(&bytes).is_ok() {
            return B64.encode(bytes);
        }
    }
}

/// The worker settings that give it a VAPID key and contact.
pub fn worker_vars(private_key: &str) -> Vec<(String, String)> {
    vec![
        ("VAPID_PRIVATE_KEY".into(), private_key.into()),
        (
            "VAPID_SUBJECT".into(),
            "mailto:alerts@learntrek.example".into(),
        ),
    ]
}

impl PushReceiver {
    pub async fn start() -> PushReceiver {
        let service: Shared = Arc::default();
        let app = Router::new()
            .route("/push/{device}", post(receive))
            .with_state(service.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the push receiver");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        PushReceiver {
            base_url,
            service,
            task,
        }
    }

    /// A new browser subscription: its endpoint and the keys to encrypt to.
    pub fn subscribe(&self) -> Subscription {
        let device = format!("d{}", B64.encode(random::<9>()));
        let secret = loop {
            if let Ok(key) = SecretKey::from_slice(&random::<32>()) {
                break key;
            }
        };
        let auth = random::<16>();
        let public = secret.public_key().to_sec1_point(false);
        let subscription = Subscription {
            endpoint: format!("{}/push/{device}", self.base_url),
            keys: Keys {
                p256dh: B64.encode(public.as_bytes()),
                auth: B64.encode(auth),
            },
        };
        if let Ok(mut s) = self.service.lock() {
            s.devices.insert(device, Device { secret, auth });
        }
        subscription
    }

    /// The device id in a subscription's endpoint.
    pub fn device_of(subscription: &Subscription) -> String {
        subscription
            .endpoint
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// Answers the next valid pushes with these statuses (e.g. 500, 410).
    pub fn answer_next(&self, statuses: &[u16]) {
        if let Ok(mut s) = self.service.lock() {
            s.scripted.extend(statuses);
        }
    }

    /// Holds the next `n` pushes open without answering.
    pub fn hang_next(&self, n: usize) {
        if let Ok(mut s) = self.service.lock() {
            s.hang_next += n;
        }
    }

    pub fn accepted(&self) -> Vec<Pushed> {
        self.service
            .lock()
            .map(|s| s.accepted.clone())
            .unwrap_or_default()
    }

    pub fn accepted_for(&self, subscription: &Subscription) -> Vec<Pushed> {
        let device = Self::device_of(subscription);
        self.accepted()
            .into_iter()
            .filter(|p| p.device == device)
            .collect()
    }

    pub fn arrivals(&self) -> usize {
        self.service.lock().map(|s| s.arrivals).unwrap_or(0)
    }

    pub fn assert_nothing_refused(&self) {
        let refused = self
            .service
            .lock()
            .map(|s| s.refused.clone())
            .unwrap_or_default();
        assert!(
            refused.is_empty(),
            "a push service would have refused: {refused:?}"
        );
    }
}

impl Drop for PushReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Deserialize)]
struct Claims {
    aud: String,
    exp: i64,
    sub: Option<String>,
}

fn refuse(service: &Shared, status: StatusCode, reason: String) -> (StatusCode, Json<Value>) {
    if let Ok(mut s) = service.lock() {
        s.refused.push(Refused {
            status: status.as_u16(),
            reason: reason.clone(),
        });
    }
    (status, Json(json!({ "error": reason })))
}

/// `vapid t=<jwt>, k=<key>` (RFC 8292 section 3), parameters in any order.
fn vapid_parts(header: &str) -> Option<(String, String)> {
    let rest = header.strip_prefix("vapid ")?;
    let mut t = None;
    let mut k = None;
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=')?;
        match name.trim() {
            "t" => t = Some(value.trim().to_owned()),
            "k" => k = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    Some((t?, k?))
}

/// What a valid push said about itself: TTL, Urgency, the JWT's `sub`, and `k`.
struct Accepted {
    ttl: u64,
    urgency: Option<String>,
    subject: String,
    key: String,
}

fn check(headers: &HeaderMap, origin: &str) -> Result<Accepted, (StatusCode, String)> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // RFC 8030 section 5.2: TTL is required.
    let ttl = header("ttl")
        .ok_or((StatusCode::BAD_REQUEST, "missing TTL header".into()))?
        .trim()
        .parse::<u64>()
        .map_err(|_| {
            (
                StatusCode::BAD_REQUEST,
                "TTL is not a number of seconds".into(),
            )
        })?;
    let urgency = header("urgency").map(str::to_owned);
    if let Some(u) = &urgency
        && !["very-low", "low", "normal", "high"].contains(&u.as_str())
    {
        return Err((StatusCode::BAD_REQUEST, format!("unknown Urgency {u}")));
    }
    if header("content-encoding") != Some("aes128gcm") {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Encoding must be aes128gcm".into(),
        ));
    }
    let auth = header("authorization")
        .ok_or((StatusCode::UNAUTHORIZED, "missing Authorization".into()))?;
    let (jwt, k) = vapid_parts(auth).ok_or((
        StatusCode::UNAUTHORIZED,
        "Authorization is not vapid t=, k=".into(),
    ))?;
    let point = B64
        .decode(&k)
        .ok()
        .filter(|b| b.len() == 65 && b[0] == 4 && PublicKey::from_sec1_bytes(b).is_ok())
        .ok_or((
            StatusCode::UNAUTHORIZED,
            "k is not an uncompressed P-256 key".into(),
        ))?;
    let key =
        DecodingKey::from_ec_components(&B64.encode(&point[1..33]), &B64.encode(&point[33..]))
            .map_err(|e| (StatusCode::UNAUTHORIZED, format!("k: {e}")))?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_required_spec_claims(&["aud", "exp"]);
    validation.set_audience(&[origin]);
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<Claims>(&jwt, &key, &validation)
        .map_err(|e| (StatusCode::UNAUTHORIZED, format!("JWT refused: {e}")))?
        .claims;
    let now = chrono::Utc::now().timestamp();
    if claims.exp > now + 24 * 60 * 60 {
        return Err((
            StatusCode::UNAUTHORIZED,
            "exp more than 24 hours ahead".into(),
        ));
    }
    let subject = claims
        .sub
        .filter(|s| s.starts_with("mailto:") || s.starts_with("https:"))
        .ok_or((
            StatusCode::UNAUTHORIZED,
            "sub must be a mailto: or https: contact".into(),
        ))?;
    debug_assert_eq!(claims.aud, origin);
    Ok(Accepted {
        ttl,
        urgency,
        subject,
        key: k,
    })
}

async fn receive(
    State(service): State<Shared>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, Json<Value>) {
    let hang = service.lock().is_ok_and(|mut s| {
        let hang = s.hang_next > 0;
        s.hang_next = s.hang_next.saturating_sub(1);
        hang
    });
    if hang {
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    }
    let origin = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_default();
    let Accepted {
        ttl,
        urgency,
        subject,
        key,
    } = match check(&headers, &origin) {
        Ok(parts) => parts,
        Err((status, reason)) => return refuse(&service, status, reason),
    };
    if body.len() > 4096 {
        return refuse(
            &service,
            StatusCode::PAYLOAD_TOO_LARGE,
            "over 4096 bytes".into(),
        );
    }
    let plaintext = {
        let Ok(s) = service.lock() else {
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({})));
        };
        let Some(d) = s.devices.get(&device) else {
            drop(s);
            return refuse(
                &service,
                StatusCode::NOT_FOUND,
                format!("no subscription {device}"),
            );
        };
        decrypt(&body, &d.secret, &d.auth)
    };
    let plaintext = match plaintext {
        Ok(p) => p,
        Err(e) => {
            return refuse(
                &service,
                StatusCode::BAD_REQUEST,
                format!("cannot decrypt: {e}"),
            );
        }
    };
    let mut s = match service.lock() {
        Ok(s) => s,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
    };
    s.arrivals += 1;
    if let Some(status) = s.scripted.pop_front() {
        if status == 410 {
            s.devices.remove(&device);
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, Json(json!({ "error": "scripted" })));
    }
    let payload = serde_json::from_slice(&plaintext)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&plaintext).into()));
    s.accepted.push(Pushed {
        device,
        payload,
        ttl,
        urgency,
        subject,
        key,
        encrypted: body.to_vec(),
    });
    (StatusCode::CREATED, Json(json!({})))
}

/// The user agent's half of RFC 8291: one `aes128gcm` record.
pub fn decrypt(body: &[u8], secret: &SecretKey, auth: &[u8; 16]) -> Result<Vec<u8>, String> {
    if body.len() < 21 {
        return Err("shorter than the header".into());
    }
    let salt = &body[..16];
    let id_len = usize::from(body[20]);
    let key_id = body.get(21..21 + id_len).ok_or("key id cut short")?;
    let sealed = &body[21 + id_len..];
    let sender = PublicKey::from_sec1_bytes(key_id).map_err(|_| "key id is not a P-256 point")?;
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), sender.as_affine());
    let ua_public = secret.public_key().to_sec1_point(false);
    let info = [b"WebPush: info\0".as_slice(), ua_public.as_bytes(), key_id].concat();
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&info, &mut ikm)
        .map_err(|e| e.to_string())?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|e| e.to_string())?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|e| e.to_string())?;
    let mut record = Aes128Gcm::new(&cek.into())
        .decrypt(&nonce.into(), sealed)
        .map_err(|_| "authentication failed")?;
    // Padding: zeros after the delimiter; 2 marks the last record.
    while record.last() == Some(&0) {
        record.pop();
    }
    if record.pop() != Some(2) {
        return Err("not a single last record".into());
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The browser's half checked on RFC 8291 Appendix A's message.
    #[test]
    fn decrypts_the_rfc_8291_example() {
        let secret = SecretKey::from_slice(
            &B64.decode("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")
                .expect("b64"),
        )
        .expect("key");
        let auth: [u8; 16] = B64
            .decode("BTBZMqHH6r4Tts7J_aSIgg")
            .expect("b64")
            .try_into()
            .expect("16");
        let body = B64
            .decode("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
            .expect("b64");
        assert_eq!(
            decrypt(&body, &secret, &auth).expect("decrypts"),
            b"When I grow up, I want to be a watermelon"
        );
        let mut tampered = body.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(decrypt(&tampered, &secret, &auth).is_err());
    }
}
