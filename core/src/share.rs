//! Sharing a Reintegration Export with someone outside LearnTrek (the
//! receiving school's SENCo, say) by a link that works only for them: the
//! link's token is stored as a digest, it expires and can be revoked, and
//! opening it needs a one-time code sent to the named recipient's email.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::api::{ErrorDetail, NewShare};
use crate::domain::EmailAddress;

/// How long a link works unless the sharer says otherwise, and at most.
pub const DEFAULT_DAYS: u32 = 14;
pub const MAX_DAYS: u32 = 30;
/// A code is good for ten minutes and five tries, and is used once.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
pub const CODE_ATTEMPTS: u32 = 5;
/// Codes sent for one link in the last hour, at most.
pub const CODES_PER_HOUR: u32 = 3;
/// After a correct code, the recipient may read the export for this long.
pub const ACCESS_LIFETIME: Duration = Duration::minutes(30);

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Open,
    Expired,
    Revoked,
}

pub fn link_state(
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> LinkState {
    match revoked_at {
        Some(at) if at <= now => LinkState::Revoked,
        _ if now >= expires_at => LinkState::Expired,
        _ => LinkState::Open,
    }
}

/// A six-digit code from a random number (the modulo bias of 2^32 over a
/// million is under one in four thousand: immaterial for a ten-minute code).
pub fn code_from(random: u32) -> String {
    format!("{:06}", random % 1_000_000)
}

/// What is stored of a code: bound to its link, so a code for one link
/// proves nothing for another.
pub fn code_digest(share_id: &str, code: &str) -> String {
    let digest = Sha256::digest(format!("{share_id}:{}", code.trim()).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a typed code looks like one at all (six digits, spaces allowed).
pub fn looks_like_code(typed: &str) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())
}

/// The typed code without the spaces people put in.
pub fn normalise_code(typed: &str) -> String {
    typed.chars().filter(|c| !c.is_whitespace()).collect()
}

/// "h***@northgate.example": enough for the recipient to know where to look,
/// not enough to learn the address from the link.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// A new share checked: the recipient's address, and the days it lasts.
pub fn check_new_share(share: &NewShare) -> Result<(EmailAddress, u32), ErrorDetail> {
    let email = EmailAddress::parse(&share.recipient_email, "recipient_email")?;
    if share.recipient_name.trim().is_empty() {
        return Err(ErrorDetail::invalid(
            "recipient_name",
            "say who the export is for",
        ));
    }
    if share.recipient_name.chars().count() > 100 {
        return Err(ErrorDetail::invalid(
            "recipient_name",
            "at most 100 characters",
        ));
    }
    let days = share.days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ErrorDetail::invalid(
            "days",
            format!("a link lasts 1 to {MAX_DAYS} days"),
        ));
    }
    Ok((email, days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    #[test]
    fn a_link_is_open_until_it_expires_or_is_revoked() {
        let expires = at("2026-12-19T10:00:00Z");
        assert_eq!(
            link_state(expires, None, at("2026-12-19T09:59:59Z")),
            LinkState::Open
        );
        assert_eq!(link_state(expires, None, expires), LinkState::Expired);
        let revoked = Some(at("2026-12-10T08:00:00Z"));
        assert_eq!(
            link_state(expires, revoked, at("2026-12-10T08:00:00Z")),
            LinkState::Revoked
        );
        assert_eq!(
            link_state(expires, revoked, at("2026-12-09T08:00:00Z")),
            LinkState::Open
        );
    }

    #[test]
    fn codes_are_bound_to_their_link() {
        assert_ne!(
            code_digest("share-a", "123456"),
            code_digest("share-b", "123456")
        );
        assert_eq!(
            code_digest("share-a", " 123456 "),
            code_digest("share-a", "123456")
        );
        assert!(looks_like_code("123 456"));
        assert!(!looks_like_code("12345"));
        assert!(!looks_like_code("12345a"));
        assert_eq!(
            mask_email("helen@northgate.example"),
            "h***@northgate.example"
        );
    }

    #[test]
    fn new_shares_are_checked_by_field() {
        let share = |email: &str, name: &str, days| NewShare {
            recipient_email: email.into(),
            recipient_name: name.into(),
            days,
        };
        assert_eq!(
            check_new_share(&share("Helen@Northgate.example", "Helen Price", None))
                .map(|(e, d)| (e.as_ref().to_owned(), d)),
            Ok(("helen@northgate.example".to_owned(), DEFAULT_DAYS))
        );
        for (bad, field) in [
            (share("nobody", "Helen", None), "recipient_email"),
            (share("h@n.example", " ", None), "recipient_name"),
            (share("h@n.example", "Helen", Some(0)), "days"),
            (share("h@n.example", "Helen", Some(31)), "days"),
        ] {
            assert_eq!(
                check_new_share(&bad)
                    .map(|_| ())
                    .unwrap_err()
                    .field
                    .as_deref(),
                Some(field)
            );
        }
    }

    proptest! {
        /// Every random number makes a six-digit code that the check accepts.
        #[test]
        fn codes_have_six_digits(n in any::<u32>()) {
            let code = code_from(n);
            prop_assert!(looks_like_code(&code));
            prop_assert_eq!(code.len(), 6);
        }
    }
}
