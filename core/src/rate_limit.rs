//! Rate limits on the endpoints that anyone may call or that send email:
//! enough for a person (a school's staff behind one address included), too
//! few to guess a link's token, flood someone's inbox or enumerate codes.
//! Each limit counts requests per key in fixed windows aligned to the epoch,
//! so one stored row per key is all the state there is.

use chrono::{DateTime, TimeZone, Utc};

use crate::api::{Endpoint, ErrorCode, ErrorDetail};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Part of the stored key, so limits never share a count.
    pub name: &'static str,
    pub max: u32,
    pub window_minutes: i64,
    /// What is being limited, for the message ("password reset emails").
    pub what: &'static str,
}

/// Invitation links looked up or accepted, per client address.
pub const INVITATION_LINKS: Limit = Limit {
    name: "invitation-link",
    max: 60,
    window_minutes: 10,
    what: "tries with invitation links",
};

/// Password reset emails asked for, per client address.
pub const RESET_REQUESTS: Limit = Limit {
    name: "reset-request",
    max: 20,
    window_minutes: 60,
    what: "password reset requests",
};

/// Password reset emails sent to one address: a person asks once or twice.
pub const RESET_EMAILS: Limit = Limit {
    name: "reset-email",
    max: 3,
    window_minutes: 60,
    what: "password reset emails for this address",
};

/// Password reset links used, per client address.
pub const RESET_LINKS: Limit = Limit {
    name: "reset-link",
    max: 30,
    window_minutes: 10,
    what: "tries with password reset links",
};

/// Shared export links and codes tried, per client address (each code also
/// allows only five wrong tries).
pub const SHARE_LINKS: Limit = Limit {
    name: "share-link",
    max: 60,
    window_minutes: 10,
    what: "tries with shared export links and codes",
};

/// Invitations sent by one person: a whole staff room fits in an hour.
pub const INVITATIONS_SENT: Limit = Limit {
    name: "invitation-sent",
    max: 50,
    window_minutes: 60,
    what: "invitations sent",
};

/// The limit each endpoint applies per client address before it runs.
pub fn by_address(endpoint: Endpoint) -> Option<Limit> {
    match endpoint {
        Endpoint::LookUpInvitation | Endpoint::AcceptInvitation => Some(INVITATION_LINKS),
        Endpoint::RequestPasswordReset => Some(RESET_REQUESTS),
        Endpoint::CompletePasswordReset => Some(RESET_LINKS),
        Endpoint::SendShareCode | Endpoint::OpenShare => Some(SHARE_LINKS),
        _ => None,
    }
}

impl Limit {
    /// The stored key for `subject` (an address, an email, a person's id).
    pub fn key(&self, subject: &str) -> String {
        format!("{}:{}", self.name, subject.to_lowercase())
    }

    /// When the window holding `now` ends; requests share a count while it is the same.
    pub fn window_ends_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let width = self.window_minutes * 60;
        let end = (now.timestamp().div_euclid(width) + 1) * width;
        Utc.timestamp_opt(end, 0).single().unwrap_or(now)
    }

    /// Whether the `hits`-th request in a window goes through.
    pub fn allows(&self, hits: u32) -> bool {
        hits <= self.max
    }

    /// The 429 for a request over the limit, saying when to try again.
    pub fn refusal(&self, now: DateTime<Utc>) -> ErrorDetail {
        let minutes = ((self.window_ends_at(now) - now).num_seconds() + 59) / 60;
        let minutes = minutes.max(1);
        ErrorDetail::new(
            ErrorCode::TooManyRequests,
            format!(
                "too many {}; try again in {minutes} minute{}",
                self.what,
                if minutes == 1 { "" } else { "s" }
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn windows_are_aligned_and_the_message_counts_the_wait() {
        let now = t("2027-03-01T09:07:30Z");
        assert_eq!(
            INVITATION_LINKS.window_ends_at(now),
            t("2027-03-01T09:10:00Z")
        );
        assert_eq!(RESET_EMAILS.window_ends_at(now), t("2027-03-01T10:00:00Z"));
        let refusal = INVITATION_LINKS.refusal(now);
        assert_eq!(refusal.code, ErrorCode::TooManyRequests);
        assert!(
            refusal.message.ends_with("try again in 3 minutes"),
            "{}",
            refusal.message
        );
        assert!(
            INVITATION_LINKS
                .refusal(t("2027-03-01T09:09:59Z"))
                .message
                .ends_with("in 1 minute")
        );
    }

    #[test]
    fn the_limit_is_the_last_allowed_request() {
        assert!(RESET_EMAILS.allows(3));
        assert!(!RESET_EMAILS.allows(4));
    }

    #[test]
    fn keys_differ_by_limit_and_ignore_case() {
        assert_eq!(RESET_EMAILS.key("A@B.uk"), RESET_EMAILS.key("a@b.uk"));
        assert_ne!(RESET_EMAILS.key("a@b.uk"), RESET_REQUESTS.key("a@b.uk"));
    }

    #[test]
    fn only_the_open_endpoints_are_limited_by_address() {
        let limited: Vec<Endpoint> = Endpoint::ALL
            .iter()
            .copied()
            .filter(|e| by_address(*e).is_some())
            .collect();
        assert_eq!(limited.len(), 6);
        assert!(limited.iter().all(|e| !e.needs_sign_in()));
    }

    proptest! {
        #[test]
        fn a_window_ends_after_now_and_within_its_width(secs in 0i64..4_000_000_000) {
            let now = Utc.timestamp_opt(secs, 0).single().expect("instant");
            for limit in [INVITATION_LINKS, RESET_EMAILS, SHARE_LINKS] {
                let end = limit.window_ends_at(now);
                prop_assert!(end > now);
                prop_assert!(end - now <= chrono::Duration::minutes(limit.window_minutes));
            }
        }
    }
}
