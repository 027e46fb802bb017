//! The way back from a request to flags: the equivalent command line the wizard prints and
//! `--output json` reports, and the flag that sets a field, named in errors.

use crate::request::*;

/// The flags that build `request` from nothing, or `None` when flags cannot say it (several routes
/// or rules, response headers, timeouts, …): then only a request file can.
pub fn to_args(request: &Request) -> Option<Vec<String>> {
    let mut args: Vec<String> = Vec::new();
    let mut flag = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            args.push(format!("--{name}"));
            args.push(v);
        }
    };
    flag("context", request.context.clone());
    flag("service", request.service.clone());
    flag("namespace", request.namespace.clone());
    flag("service-namespace", request.service_namespace.clone());
    flag("port", request.port.map(|p| p.to_string()));
    let g = &request.gateway;
    flag("gateway", g.name.clone());
    flag("gateway-namespace", g.namespace.clone());
    flag("gateway-class", g.class_name.clone());
    flag("listener", g.listener.clone());
    flag("listener-hostname", g.hostname.clone());
    flag("tls-secret", g.tls_secret.clone());
    flag("controller", g.controller.clone());
    flag("listener-port", g.port.map(|p| p.to_string()));
    let o = &request.options;
    flag("implementation", o.implementation.clone());
    flag("gateway-api", o.gateway_api.clone());
    for (persona, group) in &o.rbac_groups {
        flag("rbac-group", Some(format!("{persona}={group}")));
    }
    if let Some(a) = &g.allowed_routes {
        let from = match a.from {
            FromNamespaces::Same => "same",
            FromNamespaces::All => "all",
            FromNamespaces::Selector => "selector",
        };
        flag("allow-routes-from", Some(from.to_string()));
        for (k, v) in &a.labels {
            flag("allow-label", Some(format!("{k}={v}")));
        }
    }
    match request.routes.as_slice() {
        [] => {}
        [route] if route.name.is_none() && route.listener.is_none() => {
            route_args(route, request.port, &mut flag)?
        }
        _ => return None,
    }
    if g.https {
        args.push("--https".into());
    }
    if g.with_gateway_class {
        args.push("--with-gateway-class".into());
    }
    if o.rbac {
        args.push("--rbac".into());
    }
    Some(args)
}

fn route_args(
    route: &RouteRequest,
    port: Option<i64>,
    flag: &mut impl FnMut(&str, Option<String>),
) -> Option<()> {
    flag("kind", route.kind.map(|k| k.name().to_string()));
    for h in &route.hostnames {
        flag("hostname", Some(h.clone()));
    }
    let rule = match route.rules.as_slice() {
        [] => return Some(()),
        [rule]
            if rule.response_headers.is_none()
                && rule.timeouts.is_none()
                && rule.mirror.len() <= 1 =>
        {
            rule
        }
        _ => return None,
    };
    match rule.matches.as_slice() {
        [] => {}
        [m] => {
            if let Some(p) = &m.path {
                let name = match p.type_ {
                    PathType::PathPrefix => "path-prefix",
                    PathType::Exact => "path-exact",
                    PathType::RegularExpression => "path-regex",
                };
                flag(name, Some(p.value.clone()));
            }
            for (name, list) in [("header", &m.headers), ("query", &m.query_params)] {
                for v in list {
                    if v.type_.is_some_and(|t| t != ValueMatchType::Exact) {
                        return None;
                    }
                    flag(name, Some(format!("{}={}", v.name, v.value)));
                }
            }
            flag("method", m.method.clone());
            if let Some(g) = &m.grpc {
                flag("grpc-service", g.service.clone());
                flag("grpc-method", g.method.clone());
            }
        }
        _ => return None,
    }
    let backend_text = |b: &BackendRequest, port: i64| {
        let ns = b
            .namespace
            .as_ref()
            .map(|ns| format!("{ns}/"))
            .unwrap_or_default();
        let weight = b.weight.map(|w| format!("={w}")).unwrap_or_default();
        format!("{ns}{}:{port}{weight}", b.name)
    };
    for b in &rule.backends {
        flag("backend", Some(backend_text(b, b.port.or(port)?)));
    }
    for m in &rule.mirror {
        flag("mirror", Some(backend_text(m, m.port.or(port)?)));
    }
    if let Some(rw) = &rule.rewrite {
        flag("rewrite-prefix", rw.prefix.clone());
        flag("rewrite-path", rw.path.clone());
        flag("rewrite-hostname", rw.hostname.clone());
    }
    if let Some(h) = &rule.request_headers {
        for nv in &h.add {
            flag("add-header", Some(format!("{}={}", nv.name, nv.value)));
        }
        for nv in &h.set {
            flag("set-header", Some(format!("{}={}", nv.name, nv.value)));
        }
        for name in &h.remove {
            flag("remove-header", Some(name.clone()));
        }
    }
    if let Some(rd) = &rule.redirect {
        if rd.port.is_some() || rd.prefix.is_some() || rd.path.is_some() {
            return None;
        }
        flag("redirect-scheme", rd.scheme.clone());
        flag("redirect-hostname", rd.hostname.clone());
        flag("redirect-status", rd.status_code.map(|c| c.to_string()));
    }
    Some(())
}

