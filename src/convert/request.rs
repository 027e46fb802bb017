//! The intermediate routes of one group (a namespace, and a class when the Gateway is generated)
//! as one [`Request`]: the routes keep their source object's name, one route per host set and
//! listener, the rules in source order with the default backend last.

use super::source::*;
use super::{Options, SHARED_CONTEXT};
use crate::door::setting;
use crate::finding::{Finding, Severity};
use crate::request::*;

/// The listeners of a generated Gateway.
const HTTP: &str = "http";
const HTTPS: &str = "https";

/// The group's Request, and what could not be said in it.
pub fn build(
    namespace: &str,
    class: &str,
    routes: &[&Route],
    tls: &[(Origin, Vec<String>, String)],
    opts: &Options,
    findings: &mut Vec<Finding>,
) -> Request {
    let shared = opts.context == SHARED_CONTEXT;
    let mut gateway = GatewayRequest {
        // A shared Gateway must be named; a generated one is named after the IngressClass.
        name: opts
            .gateway
            .clone()
            .or_else(|| (!shared).then(|| class.to_string())),
        namespace: opts.gateway_namespace.clone(),
        listener: opts.listener.clone().filter(|_| shared),
        ..GatewayRequest::default()
    };
    if !shared {
        if let Some((origin, _, secret)) = tls.first() {
            gateway.https = true;
            gateway.tls_secret = Some(format!("{}/{secret}", origin.namespace()));
        }
        for (origin, _, secret) in tls.iter().skip(1) {
            if Some(format!("{}/{secret}", origin.namespace())) != gateway.tls_secret {
                findings.push(origin.finding(Severity::Warning, "convert-tls-secret-not-carried",
                    format!("TLS Secret {secret} is not carried: the generated Gateway's HTTPS listener takes one certificate ({}); add it to the listener's certificateRefs by hand (implementations choose by SNI)", gateway.tls_secret.as_deref().unwrap_or_default())));
            }
        }
        if opts.context == "platform-team" {
            // Every namespace's request plans the same Gateway, so the copies are one document.
            gateway.allowed_routes = Some(AllowedRoutesRequest {
                from: FromNamespaces::Selector,
                labels: [(ACCESS_LABEL.0.to_string(), ACCESS_LABEL.1.to_string())]
                    .into_iter()
                    .collect(),
            });
        }
    }
    let (http, https) = listeners(&gateway, shared, opts);
    let mut out: Vec<RouteRequest> = Vec::new();
    for r in routes {
        let serve = match &r.action {
            // A redirect to HTTPS (Traefik's redirectScheme) answers HTTP requests; on HTTPS it
            // would answer with a redirect to itself.
            Action::Redirect {
                scheme: Some(s), ..
            } if s == "https" && r.serve == Serve::Both => Serve::Http,
            _ => r.serve,
        };
        let r = &Route {
            serve,
            ..(*r).clone()
        };
        let serve = effective_serve(r, https.is_some(), http.is_some(), shared, findings);
        let kind = if r.grpc {
            RouteKind::Grpc
        } else {
            RouteKind::Http
        };
        let Some(rule) = rule(r, kind, findings) else {
            continue;
        };
        let (listener, redirect) = match serve {
            Serve::Both => (None, None),
            Serve::Http => (http.clone(), None),
            Serve::Https => (https.clone(), None),
            Serve::HttpsRedirect => (https.clone(), http.clone()),
        };
        add(&mut out, r, kind, listener.clone(), rule.clone(), "");
        if let Some(http) = redirect {
            // ingress-nginx answers HTTP with 308 for exactly the locations of the Ingress.
            // Every location of the path redirects, whatever else it matches on.
            let paths = r.matches.iter().map(|m| Match {
                path: m.path.clone(),
                ..Match::default()
            });
            let to_https = RuleRequest {
                matches: paths.map(|m| http_match(&m)).collect(),
                redirect: Some(RedirectRequest {
                    scheme: Some("https".into()),
                    status_code: Some(308),
                    ..RedirectRequest::default()
                }),
                ..RuleRequest::default()
            };
            add(
                &mut out,
                r,
                RouteKind::Http,
                Some(http),
                to_https,
                "-https-redirect",
            );
        }
    }
    unique_names(&mut out);
    Request {
        context: Some(opts.context.clone()),
        namespace: Some(namespace.to_string()),
        gateway,
        routes: out,
        options: crate::request::Options {
            implementation: opts.implementation.clone(),
            ..Default::default()
        },
        ..Request::default()
    }
}

/// The namespace label a platform team's Gateway admits (as in the task-api example).
pub const ACCESS_LABEL: (&str, &str) = ("gateway-access", "true");

