//! Equivalence, checked rather than assumed: sample requests derived from every converted source
//! route (each host and path, the boundaries `/api` vs `/apix`, the default backend, a path and a
//! host that match nothing) are routed through the source's own rules (a small evaluator of
//! ingress-nginx and Traefik matching) and through the traffic model over the output; a request
//! that ends somewhere else is a finding.

use super::request::ACCESS_LABEL;
use super::source::*;
use super::{Options, SHARED_CONTEXT};
use crate::finding::{Finding, Severity};
use crate::generate::Bundle;
use crate::lint::LintOptions;
use crate::traffic::{Outcome, Probe, Trace};

/// Where a request ends, comparable between the source and the output.
#[derive(Debug, Clone, PartialEq)]
enum End {
    /// Backends as `name:port` with their shares, sorted; the path and host the backend sees
    /// when the source rewrites them.
    Forward {
        backends: Vec<(String, f64)>,
        path: Option<String>,
        host: Option<String>,
    },
    Redirect {
        status: i64,
        location: String,
    },
    NotFound,
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Forward {
                backends,
                path,
                host,
            } => {
                let list: Vec<String> = backends
                    .iter()
                    .map(|(b, s)| format!("{b} ({:.0} %)", s * 100.0))
                    .collect();
                write!(f, "forwarded to {}", list.join(", "))?;
                if let Some(p) = path {
                    write!(f, " as path {p}")?;
                }
                if let Some(h) = host {
                    write!(f, " with Host {h}")?;
                }
                Ok(())
            }
            End::Redirect { status, location } => write!(f, "redirected {status} to {location}"),
            End::NotFound => write!(f, "not found (404)"),
        }
    }
}

/// Checks each Gateway's sample requests; `groups` pairs a Gateway (`namespace/name`) with the
/// source routes converted onto it.
pub fn check(groups: &[(String, Vec<&Route>)], bundle: &Bundle, opts: &Options) -> Vec<Finding> {
    let mut texts: Vec<(String, String)> = bundle
        .documents
        .iter()
        .map(|d| (d.path.clone(), d.yaml.clone()))
        .collect();
    texts.extend(stand_ins(groups, opts));
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_, model) = crate::lint::load_sources(&sources, &LintOptions::default());
    let mut gateways: Vec<(&String, Vec<&Route>)> = Vec::new();
    for (gateway, routes) in groups {
        match gateways.iter_mut().find(|(g, _)| *g == gateway) {
            Some((_, all)) => all.extend(routes.iter().copied()),
            None => gateways.push((gateway, routes.clone())),
        }
    }
    let mut findings = Vec::new();
    for (gateway, routes) in gateways {
        for (probe, from) in probes(&routes) {
            let expected = evaluate(&routes, &probe);
            let Ok(trace) = model.trace(&probe, Some(gateway)) else {
                continue;
            };
            let got = end_of(&trace, &expected);
            if !same(&expected, &got) {
                let headers: String = probe
                    .headers
                    .iter()
                    .map(|(n, v)| format!(" -H '{n}: {v}'"))
                    .collect();
                findings.push(from.origin.finding(Severity::Warning, "convert-not-equivalent",
                    format!("{} {}{headers}: the source sends it {expected}; the converted manifests send it {got}", probe.method, probe.url()))
                    .hint(format!("see it with {}{headers} on the output", crate::door::setting_to("trace", &probe.url()))));
            }
        }
    }
    findings
}

