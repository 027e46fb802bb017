//! Gateway API v1.6.1 facts as data and as small checks: name and value formats, limits, enums.
//!
//! Everything here is read off the CRDs (`openAPIV3Schema` patterns, `maxLength`, `maxItems`, enums)
//! and `RULES.md`. Both the request checks and the linter call these functions, so a value the
//! generator accepts is exactly a value the linter accepts.
//!
//! A check returns `Err(rule)` where `rule` is one sentence saying what the value must be, written to
//! be shown after "must": callers add the field path, the value and a fix.

/// The API group of every Gateway API kind.
pub const GROUP: &str = "gateway.networking.k8s.io";
/// The release the generator targets and the linter checks against.
pub const TARGET_VERSION: &str = "v1.6.1";

pub const MAX_HOSTNAMES: usize = 16;
pub const MAX_PARENT_REFS: usize = 32;
pub const MAX_RULES: usize = 16;
pub const MAX_MATCHES_PER_RULE: usize = 64;
pub const MAX_MATCHES_PER_ROUTE: usize = 128;
pub const MAX_BACKENDS: usize = 16;
pub const MAX_FILTERS: usize = 16;
pub const MAX_HEADER_MATCHES: usize = 16;
pub const MAX_HEADER_CHANGES: usize = 16;
pub const MAX_LISTENERS: usize = 64;
pub const MAX_CERTIFICATE_REFS: usize = 64;
pub const MAX_ALLOWED_KINDS: usize = 8;
pub const MAX_ADDRESSES: usize = 16;
pub const MAX_GRANT_ENTRIES: usize = 16;
/// TLSRoute hostnames (HTTPRoute and GRPCRoute allow [`MAX_HOSTNAMES`]).
pub const MAX_TLS_ROUTE_HOSTNAMES: usize = 1024;
/// BackendTLSPolicy `targetRefs`.
pub const MAX_TARGET_REFS: usize = 16;
/// BackendTLSPolicy `validation.caCertificateRefs`.
pub const MAX_BACKEND_CA_REFS: usize = 8;
/// BackendTLSPolicy `validation.subjectAltNames`.
pub const MAX_SUBJECT_ALT_NAMES: usize = 5;
/// Gateway `tls.frontend` `validation.caCertificateRefs`.
pub const MAX_FRONTEND_CA_REFS: usize = 16;
/// Entries of a TLS `options` map (listener TLS, BackendTLSPolicy).
pub const MAX_TLS_OPTIONS: usize = 16;
/// Characters of an option or annotation value.
pub const MAX_OPTION_VALUE_LEN: usize = 4096;
/// Gateway `infrastructure.labels` and `infrastructure.annotations`.
pub const MAX_INFRASTRUCTURE_LABELS: usize = 8;
pub const MAX_INFRASTRUCTURE_ANNOTATIONS: usize = 16;
/// CORS `allowOrigins`, `allowHeaders` and `exposeHeaders` (`allowMethods` has one per method).
pub const MAX_CORS_ITEMS: usize = 64;
pub const MAX_WEIGHT: u32 = 1_000_000;
pub const MAX_PATH_LEN: usize = 1024;
pub const MAX_HEADER_NAME_LEN: usize = 256;
pub const MAX_HEADER_VALUE_LEN: usize = 4096;
pub const MAX_QUERY_VALUE_LEN: usize = 1024;

/// The HTTP methods an HTTPRoute match accepts.
pub const HTTP_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];
/// Status codes a RequestRedirect filter accepts.
pub const REDIRECT_STATUS_CODES: [u16; 5] = [301, 302, 303, 307, 308];

type Check = Result<(), String>;

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` without a length limit.
fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| is_lower_alnum(c) || c == '-')
        && s.starts_with(is_lower_alnum)
        && s.ends_with(is_lower_alnum)
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$` without a length limit.
fn is_subdomain(s: &str) -> bool {
    s.split('.').all(is_label)
}

