//! The way back from a request to flags: the equivalent command line the wizard prints and
//! `--output json` reports (the flag that sets each field is in [`crate::door`]).

use crate::request::*;

/// The flags that build `request` from nothing, or `None` when flags cannot say it (several routes
/// or rules, response headers, timeouts, …): then only a request file can.
pub fn to_args(request: &Request) -> Option<Vec<String>> {
    let mut flag = Flags(Vec::new());
    flag.value("context", request.context.clone());
    flag.value("service", request.service.clone());
    flag.value("namespace", request.namespace.clone());
    flag.value("service-namespace", request.service_namespace.clone());
    flag.value("port", request.port.map(|p| p.to_string()));
    let g = &request.gateway;
    flag.value("gateway", g.name.clone());
    flag.value("gateway-namespace", g.namespace.clone());
    flag.value("gateway-class", g.class_name.clone());
    flag.value("listener", g.listener.clone());
    flag.value("redirect-listener", g.redirect_listener.clone());
    flag.value("listener-hostname", g.hostname.clone());
    for h in &g.hostnames {
        flag.value("listener-hostname", Some(h.clone()));
    }
    flag.value("tls-secret", g.tls_secret.clone());
    for (host, secret) in &g.tls_secrets {
        flag.value("tls-secret", Some(format!("{host}={secret}")));
    }
    flag.value("controller", g.controller.clone());
    flag.value("listener-port", g.port.map(|p| p.to_string()));
    let o = &request.options;
    flag.value("implementation", o.implementation.clone());
    flag.value("gateway-api", o.gateway_api.clone());
    for (persona, group) in &o.rbac_groups {
        flag.value("rbac-group", Some(format!("{persona}={group}")));
    }
    if let Some(a) = &g.allowed_routes {
        let from = match a.from {
            FromNamespaces::Same => "same",
            FromNamespaces::All => "all",
            FromNamespaces::Selector => "selector",
        };
        flag.value("allow-routes-from", Some(from.to_string()));
        for (k, v) in &a.labels {
            flag.value("allow-label", Some(format!("{k}={v}")));
        }
    }
    match request.routes.as_slice() {
        [] => {}
        [route] if route.listener.is_none() => {
            flag.value("route-name", route.name.clone());
            route_args(route, request.port, &mut flag)?
        }
        _ => return None,
    }
    for (name, on) in [
        ("https", g.https),
        ("https-redirect", g.https_redirect),
        ("with-gateway-class", g.with_gateway_class),
        ("rbac", o.rbac),
    ] {
        if on {
            flag.switch(name);
        }
    }
    Some(flag.0)
}

/// The flags being written, in order.
struct Flags(Vec<String>);

impl Flags {
    /// `--name value`, when there is a value.
    fn value(&mut self, name: &str, value: Option<String>) {
        if let Some(v) = value {
            self.0.push(format!("--{name}"));
            self.0.push(v);
        }
    }

    fn switch(&mut self, name: &str) {
        self.0.push(format!("--{name}"));
    }
}