/// The HTTP and HTTPS listener names, when there are such listeners.
fn listeners(g: &GatewayRequest, shared: bool, opts: &Options) -> (Option<String>, Option<String>) {
    if shared {
        (opts.redirect_listener.clone(), opts.listener.clone())
    } else {
        (Some(HTTP.into()), g.https.then(|| HTTPS.into()))
    }
}

/// The route's listeners, or both when the Gateway lacks the one it needs (reported).
fn effective_serve(
    r: &Route,
    https: bool,
    http: bool,
    shared: bool,
    findings: &mut Vec<Finding>,
) -> Serve {
    let (https_listener, http_listener) = (
        setting("convert.listener"),
        setting("convert.redirectListener"),
    );
    let (missing, flag) = match r.serve {
        Serve::HttpsRedirect if !(https && http) => (
            "HTTPS and HTTP",
            format!("{https_listener} (HTTPS) and {http_listener} (HTTP)"),
        ),
        Serve::Https if !https => ("HTTPS", https_listener),
        Serve::Http if !http => ("HTTP", http_listener),
        other => return other,
    };
    let why = match r.serve {
        Serve::HttpsRedirect => "redirects HTTP to HTTPS",
        Serve::Https => "serves HTTPS only",
        _ => "serves HTTP only",
    };
    let fix = if shared {
        format!("name the shared Gateway's listeners with {flag}")
    } else {
        "give the Ingress a TLS section with a secretName, so the Gateway gets an HTTPS listener"
            .into()
    };
    let message = format!("{why}, and the Gateway has no {missing} listener for it: the route attaches to every listener instead; {fix}");
    if !findings
        .iter()
        .any(|f| f.message == message && f.resource.as_ref() == Some(&r.origin.id))
    {
        findings.push(
            r.origin
                .finding(Severity::Warning, "convert-listener-missing", message),
        );
    }
    Serve::Both
}

/// Adds the rule to the route of the same source, hosts, kind and listener, or starts one.
fn add(
    out: &mut Vec<RouteRequest>,
    r: &Route,
    kind: RouteKind,
    listener: Option<String>,
    rule: RuleRequest,
    suffix: &str,
) {
    let name = format!("{}{suffix}", r.name);
    let hostnames = r.hosts.clone();
    let found = out.iter_mut().find(|o| {
        o.name.as_deref() == Some(&name)
            && o.hostnames == hostnames
            && o.kind == Some(kind)
            && o.listener == listener
    });
    match found {
        Some(o) if o.rules.contains(&rule) => {}
        Some(o) => o.rules.push(rule),
        None => out.push(RouteRequest {
            kind: Some(kind),
            name: Some(name),
            listener,
            hostnames,
            rules: vec![rule],
        }),
    }
}

/// One source object can give several routes (per host set and listener): the second and later
/// of a name get the first hostname (or a number) appended.
fn unique_names(out: &mut [RouteRequest]) {
    let mut taken: Vec<(RouteKind, String)> = Vec::new();
    for r in out.iter_mut() {
        let kind = r.kind.unwrap_or_default();
        let base = r.name.clone().unwrap_or_default();
        let mut name = base.clone();
        let slug = r
            .hostnames
            .first()
            .map(|h| h.replace("*.", "wildcard.").replace('.', "-"));
        let mut n = 1;
        while taken.contains(&(kind, name.clone())) {
            n += 1;
            name = match (&slug, n) {
                (Some(s), 2) => format!("{base}-{s}"),
                _ => format!("{base}-{n}"),
            };
        }
        let name: String = name.chars().take(253).collect();
        taken.push((kind, name.clone()));
        r.name = Some(name);
    }
}

