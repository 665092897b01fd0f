//! Passwords and sign-in tokens. Randomness comes from the caller (the worker's
//! `crypto.getRandomValues`, a test's fixed bytes), so this stays pure.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::Duration;
use sha2::{Digest, Sha256};

use crate::access::Role;

/// Argon2id with OWASP's second recommended setting (19 MiB, 2 passes, 1 lane):
/// strong enough offline, and cheap enough for a Worker (see BENCHMARKS.md).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
pub const ARGON2_PASSES: u32 = 2;
pub const ARGON2_LANES: u32 = 1;
pub const SALT_BYTES: usize = 16;
pub const TOKEN_BYTES: usize = 32;

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .unwrap_or_else(|_| Params::default());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=...`) to store for `password`.
pub fn hash_password(password: &str, salt: &[u8; SALT_BYTES]) -> String {
    argon2()
        .hash_password_with_salt(password.as_bytes(), salt)
        .map(|h: PasswordHash| h.to_string())
        // Only fails on out-of-range parameters, which are constants above.
        .unwrap_or_default()
}

/// Whether `password` matches a stored PHC string. A malformed string never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// NCSC-style rule for a chosen password: long enough, not absurdly long,
/// and not one of the passwords every attacker tries first.
pub fn check_new_password(password: &str, field: &str) -> Result<(), crate::api::ErrorDetail> {
    let n = password.chars().count();
    let bad = |why: String| Err(crate::api::ErrorDetail::invalid(field, why));
    if n < MIN_PASSWORD_CHARS {
        return bad(format!(
            "choose a password of at least {MIN_PASSWORD_CHARS} characters; three random words work well"
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return bad(format!(
            "a password has at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    let lower = password.to_lowercase();
    let first = lower.chars().next().unwrap_or(' ');
    let common = [
        "password",
        "qwerty",
        "123456",
        "letmein",
        "welcome",
        "learntrek",
        "iloveyou",
    ];
    if lower.chars().all(|c| c == first) || common.iter().any(|c| lower.starts_with(c)) {
        return bad("that password is too easy to guess; three random words work well".into());
    }
    Ok(())
}

/// A fixed hash to verify against when no account matches, so that a wrong
/// email costs the same time as a wrong password and reveals nothing.
pub fn decoy_hash() -> String {
    hash_password("decoy", &[7; SALT_BYTES])
}

/// The secret a browser holds in its cookie; only [`token_digest`] is stored.
pub fn token_from_bytes(bytes: &[u8; TOKEN_BYTES]) -> String {
    hex(bytes)
}

pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long sign-ins last, by the kind of work a role does. Tutors and escorts
/// stay signed in on their own phone for a working week; anyone who can see
/// safeguarding data gets a short one. Set per deployment with the
/// `SIGN_IN_LIFETIMES` variable (hours); these are the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lifetimes {
    /// Off-site tutors and taxi escorts.
    pub field_idle_hours: u32,
    pub field_absolute_hours: u32,
    /// AP practitioners.
    pub practitioner_idle_hours: u32,
    pub practitioner_absolute_hours: u32,
    /// AP admins, DSLs, school staff and LA commissioners.
    pub office_idle_hours: u32,
    pub office_absolute_hours: u32,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            field_idle_hours: 7 * 24,
            field_absolute_hours: 14 * 24,
            practitioner_idle_hours: 12,
            practitioner_absolute_hours: 7 * 24,
            office_idle_hours: 2,
            office_absolute_hours: 12,
        }
    }
}

impl Lifetimes {
    /// How long a sign-in lasts without being used; with several roles, the strictest.
    pub fn idle(&self, roles: &[Role]) -> Duration {
        self.strictest(roles, |l, r| match r {
            Role::OffSiteTutor | Role::TaxiEscort => l.field_idle_hours,
            Role::ApPractitioner => l.practitioner_idle_hours,
            Role::ApAdmin | Role::Dsl | Role::SchoolStaff | Role::LaCommissioner => {
                l.office_idle_hours
            }
        })
    }

    /// How long a sign-in lasts at most, however often it is used.
    pub fn absolute(&self, roles: &[Role]) -> Duration {
        self.strictest(roles, |l, r| match r {
            Role::OffSiteTutor | Role::TaxiEscort => l.field_absolute_hours,
            Role::ApPractitioner => l.practitioner_absolute_hours,
            Role::ApAdmin | Role::Dsl | Role::SchoolStaff | Role::LaCommissioner => {
                l.office_absolute_hours
            }
        })
    }

    fn strictest(&self, roles: &[Role], hours: impl Fn(&Lifetimes, &Role) -> u32) -> Duration {
        // Someone with no role yet is treated like the most sensitive role.
        let h = roles
            .iter()
            .map(|r| hours(self, r))
            .min()
            .unwrap_or_else(|| hours(self, &Role::Dsl));
        Duration::hours(i64::from(h.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let stored = hash_password("correct horse", &[1; SALT_BYTES]);
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("correct horsf", &stored));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn new_passwords_must_be_long_and_uncommon() {
        assert!(check_new_password("purple-kettle-river", "password").is_ok());
        for bad in ["short", "aaaaaaaaaaaa", "Password123!", &"x".repeat(129)] {
            let err = check_new_password(bad, "password").expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("password"));
        }
    }

    #[test]
    fn tokens_are_hex_and_digests_differ_from_tokens() {
        let token = token_from_bytes(&[0xab; TOKEN_BYTES]);
        assert_eq!(token.len(), 64);
        let digest = token_digest(&token);
        assert_eq!(digest.len(), 64);
        assert_ne!(digest, token);
        assert_eq!(digest, token_digest(&token));
    }

    #[test]
    fn strictest_role_sets_the_lifetime() {
        let l = Lifetimes::default();
        assert_eq!(l.idle(&[Role::OffSiteTutor]), Duration::days(7));
        assert_eq!(l.idle(&[Role::OffSiteTutor, Role::Dsl]), Duration::hours(2));
        assert_eq!(l.absolute(&[]), Duration::hours(12));
        for &r in Role::ALL {
            assert!(l.idle(&[r]) <= l.absolute(&[r]), "{r:?}");
        }
    }

    #[test]
    fn lifetimes_are_configurable_in_part() {
        let l: Lifetimes = serde_json::from_str(r#"{"office_idle_hours": 1}"#).expect("partial");
        assert_eq!(l.idle(&[Role::Dsl]), Duration::hours(1));
        assert_eq!(l.idle(&[Role::TaxiEscort]), Duration::days(7));
        assert!(serde_json::from_str::<Lifetimes>(r#"{"office_idle": 1}"#).is_err());
    }
}