fn route_args(route: &RouteRequest, port: Option<i64>, flag: &mut Flags) -> Option<()> {
    flag.value("kind", route.kind.map(|k| k.name().to_string()));
    for h in &route.hostnames {
        flag.value("hostname", Some(h.clone()));
    }
    let rule = match route.rules.as_slice() {
        [] => return Some(()),
        // What the single-rule flags build: one rule, and the rule for the rest of the traffic
        // they add after a rule that narrows by header, query parameter or method.
        [rule, rest] if rule.narrows_elsewhere() && *rest == rule.rest() => rule,
        [rule] if rule.narrows_elsewhere() => {
            flag.switch("no-default-rule");
            rule
        }
        [rule] => rule,
        rules => return rule_flags(rules, port, flag),
    };
    if rule.response_headers.is_some() || rule.timeouts.is_some() || rule.mirror.len() > 1 {
        return None;
    }
    match rule.matches.as_slice() {
        [] => {}
        [m] => {
            if let Some(p) = &m.path {
                let name = match p.type_ {
                    PathType::PathPrefix => "path-prefix",
                    PathType::Exact => "path-exact",
                    PathType::RegularExpression => "path-regex",
                };
                flag.value(name, Some(p.value.clone()));
            }
            for (name, list) in [("header", &m.headers), ("query", &m.query_params)] {
                for v in list {
                    if v.type_.is_some_and(|t| t != ValueMatchType::Exact) {
                        return None;
                    }
                    flag.value(name, Some(format!("{}={}", v.name, v.value)));
                }
            }
            flag.value("method", m.method.clone());
            if let Some(g) = &m.grpc {
                flag.value("grpc-service", g.service.clone());
                flag.value("grpc-method", g.method.clone());
            }
        }
        _ => return None,
    }
    for b in &rule.backends {
        flag.value("backend", Some(backend_text(b, b.port.or(port)?)));
    }
    for m in &rule.mirror {
        flag.value("mirror", Some(backend_text(m, m.port.or(port)?)));
    }
    if let Some(rw) = &rule.rewrite {
        flag.value("rewrite-prefix", rw.prefix.clone());
        flag.value("rewrite-path", rw.path.clone());
        flag.value("rewrite-hostname", rw.hostname.clone());
    }
    if let Some(h) = &rule.request_headers {
        for nv in &h.add {
            flag.value("add-header", Some(format!("{}={}", nv.name, nv.value)));
        }
        for nv in &h.set {
            flag.value("set-header", Some(format!("{}={}", nv.name, nv.value)));
        }
        for name in &h.remove {
            flag.value("remove-header", Some(name.clone()));
        }
    }
    if let Some(c) = &rule.cors {
        // `cors: {}` is a filter no flag sets.
        if *c == CorsRequest::default() {
            return None;
        }
        for (name, list) in [
            ("cors-origin", &c.allow_origins),
            ("cors-method", &c.allow_methods),
            ("cors-header", &c.allow_headers),
            ("cors-expose-header", &c.expose_headers),
        ] {
            for v in list {
                flag.value(name, Some(v.clone()));
            }
        }
        if c.allow_credentials {
            flag.switch("cors-credentials");
        }
        flag.value("cors-max-age", c.max_age.map(|a| a.to_string()));
    }
    if let Some(rd) = &rule.redirect {
        if rd.port.is_some() || rd.prefix.is_some() || rd.path.is_some() {
            return None;
        }
        flag.value("redirect-scheme", rd.scheme.clone());
        flag.value("redirect-hostname", rd.hostname.clone());
        flag.value("redirect-status", rd.status_code.map(|c| c.to_string()));
    }
    Some(())
}

/// Several rules as `--rule` flags, when each is a match and backends only.
fn rule_flags(rules: &[RuleRequest], port: Option<i64>, flag: &mut Flags) -> Option<()> {
    let (last, listed) = match rules.split_last() {
        Some((last, rest)) if *last == RuleRequest::default() => (None, rest),
        _ => (Some(()), rules),
    };
    for rule in listed {
        flag.value("rule", Some(rule_text(rule, port)?));
    }
    if last.is_some() {
        flag.switch("no-default-rule");
    }
    Some(())
}

/// A rule in the `--rule` syntax; `None` when it has more than matches and backends, or a value
/// the syntax cannot hold (a space, `->`).
fn rule_text(rule: &RuleRequest, port: Option<i64>) -> Option<String> {
    if !rule.is_plain() {
        return None;
    }
    let mut words = Vec::new();
    if let Some(m) = rule.matches.first() {
        if m.grpc.is_some() {
            return None;
        }
        if let Some(p) = &m.path {
            let kind = match p.type_ {
                PathType::PathPrefix => "prefix",
                PathType::Exact => "exact",
                PathType::RegularExpression => "regex",
            };
            words.push(format!("{kind}:{}", p.value));
        }
        for (kind, list) in [("header", &m.headers), ("query", &m.query_params)] {
            for v in list {
                if v.type_.is_some_and(|t| t != ValueMatchType::Exact) {
                    return None;
                }
                words.push(format!("{kind}:{}={}", v.name, v.value));
            }
        }
        if let Some(method) = &m.method {
            words.push(format!("method:{method}"));
        }
    }
    words.push("->".into());
    for b in &rule.backends {
        words.push(backend_text(b, b.port.or(port)?));
    }
    let plain = words
        .iter()
        .all(|w| w == "->" || (!w.contains("->") && !w.chars().any(char::is_whitespace)));
    plain.then(|| words.join(" "))
}

fn backend_text(b: &BackendRequest, port: i64) -> String {
    let ns = b
        .namespace
        .as_ref()
        .map(|ns| format!("{ns}/"))
        .unwrap_or_default();
    let weight = b.weight.map(|w| format!("={w}")).unwrap_or_default();
    format!("{ns}{}:{port}{weight}", b.name)
}

/// `args` as one shell command line, each argument quoted when the shell would split or expand it.
pub fn shell_line(args: &[String]) -> String {
    command_line("generate", args)
}

/// `traffic-engineer COMMAND ARGS…` as one line a shell reads back as these words.
pub fn command_line(command: &str, args: &[String]) -> String {
    let quote = |a: &String| {
        let plain = !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
        if plain {
            a.clone()
        } else {
            format!("'{}'", a.replace('\'', r"'\''"))
        }
    };
    let mut words = vec!["traffic-engineer".to_string(), command.to_string()];
    words.extend(args.iter().map(quote));
    words.join(" ")
}