fn max_len(s: &str, max: usize) -> Check {
    if s.is_empty() {
        return Err("not be empty".into());
    }
    at_most(s, max)
}

/// A length limit. The API server counts characters (code points), as JSON Schema's `maxLength`
/// does, not UTF-8 bytes: 2,049 `é` fit in a 4096-character header value.
pub fn at_most(s: &str, max: usize) -> Check {
    let count = s.chars().count();
    if count > max {
        return Err(format!("be at most {max} characters (it has {count})"));
    }
    Ok(())
}

/// Namespaces, Service names and other DNS-1123 labels.
pub fn dns_label(s: &str) -> Check {
    max_len(s, 63)?;
    if !is_label(s) {
        return Err("be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// Object names (Gateway, HTTPRoute, …), listener names and GatewayClass names.
pub fn dns_subdomain(s: &str) -> Check {
    max_len(s, 253)?;
    if !is_subdomain(s) {
        return Err("be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// Listener and route hostnames: lowercase DNS names, optionally with one leading `*.` wildcard, no port.
pub fn hostname(s: &str) -> Check {
    max_len(s, 253)?;
    let rest = s.strip_prefix("*.").unwrap_or(s);
    if !is_subdomain(rest) {
        return Err("be a lowercase DNS name (a wildcard only as a leading '*.'; no port, no IP address and no trailing dot)".into());
    }
    Ok(())
}

/// A hostname that is also a plain IP address: TLSRoute and listeners forbid those.
pub fn is_ip_address(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// An exact hostname (redirect and rewrite targets): a DNS name without wildcard.
pub fn precise_hostname(s: &str) -> Check {
    max_len(s, 253)?;
    if !is_subdomain(s) {
        return Err("be a lowercase DNS name without wildcard or port".into());
    }
    Ok(())
}

/// A reference `kind`: `^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`, at most 63.
pub fn kind(s: &str) -> Check {
    max_len(s, 63)?;
    let ok = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !ok {
        return Err("be a kind: letters, digits and '-', starting with a letter".into());
    }
    Ok(())
}

/// A reference `group`: empty (the core group) or a DNS subdomain.
pub fn group(s: &str) -> Check {
    if s.is_empty() {
        return Ok(());
    }
    dns_subdomain(s)
}

/// An HTTP header or query parameter name (RFC 7230 token), at most 256.
pub fn header_name(s: &str) -> Check {
    max_len(s, MAX_HEADER_NAME_LEN)?;
    const EXTRA: &str = "!#$%&'*+-.^_`|~";
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || EXTRA.contains(c))
    {
        return Err(
            "be an HTTP token: letters, digits and !#$%&'*+-.^_`|~ only (no spaces or ':')".into(),
        );
    }
    Ok(())
}

/// A header value in a match or modifier: 1 to 4096 characters.
pub fn header_value(s: &str) -> Check {
    max_len(s, MAX_HEADER_VALUE_LEN)
}

/// A query parameter value in a match: 1 to 1024 characters.
pub fn query_value(s: &str) -> Check {
    max_len(s, MAX_QUERY_VALUE_LEN)
}

/// The value of an `Exact` or `PathPrefix` path match: its shape ([`path_shape`]), no `#`, and
/// only the characters of [`path_characters`].
pub fn path(s: &str) -> Check {
    path_shape(s)?;
    if s.contains('#') {
        return Err("not contain '#'".into());
    }
    path_characters(s)
}

/// The shape a path match must have, apart from its characters: 1 to 1024 characters, starting
/// with '/', without `//`, dot segments or an encoded '/'. The generator holds `replaceFullPath` and
/// `replacePrefixMatch` to it too: the CRD only limits their length, but a replacement that is not
/// a clean absolute path produces a broken request.
pub fn path_shape(s: &str) -> Check {
    max_len(s, MAX_PATH_LEN)?;
    if !s.starts_with('/') {
        return Err("start with '/'".into());
    }
    // One pass marks which of the forbidden parts occur (five substring searches cost more than
    // the rest of a route's checks); the first of them in this order is the one reported.
    const BAD: [&str; 5] = ["//", "/./", "/../", "%2f", "%2F"];
    let mut found = [false; BAD.len()];
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if b == b'/' || b == b'%' {
            for (k, bad) in BAD.iter().enumerate() {
                found[k] |= s.as_bytes()[i..].starts_with(bad.as_bytes());
            }
        }
    }
    if let Some(k) = found.iter().position(|&f| f) {
        return Err(format!("not contain '{}'", BAD[k]));
    }
    if s.ends_with("/..") || s.ends_with("/.") {
        return Err("not end with '/..' or '/.'".into());
    }
    Ok(())
}

/// The characters a path match may hold: `[-A-Za-z0-9/._~!$&'()*+,;=:@]` and percent-encodings
/// (`%` and two hex digits). A replacement path may hold others (the CRD does not limit them),
/// which implementations may encode, refuse or send as they are.
pub fn path_characters(s: &str) -> Check {
    const EXTRA: &str = "-/._~!$&'()*+,;=:@";
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return Err("use '%' only as a percent-encoding like %20".into());
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || EXTRA.as_bytes().contains(&c)) {
            return Err(
                "contain only letters, digits, -/._~!$&'()*+,;=:@ and percent-encodings".into(),
            );
        }
        i += 1;
    }
    Ok(())
}

/// An HTTP method of an HTTPRoute match.
pub fn http_method(s: &str) -> Check {
    if HTTP_METHODS.contains(&s) {
        Ok(())
    } else {
        Err(format!("be one of {}", HTTP_METHODS.join(", ")))
    }
}

/// A gRPC service name: `^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`, at most 1024.
pub fn grpc_service(s: &str) -> Check {
    max_len(s, 1024)?;
    let ident = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !s.strip_prefix('.').unwrap_or(s).split('.').all(ident) {
        return Err("be a gRPC service name such as tasks.v1.TaskService".into());
    }
    Ok(())
}

/// A gRPC method name: `^[A-Za-z_][A-Za-z_0-9]*$`, at most 1024.
pub fn grpc_method(s: &str) -> Check {
    max_len(s, 1024)?;
    let ok = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err("be a gRPC method name such as ListTasks".into());
    }
    Ok(())
}

/// The value of a RegularExpression match (path, header, query parameter, gRPC method): RE2
/// syntax, which Envoy-based implementations compile. The `regex` crate's syntax is RE2's and, like
/// RE2, it rejects look-around and backreferences.
pub fn regex(s: &str) -> Check {
    match ::regex::Regex::new(s) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "be a RE2 regular expression ({})",
            regex_problem(&e.to_string())
        )),
    }
}

