//! The `urls` library: k8s.io/apiserver/pkg/cel/library/urls.go, over Go's net/url.

use super::*;
use std::collections::HashMap;
use std::net::Ipv6Addr;

static URL_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.URL");

pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(URL_TYPE.to_owned())?;
    cel::add_overload!(env, fn url: (CelString) -> Result<Url>)?;
    cel::add_overload!(env, fn is_url: (CelString) -> CelBool, name = "isURL")?;
    cel::add_member_overload!(env, fn get_scheme: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_host: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_hostname: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_port: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_escaped_path: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_query: (Url) -> CelMap)?;
    Ok(())
}

/// A parsed URL: the fields of Go's `url.URL`, which the
/// `kubernetes.URL` type wraps. Two are equal when all fields are, as
/// their `String()`s then are.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Url {
    scheme: String,
    opaque: String,
    /// The userinfo as written, `user:password`.
    user: Option<String>,
    /// `host` or `host:port`, unescaped.
    host: String,
    /// Unescaped, so possibly not UTF-8, as Go's strings may be.
    path: Vec<u8>,
    /// The path as written, when it isn't the default escaping of `path`.
    raw_path: String,
    force_query: bool,
    raw_query: String,
    fragment: Vec<u8>,
}

opaque_val!(Url, &URL_TYPE);

/// `url(<string>)`: the URL, which must be an absolute URI or an absolute
/// path: Go's `url.ParseRequestURI` must accept it, and it is then parsed
/// by `url.Parse`, which splits off a fragment.
fn url(s: &CelString<'_>) -> Result<Url, ExecutionError> {
    let parsed = parse_request_uri(s.inner()).and_then(|_| parse(s.inner()));
    parsed.map_err(|error| {
        ExecutionError::function_error(
            "url",
            format!("URL parse error during conversion from string: {error}"),
        )
    })
}

/// `isURL(<string>)`: whether `url(<string>)` succeeds.
fn is_url(s: &CelString<'_>) -> CelBool {
    parse_request_uri(s.inner()).is_ok().into()
}

/// `<URL>.getScheme()`: the scheme, lowercased; `''` if none.
fn get_scheme(url: &Url) -> CelString<'static> {
    url.scheme.clone().into()
}

/// `<URL>.getHost()`: the host and port, an IPv6 address in brackets;
/// `''` if none.
fn get_host(url: &Url) -> CelString<'static> {
    url.host.clone().into()
}

/// `<URL>.getHostname()`: the host without port, an IPv6 address without
/// brackets; `''` if none.
fn get_hostname(url: &Url) -> CelString<'static> {
    split_host_port(&url.host).0.to_owned().into()
}

/// `<URL>.getPort()`: the port; `''` if none.
fn get_port(url: &Url) -> CelString<'static> {
    split_host_port(&url.host).1.to_owned().into()
}

/// `<URL>.getEscapedPath()`: the path, escaped as Go's
/// `URL.EscapedPath` does (as written when that is a valid escaping).
fn get_escaped_path(url: &Url) -> CelString<'static> {
    url.escaped_path().into()
}

/// `<URL>.getQuery()`: the query as a `map(string, list(string))`, keys
/// and values unescaped, a repeated key's values in order.
fn get_query(url: &Url) -> CelMap<'static> {
    let mut query: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in parse_query(&url.raw_query) {
        query.entry(key).or_default().push(value);
    }
    query
        .into_iter()
        .map(|(key, values)| {
            (
                CelMapKey::from(key),
                Box::new(string_list(values)) as Box<dyn Val>,
            )
        })
        .collect::<HashMap<_, _>>()
        .into()
}

/// Go's `url.ParseRequestURI`: `raw` as an absolute URI or absolute path,
/// its fragment, if any, left in the path or query.
pub(super) fn parse_request_uri(raw: &str) -> Result<Url, String> {
    go_parse(raw, true).map_err(|error| format!("parse {}: {error}", go_quote(raw)))
}

