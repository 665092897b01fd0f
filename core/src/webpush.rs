//! Web Push as the standards define it: the message encryption of RFC 8291
//! (`aes128gcm`, RFC 8188) and the VAPID authorisation of RFC 8292. Pure
//! functions: the caller supplies the randomness (salt and ephemeral key), so
//! the RFC's own example can be checked byte for byte.

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{PublicKey, SecretKey};
use serde::Serialize;
use sha2::Sha256;

/// RFC 8188 record size we declare; one record carries the whole message.
const RECORD_SIZE: u32 = 4096;
/// Header: salt (16) + record size (4) + key id length (1) + key id (65).
const HEADER_LEN: usize = 86;
/// The most a push message may carry once encrypted (RFC 8291 section 4:
/// push services must accept 4096 bytes of payload).
pub const MAX_ENCRYPTED_LEN: usize = 4096;
/// So the largest plaintext: 4096 − header − delimiter − GCM tag.
pub const MAX_PLAINTEXT_LEN: usize = MAX_ENCRYPTED_LEN - HEADER_LEN - 1 - 16;
/// RFC 8292 section 2: `exp` no more than 24 hours ahead.
pub const MAX_VAPID_LIFETIME_SECS: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("{0} is not base64url")]
    Encoding(&'static str),
    #[error("p256dh is not an uncompressed P-256 point")]
    BadPublicKey,
    #[error("auth must be 16 bytes")]
    BadAuthSecret,
    #[error("the VAPID private key is not a P-256 scalar")]
    BadPrivateKey,
    #[error("the message is {0} bytes; a push message carries at most {MAX_PLAINTEXT_LEN}")]
    TooLong(usize),
    #[error("the push endpoint is not an https or http URL")]
    BadEndpoint,
}

fn decode(value: &str, what: &'static str) -> Result<Vec<u8>, PushError> {
    // Browsers hand out unpadded base64url; tolerate padding someone added.
    URL_SAFE_NO_PAD
        .decode(value.trim().trim_end_matches('='))
        .map_err(|_| PushError::Encoding(what))
}

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The keys a browser's `PushSubscription` gives for encrypting to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionKeys {
    /// The user agent's public key, uncompressed (65 bytes).
    p256dh: Vec<u8>,
    auth: [u8; 16],
}

impl SubscriptionKeys {
    pub fn parse(p256dh: &str, auth: &str) -> Result<SubscriptionKeys, PushError> {
        let p256dh = decode(p256dh, "p256dh")?;
        if p256dh.len() != 65 || PublicKey::from_sec1_bytes(&p256dh).is_err() {
            return Err(PushError::BadPublicKey);
        }
        let auth: [u8; 16] = decode(auth, "auth")?
            .try_into()
            .map_err(|_| PushError::BadAuthSecret)?;
        Ok(SubscriptionKeys { p256dh, auth })
    }
}

fn uncompressed(key: &PublicKey) -> Vec<u8> {
    key.to_sec1_point(false).as_bytes().to_vec()
}

fn expand<const N: usize>(prk: &Hkdf<Sha256>, info: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    prk.expand(info, &mut out)
        .expect("HKDF-SHA-256 gives up to 8160 bytes");
    out
}

