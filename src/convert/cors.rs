//! CORS as the HTTPRoute CORS filter: ingress-nginx's annotations (with its documented defaults
//! for the keys not given) and the CORS fields of Traefik's `headers` middleware. Where the filter
//! says it differently, a finding names the key and what changes.
//!
//! Both proxies answer an allowed origin `*` with `Access-Control-Allow-Origin: *`, beside
//! `Access-Control-Allow-Credentials: true` when credentials are allowed (ingress-nginx's
//! default): browsers refuse a credentialed response with `*`, so only requests without
//! credentials pass. The filter with `*` and `allowCredentials` must echo the caller's origin
//! instead, which would let credentialed requests from every origin pass: `*` is converted
//! without `allowCredentials`, which is what browsers saw.

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
pub const NGINX_KEYS: [&str; 7] = [
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
pub fn nginx(
    origin: &Origin,
    annotations: &IndexMap<String, String>,
    out: &mut Sources,
) -> Option<CorsRequest> {
    let get = |key: &str| annotations.get(&format!("{PREFIX}{key}"));
    if get("enable-cors").map(String::as_str) != Some("true") {
        for key in NGINX_KEYS.iter().skip(1).filter(|k| get(k).is_some()) {
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
    let field = format!("metadata.annotations.{PREFIX}cors-allow-credentials");
    let said = format!("annotation {PREFIX}cors-allow-credentials (true unless \"false\")");
    wildcards_with_credentials(&mut cors, origin, &said, &field, out);
    Some(cors)
}

/// `*` with credentials, as browsers saw the proxy's answers (see the module's comment): every
/// origin keeps credentialed requests refused, without `allowCredentials`; a `*` header list is
/// the filter's wildcard, which with credentials answers the names asked for where the proxy sent
/// a literal `*`. `said` names where credentials are allowed, `field` the source field.
fn wildcards_with_credentials(
    cors: &mut CorsRequest,
    origin: &Origin,
    said: &str,
    field: &str,
    out: &mut Sources,
) {
    if !cors.allow_credentials {
        return;
    }
    if cors.allow_origins == ["*"] {
        cors.allow_credentials = false;
        out.findings.push(origin
            .finding(Severity::Note, "convert-cors-credentials",
                format!("{said} allows credentials with every origin ('*'): the proxy answers `Access-Control-Allow-Origin: *`, with which browsers refuse credentialed requests; the filter would echo the origin and let them pass, so allowCredentials is left out to keep them refused"))
            .field(field.to_string())
            .hint("to allow credentials, list the allowed origins"));
        return;
    }
    for (key, list) in [
        ("allowHeaders", &cors.allow_headers),
        ("exposeHeaders", &cors.expose_headers),
    ] {
        if list.iter().any(|h| h == "*") {
            out.findings.push(origin
                .finding(Severity::Warning, "convert-cors-wildcard",
                    format!("{said} allows credentials, and the headers list {key} is '*': the proxy sends `*` literally, which browsers read as a header named `*` on credentialed requests; the filter answers them with every name asked for, so credentialed requests from the allowed origins may use more headers"))
                .field(field.to_string())
                .hint("list the header names instead of '*'"));
        }
    }
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

/// The items of an ingress-nginx list, whose patterns take commas and spaces between them.
fn items(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A list; ingress-nginx takes its default for an empty value or one its pattern refuses
/// (letters, digits, `-` and `_` per item; `*` too in expose-headers).
fn list(
    origin: &Origin,
    key: &str,
    value: Option<&String>,
    default: &str,
    out: &mut Sources,
) -> Vec<String> {
    let split = |text: &str| -> Vec<String> {
        let mut items_once: Vec<String> = Vec::new();
        for item in items(text) {
            if !items_once.iter().any(|i| i.eq_ignore_ascii_case(item)) {
                items_once.push(item.to_string());
            }
        }
        items_once
    };
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return split(default);
    };
    let star = key == "cors-expose-headers";
    let valid = items(value).into_iter().all(|item| {
        (star && item == "*")
            || item
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && (key != "cors-allow-methods" || item.chars().all(|c| c.is_ascii_alphabetic()))
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

/// The CORS fields of a Traefik `headers` middleware; the others are its other headers.
pub const TRAEFIK_KEYS: [&str; 8] = [
    "accessControlAllowOriginList",
    "accessControlAllowOriginListRegex",
    "accessControlAllowMethods",
    "accessControlAllowHeaders",
    "accessControlExposeHeaders",
    "accessControlAllowCredentials",
    "accessControlMaxAge",
    "addVaryHeader",
];

/// The CORS filter of a Traefik `headers` middleware's CORS fields (`what` names the
/// middleware, `field` the route's reference to it), or `None` when it has none or allows no
/// origin the filter can say.
pub fn traefik(
    origin: &Origin,
    what: &str,
    field: &str,
    config: &serde_json::Value,
    out: &mut Sources,
) -> Option<CorsRequest> {
    let strings = |key: &str| -> Vec<String> {
        let mut items: Vec<String> = Vec::new();
        for v in config
            .get(key)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(v) = v.as_str().map(str::trim).filter(|v| !v.is_empty()) {
                if !items.iter().any(|i| i == v) {
                    items.push(v.to_string());
                }
            }
        }
        items
    };
    let given = TRAEFIK_KEYS[..7].iter().any(|k| config.get(k).is_some());
    if !given {
        return None;
    }
    let not_carried = |key: &str, why: String, out: &mut Sources| {
        out.findings.push(
            origin
                .finding(
                    Severity::Warning,
                    "convert-middleware-unsupported",
                    format!("{what} {key} {why}"),
                )
                .field(field.to_string()),
        );
    };
    if config.get("accessControlAllowOriginListRegex").is_some() {
        not_carried("accessControlAllowOriginListRegex", "matches origins by regular expression, which the CORS filter cannot (it takes origins and `*.` wildcards): those origins are not allowed".into(), out);
    }
    let mut origins = strings("accessControlAllowOriginList");
    if origins.iter().any(|o| o == "*") {
        origins = vec!["*".into()];
    }
    let (origins, refused): (Vec<String>, Vec<String>) = origins
        .into_iter()
        .partition(|o| crate::spec::cors_origin(o).is_ok());
    if !refused.is_empty() {
        not_carried("accessControlAllowOriginList", format!("lists {}, which are not origins `http(s)://host[:port]` the CORS filter takes: left out", refused.join(", ")), out);
    }
    if origins.is_empty() {
        not_carried(
            "accessControlAllowOriginList",
            "leaves no origin the CORS filter can say: CORS is not converted".into(),
            out,
        );
        return None;
    }
    let (methods, refused): (Vec<String>, Vec<String>) = strings("accessControlAllowMethods")
        .into_iter()
        .partition(|m| crate::spec::cors_method(m).is_ok());
    if !refused.is_empty() {
        not_carried(
            "accessControlAllowMethods",
            format!(
                "lists {}, which the CORS filter cannot allow (methods in capitals: {}): left out",
                refused.join(", "),
                crate::spec::HTTP_METHODS.join(", ")
            ),
            out,
        );
    }
    let headers = |key: &str, out: &mut Sources| {
        let (kept, refused): (Vec<String>, Vec<String>) = strings(key)
            .into_iter()
            .partition(|h| crate::spec::header_name(h).is_ok());
        if !refused.is_empty() {
            not_carried(
                key,
                format!(
                    "lists {}, which are not header names: left out",
                    refused.join(", ")
                ),
                out,
            );
        }
        kept
    };
    let allow_headers = headers("accessControlAllowHeaders", out);
    let expose_headers = headers("accessControlExposeHeaders", out);
    // Traefik sends no Access-Control-Max-Age without a positive value: browsers then cache for
    // 5 seconds, the filter's default.
    let max_age = config
        .get("accessControlMaxAge")
        .and_then(|v| v.as_i64())
        .filter(|age| *age > 0)
        .map(|age| age.min(i64::from(i32::MAX)));
    let mut cors = CorsRequest {
        allow_origins: origins,
        allow_methods: methods,
        allow_headers,
        expose_headers,
        allow_credentials: config
            .get("accessControlAllowCredentials")
            .and_then(|v| v.as_bool())
            == Some(true),
        max_age,
    };
    let said = format!("{what} accessControlAllowCredentials");
    wildcards_with_credentials(&mut cors, origin, &said, field, out);
    Some(cors)
}