fn rule(r: &Route, kind: RouteKind, findings: &mut Vec<Finding>) -> Option<RuleRequest> {
    let mut rule = RuleRequest::default();
    let replaces_prefix = matches!(
        &r.action,
        Action::Forward {
            rewrite: Some(Rewrite::Prefix(_)),
            ..
        }
    );
    for m in &r.matches {
        let mut matched = match kind {
            RouteKind::Grpc => grpc_match(r, m, findings)?,
            _ => http_match(m),
        };
        // ReplacePrefixMatch needs a PathPrefix match: a character prefix (Traefik's
        // PathPrefix) becomes element-wise, and the equivalence check reports what that
        // changes (`/apix`).
        if let (true, Some(PathRule::StringPrefix(p))) = (replaces_prefix, &m.path) {
            matched.path = Some(PathMatchRequest {
                type_: PathType::PathPrefix,
                value: p.clone(),
            });
        }
        rule.matches.push(matched);
    }
    match &r.action {
        Action::Forward {
            backends,
            rewrite,
            host,
            set_headers,
        } => {
            let weighted = backends.len() > 1;
            rule.backends = backends
                .iter()
                .map(|b| BackendRequest {
                    name: b.name.clone(),
                    namespace: None,
                    port: Some(b.port),
                    weight: weighted.then_some(b.weight),
                })
                .collect();
            if rewrite.is_some() || host.is_some() {
                rule.rewrite = Some(RewriteRequest {
                    prefix: match rewrite {
                        Some(Rewrite::Prefix(p)) => Some(p.clone()),
                        _ => None,
                    },
                    path: match rewrite {
                        Some(Rewrite::Full(p)) => Some(p.clone()),
                        _ => None,
                    },
                    hostname: host.clone(),
                });
            }
            if !set_headers.is_empty() {
                rule.request_headers = Some(HeaderChanges {
                    set: set_headers
                        .iter()
                        .map(|(n, v)| NameValue {
                            name: n.clone(),
                            value: v.clone(),
                        })
                        .collect(),
                    ..HeaderChanges::default()
                });
            }
        }
        Action::Redirect {
            scheme,
            hostname,
            port,
            path,
            status,
        } => {
            rule.redirect = Some(RedirectRequest {
                scheme: scheme.clone(),
                hostname: hostname.clone(),
                port: *port,
                status_code: Some(*status),
                prefix: None,
                path: path.clone(),
            });
        }
    }
    Some(rule)
}

/// The Gateway API path match with the source's meaning: a character prefix and a start-anchored
/// regex become full-path regexes (`(?i)` for nginx's case-insensitive ones).
fn path_match(p: &PathRule) -> PathMatchRequest {
    let (type_, value) = match p {
        PathRule::Exact(v) => (PathType::Exact, v.clone()),
        PathRule::Prefix(v) => (PathType::PathPrefix, v.clone()),
        PathRule::StringPrefix(v) if v == "/" => (PathType::PathPrefix, v.clone()),
        PathRule::StringPrefix(v) => (
            PathType::RegularExpression,
            format!("{}.*", regex::escape(v)),
        ),
        PathRule::Regex {
            pattern,
            case_insensitive,
        } => {
            let flags = if *case_insensitive { "(?i)" } else { "" };
            let pattern = pattern.strip_prefix('^').unwrap_or(pattern);
            (PathType::RegularExpression, format!("{flags}{pattern}.*"))
        }
    };
    PathMatchRequest { type_, value }
}

fn http_match(m: &Match) -> MatchRequest {
    let exact = |list: &[(String, String)]| {
        list.iter()
            .map(|(n, v)| ValueMatchRequest {
                name: n.clone(),
                value: v.clone(),
                type_: None,
            })
            .collect()
    };
    MatchRequest {
        path: m.path.as_ref().map(path_match),
        headers: exact(&m.headers),
        query_params: exact(&m.query),
        method: m.method.clone(),
        grpc: None,
    }
}

/// gRPC paths are `/package.Service/Method`: a prefix `/package.Service` is a service match, an
/// exact `/package.Service/Method` a method match, `/` everything.
fn grpc_match(r: &Route, m: &Match, findings: &mut Vec<Finding>) -> Option<MatchRequest> {
    let grpc = match &m.path {
        None => None,
        Some(PathRule::Prefix(p) | PathRule::StringPrefix(p))
            if p.trim_end_matches('/').is_empty() =>
        {
            None
        }
        Some(PathRule::Prefix(p) | PathRule::StringPrefix(p))
            if !p[1..].trim_end_matches('/').contains('/') =>
        {
            Some(GrpcMatchRequest {
                service: Some(p[1..].trim_end_matches('/').to_string()),
                method: None,
            })
        }
        Some(PathRule::Exact(p)) if p[1..].split('/').count() == 2 => {
            let (service, method) = p[1..].split_once('/')?;
            Some(GrpcMatchRequest {
                service: Some(service.to_string()),
                method: Some(method.to_string()),
            })
        }
        Some(other) => {
            findings.push(r.origin.finding(Severity::Error, "convert-grpc-path",
                format!("path {other:?} of a gRPC backend (backend-protocol GRPC) is not `/`, `/package.Service` or exactly `/package.Service/Method`: GRPCRoute matches services and methods; this path is not converted")));
            return None;
        }
    };
    if !m.headers.is_empty() || m.method.is_some() || !m.query.is_empty() {
        findings.push(r.origin.finding(Severity::Warning, "convert-grpc-match",
            "a gRPC route matches headers only (not methods or query parameters): those conditions are not carried"));
    }
    Some(MatchRequest {
        headers: m
            .headers
            .iter()
            .map(|(n, v)| ValueMatchRequest {
                name: n.clone(),
                value: v.clone(),
                type_: None,
            })
            .collect(),
        grpc,
        ..MatchRequest::default()
    })
}
