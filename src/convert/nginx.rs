//! What ingress-nginx's annotations add to an Ingress path (from the ingress-nginx annotations
//! documentation): redirects, rewrites, regex paths, canaries, gRPC backends. An annotation it has
//! but Gateway API cannot say is a finding naming the key and why.

use indexmap::IndexMap;

use super::source::*;
use crate::finding::Severity;

pub(super) const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// Annotations that say nothing about routing.
const UNRELATED: &[&str] = &[
    "kubernetes.io/ingress.class",
    "kubectl.kubernetes.io/last-applied-configuration",
];

/// The annotations of one Ingress, read.
#[derive(Debug, Clone)]
pub struct Annotations {
    pub dialect: Dialect,
    /// `use-regex`, or `rewrite-target` (which implies it).
    pub regex: bool,
    /// `ssl-redirect` (default true: hosts with TLS redirect HTTP to HTTPS).
    pub ssl_redirect: bool,
    pub force_ssl_redirect: bool,
    redirect: Option<(String, i64)>,
    app_root: Option<String>,
    canary: Option<Canary>,
    grpc: bool,
    rewrite_target: Option<String>,
    upstream_vhost: Option<String>,
    forwarded_prefix: Option<String>,
    cors: Option<(String, crate::request::CorsRequest)>,
}

#[derive(Debug, Clone, Default)]
struct Canary {
    weight: Option<i64>,
    total: i64,
    header: Option<String>,
    header_value: Option<String>,
}

pub fn is_canary(annotations: &IndexMap<String, String>) -> bool {
    annotations
        .get(&format!("{PREFIX}canary"))
        .is_some_and(|v| v == "true")
}

impl Annotations {
    pub fn read(
        origin: &Origin,
        annotations: &IndexMap<String, String>,
        dialect: Dialect,
        out: &mut Sources,
    ) -> Annotations {
        let mut a = Annotations {
            dialect,
            regex: false,
            ssl_redirect: true,
            force_ssl_redirect: false,
            redirect: None,
            app_root: None,
            canary: None,
            grpc: false,
            rewrite_target: None,
            upstream_vhost: None,
            forwarded_prefix: None,
            cors: None,
        };
        if dialect == Dialect::Nginx {
            a.cors = super::cors::nginx(origin, annotations, out)
                .map(|c| (format!("metadata.annotations.{PREFIX}enable-cors"), c));
        }
        let get = |key: &str| annotations.get(&format!("{PREFIX}{key}")).cloned();
        let int = |key: &str, default: i64, out: &mut Sources| -> i64 {
            match get(key) {
                None => default,
                Some(v) => v.parse().unwrap_or_else(|_| {
                    out.findings.push(unsupported(
                        origin,
                        key,
                        &format!("{v:?} is not a number; the default {default} is used"),
                    ));
                    default
                }),
            }
        };
        for (key, value) in annotations {
            let Some(name) = key.strip_prefix(PREFIX) else {
                if !UNRELATED.contains(&key.as_str()) {
                    out.findings.push(
                        origin
                            .finding(Severity::Note, "convert-annotation-ignored",
                                format!("annotation {key} is not an ingress-nginx annotation and is not converted"))
                            .field(format!("metadata.annotations.{key}")),
                    );
                }
                continue;
            };
            if dialect != Dialect::Nginx {
                out.findings.push(unsupported(
                    origin,
                    name,
                    "is an ingress-nginx annotation, and the IngressClass is not ingress-nginx's",
                ));
                continue;
            }
            let on = value == "true";
            match name {
                "use-regex" => a.regex |= on,
                "ssl-redirect" => a.ssl_redirect = on,
                "force-ssl-redirect" => a.force_ssl_redirect = on,
                "permanent-redirect" => {
                    a.redirect = Some((value.clone(), int("permanent-redirect-code", 301, out)))
                }
                "temporal-redirect" => {
                    a.redirect = Some((value.clone(), int("temporal-redirect-code", 302, out)))
                }
                "permanent-redirect-code" | "temporal-redirect-code" => {}
                "app-root" => a.app_root = Some(value.clone()),
                "canary" => {
                    if on {
                        a.canary = Some(Canary {
                            weight: get("canary-weight").map(|_| int("canary-weight", 0, out)),
                            total: int("canary-weight-total", 100, out),
                            header: get("canary-by-header"),
                            header_value: get("canary-by-header-value"),
                        });
                    }
                }
                "canary-weight" | "canary-weight-total" | "canary-by-header"
                | "canary-by-header-value" => {}
                "canary-by-header-pattern" => out.findings.push(unsupported(origin, name,
                    "matches the header by a regex; the conversion keeps header matches exact, so this canary rule is not converted")),
                "canary-by-cookie" => out.findings.push(unsupported(origin, name,
                    "routes by the value of a cookie (`always`/`never`); Gateway API matches headers, not cookies, so this canary rule is not converted (Envoy Gateway and Istio can match cookies in their own policies)")),
                "backend-protocol" => match value.to_ascii_uppercase().as_str() {
                    "HTTP" => {}
                    "GRPC" => a.grpc = true,
                    "GRPCS" => {
                        a.grpc = true;
                        out.findings.push(unsupported(origin, name, "GRPCS: the route becomes a GRPCRoute; TLS to the backend needs a BackendTLSPolicy, which is not generated"));
                    }
                    other => out.findings.push(unsupported(origin, name, &format!("{other}: TLS or other protocols to the backend need a BackendTLSPolicy or the implementation's policy; the backend is reached over plain HTTP"))),
                },
                "rewrite-target" => {
                    a.regex = true;
                    a.rewrite_target = Some(value.clone());
                }
                "upstream-vhost" => a.upstream_vhost = Some(value.clone()),
                "x-forwarded-prefix" => a.forwarded_prefix = Some(value.clone()),
                cors if super::cors::NGINX_KEYS.contains(&cors) => {}
                _ => out.findings.push(unsupported(origin, name, "has no Gateway API equivalent the conversion knows")),
            }
        }
        a
    }