/// Go's `url.Parse`: `raw` as a URL reference, its fragment split off.
fn parse(raw: &str) -> Result<Url, String> {
    let (rest, fragment) = raw.split_once('#').unwrap_or((raw, ""));
    let mut url =
        go_parse(rest, false).map_err(|error| format!("parse {}: {error}", go_quote(rest)))?;
    url.fragment = unescape(fragment, Encoding::Fragment)
        .map_err(|error| format!("parse {}: {error}", go_quote(raw)))?;
    Ok(url)
}

/// Go's `url.parse`, which the two above wrap.
fn go_parse(raw: &str, via_request: bool) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_owned());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".to_owned());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((before, query)) = rest.split_once('?') {
        url.raw_query = query.to_owned();
        rest = before;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // A rootless path, per RFC 3986, is opaque.
            url.opaque = rest.to_owned();
            return Ok(url);
        }
        if via_request {
            return Err("invalid URI for request".to_owned());
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".to_owned());
        }
    }
    if (!url.scheme.is_empty() || !via_request && !rest.starts_with("///"))
        && rest.starts_with("//")
    {
        let (authority, path) = match rest[2..].find('/') {
            Some(i) => rest[2..].split_at(i),
            None => (&rest[2..], ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    }
    url.path = unescape(rest, Encoding::Path)?;
    if escape(&url.path, Encoding::Path) != rest {
        url.raw_path = rest.to_owned();
    }
    Ok(url)
}

/// Go's `getScheme`: the scheme, if `raw` starts with one and a colon, and
/// the rest.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".to_owned()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Go's `parseAuthority`: the userinfo, as written, and the host.
fn parse_authority(authority: &str) -> Result<(Option<String>, String), String> {
    let Some(at) = authority.rfind('@') else {
        return Ok((None, parse_host(authority)?));
    };
    let host = parse_host(&authority[at + 1..])?;
    let userinfo = &authority[..at];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".to_owned());
    }
    for part in userinfo.splitn(2, ':') {
        unescape(part, Encoding::UserPassword)?;
    }
    Ok((Some(userinfo.to_owned()), host))
}

/// Go's `parseHost`: the host, unescaped, with its port. Only an IPv6
/// address may be in brackets, as Go checks since 1.24.8 and 1.25.2.
fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(end) = host.rfind(']') else {
            return Err("missing ']' in host".to_owned());
        };
        let colon_port = &host[end + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", go_quote(colon_port)));
        }
        let zone = host[..end].find("%25");
        let address = &host[1..zone.unwrap_or(end)];
        if address.parse::<Ipv6Addr>().is_err() {
            return Err(format!(
                "invalid host: ParseAddr({}): unable to parse IP",
                go_quote(address)
            ));
        }
        if let Some(zone) = zone {
            // RFC 6874: `%25` starts the zone, which may escape more than
            // a host can.
            let mut unescaped = unescape(&host[..zone], Encoding::Host)?;
            unescaped.extend(unescape(&host[zone..end], Encoding::Zone)?);
            unescaped.extend(unescape(&host[end..], Encoding::Host)?);
            return Ok(String::from_utf8_lossy(&unescaped).into_owned());
        }
    } else if let Some(colon) = host.rfind(':') {
        let colon_port = &host[colon..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", go_quote(colon_port)));
        }
    }
    Ok(String::from_utf8_lossy(&unescape(host, Encoding::Host)?).into_owned())
}

/// `""`, or `:` and digits.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `validUserinfo`: RFC 3986's userinfo characters, and `%` and `@`.
fn valid_userinfo(userinfo: &str) -> bool {
    userinfo.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    })
}

