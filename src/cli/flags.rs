//! The `generate` flags: clap definitions, flags → [`Request`] (over a `--request` file), and
//! back: a request → the equivalent command line, which the wizard prints and `--output json` reports.

use crate::request::*;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AllowFrom {
    Same,
    All,
    Selector,
}

/// Every answer has a flag. Flags override the values of a `--request` file; route flags (matches,
/// backends, filters, hostnames) set the first rule of the first route.
#[derive(Debug, Clone, Default, Args)]
pub struct RequestFlags {
    /// Read a request (YAML or JSON; `-` for stdin). See `traffic-engineer schema`.
    #[arg(long, value_name = "FILE", help_heading = "Request")]
    pub request: Option<PathBuf>,
    /// Deployment context: single-dev, shared-gateway, platform-team, cross-namespace.
    #[arg(long, help_heading = "Request")]
    pub context: Option<String>,
    /// The Service that receives the traffic.
    #[arg(long, help_heading = "Request")]
    pub service: Option<String>,
    /// The app namespace, where routes live (default: the service name).
    #[arg(long, short = 'n', help_heading = "Request")]
    pub namespace: Option<String>,
    /// The Service's namespace, when it is not the routes' (cross-namespace).
    #[arg(long, value_name = "NS", help_heading = "Request")]
    pub service_namespace: Option<String>,
    /// The Service port.
    #[arg(long, allow_negative_numbers = true, help_heading = "Request")]
    pub port: Option<i64>,

    /// The route kind.
    #[arg(long, value_name = "KIND", value_parser = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"], help_heading = "Matches")]
    pub kind: Option<String>,
    /// Match a gRPC service (GRPCRoute), e.g. tasks.v1.TaskService.
    #[arg(long, value_name = "SERVICE", help_heading = "Matches")]
    pub grpc_service: Option<String>,
    /// Match a gRPC method (GRPCRoute), e.g. ListTasks.
    #[arg(long, value_name = "METHOD", help_heading = "Matches")]
    pub grpc_method: Option<String>,
    /// Match requests whose path starts with P (default: /).
    #[arg(long, value_name = "P", group = "path", help_heading = "Matches")]
    pub path_prefix: Option<String>,
    /// Match requests whose path is exactly P.
    #[arg(long, value_name = "P", group = "path", help_heading = "Matches")]
    pub path_exact: Option<String>,
    /// Match paths by regular expression (implementation-specific).
    #[arg(long, value_name = "RE", group = "path", help_heading = "Matches")]
    pub path_regex: Option<String>,
    /// A hostname the route serves (repeatable).
    #[arg(long, value_name = "H", help_heading = "Matches")]
    pub hostname: Vec<String>,
    /// Match a header exactly (repeatable).
    #[arg(long, value_name = "NAME=VALUE", help_heading = "Matches")]
    pub header: Vec<String>,
    /// Match a query parameter exactly (repeatable).
    #[arg(long, value_name = "NAME=VALUE", help_heading = "Matches")]
    pub query: Vec<String>,
    /// Match an HTTP method.
    #[arg(long, value_name = "VERB", help_heading = "Matches")]
    pub method: Option<String>,

