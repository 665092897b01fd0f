use serde::de::DeserializeOwned;

use super::error::{ErrorCode, ErrorDetail};

/// Largest JSON body any endpoint accepts; bigger bodies get a 413.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// Reads a request body, naming the field at fault when it does not fit `T`.
///
/// Syntax errors are `malformed_json` (with line and column); well-formed JSON
/// of the wrong shape is `invalid_field` with the dotted path of the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ErrorDetail> {
    if body.is_empty() {
        return Err(ErrorDetail::new(
            ErrorCode::MalformedJson,
            "the request body is empty; send a JSON object",
        ));
    }
    match read(body) {
        // JSON Schema counts 36.0 as an integer, as the OpenAPI document's
        // readers will; serde does not. Rare, so only then is the body
        // rewritten with such numbers as integers and read again (through
        // the same code: a second deserializer per type would cost the
        // worker 60 kB).
        Err(Fault::FloatForInteger(detail)) => match integral_floats_as_integers(body) {
            Some(rewritten) => read(&rewritten).map_err(Fault::into_detail),
            None => Err(detail),
        },
        read => read.map_err(Fault::into_detail),
    }
}

enum Fault {
    FloatForInteger(ErrorDetail),
    Other(ErrorDetail),
}

impl Fault {
    fn into_detail(self) -> ErrorDetail {
        match self {
            Fault::FloatForInteger(d) | Fault::Other(d) => d,
        }
    }
}

fn read<T: DeserializeOwned>(body: &[u8]) -> Result<T, Fault> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data
                if inner
                    .to_string()
                    .starts_with("invalid type: floating point") =>
            {
                Fault::FloatForInteger(data_error(&path, &inner))
            }
            serde_json::error::Category::Data => Fault::Other(data_error(&path, &inner)),
            _ => Fault::Other(malformed(&inner)),
        }
    })?;
    de.end().map_err(|e| Fault::Other(malformed(&e)))?;
    Ok(value)
}

/// The body with `36.0` written `36` everywhere; `36.5` and numbers past
/// what an integer holds are left as they are (and refused where an integer
/// is due). None if there was nothing to rewrite.
fn integral_floats_as_integers(body: &[u8]) -> Option<Vec<u8>> {
    fn walk(value: &mut serde_json::Value, changed: &mut bool) {
        use serde_json::Value;
        match value {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                // 2^63: past it an f64 no longer fits an i64.
                if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
                    *value = Value::from(f as i64);
                    *changed = true;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, changed)),
            Value::Object(fields) => fields.values_mut().for_each(|v| walk(v, changed)),
            _ => {}
        }
    }
    let mut tree: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut changed = false;
    walk(&mut tree, &mut changed);
    if !changed {
        return None;
    }
    serde_json::to_vec(&tree).ok()
}

/// Reads a URL query string into `T`, naming the parameter at fault.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ErrorDetail> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        let field = if path == "." {
            message
                .strip_prefix("unknown field `")
                .or_else(|| message.strip_prefix("missing field `"))
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned)
        } else {
            Some(path)
        };
        ErrorDetail {
            code: ErrorCode::InvalidField,
            message: format!("query parameter: {message}"),
            field,
        }
    })
}

fn malformed(err: &serde_json::Error) -> ErrorDetail {
    ErrorDetail::new(
        ErrorCode::MalformedJson,
        format!(
            "the request body is not valid JSON (line {}, column {})",
            err.line(),
            err.column()
        ),
    )
}

fn data_error(path: &str, err: &serde_json::Error) -> ErrorDetail {
    // serde reports a missing field against the enclosing object, with
    // the field's name only in the message; lift it into the path.
    let text = err.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_owned();
    // (An unknown field is already the last element of the path.)
    let named = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (path, named) {
        (".", Some(name)) => name.to_owned(),
        (p, Some(name)) => format!("{p}.{name}"),
        (".", None) => String::new(),
        (p, None) => p.to_owned(),
    };
    if field.is_empty() {
        ErrorDetail::new(ErrorCode::InvalidField, message)
    } else {
        ErrorDetail::invalid(field, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SignInRequest;

    #[test]
    fn syntax_error_is_malformed_with_position() {
        let err = parse_json::<SignInRequest>(b"{\"email\": ").unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedJson);
        assert!(err.message.contains("line 1"), "{}", err.message);
        assert_eq!(err.field, None);
    }

    #[test]
    fn empty_body_is_malformed() {
        let err = parse_json::<SignInRequest>(b"").unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedJson);
    }

    #[test]
    fn trailing_garbage_is_malformed() {
        let err =
            parse_json::<SignInRequest>(br#"{"email":"a@b.uk","password":"x"} x"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedJson);
    }

    #[test]
    fn missing_field_is_named() {
        let err = parse_json::<SignInRequest>(br#"{"email":"a@b.uk"}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidField);
        assert_eq!(err.field.as_deref(), Some("password"));
    }

    #[test]
    fn wrong_type_is_named() {
        let err = parse_json::<SignInRequest>(br#"{"email":7,"password":"x"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("email"));
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn an_integer_written_with_a_fraction_of_zero_is_an_integer() {
        use crate::api::RetentionRule;
        let rule = parse_json::<RetentionRule>(br#"{"keep_until_age":25.0}"#).expect("25.0");
        assert_eq!(rule.keep_until_age, 25);
        let err = parse_json::<RetentionRule>(br#"{"keep_until_age":25.5}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("keep_until_age"));
        assert!(err.message.contains("invalid type"), "{}", err.message);
        let err = parse_json::<RetentionRule>(br#"{"keep_until_age":1e300}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("keep_until_age"));
        // Trailing bytes are still refused.
        assert!(parse_json::<RetentionRule>(br#"{"keep_until_age":25.0} x"#).is_err());
    }

    #[test]
    fn unknown_field_is_named() {
        let err = parse_json::<SignInRequest>(br#"{"email":"a","password":"b","admin":true}"#)
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("admin"));
    }

    #[test]
    fn not_an_object_has_no_field() {
        let err = parse_json::<SignInRequest>(b"\"sign me in\"").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidField);
        assert_eq!(err.field, None);
    }

    #[test]
    fn query_errors_name_the_parameter() {
        use crate::api::AuditQuery;
        let q: AuditQuery = parse_query("action=invitation.created&limit=5").expect("valid");
        assert_eq!(q.limit, Some(5));
        assert_eq!(
            parse_query::<AuditQuery>("").expect("empty"),
            AuditQuery::default()
        );
        let err = parse_query::<AuditQuery>("limit=lots").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("limit"));
        let err = parse_query::<AuditQuery>("from=yesterday").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("from"));
        let err = parse_query::<AuditQuery>("colour=red").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("colour"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = parse_json::<SignInRequest>(&bytes);
        }
    }
}
