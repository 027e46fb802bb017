//! ingress-nginx's CORS annotations as the HTTPRoute CORS filter, with ingress-nginx's documented
//! defaults for the keys not given. Where the filter says it differently, a finding names the key
//! and what changes.
//!
//! ingress-nginx answers `cors-allow-origin: *` with `Access-Control-Allow-Origin: *`, beside
//! `Access-Control-Allow-Credentials: true` by default: browsers refuse a credentialed response
//! with `*`, so only requests without credentials pass. The filter with `*` and `allowCredentials`
//! must echo the caller's origin instead, which lets credentialed requests from every origin pass:
//! `*` is converted without `allowCredentials`, which is what browsers saw.

use super::nginx::{unsupported, PREFIX};
use super::source::*;
use crate::finding::Severity;
use crate::request::CorsRequest;
use indexmap::IndexMap;

const DEFAULT_METHODS: &str = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
const DEFAULT_HEADERS: &str =
    "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
const DEFAULT_MAX_AGE: i64 = 1_728_000;

/// The annotations read here; the others of ingress-nginx are not CORS.
pub const KEYS: [&str; 7] = [
    "enable-cors",
    "cors-allow-origin",
    "cors-allow-methods",
    "cors-allow-headers",
    "cors-expose-headers",
    "cors-allow-credentials",
    "cors-max-age",
];

/// The CORS filter the annotations of one Ingress ask for: `None` without `enable-cors: "true"`
/// (ingress-nginx then ignores the other keys, reported as a note) or when no origin is left.
pub fn read(
    origin: &Origin,
    annotations: &IndexMap<String, String>,
    out: &mut Sources,
) -> Option<CorsRequest> {
    let get = |key: &str| annotations.get(&format!("{PREFIX}{key}"));
    if get("enable-cors").map(String::as_str) != Some("true") {
        for key in KEYS.iter().skip(1).filter(|k| get(k).is_some()) {
            out.findings.push(
                origin
                    .finding(Severity::Note, "convert-annotation-ignored",
                        format!("annotation {PREFIX}{key} has no effect without {PREFIX}enable-cors: \"true\" (ingress-nginx ignores it); not converted"))
                    .field(format!("metadata.annotations.{PREFIX}{key}")),
            );
        }
        return None;
    }
    let mut cors = CorsRequest {
        allow_origins: origins(origin, get("cors-allow-origin"), out),
        allow_methods: list(
            origin,
            "cors-allow-methods",
            get("cors-allow-methods"),
            DEFAULT_METHODS,
            out,
        )
        .into_iter()
        .map(|m| m.to_ascii_uppercase())
        .collect(),
        allow_headers: list(
            origin,
            "cors-allow-headers",
            get("cors-allow-headers"),
            DEFAULT_HEADERS,
            out,
        ),
        expose_headers: list(
            origin,
            "cors-expose-headers",
            get("cors-expose-headers"),
            "",
            out,
        ),
        allow_credentials: get("cors-allow-credentials").is_none_or(|v| v != "false"),
        max_age: Some(max_age(origin, get("cors-max-age"), out)),
    };
    if cors.allow_origins.is_empty() {
        out.findings.push(unsupported(origin, "cors-allow-origin",
            "leaves no origin Gateway API can say: CORS is not converted, and browsers on other origins are refused"));
        return None;
    }
    let unknown: Vec<String> = cors
        .allow_methods
        .iter()
        .filter(|m| crate::spec::cors_method(m).is_err())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        out.findings.push(unsupported(
            origin,
            "cors-allow-methods",
            &format!(
                "lists {}, which the CORS filter cannot allow (it takes {}): left out",
                unknown.join(", "),
                crate::spec::HTTP_METHODS.join(", ")
            ),
        ));
        cors.allow_methods.retain(|m| !unknown.contains(m));
    }
    if cors.allow_origins == ["*"] && cors.allow_credentials {
        cors.allow_credentials = false;
        out.findings.push(origin
            .finding(Severity::Note, "convert-cors-credentials",
                format!("annotation {PREFIX}cors-allow-credentials is true (given, or ingress-nginx's default) while cors-allow-origin is '*': ingress-nginx answers `Access-Control-Allow-Origin: *`, with which browsers refuse credentialed requests; the filter would echo the origin and let them pass, so allowCredentials is left out to keep them refused"))
            .field(format!("metadata.annotations.{PREFIX}cors-allow-credentials"))
            .hint("to allow credentials, list the allowed origins in cors-allow-origin"));
    }
    Some(cors)
}