/// What the output leaves out but routing needs: the shared Gateway (with the listeners named
/// by the options, admitting every namespace), and for platform-team the namespaces' access label.
fn stand_ins(groups: &[(String, Vec<&Route>)], opts: &Options) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if opts.context == SHARED_CONTEXT {
        let (ns, name) = groups[0].0.split_once('/').unwrap_or_default();
        let secure = groups
            .iter()
            .flat_map(|(_, rs)| rs.iter())
            .any(|r| r.serve == Serve::Https);
        let listener = |name: &str, protocol: &str, port: u16| {
            let tls = if protocol == "HTTPS" {
                "\n    tls: {certificateRefs: [{name: stand-in}]}"
            } else {
                ""
            };
            format!("  - name: {name}\n    protocol: {protocol}\n    port: {port}{tls}\n    allowedRoutes: {{namespaces: {{from: All}}}}\n")
        };
        let listeners = match (&opts.listener, &opts.redirect_listener) {
            (Some(https), Some(http)) => {
                listener(https, "HTTPS", 443) + &listener(http, "HTTP", 80)
            }
            // One listener named: HTTPS when the routes serve HTTPS (Traefik `tls`, websecure).
            (Some(l), None) if secure => listener(l, "HTTPS", 443),
            (Some(l), None) => listener(l, "HTTP", 80),
            (None, _) => listener("http", "HTTP", 80),
        };
        out.push((
            "stand-in/shared-gateway.yaml".into(),
            format!("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  gatewayClassName: stand-in\n  listeners:\n{listeners}"),
        ));
    }
    if opts.context == "platform-team" {
        let mut namespaces: Vec<&str> = groups
            .iter()
            .flat_map(|(_, rs)| rs.iter().map(|r| r.origin.namespace()))
            .collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        for ns in namespaces {
            out.push((
                format!("stand-in/namespace-{ns}.yaml"),
                format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{{}: \"{}\"}}\n", ACCESS_LABEL.0, ACCESS_LABEL.1),
            ));
        }
    }
    out
}

/// Sample requests for every route, each with the route it was derived from.
fn probes<'r>(routes: &[&'r Route]) -> Vec<(Probe, &'r Route)> {
    let mut out: Vec<(Probe, &Route)> = Vec::new();
    let mut add = |scheme: &str, host: &str, path: &str, m: Option<&Match>, r: &'r Route| {
        let query: Vec<String> = m
            .map(|m| m.query.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .unwrap_or_default();
        let url = if query.is_empty() {
            format!("{scheme}://{host}{path}")
        } else {
            format!("{scheme}://{host}{path}?{}", query.join("&"))
        };
        let headers: Vec<String> = m
            .map(|m| m.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect())
            .unwrap_or_default();
        let method = m.and_then(|m| m.method.as_deref());
        if let Ok(p) = Probe::new(&url, method, &headers) {
            if !out.iter().any(|(o, _)| *o == p) {
                out.push((p, r));
            }
        }
    };
    for r in routes {
        let schemes: &[&str] = match (r.serve, r.grpc) {
            // HTTPS is sampled where the source names it: a route on every entry point has no
            // certificate of its own (the controller's default one serves it).
            (Serve::Http | Serve::Both, false) => &["http"],
            (Serve::Https, false) => &["https"],
            (Serve::HttpsRedirect, false) => &["http", "https"],
            (Serve::Http | Serve::Both, true) => &["grpc"],
            (Serve::Https, true) => &["grpcs"],
            (Serve::HttpsRedirect, true) => &["grpc", "grpcs"],
        };
        let hosts: Vec<String> = if r.hosts.is_empty() {
            vec!["any-host.test".into()]
        } else {
            r.hosts
                .iter()
                .map(|h| match h.strip_prefix("*.") {
                    Some(rest) => format!("sample.{rest}"),
                    None => h.clone(),
                })
                .collect()
        };
        for scheme in schemes {
            for host in &hosts {
                for path in ["/", "/te-no-such-path"] {
                    add(scheme, host, path, None, r);
                }
                for m in &r.matches {
                    for path in sample_paths(m.path.as_ref()) {
                        add(scheme, host, &path, Some(m), r);
                        if !m.headers.is_empty() || m.method.is_some() || !m.query.is_empty() {
                            add(scheme, host, &path, None, r);
                        }
                    }
                }
            }
            add(scheme, "no-such-host.test", "/", None, r);
        }
    }
    out
}

/// The path itself and its boundaries: `/api`, `/api/sub`, `/apix`.
fn sample_paths(path: Option<&PathRule>) -> Vec<String> {
    let literal = |v: &str| -> String {
        v.chars()
            .take_while(|c| !"()[]{}.*+?|^$\\".contains(*c))
            .collect()
    };
    let (base, exact) = match path {
        None => return vec!["/".into()],
        Some(PathRule::Exact(v)) => (v.clone(), true),
        Some(PathRule::Prefix(v) | PathRule::StringPrefix(v)) => (v.clone(), false),
        Some(PathRule::Regex { pattern, .. }) => (literal(pattern), false),
    };
    let base = if base.starts_with('/') {
        base
    } else {
        format!("/{base}")
    };
    let trimmed = base.trim_end_matches('/');
    let mut paths = vec![base.clone(), format!("{trimmed}/sub")];
    if !trimmed.is_empty() {
        paths.push(format!("{trimmed}x"));
        paths.push(trimmed.to_string());
    }
    if exact {
        paths.push(format!("{base}/"));
    }
    paths.dedup();
    paths
}