/// `regex::Error`'s text as one line. The crate gives no structured position, but it notates a
/// one-line pattern as `regex parse error:`, `    PATTERN`, `    ^^^` under the offending part,
/// then `error: WHAT`.
fn regex_problem(text: &str) -> String {
    let Some((notation, what)) = text.rsplit_once("\nerror: ") else {
        return text.to_string(); // not a syntax error: the compiled program is too big
    };
    // A pattern of several lines is notated with line numbers instead.
    let [_, pattern, carets] = notation.lines().collect::<Vec<_>>()[..] else {
        return what.to_string();
    };
    let Some(start) = carets.find('^') else {
        return what.to_string();
    };
    let len = carets[start..].chars().take_while(|&c| c == '^').count();
    let part: String = pattern.chars().skip(start).take(len).collect();
    // Both lines are indented by four spaces; characters are counted from 1.
    format!("{what}, at character {}: `{part}`", start.saturating_sub(3))
}

/// A port: 1 to 65535.
pub fn port(p: i64) -> Check {
    if (1..=65535).contains(&p) {
        Ok(())
    } else {
        Err("be between 1 and 65535".into())
    }
}

/// A backend weight: 0 to 1,000,000 (a share of the sum; 0 sends no traffic).
pub fn weight(w: i64) -> Check {
    if (0..=i64::from(MAX_WEIGHT)).contains(&w) {
        Ok(())
    } else {
        Err("be between 0 and 1000000 (a share of the sum of all weights, not a percent)".into())
    }
}