/// The origins, `*` alone when it is one of them (as ingress-nginx reads it). A single-level
/// `*.` wildcard of ingress-nginx becomes the filter's, which takes any depth of subdomain.
fn origins(origin: &Origin, value: Option<&String>, out: &mut Sources) -> Vec<String> {
    let Some(value) = value else {
        return vec!["*".into()];
    };
    let items: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() || items.contains(&"*") {
        return vec!["*".into()];
    }
    let mut kept = Vec::new();
    for item in items {
        if crate::spec::cors_origin(item).is_err() {
            out.findings.push(unsupported(origin, "cors-allow-origin", &format!(
                "lists {item:?}, which is not an origin `http(s)://host[:port]` the CORS filter takes: left out")));
        } else if !kept.iter().any(|k: &String| k == item) {
            kept.push(item.to_string());
        }
    }
    if kept.iter().any(|o| o.contains("://*.")) {
        out.findings.push(unsupported(origin, "cors-allow-origin",
            "has a `*.` wildcard, which matches one subdomain level under ingress-nginx and any number under the CORS filter (https://*.example.com also allows https://a.b.example.com): converted, so the filter allows more origins"));
    }
    kept
}

/// A comma-separated list; ingress-nginx takes its default for an empty value or one its
/// pattern refuses (letters, digits, `-` and `_` per item; `*` too in expose-headers).
fn list(
    origin: &Origin,
    key: &str,
    value: Option<&String>,
    default: &str,
    out: &mut Sources,
) -> Vec<String> {
    let split = |text: &str| -> Vec<String> {
        let mut items: Vec<String> = Vec::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !items.iter().any(|i| i.eq_ignore_ascii_case(item)) {
                items.push(item.to_string());
            }
        }
        items
    };
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return split(default);
    };
    let star = key == "cors-expose-headers";
    let valid = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|item| {
            (star && item == "*")
                || item
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    && (key != "cors-allow-methods"
                        || item.chars().all(|c| c.is_ascii_alphabetic()))
        });
    if !valid {
        let shown = if default.is_empty() { "none" } else { default };
        out.findings.push(origin
            .finding(Severity::Note, "convert-annotation-default",
                format!("annotation {PREFIX}{key} {value:?} is refused by ingress-nginx, which uses its default ({shown}); so does the conversion"))
            .field(format!("metadata.annotations.{PREFIX}{key}")));
        return split(default);
    }
    split(value)
}

/// Seconds; ingress-nginx takes its default for a value that is not a number. The filter's
/// `maxAge` is at least 1.
fn max_age(origin: &Origin, value: Option<&String>, out: &mut Sources) -> i64 {
    let Some(value) = value else {
        return DEFAULT_MAX_AGE;
    };
    match value.trim().parse::<i64>() {
        Ok(age) if (1..=i64::from(i32::MAX)).contains(&age) => age,
        Ok(age) => {
            let used = age.clamp(1, i64::from(i32::MAX));
            out.findings.push(unsupported(origin, "cors-max-age", &format!(
                "{age} is outside the filter's maxAge range (1 to 2147483647 seconds): {used} is used")));
            used
        }
        Err(_) => {
            out.findings.push(origin
                .finding(Severity::Note, "convert-annotation-default",
                    format!("annotation {PREFIX}cors-max-age {value:?} is not a number: ingress-nginx uses its default ({DEFAULT_MAX_AGE}); so does the conversion"))
                .field(format!("metadata.annotations.{PREFIX}cors-max-age")));
            DEFAULT_MAX_AGE
        }
    }
}