/// Encrypts `plaintext` for one subscription (RFC 8291 section 3.4), as one
/// `aes128gcm` record with the sender's public key as the key id.
/// `ephemeral` must be a fresh random 32-byte scalar and `salt` fresh random
/// bytes for every message.
pub fn encrypt(
    plaintext: &[u8],
    to: &SubscriptionKeys,
    ephemeral: &[u8; 32],
    salt: &[u8; 16],
) -> Result<Vec<u8>, PushError> {
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(PushError::TooLong(plaintext.len()));
    }
    let as_secret = SecretKey::from_slice(ephemeral).map_err(|_| PushError::BadPrivateKey)?;
    let as_public = uncompressed(&as_secret.public_key());
    let ua_public = PublicKey::from_sec1_bytes(&to.p256dh).map_err(|_| PushError::BadPublicKey)?;
    let shared = as_secret.diffie_hellman(&ua_public);

    // IKM = HKDF(auth, ecdh, "WebPush: info" 0 ua_public as_public, 32)
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(&to.p256dh);
    key_info.extend_from_slice(&as_public);
    let ikm: [u8; 32] = expand(
        &Hkdf::<Sha256>::new(Some(&to.auth), shared.raw_secret_bytes()),
        &key_info,
    );
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let cek: [u8; 16] = expand(&prk, b"Content-Encoding: aes128gcm\0");
    let nonce: [u8; 12] = expand(&prk, b"Content-Encoding: nonce\0");

    // A single, last record: the plaintext then the 0x02 delimiter, no padding.
    let mut record = plaintext.to_vec();
    record.push(2);
    let cipher = Aes128Gcm::new(&cek.into());
    let sealed = cipher
        .encrypt(&nonce.into(), record.as_slice())
        .expect("AES-GCM encrypts any record under 64 GiB");

    let mut body = Vec::with_capacity(HEADER_LEN + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// The application server's VAPID key pair (RFC 8292).
#[derive(Clone)]
pub struct VapidKey {
    signing: SigningKey,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VapidKey {{ public: {} }}", self.public_key())
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    exp: i64,
    sub: &'a str,
}

impl VapidKey {
    /// From the private scalar, base64url (32 bytes), as `web-push
    /// generate-vapid-keys` and most tools print it.
    pub fn parse(private_key: &str) -> Result<VapidKey, PushError> {
        let bytes = decode(private_key, "VAPID private key")?;
        let signing = SigningKey::from_slice(&bytes).map_err(|_| PushError::BadPrivateKey)?;
        Ok(VapidKey { signing })
    }

    /// The public key as browsers want it for `applicationServerKey`:
    /// uncompressed point, base64url.
    pub fn public_key(&self) -> String {
        let point = self.signing.verifying_key().to_sec1_point(false);
        encode(point.as_bytes())
    }

    /// The `Authorization` header for a push to `endpoint`: `vapid t=<JWT>,
    /// k=<public key>`, the JWT signed with ES256 over the endpoint's origin,
    /// an expiry and a contact (`mailto:` or `https:`).
    pub fn authorization(
        &self,
        endpoint: &str,
        subject: &str,
        expires_unix: i64,
    ) -> Result<String, PushError> {
        let aud = audience(endpoint)?;
        let header = encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::to_vec(&Claims {
            aud: &aud,
            exp: expires_unix,
            sub: subject,
        })
        .expect("claims serialise");
        let signing_input = format!("{header}.{}", encode(&claims));
        let signature: Signature = self.signing.sign(signing_input.as_bytes());
        Ok(format!(
            "vapid t={signing_input}.{}, k={}",
            encode(&signature.to_bytes()),
            self.public_key()
        ))
    }
}

/// The JWT's `aud`: the push resource's origin (scheme, host and any port).
pub fn audience(endpoint: &str) -> Result<String, PushError> {
    let (scheme, rest) = endpoint.split_once("://").ok_or(PushError::BadEndpoint)?;
    if !matches!(scheme, "https" | "http") {
        return Err(PushError::BadEndpoint);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(PushError::BadEndpoint);
    }
    Ok(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// RFC 8030 section 5.3: how soon the push service should deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    VeryLow,
    Low,
    Normal,
    High,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).expect("base64url")
    }

    /// RFC 8291 Appendix A, every value as the RFC prints it.
    #[test]
    fn matches_the_rfc_8291_example() {
        let keys = SubscriptionKeys::parse(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            "BTBZMqHH6r4Tts7J_aSIgg",
        )
        .expect("keys");
        let ephemeral: [u8; 32] = b("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")
            .try_into()
            .expect("32");
        let salt: [u8; 16] = b("DGv6ra1nlYgDCS1FRnbzlw").try_into().expect("16");
        let body = encrypt(
            b"When I grow up, I want to be a watermelon",
            &keys,
            &ephemeral,
            &salt,
        )
        .expect("encrypts");
        assert_eq!(
            encode(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn refuses_bad_keys_and_long_messages() {
        let good = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        assert_eq!(
            SubscriptionKeys::parse(&good.replace('B', "C"), "BTBZMqHH6r4Tts7J_aSIgg"),
            Err(PushError::BadPublicKey)
        );
        assert_eq!(
            SubscriptionKeys::parse(good, "BTBZMqHH6r4Tts7J"),
            Err(PushError::BadAuthSecret)
        );
        assert_eq!(
            SubscriptionKeys::parse("not base64!", "BTBZMqHH6r4Tts7J_aSIgg"),
            Err(PushError::Encoding("p256dh"))
        );
        let keys = SubscriptionKeys::parse(good, "BTBZMqHH6r4Tts7J_aSIgg").expect("keys");
        let long = vec![b'x'; MAX_PLAINTEXT_LEN + 1];
        assert_eq!(
            encrypt(&long, &keys, &[7; 32], &[1; 16]),
            Err(PushError::TooLong(MAX_PLAINTEXT_LEN + 1))
        );
        let most = vec![b'x'; MAX_PLAINTEXT_LEN];
        let body = encrypt(&most, &keys, &[7; 32], &[1; 16]).expect("fits");
        assert_eq!(body.len(), MAX_ENCRYPTED_LEN);
    }

    #[test]
    fn audience_is_the_origin() {
        assert_eq!(
            audience("https://fcm.googleapis.com/fcm/send/abc?x=1").as_deref(),
            Ok("https://fcm.googleapis.com")
        );
        assert_eq!(
            audience("http://127.0.0.1:9000/push/1").as_deref(),
            Ok("http://127.0.0.1:9000")
        );
        for bad in ["ftp://x/y", "https:///x", "nonsense", "https://u@evil/x"] {
            assert_eq!(audience(bad), Err(PushError::BadEndpoint), "{bad}");
        }
    }

    #[test]
    fn vapid_header_carries_a_verifiable_es256_jwt() {
        use p256::ecdsa::VerifyingKey;
        use p256::ecdsa::signature::Verifier;
        let key = VapidKey::parse("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw").expect("key");
        // The public key of that scalar, as RFC 8291's example prints it.
        assert_eq!(
            key.public_key(),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        let header = key
            .authorization(
                "https://push.example.net/p/1",
                "mailto:alerts@learntrek.example",
                1_700_000_000,
            )
            .expect("header");
        let rest = header.strip_prefix("vapid t=").expect("scheme");
        let (jwt, k) = rest.split_once(", k=").expect("k");
        assert_eq!(k, key.public_key());
        let (input, sig) = jwt.rsplit_once('.').expect("signature");
        let claims: serde_json::Value =
            serde_json::from_slice(&b(input.split('.').nth(1).expect("claims"))).expect("json");
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["exp"], 1_700_000_000);
        assert_eq!(claims["sub"], "mailto:alerts@learntrek.example");
        let verifying = VerifyingKey::from_sec1_bytes(&b(k)).expect("point");
        let signature = Signature::from_slice(&b(sig)).expect("64 bytes");
        assert!(verifying.verify(input.as_bytes(), &signature).is_ok());
    }
}