/// The source's own answer.
fn evaluate(routes: &[&Route], probe: &Probe) -> End {
    let secure = probe.scheme == "https" || probe.scheme == "grpcs";
    let serving: Vec<&Route> = routes
        .iter()
        .copied()
        .filter(|r| match r.serve {
            Serve::Both | Serve::HttpsRedirect => true,
            Serve::Http => !secure,
            Serve::Https => secure,
        })
        .collect();
    let winner = if serving.iter().any(|r| r.dialect == Dialect::Traefik) {
        traefik_winner(&serving, probe)
    } else {
        nginx_winner(&serving, probe)
    };
    let Some((r, m)) = winner else {
        return End::NotFound;
    };
    if r.serve == Serve::HttpsRedirect && !secure {
        let mut next = probe.clone();
        next.scheme = if probe.scheme == "grpc" {
            "grpcs"
        } else {
            "https"
        }
        .into();
        next.port = 443;
        return End::Redirect {
            status: 308,
            location: next.url(),
        };
    }
    match &r.action {
        Action::Redirect {
            scheme,
            hostname,
            port,
            path,
            status,
        } => {
            let mut next = probe.clone();
            if let Some(s) = scheme {
                if *s != probe.scheme {
                    next.port = if s == "https" { 443 } else { 80 };
                }
                next.scheme = s.clone();
            }
            if let Some(h) = hostname {
                next.host = h.clone();
            }
            if let Some(p) = port {
                next.port = *p as u16;
            }
            if let Some(p) = path {
                next.path = p.clone();
            }
            End::Redirect {
                status: *status,
                location: next.url(),
            }
        }
        Action::Forward {
            backends,
            rewrite,
            host,
            ..
        } => {
            let total: i64 = backends.iter().map(|b| b.weight).sum();
            let mut list: Vec<(String, f64)> = backends
                .iter()
                .filter(|b| b.weight > 0)
                .map(|b| {
                    (
                        format!("{}:{}", b.name, b.port),
                        b.weight as f64 / total as f64,
                    )
                })
                .collect();
            list.sort_by(|a, b| a.0.cmp(&b.0));
            let path = rewrite.as_ref().map(|rw| match rw {
                Rewrite::Full(p) => p.clone(),
                Rewrite::Prefix(p) => {
                    let matched = match &m.path {
                        Some(PathRule::Prefix(v) | PathRule::StringPrefix(v)) => {
                            v.trim_end_matches('/')
                        }
                        _ => "",
                    };
                    // ReplacePrefixMatch: `/foo/bar` with `/foo` → `/xyz` is `/xyz/bar`.
                    let rest = probe.path.get(matched.len()..).unwrap_or_default();
                    let kept = p.trim_end_matches('/');
                    match format!("{kept}{rest}") {
                        // Both sources keep the path absolute (`/apix` stripped of `/api` is `/x`).
                        path if !path.starts_with('/') => format!("/{path}"),
                        path => path,
                    }
                }
            });
            End::Forward {
                backends: list,
                path,
                host: host.clone(),
            }
        }
    }
}

/// ingress-nginx: the server of the host (exact, else wildcard, else the catch-all server), then
/// Exact paths, then the longest path (regex locations are tried longest first), then the
/// Ingress's default backend.
fn nginx_winner<'r>(routes: &[&'r Route], probe: &Probe) -> Option<(&'r Route, &'r Match)> {
    let exact: Vec<&Route> = routes
        .iter()
        .copied()
        .filter(|r| r.hosts.contains(&probe.host))
        .collect();
    let wildcard: Vec<&Route> = routes
        .iter()
        .copied()
        .filter(|r| r.hosts.iter().any(|h| wildcard_fits(h, &probe.host)))
        .collect();
    let server = if !exact.is_empty() {
        exact
    } else if !wildcard.is_empty() {
        wildcard
    } else {
        routes
            .iter()
            .copied()
            .filter(|r| r.hosts.is_empty())
            .collect()
    };
    // Not the default backend, Exact, path length, header count: the highest wins.
    type Rank = (bool, bool, usize, usize);
    let mut best: Option<(Rank, &Route, &Match)> = None;
    for r in server {
        for m in &r.matches {
            if !matches(m, probe) {
                continue;
            }
            let (is_exact, len) = match &m.path {
                Some(PathRule::Exact(v)) => (true, v.len()),
                Some(PathRule::Prefix(v) | PathRule::StringPrefix(v)) => (false, v.len()),
                Some(PathRule::Regex { pattern, .. }) => (false, pattern.len()),
                _ => (false, 0),
            };
            let key = (!r.fallback, is_exact, len, m.headers.len());
            if best.as_ref().is_none_or(|(k, _, _)| key > *k) {
                best = Some((key, r, m));
            }
        }
    }
    best.map(|(_, r, m)| (r, m))
}