    /// A backend, with an optional weight for traffic splitting (repeatable; replaces --service as backend).
    #[arg(
        long,
        value_name = "[NS/]NAME:PORT[=WEIGHT]",
        help_heading = "Backends"
    )]
    pub backend: Vec<String>,
    /// Mirror every request to this Service too.
    #[arg(long, value_name = "[NS/]NAME:PORT", help_heading = "Backends")]
    pub mirror: Option<String>,

    /// Replace the matched path prefix (needs --path-prefix).
    #[arg(long, value_name = "P", help_heading = "Filters")]
    pub rewrite_prefix: Option<String>,
    /// Replace the whole path.
    #[arg(long, value_name = "P", help_heading = "Filters")]
    pub rewrite_path: Option<String>,
    /// Replace the Host header.
    #[arg(long, value_name = "H", help_heading = "Filters")]
    pub rewrite_hostname: Option<String>,
    /// Add a request header (repeatable).
    #[arg(long, value_name = "NAME=VALUE", help_heading = "Filters")]
    pub add_header: Vec<String>,
    /// Set (overwrite) a request header (repeatable).
    #[arg(long, value_name = "NAME=VALUE", help_heading = "Filters")]
    pub set_header: Vec<String>,
    /// Remove a request header (repeatable).
    #[arg(long, value_name = "NAME", help_heading = "Filters")]
    pub remove_header: Vec<String>,
    /// Redirect to this scheme (http|https) instead of forwarding.
    #[arg(long, value_name = "SCHEME", help_heading = "Filters")]
    pub redirect_scheme: Option<String>,
    /// Redirect to this hostname.
    #[arg(long, value_name = "H", help_heading = "Filters")]
    pub redirect_hostname: Option<String>,
    /// Redirect status code (301, 302, 303, 307, 308).
    #[arg(long, value_name = "CODE", help_heading = "Filters")]
    pub redirect_status: Option<i64>,

    /// The Gateway to create or attach to.
    #[arg(long, value_name = "NAME", help_heading = "Gateway")]
    pub gateway: Option<String>,
    /// The Gateway's namespace.
    #[arg(long, value_name = "NS", help_heading = "Gateway")]
    pub gateway_namespace: Option<String>,
    /// GatewayClass name [default: eg].
    #[arg(long, value_name = "NAME", help_heading = "Gateway")]
    pub gateway_class: Option<String>,
    /// Attach routes to this listener only (parentRef sectionName).
    #[arg(long, value_name = "NAME", help_heading = "Gateway")]
    pub listener: Option<String>,
    /// Hostname of the generated listeners (e.g. *.example.com).
    #[arg(long, value_name = "H", help_heading = "Gateway")]
    pub listener_hostname: Option<String>,
    /// Add an HTTPS listener on 443 terminating TLS (needs --tls-secret).
    #[arg(long, help_heading = "Gateway")]
    pub https: bool,
    /// The TLS certificate Secret for --https.
    #[arg(long, value_name = "[NS/]NAME", help_heading = "Gateway")]
    pub tls_secret: Option<String>,
    /// Which namespaces may attach routes to the generated Gateway.
    #[arg(long, value_enum, value_name = "FROM", help_heading = "Gateway")]
    pub allow_routes_from: Option<AllowFrom>,
    /// Namespace label for --allow-routes-from selector (repeatable).
    #[arg(long, value_name = "KEY=VALUE", help_heading = "Gateway")]
    pub allow_label: Vec<String>,
    /// Port of the generated TCP/UDP/TLS listener (default: --port; 443 for TLS).
    #[arg(
        long,
        value_name = "PORT",
        allow_negative_numbers = true,
        help_heading = "Gateway"
    )]
    pub listener_port: Option<i64>,
    /// Also emit the GatewayClass.
    #[arg(long, help_heading = "Gateway")]
    pub with_gateway_class: bool,
    /// The GatewayClass controllerName [default: the implementation's].
    #[arg(long, value_name = "NAME", help_heading = "Gateway")]
    pub controller: Option<String>,

    /// The Gateway API implementation: envoy-gateway (default), istio, cilium, traefik, kong, nginx, contour, gke.
    #[arg(long, value_name = "NAME", help_heading = "Target")]
    pub implementation: Option<String>,
    /// The Gateway API release the cluster runs, v1.0 to v1.6 [default: v1.6].
    #[arg(long, value_name = "VERSION", help_heading = "Target")]
    pub gateway_api: Option<String>,
    /// Also emit RBAC roles per persona (GatewayClass, Gateway, routes) with their bindings.
    #[arg(long, help_heading = "Target")]
    pub rbac: bool,
    /// The group a persona's role is bound to: cluster-admin, platform or app (repeatable).
    #[arg(long, value_name = "PERSONA=GROUP", help_heading = "Target")]
    pub rbac_group: Vec<String>,
}

fn syntax_error(flag: &str, message: String) -> RequestError {
    RequestError::Invalid(vec![FieldError::new(
        flag,
        "",
        message,
        format!("see `traffic-engineer generate --help` for {flag}"),
    )])
}

fn pairs(flag: &str, list: &[String]) -> Result<Vec<NameValue>, RequestError> {
    list.iter()
        .map(|t| parse_name_value(t).map_err(|m| syntax_error(flag, m)))
        .collect()
}

fn set<T: Clone>(slot: &mut Option<T>, flag: &Option<T>) {
    if flag.is_some() {
        slot.clone_from(flag);
    }
}