    /// Adds one converted path (`route`) of the Ingress to `out`, with what the annotations do.
    pub fn apply(&self, field: &str, path: &str, mut route: Route, out: &mut Sources) {
        route.grpc = self.grpc;
        route.cors.clone_from(&self.cors);
        if let Some(canary) = &self.canary {
            attach_canary(canary, field, route, out);
            return;
        }
        if let Some((url, status)) = &self.redirect {
            match redirect_to(url, *status) {
                Some(action) => route.action = action,
                None => out.findings.push(unsupported(
                    &route.origin,
                    "permanent-redirect",
                    &format!("{url:?} is not an absolute http(s) URL; the path forwards instead"),
                )),
            }
        }
        if let Action::Forward {
            rewrite,
            host,
            set_headers,
            ..
        } = &mut route.action
        {
            *host = self.upstream_vhost.clone();
            if let Some(prefix) = &self.forwarded_prefix {
                set_headers.push(("X-Forwarded-Prefix".into(), prefix.clone()));
            }
            if let Some(target) = &self.rewrite_target {
                match rewrite_of(path, target) {
                    Some((path_rule, r)) => {
                        if let Some(p) = path_rule {
                            route.matches[0].path = Some(p);
                            out.findings.push(route.origin.finding(Severity::Note, "convert-rewrite-prefix",
                                format!("path {path:?} with rewrite-target {target:?} strips a prefix: converted to PathPrefix with ReplacePrefixMatch, which matches case-sensitively where nginx's regex did not"))
                                .field(format!("{field}.path")));
                        }
                        *rewrite = Some(r);
                    }
                    None => out.findings.push(unsupported(&route.origin, "rewrite-target",
                        &format!("{target:?} uses capture groups of path {path:?} in a way URLRewrite cannot say (it replaces the whole path or a PathPrefix match, without captures); the path is forwarded unchanged"))),
                }
            }
        }
        let root = self.app_root.clone().filter(|_| !route.fallback);
        let host_root = root.map(|root| Route {
            matches: vec![Match {
                path: Some(PathRule::Exact("/".into())),
                ..Match::default()
            }],
            action: Action::Redirect {
                scheme: None,
                hostname: None,
                port: None,
                path: Some(root),
                status: 302,
            },
            ..route.clone()
        });
        out.routes.push(route);
        // app-root redirects `/` of every host of the Ingress, once per host.
        if let Some(r) = host_root {
            if !out
                .routes
                .iter()
                .any(|o| o.origin == r.origin && o.hosts == r.hosts && o.matches == r.matches)
            {
                out.routes.push(r);
            }
        }
    }
}

pub(super) fn unsupported(origin: &Origin, name: &str, why: &str) -> crate::finding::Finding {
    origin
        .finding(
            Severity::Warning,
            "convert-annotation-unsupported",
            format!("annotation {PREFIX}{name} {why}"),
        )
        .field(format!("metadata.annotations.{PREFIX}{name}"))
}

/// `return CODE URL`: the location is the URL as given (its path, `/` when it has none).
fn redirect_to(url: &str, status: i64) -> Option<Action> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let (hostname, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse().ok()?)),
        None => (authority, None),
    };
    Some(Action::Redirect {
        scheme: Some(scheme.to_string()),
        hostname: Some(hostname.to_string()),
        port,
        path: Some(if path.is_empty() { "/" } else { path }.to_string()),
        status,
    })
}