/// `args` as one shell command line, each argument quoted when the shell would split or expand it.
pub fn shell_line(args: &[String]) -> String {
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
    let mut words = vec!["traffic-engineer".to_string(), "generate".to_string()];
    words.extend(args.iter().map(quote));
    words.join(" ")
}

/// The flag that sets a request field, to name it in errors next to the field path. Only the first
/// rule of the first route has flags.
pub fn flag_for(field: &str) -> Option<&'static str> {
    let key = field
        .replace("routes[0].rules[0].", "rule.")
        .replace("routes[0].", "route.");
    if key.starts_with("routes[") {
        return None;
    }
    // Drop the indices below the field: `rule.matches[0].headers[1].name` → `rule.matches.headers.name`.
    let mut plain = String::new();
    let mut skipping = false;
    for c in key.chars() {
        match c {
            '[' => skipping = true,
            ']' => skipping = false,
            _ if !skipping => plain.push(c),
            _ => {}
        }
    }
    const TABLE: &[(&str, &str)] = &[
        ("context", "--context"),
        ("service", "--service"),
        ("namespace", "--namespace"),
        ("serviceNamespace", "--service-namespace"),
        ("port", "--port"),
        ("gateway.name", "--gateway"),
        ("gateway.namespace", "--gateway-namespace"),
        ("gateway.className", "--gateway-class"),
        ("gateway.listener", "--listener"),
        ("gateway.hostname", "--listener-hostname"),
        ("gateway.tlsSecret", "--tls-secret"),
        ("gateway.https", "--https"),
        ("gateway.controller", "--controller"),
        ("gateway.allowedRoutes.from", "--allow-routes-from"),
        ("gateway.allowedRoutes.labels", "--allow-label"),
        ("gateway.port", "--listener-port"),
        ("options.implementation", "--implementation"),
        ("options.gatewayApi", "--gateway-api"),
        ("options.rbacGroups", "--rbac-group"),
        ("options.rbac", "--rbac"),
        ("route.kind", "--kind"),
        ("rule.matches.grpc.service", "--grpc-service"),
        ("rule.matches.grpc.method", "--grpc-method"),
        ("rule.matches.grpc", "--grpc-service/--grpc-method"),
        ("route.hostnames", "--hostname"),
        ("rule.matches.headers", "--header"),
        ("rule.matches.queryParams", "--query"),
        ("rule.matches.method", "--method"),
        (
            "rule.matches.path",
            "--path-prefix/--path-exact/--path-regex",
        ),
        ("rule.backends", "--backend"),
        ("rule.mirror", "--mirror"),
        ("rule.rewrite.prefix", "--rewrite-prefix"),
        ("rule.rewrite.path", "--rewrite-path"),
        ("rule.rewrite.hostname", "--rewrite-hostname"),
        (
            "rule.rewrite",
            "--rewrite-prefix/--rewrite-path/--rewrite-hostname",
        ),
        ("rule.requestHeaders.add", "--add-header"),
        ("rule.requestHeaders.set", "--set-header"),
        ("rule.requestHeaders.remove", "--remove-header"),
        ("rule.redirect.scheme", "--redirect-scheme"),
        ("rule.redirect.hostname", "--redirect-hostname"),
        ("rule.redirect.statusCode", "--redirect-status"),
        (
            "rule.redirect",
            "--redirect-scheme/--redirect-hostname/--redirect-status",
        ),
    ];
    TABLE
        .iter()
        .find(|(k, _)| plain == *k || plain.starts_with(&format!("{k}.")))
        .map(|(_, flag)| *flag)
}

#[cfg(test)]
mod tests {
    use super::flag_for;

    #[test]
    fn fields_map_to_their_flags() {
        assert_eq!(
            flag_for("routes[0].rules[0].matches[0].headers[1].name"),
            Some("--header")
        );
        assert_eq!(
            flag_for("routes[0].rules[0].backends[2].weight"),
            Some("--backend")
        );
        assert_eq!(
            flag_for("routes[0].rules[0].rewrite.prefix"),
            Some("--rewrite-prefix")
        );
        assert_eq!(
            flag_for("gateway.allowedRoutes.labels"),
            Some("--allow-label")
        );
        assert_eq!(flag_for("routes[1].rules[0].backends[0].port"), None);
        assert_eq!(flag_for("routes[0].rules[1].backends[0].port"), None);
        assert_eq!(flag_for("namespace"), Some("--namespace"));
    }
}
