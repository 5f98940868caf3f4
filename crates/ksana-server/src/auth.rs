//! The write check: `Authorization: Bearer <token>` against the configured token.

use axum::http::{HeaderMap, StatusCode, header};

use crate::{ApiError, WritePolicy};

/// Ok when the request may write under `policy`; 401 for a missing or wrong token, 403 when
/// the server accepts no writes at all.
pub fn check_write(policy: &WritePolicy, headers: &HeaderMap) -> Result<(), ApiError> {
    let WritePolicy::Token(token) = policy else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server accepts no writes: start ksana serve with --token or KSANA_TOKEN",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(g) if constant_time_eq(g.as_bytes(), token.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid token")),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "writes need an Authorization: Bearer <token> header",
        )),
    }
}

/// Compares without stopping at the first difference, so the time taken does not tell how
/// much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn bearer_token_must_match() {
        let p = WritePolicy::Token("s3cret".into());
        assert!(check_write(&p, &with("Bearer s3cret")).is_ok());
        assert_eq!(
            check_write(&p, &with("Bearer s3cre")).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            check_write(&p, &with("Basic s3cret")).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            check_write(&p, &HeaderMap::new()).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            check_write(&WritePolicy::Refuse, &with("Bearer s3cret"))
                .unwrap_err()
                .status,
            StatusCode::FORBIDDEN
        );
    }
}
