use lt_core::api::{ErrorCode, ErrorDetail};
use worker::Response;

/// Expected errors carry a message for the person; unexpected ones are logged
/// with their cause and answered with an opaque 500.
#[derive(Debug)]
pub enum ApiError {
    Expected(ErrorDetail),
    Unexpected(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Expected(ErrorDetail::new(code, message))
    }

    pub fn into_response(self) -> Response {
        let detail = match self {
            ApiError::Expected(detail) => detail,
            ApiError::Unexpected(cause) => {
                worker::console_error!("unexpected error: {cause}");
                ErrorDetail::new(
                    ErrorCode::Internal,
                    "something went wrong on our side and nothing was changed; please try again",
                )
            }
        };
        let status = detail.code.status();
        crate::http::json(status, &detail.into_body())
    }
}

impl From<ErrorDetail> for ApiError {
    fn from(detail: ErrorDetail) -> Self {
        ApiError::Expected(detail)
    }
}

impl From<worker::Error> for ApiError {
    fn from(err: worker::Error) -> Self {
        ApiError::Unexpected(err.to_string())
    }
}
