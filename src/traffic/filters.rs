//! What filters do to a request: the Location of a RequestRedirect, the path and host of a
//! URLRewrite, and the headers of a RequestHeaderModifier (HTTPRoute filter descriptions, v1.6.1).

use super::probe::Probe;
use super::routes::{HeaderChanges, PathModifier, Redirect};

/// `ReplacePrefixMatch`: `matched` (a PathPrefix value) is replaced by `replacement` element-wise.
/// The cases the API documents: `/foo/bar` with `/foo` → `/xyz` is `/xyz/bar`; a trailing `/` of
/// the prefix or replacement is ignored; an empty replacement keeps the rest (`/bar`), and an empty
/// result is `/`.
pub fn replace_prefix(path: &str, matched: &str, replacement: &str) -> String {
    let prefix = matched.trim_end_matches('/');
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let out = format!("{}{rest}", replacement.trim_end_matches('/'));
    if out.is_empty() {
        "/".to_string()
    } else {
        out
    }
}

/// The new path of a path modifier; `matched` is the PathPrefix the request matched (`/` when
/// the rule matched otherwise, which the CRD's rules forbid for ReplacePrefixMatch anyway).
pub fn modify_path(path: &str, modifier: &PathModifier, matched: &str) -> String {
    match modifier {
        PathModifier::Full(p) => p.clone(),
        PathModifier::Prefix(p) => replace_prefix(path, matched, p),
    }
}

/// The request a client sends after following the redirect (its URL is the Location header).
///
/// Port (spec, `requestRedirect.port`): when not set, a scheme change gives that scheme's
/// well-known port (http 80, https 443); no scheme change keeps the listener's port. The URL
/// leaves out 80 for http and 443 for https, as the Location header does.
pub fn redirect(probe: &Probe, r: &Redirect, matched: &str) -> Probe {
    let mut next = probe.clone();
    if let Some(scheme) = &r.scheme {
        next.scheme = match (scheme.as_str(), probe.scheme.as_str()) {
            // gRPC stays gRPC over the new transport.
            ("https", "grpc") => "grpcs".to_string(),
            ("http", "grpcs") => "grpc".to_string(),
            (s, _) => s.to_string(),
        };
    }
    if let Some(h) = &r.hostname {
        next.host = h.clone();
    }
    next.port = match (r.port, &r.scheme) {
        (Some(p), _) => p,
        (None, Some(s)) if s == "http" => 80,
        (None, Some(s)) if s == "https" => 443,
        (None, _) => probe.port,
    };
    if let Some(m) = &r.path {
        next.path = modify_path(&probe.path, m, matched);
    }
    // 303 tells the client to fetch the new location with GET; 301 and 302 are followed with
    // GET by browsers for POST only, and other methods are kept.
    if r.status == 303 || (matches!(r.status, 301 | 302) && probe.method == "POST") {
        next.method = "GET".to_string();
    }
    next
}

/// Applies a RequestHeaderModifier: `set` replaces, `add` appends, `remove` drops (in that order).
pub fn headers(probe: &mut Probe, changes: &HeaderChanges) {
    for (name, value) in &changes.set {
        probe.set_header(name, value);
    }
    for (name, value) in &changes.add {
        probe.add_header(name, value);
    }
    for name in &changes.remove {
        probe.remove_header(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_prefix_match_follows_the_api_table() {
        // (request path, match prefix, replacement, result): the cases the API documents.
        for (path, prefix, replacement, result) in [
            ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz/", "/xyz/bar"),
            ("/foo", "/foo", "/xyz", "/xyz"),
            ("/foo/", "/foo", "/xyz", "/xyz/"),
            ("/foo/bar", "/foo", "", "/bar"),
            ("/foo/", "/foo", "", "/"),
            ("/foo", "/foo", "", "/"),
            ("/foo/", "/foo", "/", "/"),
            ("/foo", "/foo", "/", "/"),
        ] {
            assert_eq!(
                replace_prefix(path, prefix, replacement),
                result,
                "{path} | {prefix} | {replacement}"
            );
        }
    }

    fn probe(url: &str) -> Probe {
        Probe::new(url, None, &[]).unwrap()
    }

    #[test]
    fn redirect_ports_follow_the_scheme() {
        let https = Redirect {
            scheme: Some("https".into()),
            status: 301,
            ..Redirect::default()
        };
        assert_eq!(
            redirect(&probe("http://a.example:8080/x?q=1"), &https, "/").url(),
            "https://a.example/x?q=1"
        );
        let host_only = Redirect {
            hostname: Some("b.example".into()),
            status: 302,
            ..Redirect::default()
        };
        assert_eq!(
            redirect(&probe("http://a.example:8080/x"), &host_only, "/").url(),
            "http://b.example:8080/x"
        );
        let port = Redirect {
            scheme: Some("https".into()),
            port: Some(8443),
            path: Some(PathModifier::Prefix("/new".into())),
            status: 302,
            ..Redirect::default()
        };
        assert_eq!(
            redirect(&probe("http://a.example/old/p"), &port, "/old").url(),
            "https://a.example:8443/new/p"
        );
    }
}
