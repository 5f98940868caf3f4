//! Query and path parameters, parsed by hand so that every malformed value is a 400 with a
//! message naming the parameter (never a 500, never silently ignored).

use std::collections::HashMap;

use crate::ApiError;

/// The query string as pairs; unknown names are refused by [`Query::finish`].
pub struct Query {
    pairs: HashMap<String, String>,
}

impl Query {
    /// Wraps the decoded query pairs.
    pub fn new(pairs: HashMap<String, String>) -> Self {
        Self { pairs }
    }

    /// A text parameter; empty counts as absent.
    pub fn text(&mut self, name: &str) -> Option<String> {
        self.pairs.remove(name).filter(|v| !v.is_empty())
    }

    /// An integer parameter within `min..=max`, `default` when absent.
    pub fn int(&mut self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
        match self.pairs.remove(name) {
            None => Ok(default),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_request(format!(
                    "{name} must be an integer from {min} to {max}, got {v:?}"
                ))),
            },
        }
    }

    /// A time bound: RFC 3339 (`2026-01-31T10:00:00Z`) or a date (`2026-01-31`, midnight UTC).
    pub fn time(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(v) = self.text(name) else {
            return Ok(None);
        };
        if let Ok(t) = v.parse::<jiff::Timestamp>() {
            return Ok(Some(t.to_string()));
        }
        if let Ok(d) = v.parse::<jiff::civil::Date>() {
            return Ok(Some(format!("{d}T00:00:00Z")));
        }
        Err(ApiError::bad_request(format!(
            "{name} must be an RFC 3339 time (2026-01-31T10:00:00Z) or a date (2026-01-31), got {v:?}"
        )))
    }

    /// Refuses parameters nobody asked for (a typo would otherwise silently match all).
    pub fn finish(self) -> Result<(), ApiError> {
        let mut left: Vec<&String> = self.pairs.keys().collect();
        left.sort();
        match left.first() {
            None => Ok(()),
            Some(k) => Err(ApiError::bad_request(format!("unknown parameter {k:?}"))),
        }
    }
}

/// A session id from the path: a positive integer, else 400.
pub fn session_id(text: &str) -> Result<i64, ApiError> {
    match text.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "session id must be a positive integer, got {text:?}"
        ))),
    }
}

/// A lap number from the path: an integer from 0, else 400.
pub fn lap_number(text: &str) -> Result<u32, ApiError> {
    text.parse::<u32>().map_err(|_| {
        ApiError::bad_request(format!(
            "lap number must be a non-negative integer, got {text:?}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Query {
        Query::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn integers_in_range_or_400() {
        assert_eq!(q(&[]).int("limit", 50, 1, 500).unwrap(), 50);
        assert_eq!(q(&[("limit", "7")]).int("limit", 50, 1, 500).unwrap(), 7);
        for bad in ["abc", "0", "501", "-1", "1e3", ""] {
            let e = q(&[("limit", bad)]).int("limit", 50, 1, 500).unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
            assert!(e.message.contains("limit"), "{}", e.message);
        }
    }

    #[test]
    fn times_are_normalised_to_utc() {
        assert_eq!(
            q(&[("from", "2026-01-31")])
                .time("from")
                .unwrap()
                .as_deref(),
            Some("2026-01-31T00:00:00Z")
        );
        assert_eq!(
            q(&[("from", "2026-01-31T12:00:00+02:00")])
                .time("from")
                .unwrap()
                .as_deref(),
            Some("2026-01-31T10:00:00Z")
        );
        assert!(q(&[("from", "yesterday")]).time("from").is_err());
    }

    #[test]
    fn ids_and_unknown_parameters() {
        assert_eq!(session_id("12").unwrap(), 12);
        assert!(session_id("xyz").is_err());
        assert!(session_id("0").is_err());
        assert!(session_id("1 OR 1=1").is_err());
        assert_eq!(lap_number("0").unwrap(), 0);
        assert!(lap_number("-1").is_err());
        assert!(q(&[("trakc", "Monza")]).finish().is_err());
    }
}
