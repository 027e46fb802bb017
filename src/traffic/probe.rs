//! The request a trace follows: scheme, host, port, path, query, method and headers, read from a
//! URL like a client would send it.
//!
//! The schemes name the listener protocol the request arrives on: `http` and `https` (HTTP and
//! HTTPS listeners; `https` also reaches TLS listeners by SNI), `grpc` and `grpcs` (gRPC over an
//! HTTP or HTTPS listener; the path is `/package.Service/Method`), `tls` (a TLS listener, by SNI),
//! `tcp` and `udp`. A small parser of our own: hosts here are DNS names or IP addresses, and the
//! general URL crates bring Unicode host tables this tool never needs.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Probe {
    pub scheme: String,
    /// Lowercase host, without port: the Host header (or the SNI) the request carries.
    pub host: String,
    pub port: u16,
    /// The path, starting with `/`, without the query.
    pub path: String,
    /// Query parameters in order, undecoded.
    pub query: Vec<(String, String)>,
    pub method: String,
    /// Header names as given; matching folds their case.
    pub headers: Vec<(String, String)>,
}

/// A URL, method or header the model cannot follow.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ProbeError(pub String);

/// Which listener protocols a scheme reaches, and how the request is matched there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Http,
    Grpc,
    Tls,
    Tcp,
    Udp,
}

impl Probe {
    /// Reads `url`, then sets `method` (default GET, POST for gRPC) and `headers` (`Name: value`;
    /// a `Host` header replaces the URL's host, as with curl).
    pub fn new(url: &str, method: Option<&str>, headers: &[String]) -> Result<Probe, ProbeError> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            ProbeError(format!(
                "the URL {url:?} has no scheme: write it like http://app.example.com/path"
            ))
        })?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" | "grpc" => 80,
            "https" | "grpcs" | "tls" => 443,
            "tcp" | "udp" => 0,
            other => {
                return Err(ProbeError(format!(
                    "scheme {other:?} of the URL {url:?} is not one of http, https, grpc, grpcs, tls, tcp, udp"
                )))
            }
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (host, port) = host_port(authority, default_port)
            .map_err(|why| ProbeError(format!("the URL {url:?}: {why}")))?;
        if port == 0 {
            return Err(ProbeError(format!(
                "the URL {url:?} needs a port: {scheme}://HOST:PORT"
            )));
        }
        let tail = tail.split('#').next().unwrap_or_default();
        let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
        let path = if path.is_empty() { "/" } else { path };
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        let method = match method {
            Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()) => {
                m.to_ascii_uppercase()
            }
            Some(m) => {
                return Err(ProbeError(format!(
                    "the method {m:?} is not an HTTP method (GET, POST, …)"
                )))
            }
            None if scheme.starts_with("grpc") => "POST".to_string(),
            None => "GET".to_string(),
        };
        let mut probe = Probe {
            scheme,
            host,
            port,
            path: path.to_string(),
            query,
            method,
            headers: Vec::new(),
        };
        for h in headers {
            let (name, value) = h
                .split_once(':')
                .ok_or_else(|| ProbeError(format!("-H {h:?} is not `Name: value`")))?;
            let name = name.trim();
            if name.is_empty() || name.bytes().any(|b| !is_token(b)) {
                return Err(ProbeError(format!(
                    "-H {h:?}: {name:?} is not a header name"
                )));
            }
            probe.set_header(name, value.trim());
        }
        Ok(probe)
    }

    pub fn flavor(&self) -> Flavor {
        match self.scheme.as_str() {
            "grpc" | "grpcs" => Flavor::Grpc,
            "tls" => Flavor::Tls,
            "tcp" => Flavor::Tcp,
            "udp" => Flavor::Udp,
            _ => Flavor::Http,
        }
    }

    /// The first value of a header, by name in any case (`host` is the request's host).
    pub fn header(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case("host") {
            return Some(&self.host);
        }
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replaces every value of a header (a `Host` header moves the request to that host).
    pub fn set_header(&mut self, name: &str, value: &str) {
        if name.eq_ignore_ascii_case("host") {
            self.host = value
                .rsplit_once(':')
                .filter(|(_, p)| p.parse::<u16>().is_ok())
                .map_or(value, |(h, _)| h)
                .to_ascii_lowercase();
            return;
        }
        self.remove_header(name);
        self.headers.push((name.to_string(), value.to_string()));
    }

    pub fn add_header(&mut self, name: &str, value: &str) {
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            // Several values of one header travel as one comma-separated value.
            Some((_, v)) => *v = format!("{v},{value}"),
            None => self.headers.push((name.to_string(), value.to_string())),
        }
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The first value of a query parameter (names are case-sensitive).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The default port of the scheme, which a URL leaves out.
    fn default_port(&self) -> Option<u16> {
        match self.scheme.as_str() {
            "http" | "grpc" => Some(80),
            "https" | "grpcs" | "tls" => Some(443),
            _ => None,
        }
    }

    /// The request as a URL, the port left out where it is the scheme's default.
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let port = match self.default_port() {
            Some(p) if p == self.port => String::new(),
            _ => format!(":{}", self.port),
        };
        let query = if self.query.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        k.clone()
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect();
            format!("?{}", parts.join("&"))
        };
        match self.flavor() {
            Flavor::Tcp | Flavor::Udp | Flavor::Tls => format!("{}://{host}{port}", self.scheme),
            _ => format!("{}://{host}{port}{}{query}", self.scheme, self.path),
        }
    }
}

