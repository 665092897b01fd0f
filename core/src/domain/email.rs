use crate::api::ErrorDetail;

/// An email address as people type it, trimmed and lower-cased so that one
/// person has one address however they capitalise it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// `field` names the request field in the error, so the form can point at it.
    pub fn parse(raw: &str, field: &str) -> Result<EmailAddress, ErrorDetail> {
        let address = raw.trim().to_lowercase();
        let bad = |why: &str| Err(ErrorDetail::invalid(field, why));
        if address.is_empty() {
            return bad("enter an email address");
        }
        if address.len() > 254 {
            return bad("an email address has at most 254 characters");
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return bad("an email address needs an @, like name@school.org.uk");
        };
        if local.is_empty() || local.len() > 64 {
            return bad("the part before the @ must have 1 to 64 characters");
        }
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return bad("the part after the @ must be a domain, like school.org.uk");
        }
        if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("an email address cannot contain spaces");
        }
        Ok(EmailAddress(address))
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_normalises() {
        let e = EmailAddress::parse("  Sam.Jones@Example.ORG.uk ", "email").expect("valid");
        assert_eq!(e.as_ref(), "sam.jones@example.org.uk");
    }

    #[test]
    fn rejects_with_the_field_named() {
        for bad in [
            "",
            "nobody",
            "@x.uk",
            "a@",
            "a@localhost",
            "a b@x.uk",
            "a@-x.uk",
            "a@x..uk",
        ] {
            let err = EmailAddress::parse(bad, "contact.email").expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("contact.email"), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(local in "[a-zA-Z0-9._+-]{1,20}", domain in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
            let raw = format!("{local}@{domain}");
            let once = EmailAddress::parse(&raw, "email").expect("valid");
            let twice = EmailAddress::parse(once.as_ref(), "email").expect("still valid");
            prop_assert_eq!(once, twice);
        }
    }
}
