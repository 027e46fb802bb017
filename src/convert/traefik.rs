//! Traefik `IngressRoute` (`traefik.io/v1alpha1` and the older `traefik.containo.us/v1alpha1`)
//! and the `Middleware`s its routes use, into the intermediate form. Each `||` branch of a rule
//! becomes one route; the router's priority (explicit, or the rule's length as Traefik computes
//! it) is kept for the equivalence check.

use serde::Deserialize;

use super::ingress::{Meta, PortLookup};
use super::source::*;
use super::traefik_rule::{self, Call};
use crate::finding::{ResourceId, Severity};

#[derive(Debug, Deserialize)]
pub struct IngressRoute {
    pub metadata: Meta,
    #[serde(default)]
    pub spec: IngressRouteSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressRouteSpec {
    #[serde(default)]
    pub entry_points: Vec<String>,
    #[serde(default)]
    pub routes: Vec<RouterSpec>,
    #[serde(default)]
    pub tls: Option<TlsSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsSpec {
    #[serde(default)]
    pub secret_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RouterSpec {
    #[serde(rename = "match")]
    pub rule: String,
    #[serde(default)]
    pub priority: Option<i64>,
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    #[serde(default)]
    pub middlewares: Vec<MiddlewareRef>,
}

#[derive(Debug, Deserialize)]
pub struct ServiceSpec {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub port: Option<serde_json::Value>,
    #[serde(default)]
    pub weight: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct MiddlewareRef {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Middleware {
    pub metadata: Meta,
    /// One key: the middleware type (`stripPrefix`, `headers`, …) and its options.
    #[serde(default)]
    pub spec: serde_json::Map<String, serde_json::Value>,
}

/// The Gateway of converted IngressRoutes is named after Traefik.
const CLASS: &str = "traefik";

pub fn read(
    routes: &[(String, IngressRoute)],
    middlewares: &[Middleware],
    ports: PortLookup,
    out: &mut Sources,
) {
    for (file, ir) in routes {
        let namespace = ir
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        let origin = Origin {
            id: ResourceId {
                kind: "IngressRoute".into(),
                namespace: Some(namespace.clone()),
                name: ir.metadata.name.clone(),
            },
            file: file.clone(),
        };
        let serve = serve_of(&origin, &ir.spec, out);
        let mut hosts_seen: Vec<String> = Vec::new();
        for (i, router) in ir.spec.routes.iter().enumerate() {
            let field = format!("spec.routes[{i}]");
            let branches = match traefik_rule::parse(&router.rule) {
                Ok(b) => b,
                Err(e) => {
                    out.findings.push(origin.finding(Severity::Error, "convert-traefik-rule",
                        format!("rule {:?} cannot be converted {e}; this route is not converted", router.rule))
                        .field(format!("{field}.match")));
                    continue;
                }
            };
            let Some(backends) = backends(&origin, &field, &namespace, router, ports, out) else {
                continue;
            };
            // Traefik's default priority is the length of the rule.
            let priority = router
                .priority
                .unwrap_or(router.rule.chars().count() as i64);
            for calls in branches {
                let Some((hosts, m)) = branch(&origin, &field, &calls, out) else {
                    continue;
                };
                hosts_seen.extend(hosts.iter().cloned());
                let mut route = Route {
                    origin: origin.clone(),
                    dialect: Dialect::Traefik,
                    name: ir.metadata.name.clone(),
                    hosts,
                    matches: vec![m],
                    action: Action::Forward {
                        backends: backends.clone(),
                        rewrite: None,
                        host: None,
                        set_headers: Vec::new(),
                    },
                    grpc: false,
                    serve,
                    priority,
                    fallback: false,
                    class: CLASS.into(),
                    cors: None,
                };
                for (k, mw) in router.middlewares.iter().enumerate() {
                    let at = format!("{field}.middlewares[{k}]");
                    apply_middleware(&origin, &at, &namespace, mw, middlewares, &mut route, out);
                }
                out.routes.push(route);
            }
        }
        if let Some(tls) = &ir.spec.tls {
            match &tls.secret_name {
                Some(secret) => out.tls.push((origin.clone(), hosts_seen, secret.clone())),
                None => out.findings.push(origin.finding(Severity::Warning, "convert-tls-no-secret",
                    "tls names no secretName (a certResolver or the default certificate): no certificate is converted; give the Gateway's HTTPS listener a certificate (cert-manager can issue it for Gateways)")
                    .field("spec.tls")),
            }
        }
    }
}

/// Routers with `tls` take TLS requests only; otherwise the entry points decide (`web` is HTTP,
/// `websecure` HTTPS, as in Traefik's default install).
fn serve_of(origin: &Origin, spec: &IngressRouteSpec, out: &mut Sources) -> Serve {
    if spec.tls.is_some() {
        return Serve::Https;
    }
    let web = spec.entry_points.iter().any(|e| e == "web");
    let secure = spec.entry_points.iter().any(|e| e == "websecure");
    for other in spec
        .entry_points
        .iter()
        .filter(|e| *e != "web" && *e != "websecure")
    {
        out.findings.push(origin.finding(Severity::Warning, "convert-entry-point",
            format!("entry point {other:?} is not `web` or `websecure`: its port and protocol are Traefik's static configuration; the route attaches to the Gateway's HTTP and HTTPS listeners"))
            .field("spec.entryPoints"));
    }
    match (web, secure) {
        (true, false) => Serve::Http,
        (false, true) => Serve::Https,
        _ => Serve::Both,
    }
}

fn backends(
    origin: &Origin,
    field: &str,
    namespace: &str,
    router: &RouterSpec,
    ports: PortLookup,
    out: &mut Sources,
) -> Option<Vec<Backend>> {
    let mut list = Vec::new();
    for (k, s) in router.services.iter().enumerate() {
        let at = format!("{field}.services[{k}]");
        if s.kind.as_deref().is_some_and(|k| k != "Service") {
            out.findings.push(origin.finding(Severity::Error, "convert-traefik-service",
                format!("service {} is a {} (Traefik's own load balancer, mirror or weighted service): not converted; name Kubernetes Services with weights instead", s.name, s.kind.as_deref().unwrap_or_default()))
                .field(format!("{at}.kind")));
            return None;
        }
        if s.namespace.as_deref().is_some_and(|ns| ns != namespace) {
            out.findings.push(origin.finding(Severity::Error, "convert-cross-namespace-service",
                format!("service {} is in namespace {}: the conversion keeps backends in the route's namespace; this route is not converted", s.name, s.namespace.as_deref().unwrap_or_default()))
                .field(format!("{at}.namespace"))
                .hint(format!("generate it with {}, which adds the ReferenceGrant", crate::door::setting_to("generate", "cross-namespace"))));
            return None;
        }
        let port = match &s.port {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(p)) => match p.parse() {
                Ok(n) => Some(n),
                Err(_) => ports(namespace, &s.name, p),
            },
            _ => None,
        };
        let Some(port) = port else {
            out.findings.push(origin.finding(Severity::Error, "convert-port-unresolved",
                format!("service {} has no port number (a named port needs the Service in the input): this route is not converted", s.name))
                .field(format!("{at}.port")));
            return None;
        };
        list.push(Backend {
            name: s.name.clone(),
            port,
            weight: s.weight.unwrap_or(1),
        });
    }
    if list.is_empty() {
        out.findings.push(
            origin
                .finding(
                    Severity::Error,
                    "convert-no-service",
                    "has no services: not converted",
                )
                .field(format!("{field}.services")),
        );
        return None;
    }
    Some(list)
}

/// One `&&` branch: its hosts and its match.
fn branch(
    origin: &Origin,
    field: &str,
    calls: &[Call],
    out: &mut Sources,
) -> Option<(Vec<String>, Match)> {
    let mut hosts: Option<Vec<String>> = None;
    let mut m = Match::default();
    let fail = |why: String, out: &mut Sources| {
        out.findings.push(
            origin
                .finding(
                    Severity::Error,
                    "convert-traefik-rule",
                    format!("{why}; this branch of the rule is not converted"),
                )
                .field(format!("{field}.match")),
        );
        None
    };
    for c in calls {
        let arg = |i: usize| c.args.get(i).cloned().unwrap_or_default();
        match (c.name.as_str(), c.args.len()) {
            ("Host", n) if n >= 1 => {
                let these: Vec<String> = c.args.iter().map(|h| h.to_ascii_lowercase()).collect();
                // Two Host matchers joined by && take the hosts both name.
                hosts = Some(match hosts {
                    None => these,
                    Some(prev) => prev.into_iter().filter(|h| these.contains(h)).collect(),
                });
            }
            ("Path", 1) | ("PathPrefix", 1) | ("PathRegexp", 1) if m.path.is_some() => {
                return fail(
                    format!("{}: a second path matcher in one branch", c.name),
                    out,
                );
            }
            ("Path", 1) => m.path = Some(PathRule::Exact(arg(0))),
            ("PathPrefix", 1) => m.path = Some(PathRule::StringPrefix(arg(0))),
            ("PathRegexp", 1) => {
                // Traefik searches the path for the regex; the intermediate form anchors it at
                // the start, so an unanchored one may start anywhere.
                let re = arg(0);
                let pattern = match re.strip_prefix('^') {
                    Some(anchored) => anchored.to_string(),
                    None => format!(".*{re}"),
                };
                m.path = Some(PathRule::Regex {
                    pattern,
                    case_insensitive: false,
                })
            }
            ("Method", 1) => m.method = Some(arg(0).to_ascii_uppercase()),
            ("Headers" | "Header", 2) => m.headers.push((arg(0), arg(1))),
            ("Query", 2) => m.query.push((arg(0), arg(1))),
            ("Query", 1) if arg(0).contains('=') => {
                let (k, v) = arg(0)
                    .split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))?;
                m.query.push((k, v));
            }
            (name, _) => {
                return fail(format!("matcher {name}({}) has no Gateway API match (Gateway API matches hosts, paths, exact or regex headers and query parameters, and methods)", c.args.join(", ")), out);
            }
        }
    }
    if hosts.as_ref().is_some_and(Vec::is_empty) {
        return fail("its Host matchers name no common host".into(), out);
    }
    Some((hosts.unwrap_or_default(), m))
}

fn apply_middleware(
    origin: &Origin,
    at: &str,
    namespace: &str,
    mw: &MiddlewareRef,
    all: &[Middleware],
    route: &mut Route,
    out: &mut Sources,
) {
    let ns = mw.namespace.as_deref().unwrap_or(namespace);
    let found = all.iter().find(|m| {
        m.metadata.name == mw.name && m.metadata.namespace.as_deref().unwrap_or("default") == ns
    });
    let Some(found) = found else {
        out.findings.push(origin.finding(Severity::Error, "convert-middleware-missing",
            format!("middleware {ns}/{} is not in the input: what it does is unknown and not converted", mw.name))
            .field(format!("{at}.name"))
            .hint("add the Middleware manifest to the input"));
        return;
    };
    for (kind, config) in &found.spec {
        if kind == "headers" {
            let what = format!("middleware {ns}/{} (headers)", mw.name);
            let field = format!("{at}.name");
            if let Some(cors) = super::cors::traefik(origin, &what, &field, config, out) {
                if let Some((first, _)) = &route.cors {
                    out.findings.push(origin.finding(Severity::Warning, "convert-middleware-unsupported",
                        format!("{what} answers CORS too ({first} did): a rule has one CORS filter, which cannot merge them; the conversion keeps this one's"))
                        .field(field.clone()));
                }
                route.cors = Some((field, cors));
            }
        }
        let done = middleware(kind, config, route);
        if let Err(why) = done {
            out.findings.push(
                origin
                    .finding(
                        Severity::Warning,
                        "convert-middleware-unsupported",
                        format!("middleware {ns}/{} ({kind}) {why}", mw.name),
                    )
                    .field(format!("{at}.name")),
            );
        }
    }
}

/// What one middleware does to the route; `Err` says why it cannot be said in Gateway API.
fn middleware(kind: &str, config: &serde_json::Value, route: &mut Route) -> Result<(), String> {
    let text = |key: &str| config.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let path = route.matches.first().and_then(|m| m.path.clone());
    let Action::Forward {
        rewrite,
        set_headers,
        ..
    } = &mut route.action
    else {
        return Err("follows a redirect, which answers first: not converted".into());
    };
    match kind {
        "redirectScheme" => {
            let permanent = config.get("permanent").and_then(|v| v.as_bool()) == Some(true);
            let port = match config.get("port") {
                Some(serde_json::Value::String(p)) => p.parse().ok(),
                Some(v) => v.as_i64(),
                None => None,
            };
            route.action = Action::Redirect {
                scheme: text("scheme"),
                hostname: None,
                port,
                path: None,
                status: if permanent { 301 } else { 302 },
            };
            Ok(())
        }
        "replacePath" => {
            let p = text("path").ok_or("has no path")?;
            *rewrite = Some(Rewrite::Full(p));
            Ok(())
        }
        "stripPrefix" => {
            let prefixes: Vec<String> = config
                .get("prefixes")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let [strip] = prefixes.as_slice() else {
                return Err("strips one of several prefixes, whichever the path starts with: URLRewrite replaces exactly the matched one".into());
            };
            let strip = strip.trim_end_matches('/');
            match path {
                Some(PathRule::Exact(p)) if p.starts_with(strip) => {
                    let rest = &p[strip.len()..];
                    *rewrite = Some(Rewrite::Full(if rest.is_empty() { "/".into() } else { rest.to_string() }));
                    Ok(())
                }
                Some(PathRule::Prefix(p) | PathRule::StringPrefix(p)) if p.trim_end_matches('/') == strip => {
                    *rewrite = Some(Rewrite::Prefix("/".into()));
                    Ok(())
                }
                _ => Err(format!("strips {strip:?}, which is not the route's path prefix: URLRewrite can only replace the matched prefix")),
            }
        }
        "addPrefix" => {
            let add = text("prefix").ok_or("has no prefix")?;
            let add = add.trim_end_matches('/');
            match path {
                Some(PathRule::Exact(p)) => {
                    *rewrite = Some(Rewrite::Full(format!("{add}{p}")));
                    Ok(())
                }
                Some(PathRule::Prefix(p) | PathRule::StringPrefix(p)) => {
                    *rewrite = Some(Rewrite::Prefix(format!("{add}{}", p.trim_end_matches('/'))));
                    Ok(())
                }
                None => {
                    route.matches[0].path = Some(PathRule::Prefix("/".into()));
                    *rewrite = Some(Rewrite::Prefix(add.to_string()));
                    Ok(())
                }
                Some(PathRule::Regex { .. }) => Err("adds a prefix to a regex-matched path: URLRewrite can only replace a PathPrefix match or the whole path".into()),
            }
        }
        "headers" => {
            let mut rest = Vec::new();
            for (key, value) in config.as_object().into_iter().flatten() {
                if super::cors::TRAEFIK_KEYS.contains(&key.as_str()) {
                    continue;
                }
                if key != "customRequestHeaders" {
                    rest.push(key.clone());
                    continue;
                }
                for (name, v) in value.as_object().into_iter().flatten() {
                    match v.as_str() {
                        Some(v) if !v.is_empty() => set_headers.push((name.clone(), v.to_string())),
                        _ => rest.push(format!("customRequestHeaders.{name} (removal)")),
                    }
                }
            }
            if rest.is_empty() {
                Ok(())
            } else {
                Err(format!("sets {} which the conversion does not carry (only customRequestHeaders become a RequestHeaderModifier, and the accessControl* fields the CORS filter)", rest.join(", ")))
            }
        }
        other => Err(format!(
            "is a {other} middleware, which has no Gateway API filter"
        )),
    }
}
