//! The `generate` flags: clap definitions, and flags → [`Request`] over a `--request` file (the
//! way back, a request → flags, is in `args`).

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
    /// GatewayClass name [default: the implementation's: eg for Envoy Gateway].
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
