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
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => data_error(&path, &inner),
            _ => malformed(&inner),
        }
    })?;
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
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