/// `host[:port]` or `[ipv6][:port]`, checked and lowercased.
fn host_port(authority: &str, default_port: u16) -> Result<(String, u16), String> {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or("an IPv6 host needs its closing ']'")?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("it has no host".into());
    }
    if host
        .bytes()
        .any(|b| !(b.is_ascii_alphanumeric() || b"-._:*".contains(&b)))
    {
        return Err(format!("{host:?} is not a host name or IP address"));
    }
    let port = match port {
        None => default_port,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("port {p:?} is not 1 to 65535"))?,
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// An HTTP token character (RFC 9110), what header names are made of.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_scheme_host_port_path_and_query() {
        let p = Probe::new("https://App.Example.com/api/x?a=1&b", None, &[]).unwrap();
        assert_eq!(
            (p.scheme.as_str(), p.host.as_str(), p.port, p.path.as_str()),
            ("https", "app.example.com", 443, "/api/x")
        );
        assert_eq!(
            p.query,
            [("a".into(), "1".into()), ("b".into(), String::new())]
        );
        assert_eq!(p.url(), "https://app.example.com/api/x?a=1&b");
        let p = Probe::new("http://[::1]:8080", Some("post"), &["Host: web:80".into()]).unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.path.as_str()),
            ("web", 8080, "/")
        );
        assert_eq!(p.method, "POST");
        assert_eq!(
            Probe::new("grpc://g/pkg.Svc/M", None, &[]).unwrap().method,
            "POST"
        );
    }

    #[test]
    fn bad_urls_methods_and_headers_are_refused() {
        for (url, method, header) in [
            ("example.com/x", None, None),
            ("ftp://example.com/", None, None),
            ("tcp://db.example.com", None, None),
            ("http://exa mple.com/", None, None),
            ("http://example.com:99999/", None, None),
            ("http://example.com/", Some("G ET"), None),
            ("http://example.com/", None, Some("no-colon")),
            ("http://example.com/", None, Some("bad name: v")),
        ] {
            let headers: Vec<String> = header.into_iter().map(str::to_string).collect();
            assert!(
                Probe::new(url, method, &headers).is_err(),
                "{url} {method:?} {header:?}"
            );
        }
    }

    proptest::proptest! {
        /// Any text as URL, method or header is read or refused with a message, never a panic;
        /// what is read writes back to a URL that reads the same.
        #[test]
        fn any_input_is_read_or_refused(
            url in "(http|https|grpc|tcp|tls|udp|ftp)?(://)?[a-zA-Z0-9.:\\[\\]@/?#&=%*_ -]{0,40}",
            method in proptest::option::of("[a-zA-Z ]{0,8}"),
            header in "[ -~]{0,20}",
        ) {
            match Probe::new(&url, method.as_deref(), &[header]) {
                Err(e) => proptest::prop_assert!(!e.0.is_empty()),
                Ok(p) => {
                    let again = Probe::new(&p.url(), Some(&p.method), &[]).unwrap();
                    proptest::prop_assert_eq!((&again.host, again.port), (&p.host, p.port));
                    if p.flavor() == Flavor::Http || p.flavor() == Flavor::Grpc {
                        proptest::prop_assert_eq!(&again.path, &p.path);
                    }
                }
            }
        }
    }

    #[test]
    fn header_names_fold_case() {
        let mut p = Probe::new("http://a.example/", None, &["X-Env: one".into()]).unwrap();
        assert_eq!(p.header("x-env"), Some("one"));
        p.add_header("x-ENV", "two");
        assert_eq!(p.header("X-Env"), Some("one,two"));
        p.remove_header("X-ENV");
        assert_eq!(p.header("x-env"), None);
    }
}
