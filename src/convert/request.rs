//! The intermediate routes of one group (a namespace, and a class when the Gateway is generated)
//! as one [`Request`]: the routes keep their source object's name, one route per host set and
//! listener, the rules in source order with the default backend last.

use super::source::*;
use super::{Options, SHARED_CONTEXT};
use crate::door::{setting, setting_to};
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
        certificates(&mut gateway, tls, findings);
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
        let (http, per_host) = listeners(&gateway, &r.hosts, shared, opts);
        // Hosts with HTTPS listeners of their own become routes of their own, each attached
        // to its host's listener.
        let mut parts: Vec<(Option<String>, Vec<String>)> = Vec::new();
        for (i, https) in per_host.into_iter().enumerate() {
            let host = r.hosts.get(i).cloned();
            match parts.iter_mut().find(|(l, _)| *l == https) {
                Some((_, hosts)) => hosts.extend(host),
                None => parts.push((https, host.into_iter().collect())),
            }
        }
        for (https, hosts) in parts {
            let r = &Route {
                serve,
                hosts,
                ..(*r).clone()
            };
            convert_route(r, http.clone(), https, shared, opts, &mut out, findings);
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
            gateway_api: opts.gateway_api.clone(),
            ..Default::default()
        },
        ..Request::default()
    }
}

/// Adds the rules of `r` to `out`: on its listener, and for ingress-nginx's ssl-redirect with
/// the redirect to HTTPS on the HTTP listener.
fn convert_route(
    r: &Route,
    http: Option<String>,
    https: Option<String>,
    shared: bool,
    opts: &Options,
    out: &mut Vec<RouteRequest>,
    findings: &mut Vec<Finding>,
) {
    let serve = effective_serve(r, https.is_some(), http.is_some(), shared, findings);
    let kind = if r.grpc {
        RouteKind::Grpc
    } else {
        RouteKind::Http
    };
    let Some(mut rule) = rule(r, kind, findings) else {
        return;
    };
    rule.cors = cors(r, kind, opts, findings);
    let (listener, redirect) = match serve {
        Serve::Both => (None, None),
        Serve::Http => (http, None),
        Serve::Https => (https, None),
        Serve::HttpsRedirect => (https, http),
    };
    add(out, r, kind, listener, rule, "");
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
            out,
            r,
            RouteKind::Http,
            Some(http),
            to_https,
            "-https-redirect",
        );
    }
}

/// The route's CORS filter, where the route kind and the target release have it.
fn cors(
    r: &Route,
    kind: RouteKind,
    opts: &Options,
    findings: &mut Vec<Finding>,
) -> Option<CorsRequest> {
    let (field, cors) = r.cors.clone()?;
    let target = opts
        .gateway_api
        .as_deref()
        .map_or(Ok(crate::version::LATEST), crate::version::Version::parse)
        // An unknown release is refused with the request's own error.
        .unwrap_or(crate::version::LATEST);
    let why = if kind == RouteKind::Grpc {
        "the route is a GRPCRoute (gRPC backend), which has no CORS filter".to_string()
    } else if target < crate::version::CORS {
        format!(
            "the CORS filter is standard from Gateway API {} and the target is {target}",
            crate::version::CORS
        )
    } else {
        return Some(cors);
    };
    let message = format!(
        "CORS is not converted: {why}; the Gateway gives browsers on other origins no CORS answers"
    );
    if !findings
        .iter()
        .any(|f| f.message == message && f.resource.as_ref() == Some(&r.origin.id))
    {
        let hint = match kind {
            RouteKind::Grpc => "answer CORS in the implementation's policy".to_string(),
            _ => format!(
                "target {} or newer ({}) if the cluster runs it, or answer CORS in the implementation's policy",
                crate::version::CORS,
                setting_to("options.gatewayApi", &crate::version::CORS.to_string())
            ),
        };
        findings.push(
            r.origin
                .finding(Severity::Warning, "convert-cors-not-converted", message)
                .field(field)
                .hint(hint),
        );
    }
    None
}

/// The TLS sections' certificates on the generated Gateway: one Secret for every host on the
/// `https` listener; several, each host its own HTTPS listener with its Secret (the `https`
/// listener keeps a section's that names no host).
fn certificates(
    gateway: &mut GatewayRequest,
    tls: &[(Origin, Vec<String>, String)],
    findings: &mut Vec<Finding>,
) {
    let secret = |origin: &Origin, name: &str| format!("{}/{name}", origin.namespace());
    let mut secrets: Vec<String> = Vec::new();
    for (origin, _, name) in tls {
        let s = secret(origin, name);
        if !secrets.contains(&s) {
            secrets.push(s);
        }
    }
    gateway.https = !secrets.is_empty();
    if secrets.len() == 1 {
        gateway.tls_secret = secrets.pop();
        return;
    }
    for (origin, hosts, name) in tls {
        let secret = secret(origin, name);
        if hosts.is_empty() {
            match &gateway.tls_secret {
                Some(kept) if *kept != secret => findings.push(origin.finding(Severity::Warning, "convert-tls-secret-not-carried",
                    format!("TLS Secret {name} names no host, like {kept} before it: the Gateway's `https` listener, which serves the hosts without a certificate of their own, takes the first; add it to the listener's certificateRefs by hand (implementations choose by SNI)"))),
                Some(_) => {}
                None => gateway.tls_secret = Some(secret),
            }
            continue;
        }
        for host in hosts {
            let host = host.to_ascii_lowercase();
            match gateway.tls_secrets.get(&host) {
                Some(kept) if *kept != secret => findings.push(origin.finding(Severity::Warning, "convert-tls-secret-not-carried",
                    format!("TLS Secret {name} is not carried for host {host}: {kept} already serves it, and its HTTPS listener takes one certificate; check which certificate the host should have"))),
                Some(_) => {}
                None => {
                    gateway.tls_secrets.insert(host, secret.clone());
                }
            }
        }
    }
}

/// The namespace label a platform team's Gateway admits (as in the task-api example).
pub const ACCESS_LABEL: (&str, &str) = ("gateway-access", "true");

/// The HTTP listener's name and the HTTPS listener of each of `hosts` (`None` for a host whose
/// Gateway has no HTTPS listener for it), by the names the plan gives them.
fn listeners(
    g: &GatewayRequest,
    hosts: &[String],
    shared: bool,
    opts: &Options,
) -> (Option<String>, Vec<Option<String>>) {
    if shared {
        return (opts.redirect_listener.clone(), vec![opts.listener.clone()]);
    }
    let https = |host: Option<&String>| match host {
        Some(h) if g.tls_secrets.contains_key(h) => Some(crate::plan::listener_name(HTTPS, h)),
        _ => g.tls_secret.as_ref().map(|_| HTTPS.to_string()),
    };
    let per_host = match hosts {
        [] => vec![https(None)],
        _ => hosts.iter().map(|h| https(Some(h))).collect(),
    };
    (Some(HTTP.into()), per_host)
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