/// Traefik: of the routers whose rule matches, the highest priority (the longest rule by default).
fn traefik_winner<'r>(routes: &[&'r Route], probe: &Probe) -> Option<(&'r Route, &'r Match)> {
    let mut best: Option<(i64, &Route, &Match)> = None;
    for r in routes {
        if !r.hosts.is_empty() && !r.hosts.contains(&probe.host) {
            continue;
        }
        for m in &r.matches {
            if matches(m, probe) && best.as_ref().is_none_or(|(p, _, _)| r.priority > *p) {
                best = Some((r.priority, r, m));
            }
        }
    }
    best.map(|(_, r, m)| (r, m))
}

fn wildcard_fits(pattern: &str, host: &str) -> bool {
    pattern
        .strip_prefix('*')
        .is_some_and(|suffix| host.ends_with(suffix) && host.len() > suffix.len())
}

fn matches(m: &Match, probe: &Probe) -> bool {
    let path = &probe.path;
    let path_ok = match &m.path {
        None => true,
        Some(PathRule::Exact(v)) => path == v,
        Some(PathRule::Prefix(v)) => {
            let v = v.trim_end_matches('/');
            v.is_empty()
                || path
                    .strip_prefix(v)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }
        Some(PathRule::StringPrefix(v)) => path.starts_with(v.as_str()),
        Some(PathRule::Regex {
            pattern,
            case_insensitive,
        }) => {
            let flags = if *case_insensitive { "(?i)" } else { "" };
            let pattern = pattern.strip_prefix('^').unwrap_or(pattern);
            regex::Regex::new(&format!("^{flags}(?:{pattern})")).is_ok_and(|re| re.is_match(path))
        }
    };
    path_ok
        && m.method.as_ref().is_none_or(|x| *x == probe.method)
        && m.headers
            .iter()
            .all(|(n, v)| probe.header(n).is_some_and(|got| got == v))
        && m.query
            .iter()
            .all(|(k, v)| probe.query_param(k).is_some_and(|got| got == v))
}

/// The trace as an [`End`], with the rewritten path and host only where the source has them.
fn end_of(trace: &Trace, expected: &End) -> End {
    match trace.outcome {
        Outcome::Forwarded => {
            let mut backends: Vec<(String, f64)> = trace
                .backends
                .iter()
                .filter(|b| b.share > 0.0)
                .map(|b| (format!("{}:{}", b.name, b.port.unwrap_or(0)), b.share))
                .collect();
            backends.sort_by(|a, b| a.0.cmp(&b.0));
            let (want_path, want_host) = match expected {
                End::Forward { path, host, .. } => (path.is_some(), host.is_some()),
                _ => (false, false),
            };
            let seen = trace.request.as_ref();
            let path = seen.filter(|_| want_path).map(|r| {
                let after = r.url.split_once("://").map_or("", |(_, rest)| rest);
                let path = after.find('/').map_or("/", |i| &after[i..]);
                path.split('?').next().unwrap_or(path).to_string()
            });
            let host = seen
                .filter(|_| want_host)
                .and_then(|r| r.headers.get("host").cloned());
            End::Forward {
                backends,
                path,
                host,
            }
        }
        Outcome::Redirected => match &trace.redirect {
            Some(r) => End::Redirect {
                status: i64::from(r.status),
                location: r.location.clone(),
            },
            None => End::NotFound,
        },
        _ => End::NotFound,
    }
}

fn same(a: &End, b: &End) -> bool {
    match (a, b) {
        (
            End::Forward {
                backends: x,
                path: px,
                host: hx,
            },
            End::Forward {
                backends: y,
                path: py,
                host: hy,
            },
        ) => {
            px == py
                && hx == hy
                && x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(a, b)| a.0 == b.0 && (a.1 - b.1).abs() < 1e-6)
        }
        _ => a == b,
    }
}