/// A rewrite URLRewrite can say: a target without captures replaces the whole path; the
/// documented `/prefix(/|$)(.*)` with `/$2` strips the prefix (and needs a PathPrefix match).
fn rewrite_of(path: &str, target: &str) -> Option<(Option<PathRule>, Rewrite)> {
    if !target.contains('$') {
        return Some((None, Rewrite::Full(target.to_string())));
    }
    let literal = path.strip_suffix("(/|$)(.*)")?;
    let kept = target.strip_suffix("$2")?;
    let plain = |s: &str| {
        !s.contains([
            '(', ')', '[', ']', '.', '*', '+', '?', '|', '^', '$', '\\', '{',
        ])
    };
    (plain(literal) && plain(kept) && literal.starts_with('/') && kept.starts_with('/')).then(
        || {
            let replacement = if kept.len() > 1 {
                kept.trim_end_matches('/')
            } else {
                kept
            };
            (
                Some(PathRule::Prefix(literal.to_string())),
                Rewrite::Prefix(replacement.to_string()),
            )
        },
    )
}

/// A canary Ingress adds its backend to the main Ingress's route with the same host and path:
/// by weight, and by header before the weights (ingress-nginx checks the header first).
fn attach_canary(canary: &Canary, field: &str, route: Route, out: &mut Sources) {
    let Action::Forward { backends, .. } = &route.action else {
        return;
    };
    let canary_backend = backends[0].clone();
    let main = out.routes.iter().position(|m| {
        m.origin.id.namespace == route.origin.id.namespace
            && m.origin != route.origin
            && m.hosts == route.hosts
            && m.matches == route.matches
            && matches!(m.action, Action::Forward { .. })
    });
    let Some(main) = main else {
        out.findings.push(route.origin.finding(Severity::Warning, "convert-canary-without-main",
            "is a canary, and no Ingress in its namespace serves the same host and path: ingress-nginx ignores such a canary; not converted")
            .field(field.to_string()));
        return;
    };
    let mut by_header = Vec::new();
    if let Some(header) = &canary.header {
        let value = canary
            .header_value
            .clone()
            .unwrap_or_else(|| "always".into());
        by_header.push((header.clone(), value, canary_backend.clone()));
        if canary.header_value.is_none() && canary.weight.is_some() {
            if let Action::Forward { backends, .. } = &out.routes[main].action {
                by_header.push((header.clone(), "never".into(), backends[0].clone()));
            }
        }
    }
    if let Some(weight) = canary.weight {
        let Action::Forward { backends, .. } = &mut out.routes[main].action else {
            return;
        };
        let weight = weight.clamp(0, canary.total);
        backends[0].weight = canary.total - weight;
        backends.push(Backend {
            weight,
            ..canary_backend
        });
    }
    for (name, value, backend) in by_header {
        let mut r = out.routes[main].clone();
        r.matches[0].headers.push((name, value));
        if let Action::Forward { backends, .. } = &mut r.action {
            *backends = vec![Backend {
                weight: 1,
                ..backend
            }];
        }
        out.routes.push(r);
    }
}

/// ingress-nginx makes every path of a host a case-insensitive regex once one Ingress of that
/// host uses `use-regex` or `rewrite-target`, whichever Ingress the others are defined on.
pub fn regex_hosts(out: &mut Sources) {
    let regex_hosts: Vec<String> = out
        .routes
        .iter()
        .filter(|r| r.dialect == Dialect::Nginx)
        .filter(|r| {
            r.matches
                .iter()
                .any(|m| matches!(m.path, Some(PathRule::Regex { .. })))
        })
        .flat_map(|r| r.hosts.clone())
        .collect();
    let mut changed = Vec::new();
    for r in out
        .routes
        .iter_mut()
        .filter(|r| r.dialect == Dialect::Nginx)
    {
        if !r.hosts.iter().any(|h| regex_hosts.contains(h)) {
            continue;
        }
        for m in &mut r.matches {
            if let Some(PathRule::Prefix(p) | PathRule::StringPrefix(p)) = &m.path {
                // The default backend is nginx's `location /`, and a prefix-stripping rewrite
                // needs its PathPrefix: both stay.
                let strips = matches!(
                    &r.action,
                    Action::Forward {
                        rewrite: Some(Rewrite::Prefix(_)),
                        ..
                    }
                );
                if r.fallback || strips {
                    continue;
                }
                m.path = Some(PathRule::Regex {
                    pattern: p.clone(),
                    case_insensitive: true,
                });
                changed.push(r.origin.clone());
            }
        }
    }
    changed.dedup();
    for origin in changed {
        out.findings.push(origin.finding(Severity::Note, "convert-regex-host",
            "shares a host with an Ingress using use-regex or rewrite-target: ingress-nginx matches all of this host's paths as case-insensitive regexes, and so does the conversion"));
    }
}