/// Go's `splitHostPort`: the host, without brackets, and the port.
fn split_host_port(host_port: &str) -> (&str, &str) {
    let (mut host, port) = match host_port.rfind(':') {
        Some(colon) if valid_optional_port(&host_port[colon..]) => {
            (&host_port[..colon], &host_port[colon + 1..])
        }
        _ => (host_port, ""),
    };
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        host = inner;
    }
    (host, port)
}

/// Go's `parseQuery`, whose errors `URL.Query` ignores: the pairs that
/// unescape, in order.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.contains(';'))
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = unescape(key, Encoding::QueryComponent).ok()?;
            let value = unescape(value, Encoding::QueryComponent).ok()?;
            Some((
                String::from_utf8_lossy(&key).into_owned(),
                String::from_utf8_lossy(&value).into_owned(),
            ))
        })
        .collect()
}

impl Url {
    /// Go's `URL.EscapedPath`.
    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path)
            && unescape(&self.raw_path, Encoding::Path).is_ok_and(|p| p == self.path)
        {
            return self.raw_path.clone();
        }
        if self.path == b"*" {
            return "*".to_owned();
        }
        escape(&self.path, Encoding::Path)
    }
}

/// The parts of a URL Go escapes differently.
#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Path,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Encoding) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Encoding::Host | Encoding::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Encoding::Path => return c == b'?',
            Encoding::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Encoding::QueryComponent => return true,
            Encoding::Fragment => return false,
            Encoding::Host | Encoding::Zone => {}
        },
        _ => {}
    }
    !(mode == Encoding::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

/// Go's `validEncoded`, for a path.
fn valid_encoded(s: &str) -> bool {
    s.bytes().all(|c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, Encoding::Path)
    })
}

/// Go's `unescape`: `s` with its `%XX` escapes decoded (and `+` as a space
/// in a query), or why it can't be.
fn unescape(s: &str, mode: Encoding) -> Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    let escape_error = |at: usize| {
        let end = (at + 3).min(bytes.len());
        format!(
            "invalid URL escape {}",
            go_quote(&String::from_utf8_lossy(&bytes[at..end]))
        )
    };
    let mut unescaped = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let (Some(&hi), Some(&lo)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                    return Err(escape_error(i));
                };
                let (Some(hi), Some(lo)) = (hex(hi), hex(lo)) else {
                    return Err(escape_error(i));
                };
                let is_percent = &bytes[i..i + 3] == b"%25";
                // RFC 3986: a host %-encodes non-ASCII bytes only, but for
                // `%25`, which RFC 6874 allows in a zone.
                if mode == Encoding::Host && hi < 8 && !is_percent {
                    return Err(escape_error(i));
                }
                let byte = hi << 4 | lo;
                if mode == Encoding::Zone
                    && !is_percent
                    && byte != b' '
                    && should_escape(byte, Encoding::Host)
                {
                    return Err(escape_error(i));
                }
                unescaped.push(byte);
                i += 3;
            }
            b'+' => {
                unescaped.push(if mode == Encoding::QueryComponent {
                    b' '
                } else {
                    b'+'
                });
                i += 1;
            }
            c => {
                if matches!(mode, Encoding::Host | Encoding::Zone)
                    && c < 0x80
                    && should_escape(c, mode)
                {
                    return Err(format!(
                        "invalid character {} in host name",
                        go_quote(&char::from(c).to_string())
                    ));
                }
                unescaped.push(c);
                i += 1;
            }
        }
    }
    Ok(unescaped)
}

fn hex(c: u8) -> Option<u8> {
    char::from(c).to_digit(16).map(|d| d as u8)
}

/// Go's `escape`.
fn escape(bytes: &[u8], mode: Encoding) -> String {
    let mut escaped = String::with_capacity(bytes.len());
    for &c in bytes {
        if c == b' ' && mode == Encoding::QueryComponent {
            escaped.push('+');
        } else if should_escape(c, mode) {
            escaped.push_str(&format!("%{c:02X}"));
        } else {
            escaped.push(char::from(c));
        }
    }
    escaped
}
