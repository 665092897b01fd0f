//! UK mobile numbers, the only numbers LearnTrek texts: kept as E.164
//! (`+447…`) whatever way they were typed.

/// `07700 900123`, `+44 7700 900123`, `0044 (0)7700-900123` → `+447700900123`.
pub fn parse_uk_mobile(input: &str) -> Result<String, &'static str> {
    let compact: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let national = if let Some(rest) = compact.strip_prefix("+44") {
        rest
    } else if let Some(rest) = compact.strip_prefix("0044") {
        rest
    } else if let Some(rest) = compact.strip_prefix("44").filter(|r| r.len() == 10) {
        rest
    } else {
        compact.as_str()
    };
    // "+44 (0)7…": the trunk 0 written after the country code.
    let national = national.strip_prefix('0').unwrap_or(national);
    if !national.chars().all(|c| c.is_ascii_digit()) {
        return Err("a phone number has only digits, spaces and a leading +44");
    }
    if national.len() != 10 || !national.starts_with('7') {
        return Err("a UK mobile number has 11 digits and starts 07");
    }
    Ok(format!("+44{national}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_people_write_a_mobile_number() {
        for input in [
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "+44 (0)7700-900123",
            "0044 7700 900123",
            "447700900123",
        ] {
            assert_eq!(
                parse_uk_mobile(input).as_deref(),
                Ok("+447700900123"),
                "{input}"
            );
        }
    }

    #[test]
    fn landlines_and_nonsense_are_refused() {
        for input in [
            "020 7946 0000",
            "0770090012",
            "077009001234",
            "07700 9OO123",
            "",
            "+1 202 555 0100",
        ] {
            assert!(parse_uk_mobile(input).is_err(), "{input}");
        }
    }
}