impl RequestFlags {
    /// The request: `--request` (read by `read`), with every given flag applied over it.
    pub fn apply(&self, mut r: Request) -> Result<Request, RequestError> {
        set(&mut r.context, &self.context);
        set(&mut r.service, &self.service);
        set(&mut r.namespace, &self.namespace);
        set(&mut r.service_namespace, &self.service_namespace);
        set(&mut r.port, &self.port);
        let g = &mut r.gateway;
        set(&mut g.name, &self.gateway);
        set(&mut g.namespace, &self.gateway_namespace);
        set(&mut g.class_name, &self.gateway_class);
        set(&mut g.listener, &self.listener);
        set(&mut g.hostname, &self.listener_hostname);
        set(&mut g.tls_secret, &self.tls_secret);
        set(&mut g.controller, &self.controller);
        set(&mut g.port, &self.listener_port);
        g.https |= self.https;
        g.with_gateway_class |= self.with_gateway_class;
        if self.allow_routes_from.is_some() || !self.allow_label.is_empty() {
            let from = match self.allow_routes_from {
                Some(AllowFrom::Same) => FromNamespaces::Same,
                Some(AllowFrom::All) => FromNamespaces::All,
                Some(AllowFrom::Selector) | None => FromNamespaces::Selector,
            };
            let labels = pairs("--allow-label", &self.allow_label)?
                .into_iter()
                .map(|nv| (nv.name, nv.value))
                .collect();
            g.allowed_routes = Some(AllowedRoutesRequest { from, labels });
        }
        let o = &mut r.options;
        set(&mut o.implementation, &self.implementation);
        set(&mut o.gateway_api, &self.gateway_api);
        o.rbac |= self.rbac;
        for nv in pairs("--rbac-group", &self.rbac_group)? {
            o.rbac_groups.insert(nv.name, nv.value);
        }
        self.apply_route(&mut r)?;
        Ok(r)
    }

    fn apply_route(&self, r: &mut Request) -> Result<(), RequestError> {
        let has_grpc = self.grpc_service.is_some() || self.grpc_method.is_some();
        let has_match = has_grpc
            || self.path_prefix.is_some()
            || self.path_exact.is_some()
            || self.path_regex.is_some()
            || !self.header.is_empty()
            || !self.query.is_empty()
            || self.method.is_some();
        let has_rewrite = self.rewrite_prefix.is_some()
            || self.rewrite_path.is_some()
            || self.rewrite_hostname.is_some();
        let has_headers = !self.add_header.is_empty()
            || !self.set_header.is_empty()
            || !self.remove_header.is_empty();
        let has_redirect = self.redirect_scheme.is_some()
            || self.redirect_hostname.is_some()
            || self.redirect_status.is_some();
        let touches_rule = has_match
            || has_rewrite
            || has_headers
            || has_redirect
            || !self.backend.is_empty()
            || self.mirror.is_some();
        if !touches_rule && self.hostname.is_empty() && self.kind.is_none() {
            return Ok(());
        }
        if r.routes.is_empty() {
            r.routes.push(RouteRequest::default());
        }
        let route = &mut r.routes[0];
        if let Some(kind) = &self.kind {
            route.kind = Some(
                serde_json::from_value(serde_json::Value::String(kind.clone()))
                    .expect("clap allows only the five kinds"),
            );
        }
        if !self.hostname.is_empty() {
            route.hostnames.clone_from(&self.hostname);
        }
        if !touches_rule {
            return Ok(());
        }
        if route.rules.is_empty() {
            route.rules.push(RuleRequest::default());
        }
        let rule = &mut route.rules[0];
        if has_match {
            let path = [
                (&self.path_prefix, PathType::PathPrefix),
                (&self.path_exact, PathType::Exact),
                (&self.path_regex, PathType::RegularExpression),
            ]
            .into_iter()
            .find_map(|(v, type_)| v.clone().map(|value| PathMatchRequest { type_, value }));
            let exact = |list: Vec<NameValue>| {
                list.into_iter()
                    .map(|nv| ValueMatchRequest {
                        name: nv.name,
                        value: nv.value,
                        type_: None,
                    })
                    .collect()
            };
            rule.matches = vec![MatchRequest {
                path,
                headers: exact(pairs("--header", &self.header)?),
                query_params: exact(pairs("--query", &self.query)?),
                method: self.method.clone(),
                grpc: has_grpc.then(|| GrpcMatchRequest {
                    service: self.grpc_service.clone(),
                    method: self.grpc_method.clone(),
                }),
            }];
        }
        if !self.backend.is_empty() {
            rule.backends = self
                .backend
                .iter()
                .map(|b| parse_backend(b).map_err(|m| syntax_error("--backend", m)))
                .collect::<Result<_, _>>()?;
        }
        if let Some(m) = &self.mirror {
            rule.mirror = vec![parse_backend(m).map_err(|m| syntax_error("--mirror", m))?];
        }
        if has_rewrite {
            rule.rewrite = Some(RewriteRequest {
                prefix: self.rewrite_prefix.clone(),
                path: self.rewrite_path.clone(),
                hostname: self.rewrite_hostname.clone(),
            });
        }
        if has_headers {
            rule.request_headers = Some(HeaderChanges {
                add: pairs("--add-header", &self.add_header)?,
                set: pairs("--set-header", &self.set_header)?,
                remove: self.remove_header.clone(),
            });
        }
        if has_redirect {
            rule.redirect = Some(RedirectRequest {
                scheme: self.redirect_scheme.clone(),
                hostname: self.redirect_hostname.clone(),
                status_code: self.redirect_status,
                ..RedirectRequest::default()
            });
        }
        Ok(())
    }
}

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