/// A redirect status code.
pub fn redirect_status(code: i64) -> Check {
    if REDIRECT_STATUS_CODES.iter().any(|&c| i64::from(c) == code) {
        Ok(())
    } else {
        Err("be one of 301, 302, 303, 307, 308".into())
    }
}

/// A redirect scheme.
pub fn redirect_scheme(s: &str) -> Check {
    if s == "http" || s == "https" {
        Ok(())
    } else {
        Err("be 'http' or 'https'".into())
    }
}

/// A GatewayClass `controllerName`: `domain/path`, at most 253.
pub fn controller_name(s: &str) -> Check {
    max_len(s, 253)?;
    const EXTRA: &str = "/-._~%!$&'()*+,;=:";
    let ok = s.split_once('/').is_some_and(|(domain, path)| {
        is_subdomain(domain)
            && !path.is_empty()
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || EXTRA.contains(c))
    });
    if !ok {
        return Err("be a domain-prefixed path such as 'example.net/gateway-controller'".into());
    }
    Ok(())
}

/// A Gateway API duration (`timeouts.request`, `timeouts.backendRequest`): `^([0-9]{1,5}(h|m|s|ms)){1,4}$`.
pub fn duration(s: &str) -> Check {
    let err = || {
        Err("be a duration like 10s, 1m30s or 500ms: 1 to 4 parts of up to 5 digits followed by h, m, s or ms".into())
    };
    let mut rest = s;
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 5 {
            return err();
        }
        rest = &rest[digits..];
        let unit = ["ms", "h", "m", "s"]
            .into_iter()
            .find(|u| rest.starts_with(u));
        let Some(unit) = unit else { return err() };
        rest = &rest[unit.len()..];
        parts += 1;
    }
    if parts == 0 || parts > 4 {
        return err();
    }
    Ok(())
}

/// Parses a duration checked by [`duration`] into milliseconds, for comparing two timeouts.
pub fn duration_millis(s: &str) -> Option<u64> {
    duration(s).ok()?;
    let mut total = 0u64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (factor, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else {
            (1000, 1)
        };
        total += n * factor;
        rest = &rest[len..];
    }
    Some(total)
}

/// Whether a route hostname and a listener hostname intersect, with the spec's wildcard rules:
/// `*.example.com` matches one or more labels in front of `example.com` (not `example.com` itself).
/// An absent hostname on either side matches everything.
pub fn hostnames_intersect(listener: Option<&str>, route: Option<&str>) -> bool {
    let (Some(l), Some(r)) = (listener, route) else {
        return true;
    };
    match (l.strip_prefix("*."), r.strip_prefix("*.")) {
        (None, None) => l == r,
        (Some(suffix), None) => under(r, suffix),
        (None, Some(suffix)) => under(l, suffix),
        (Some(a), Some(b)) => a == b || under(a, b) || under(b, a),
    }
}

/// Whether `name` ends with `.` and `suffix` (a name under the domain `suffix`), without
/// building that string: analysis asks this once per route hostname and listener.
fn under(name: &str, suffix: &str) -> bool {
    name.len() > suffix.len()
        && name.ends_with(suffix)
        && name.as_bytes()[name.len() - suffix.len() - 1] == b'.'
}

/// The API group of the experimental-only kinds (XBackend, XBackendTrafficPolicy, XMesh).
pub const EXPERIMENTAL_GROUP: &str = "gateway.networking.x-k8s.io";

/// A kind of the `gateway.networking.k8s.io` group and the versions v1.6.1 serves for it.
pub struct ServedKind {
    pub kind: &'static str,
    /// Served by the standard CRDs (and therefore by the experimental ones too).
    pub standard: &'static [&'static str],
    /// Served only by the experimental CRDs (deprecated alpha versions).
    pub experimental: &'static [&'static str],
}

