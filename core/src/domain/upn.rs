//! The Unique Pupil Number (DfE): a check letter, the LA number (3 digits),
//! the establishment number (4), the year of issue (2) and a serial (3 digits,
//! or 2 digits and a letter for a temporary UPN). The check letter is the
//! weighted sum of characters 2–13 (weights 2–13; a temporary UPN's final
//! letter counts as its value below) modulo 23, written as a letter.

use crate::api::ErrorDetail;

/// The 23 letters the scheme uses, in value order: no I, O or S.
const LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

fn letter_value(c: u8) -> Option<u32> {
    LETTERS.iter().position(|&l| l == c).map(|p| p as u32)
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Upn(String);

impl Upn {
    /// Reads a UPN as typed: spaces ignored, letters in either case.
    pub fn parse(raw: &str, field: &str) -> Result<Upn, ErrorDetail> {
        let text: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let bad = |why: &str| Err(ErrorDetail::invalid(field, why));
        let bytes = text.as_bytes();
        if bytes.len() != 13 || !text.is_ascii() {
            return bad(
                "a UPN has 13 characters: a letter, then 12 digits (or 11 digits and a letter)",
            );
        }
        if !bytes[1..12].iter().all(u8::is_ascii_digit) {
            return bad("characters 2 to 12 of a UPN are digits");
        }
        let last = bytes[12];
        if !last.is_ascii_digit() && letter_value(last).is_none() {
            return bad(
                "a UPN ends with a digit, or for a temporary UPN a letter other than I, O or S",
            );
        }
        match check_letter(&bytes[1..]) {
            Some(expected) if expected == bytes[0] => Ok(Upn(text)),
            Some(expected) => bad(&format!(
                "the check letter does not match; for these digits it would be {}",
                expected as char
            )),
            None => bad("this is not a valid UPN"),
        }
    }

    /// A temporary UPN (issued while the permanent one is unknown) ends in a letter.
    pub fn is_temporary(&self) -> bool {
        self.0.as_bytes().last().is_some_and(u8::is_ascii_uppercase)
    }

    /// The LA number the UPN was issued under (characters 2–4).
    pub fn la_number(&self) -> &str {
        &self.0[1..4]
    }
}

impl AsRef<str> for Upn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The check letter for characters 2–13.
pub fn check_letter(rest: &[u8]) -> Option<u8> {
    if rest.len() != 12 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in rest.iter().enumerate() {
        let value = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else if i == 11 {
            letter_value(c)?
        } else {
            return None;
        };
        sum += value * (i as u32 + 2);
    }
    LETTERS.get((sum % 23) as usize).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        // 8·2 + 1·4 + 2·5 + 5·10 + 1·13 = 93 = 4·23 + 1 → B.
        assert!(Upn::parse("B801200005001", "upn").is_ok());
        let err = Upn::parse("A801200005001", "upn").expect_err("wrong letter");
        assert!(err.message.contains("would be B"), "{}", err.message);
        // 2·2 + 7·4 + 1·9 + 6·10 + 4·12 + 9·13 = 266 = 11·23 + 13 → P (no I or O).
        assert!(Upn::parse("P207000016049", "upn").is_ok());
        assert!(Upn::parse("Q207000016049", "upn").is_err());
    }

    #[test]
    fn typing_is_forgiven_but_shape_is_not() {
        let upn = Upn::parse(" p207 0000 16049 ", "upn").expect("spaces and case");
        assert_eq!(upn.as_ref(), "P207000016049");
        assert_eq!(upn.la_number(), "207");
        for bad in [
            "",
            "P20700001604",
            "P2070000160499",
            "P20700X016049",
            "P20700001604S",
            "P20700001604!",
            "P2070000160٤9",
        ] {
            let err = Upn::parse(bad, "identity.upn").expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("identity.upn"));
        }
    }

    #[test]
    fn temporary_upns_end_in_a_letter() {
        let rest = b"20700001604A";
        let letter = check_letter(rest).expect("letter") as char;
        let upn = Upn::parse(&format!("{letter}20700001604A"), "upn").expect("temporary");
        assert!(upn.is_temporary());
        assert!(
            !Upn::parse("P207000016049", "upn")
                .expect("permanent")
                .is_temporary()
        );
    }

    fn rest_strategy() -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::collection::vec(b'0'..=b'9', 11),
            prop_oneof![b'0'..=b'9', proptest::sample::select(LETTERS.to_vec())],
        )
            .prop_map(|(mut digits, last)| {
                digits.push(last);
                digits
            })
    }

    proptest! {
        #[test]
        fn the_computed_letter_always_validates(rest in rest_strategy()) {
            let letter = check_letter(&rest).expect("letter");
            let upn = format!("{}{}", letter as char, String::from_utf8(rest).expect("ascii"));
            prop_assert!(Upn::parse(&upn, "upn").is_ok());
        }

        #[test]
        fn any_other_letter_is_refused(rest in rest_strategy(), other in proptest::sample::select(LETTERS.to_vec())) {
            let letter = check_letter(&rest).expect("letter");
            prop_assume!(other != letter);
            let upn = format!("{}{}", other as char, String::from_utf8(rest).expect("ascii"));
            prop_assert!(Upn::parse(&upn, "upn").is_err());
        }

        #[test]
        fn changing_one_digit_changes_the_letter(rest in rest_strategy(), at in 0usize..11, bump in 1u8..10) {
            // Weights 2..12 are all coprime to 23, so a single-digit error is always caught.
            let mut changed = rest.clone();
            changed[at] = b'0' + (changed[at] - b'0' + bump) % 10;
            prop_assert_ne!(check_letter(&rest), check_letter(&changed));
        }
    }
}
