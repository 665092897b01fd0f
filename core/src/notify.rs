//! GOV.UK Notify (REST API v2): the API key's parts, the HS256 bearer token and
//! the email request body. Sending is the worker's job; this is the format.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const DEFAULT_BASE_URL: &str = "https://api.notifications.service.gov.uk";
pub const EMAIL_PATH: &str = "/v2/notifications/email";
pub const SMS_PATH: &str = "/v2/notifications/sms";

/// A Notify API key: `{key name}-{service id}-{secret key}`, where both ids are
/// 36-character UUIDs and the key name may itself contain hyphens.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    service_id: String,
    secret: String,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApiKey {{ service_id: {}, secret: <redacted> }}",
            self.service_id
        )
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

impl ApiKey {
    pub fn parse(key: &str) -> Result<ApiKey, String> {
        let key = key.trim();
        let n = key.len();
        if n < 74 || !key.is_char_boundary(n - 73) {
            return Err(
                "a Notify API key ends with the service id and the secret, 73 characters".into(),
            );
        }
        let (service_id, secret) = (&key[n - 73..n - 37], &key[n - 36..]);
        if !is_uuid(service_id) || !is_uuid(secret) || &key[n - 37..n - 36] != "-" {
            return Err("the Notify API key does not end in two UUIDs".into());
        }
        Ok(ApiKey {
            service_id: service_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    /// The bearer token for one request: HS256 over `{"iss": service id,
    /// "iat": now}`. Notify refuses tokens whose `iat` is more than 30 s off.
    pub fn bearer_token(&self, issued_at_unix: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
        let claims = serde_json::json!({ "iss": self.service_id, "iat": issued_at_unix });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }
}

/// `POST /v2/notifications/email`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailRequest {
    pub email_address: String,
    pub template_id: String,
    pub personalisation: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// `POST /v2/notifications/sms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmsRequest {
    pub phone_number: String,
    pub template_id: String,
    pub personalisation: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// The parts of Notify's 201 response (email or SMS) that we keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationResponse {
    pub id: String,
    #[serde(default)]
    pub reference: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "learntrek_local-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn parses_key_names_with_hyphens() {
        let key = ApiKey::parse(KEY).expect("valid");
        assert_eq!(key.service_id(), "26785a09-ab16-4eb0-8407-a37497a57506");
        assert!(
            !format!("{key:?}").contains("3d844edf"),
            "secret must not be printed"
        );
    }

    #[test]
    fn rejects_malformed_keys() {
        for bad in [
            "",
            "short",
            &KEY[..KEY.len() - 1],
            &KEY.replace("-3d844edf", "x3d844edf"),
        ] {
            assert!(ApiKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_is_hs256_over_iss_and_iat() {
        let key = ApiKey::parse(KEY).expect("valid");
        let token = key.bearer_token(1_700_000_000);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(claims["iss"], key.service_id());
        assert_eq!(claims["iat"], 1_700_000_000);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
        assert_eq!(header["alg"], "HS256");
        // Same input, same token; another secret, another signature.
        assert_eq!(token, key.bearer_token(1_700_000_000));
        let other = ApiKey::parse(&KEY.replace("3d844edf", "4d844edf")).expect("valid");
        assert_ne!(
            token.rsplit('.').next(),
            other.bearer_token(1_700_000_000).rsplit('.').next()
        );
    }
}