/// Served versions per kind at v1.6.1 (README.md of the spec data, "Served versions").
pub const SERVED_KINDS: [ServedKind; 10] = [
    ServedKind {
        kind: "GatewayClass",
        standard: &["v1", "v1beta1"],
        experimental: &[],
    },
    ServedKind {
        kind: "Gateway",
        standard: &["v1", "v1beta1"],
        experimental: &[],
    },
    ServedKind {
        kind: "HTTPRoute",
        standard: &["v1", "v1beta1"],
        experimental: &[],
    },
    ServedKind {
        kind: "GRPCRoute",
        standard: &["v1"],
        experimental: &[],
    },
    ServedKind {
        kind: "ReferenceGrant",
        standard: &["v1", "v1beta1"],
        experimental: &[],
    },
    ServedKind {
        kind: "BackendTLSPolicy",
        standard: &["v1"],
        experimental: &["v1alpha3"],
    },
    ServedKind {
        kind: "ListenerSet",
        standard: &["v1"],
        experimental: &[],
    },
    ServedKind {
        kind: "TLSRoute",
        standard: &["v1"],
        experimental: &["v1alpha2", "v1alpha3"],
    },
    ServedKind {
        kind: "TCPRoute",
        standard: &["v1"],
        experimental: &["v1alpha2"],
    },
    ServedKind {
        kind: "UDPRoute",
        standard: &["v1"],
        experimental: &["v1alpha2"],
    },
];

/// The listener protocols the spec defines (others must be domain-prefixed, implementation-specific).
pub const LISTENER_PROTOCOLS: [&str; 5] = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"];

/// The route kinds a listener accepts when `allowedRoutes.kinds` is not set, by protocol;
/// `None` for implementation-specific protocols, where nothing can be predicted.
pub fn default_route_kinds(protocol: &str) -> Option<&'static [&'static str]> {
    match protocol {
        "HTTP" | "HTTPS" => Some(&["HTTPRoute", "GRPCRoute"]),
        // A terminating TLS listener may also carry TCPRoutes; do not claim otherwise.
        "TLS" => Some(&["TLSRoute", "TCPRoute"]),
        "TCP" => Some(&["TCPRoute"]),
        "UDP" => Some(&["UDPRoute"]),
        _ => None,
    }
}

/// A header value under the experimental channel's pattern `^[!-~]+([\t ]?[!-~]+)*$`: visible
/// ASCII, single spaces or tabs only between visible characters (no CR/LF, no leading/trailing space).
pub fn header_value_experimental(s: &str) -> Check {
    header_value(s)?;
    let visible = |c: u8| (b'!'..=b'~').contains(&c);
    let b = s.as_bytes();
    let ok = visible(b[0])
        && visible(b[b.len() - 1])
        && b.iter().all(|&c| visible(c) || c == b' ' || c == b'\t')
        && !b.windows(2).any(|w| !visible(w[0]) && !visible(w[1]));
    if !ok {
        return Err(
            "contain only visible ASCII characters, separated by single spaces or tabs".into(),
        );
    }
    Ok(())
}

/// A listener protocol as the CRD pattern accepts it: a token of letters, digits and '-', or a
/// domain-prefixed name (`example.com/proto`). See [`is_portable_protocol`] for what controllers support.
pub fn listener_protocol(s: &str) -> Check {
    max_len(s, 255)?;
    let token = s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let prefixed = s.rsplit_once('/').is_some_and(|(domain, name)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric())
            && domain.rsplit('/').next().is_some_and(is_subdomain)
    });
    if token || prefixed {
        Ok(())
    } else {
        Err(format!(
            "be one of {} or a domain-prefixed protocol such as 'example.com/proto'",
            LISTENER_PROTOCOLS.join(", ")
        ))
    }
}

/// A protocol of the spec, or a domain-prefixed implementation-specific one. Any other token
/// passes the CRD but no controller is expected to support it (`UnsupportedProtocol`).
pub fn is_portable_protocol(s: &str) -> bool {
    LISTENER_PROTOCOLS.contains(&s) || s.contains('/')
}

/// A Gateway address `type`: `Hostname`, `IPAddress`, `NamedAddress` or a domain-prefixed type.
///
/// The CRD's pattern `^Hostname|IPAddress|NamedAddress|<domain>/<path>$` groups none of its
/// alternatives, so only `Hostname` is anchored at the start and only the domain-prefixed form at
/// the end: the API server takes any type that starts with `Hostname`, contains `IPAddress` or
/// `NamedAddress`, or ends with a lowercase letter or digit, `/` and path characters. This
/// accepts exactly that.
pub fn address_type(s: &str) -> Check {
    max_len(s, 253)?;
    const PATH: &str = "/-._~%!$&'()*+,;=:";
    let path_char = |c: char| c.is_ascii_alphanumeric() || PATH.contains(c);
    let domain_prefixed = s.char_indices().any(|(i, c)| {
        let rest = &s[i + 1..];
        c == '/'
            && s[..i].ends_with(is_lower_alnum)
            && !rest.is_empty()
            && rest.chars().all(path_char)
    });
    let ok = s.starts_with("Hostname")
        || s.contains("IPAddress")
        || s.contains("NamedAddress")
        || domain_prefixed;
    if !ok {
        return Err("be Hostname, IPAddress, NamedAddress or a domain-prefixed type".into());
    }
    Ok(())
}

/// A reference `name`: 1 to 253 characters (the CRDs put no pattern on it).
pub fn ref_name(s: &str) -> Check {
    max_len(s, 253)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]`: the name part of a label key, 1 to 63.
fn is_name_segment(s: &str) -> bool {
    let edge = |c: char| c.is_ascii_alphanumeric();
    (1..=63).contains(&s.len())
        && s.starts_with(edge)
        && s.ends_with(edge)
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A label or annotation key (Gateway `infrastructure`): an optional DNS-subdomain prefix
/// shorter than 253 characters and `/`, then a name of 1 to 63 letters, digits, '-', '_' and
/// '.', starting and ending with a letter or digit.
pub fn label_key(s: &str) -> Check {
    let (prefix, name) = match s.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    let prefix_ok = prefix.is_none_or(|p| is_subdomain(p) && p.chars().count() < 253);
    if !(prefix_ok && is_name_segment(name)) {
        return Err("be a label key: an optional DNS subdomain and '/', then a name of up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// A label value: empty, or up to 63 letters, digits, '-', '_' and '.', starting and ending
/// with a letter or digit.
pub fn label_value(s: &str) -> Check {
    at_most(s, 63)?;
    if !(s.is_empty() || is_name_segment(s)) {
        return Err("be a label value: up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// An option or annotation value: at most 4096 characters (it may be empty).
pub fn option_value(s: &str) -> Check {
    at_most(s, MAX_OPTION_VALUE_LEN)
}

/// A CORS `allowOrigins` entry: `*`, or `http://` or `https://` and a host (a name, `*.` and a
/// name, or `*`) with an optional port of up to 5 digits; no path.
pub fn cors_origin(s: &str) -> Check {
    max_len(s, 253)?;
    let label = |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let ok = s == "*"
        || s.strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .is_some_and(|rest| {
                let (host, port) = match rest.split_once(':') {
                    Some((host, port)) => (host, Some(port)),
                    None => (rest, None),
                };
                let port_ok = port.is_none_or(|p| {
                    (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit())
                });
                let host_ok = host == "*"
                    || host
                        .strip_prefix("*.")
                        .unwrap_or(host)
                        .split('.')
                        .all(label);
                port_ok && host_ok
            });
    if !ok {
        return Err("be '*' or an origin such as 'https://app.example.com', 'https://*.example.com' or 'http://localhost:8080' (scheme http or https, a host, an optional port; no path)".into());
    }
    Ok(())
}

/// A CORS `allowMethods` entry: an HTTP method of an HTTPRoute match, or `*`.
pub fn cors_method(s: &str) -> Check {
    if s == "*" || HTTP_METHODS.contains(&s) {
        Ok(())
    } else {
        Err(format!("be one of {} or '*'", HTTP_METHODS.join(", ")))
    }
}

/// BackendTLSPolicy `wellKnownCACertificates`: `System`, or an implementation-specific
/// `domain/name`.
pub fn well_known_ca(s: &str) -> Check {
    max_len(s, 253)?;
    let ok = s == "System"
        || s.split_once('/')
            .is_some_and(|(domain, name)| is_subdomain(domain) && is_name_segment(name));
    if !ok {
        return Err("be 'System' or an implementation-specific 'example.com/name'".into());
    }
    Ok(())
}

/// A subject alternative name of type URI: a scheme, `:` and `//` authority, such as
/// `spiffe://trust-domain/path`, at most 253 characters.
pub fn san_uri(s: &str) -> Check {
    max_len(s, 253)?;
    let ok = s.split_once(':').is_some_and(|(scheme, rest)| {
        !scheme.is_empty() && !scheme.contains(['/', '?', '#']) && rest.starts_with("//")
    });
    if !ok {
        return Err("be a URI with a scheme and an authority, such as 'spiffe://cluster.local/ns/app/sa/api'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(dns_label("task-api").is_ok());
        assert!(dns_label("Task").is_err());
        assert!(dns_label("a.b").is_err());
        assert!(dns_label("-a").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert!(dns_subdomain("a.b-c").is_ok());
        assert!(dns_subdomain("a..b").is_err());
    }

    #[test]
    fn hostnames() {
        assert!(hostname("*.example.com").is_ok());
        assert!(hostname("example.com:80").is_err());
        assert!(hostname("foo.*.com").is_err());
        assert!(hostname("Example.com").is_err());
        assert!(hostnames_intersect(
            Some("*.example.com"),
            Some("a.b.example.com")
        ));
        assert!(!hostnames_intersect(
            Some("*.example.com"),
            Some("example.com")
        ));
        assert!(hostnames_intersect(
            Some("a.example.com"),
            Some("*.example.com")
        ));
        assert!(!hostnames_intersect(
            Some("a.example.com"),
            Some("b.example.com")
        ));
        assert!(hostnames_intersect(None, Some("b.example.com")));
        // A suffix counts only at a label boundary.
        for (listener, route, intersect) in [
            ("*.example.com", "badexample.com", false),
            ("*.example.com", "*.ample.com", false),
            ("*.example.com", "*.a.example.com", true),
            ("*.a.example.com", "*.example.com", true),
        ] {
            let got = hostnames_intersect(Some(listener), Some(route));
            assert_eq!(got, intersect, "{listener} and {route}");
        }
    }

    #[test]
    fn paths() {
        assert!(path("/api/v1").is_ok());
        assert!(path("/a%20b").is_ok());
        assert!(path("api").is_err());
        assert!(path("/a//b").is_err());
        assert!(path("/a/..").is_err());
        assert!(path("/a%2fb").is_err());
        assert!(path("/a#b").is_err());
        assert!(path("/a b").is_err());
        assert!(path("/a%zz").is_err());
        // The first forbidden part in the order `//`, `/./`, `/../`, `%2f`, `%2F` is named,
        // wherever it is.
        for (p, bad) in [
            ("/a%2F/./b", "/./"),
            ("/x%2F%2f", "%2f"),
            ("/a/../b//", "//"),
            ("/a/../b", "/../"),
            ("/a/..b/.c/%2", ""),
        ] {
            let got = path_shape(p).err().unwrap_or_default();
            let want = match bad {
                "" => String::new(),
                bad => format!("not contain '{bad}'"),
            };
            assert_eq!(got, want, "{p}");
        }
    }

    #[test]
    fn regexes() {
        assert!(regex("^/api/v[0-9]+/").is_ok());
        assert_eq!(
            regex("/api/(v1|v2").unwrap_err(),
            "be a RE2 regular expression (unclosed group, at character 6: `(`)"
        );
        // RE2 has no look-around and no backreferences.
        let look_ahead = regex("/x(?=y)").unwrap_err();
        assert!(look_ahead.contains("look-around"), "{look_ahead}");
        assert!(
            look_ahead.ends_with("at character 3: `(?=`)"),
            "{look_ahead}"
        );
        assert!(regex(r"(a)\1").is_err());
        // Characters, not bytes, even after non-ASCII text.
        assert!(regex("/é(").unwrap_err().contains("at character 3: `(`"));
        assert!(!regex("a\n(").unwrap_err().contains("at character"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_millis("1m30s"), Some(90_000));
        assert_eq!(duration_millis("500ms"), Some(500));
        assert!(duration("1.5s").is_err());
        assert!(duration("123456s").is_err());
        assert!(duration("1h1m1s1ms1h").is_err());
    }

    #[test]
    fn tokens() {
        assert!(header_name("X-API-Version").is_ok());
        assert!(header_name("bad header").is_err());
        assert!(controller_name("gateway.envoyproxy.io/gatewayclass-controller").is_ok());
        assert!(controller_name("nocontroller").is_err());
        assert!(weight(1_000_001).is_err());
        assert!(redirect_status(301).is_ok());
        assert!(redirect_status(300).is_err());
    }

    #[test]
    fn policy_and_cors_values() {
        let long_prefix = format!("{}/x", "a".repeat(253));
        let long_value = "a".repeat(64);
        type Case<'a> = (fn(&str) -> Check, &'a [&'a str], &'a [&'a str]);
        let cases: [Case; 6] = [
            (
                cors_origin,
                &[
                    "*",
                    "https://*.bar.com",
                    "http://localhost:8080",
                    "https://*",
                ],
                &[
                    "https://a.com/path",
                    "ftp://a.com",
                    "https://a.com:123456",
                    "https://a..com",
                ],
            ),
            (cors_method, &["*", "GET"], &["get", ""]),
            (
                well_known_ca,
                &["System", "example.com/bundle"],
                &["system", "a/"],
            ),
            (
                san_uri,
                &["spiffe://cluster.local/ns/a"],
                &["spiffe:/x", "://x"],
            ),
            (
                label_key,
                &["example.com/tier", "team"],
                &["Bad_Value!", &long_prefix],
            ),
            (label_value, &["", "a-b_c.d"], &["-a", &long_value]),
        ];
        for (check, ok, bad) in cases {
            for s in ok {
                assert!(check(s).is_ok(), "{s:?}");
            }
            for s in bad {
                assert!(check(s).is_err(), "{s:?}");
            }
        }
    }

    #[test]
    fn lint_additions() {
        assert!(header_value_experimental("a b\tc").is_ok());
        assert!(header_value_experimental(" a").is_err());
        assert!(header_value_experimental("a  b").is_err());
        assert!(header_value_experimental("a\r\nb").is_err());
        assert!(grpc_service(".com.example.User").is_ok());
        assert!(grpc_service("com..x").is_err());
        assert!(grpc_method("Login").is_ok());
        assert!(grpc_method("1x").is_err());
        assert!(listener_protocol("HTTPS").is_ok());
        assert!(listener_protocol("example.com/quic").is_ok());
        assert!(listener_protocol("http").is_ok() && !is_portable_protocol("http"));
        assert!(listener_protocol("bad proto").is_err());
        assert!(address_type("example.com/custom").is_ok());
        assert!(address_type("Custom").is_err());
        // The CRD pattern's unanchored alternatives.
        assert!(address_type("spiffe://x/y").is_ok());
        assert!(address_type("HostnameX").is_ok());
        assert!(address_type("Example.com/").is_err());
        assert_eq!(default_route_kinds("UDP"), Some(&["UDPRoute"][..]));
        assert_eq!(default_route_kinds("example.com/x"), None);
    }
}
