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

// Every answer has a flag. Flags override the values of a `--request` file; route flags (matches,
// backends, filters, hostnames) set the first rule of the first route. (A plain comment: with
// deferred subcommands, clap would take a doc comment here as the about text of `generate`.)
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

    /// The route's name [default: the service name].
    #[arg(long, value_name = "NAME", help_heading = "Request")]
    pub route_name: Option<String>,

    /// A rule, in order (repeatable): MATCHES -> BACKENDS, e.g.
    /// 'header:X-API-Version=2 -> task-api-v2:8000'. Matches (all must hold): prefix:PATH,
    /// exact:PATH, regex:RE, header:NAME=VALUE, query:NAME=VALUE, method:VERB; backends:
    /// [NS/]NAME:PORT[=WEIGHT] (none: the service). A last rule sending everything else to
    /// --service is added unless --no-default-rule.
    #[arg(
        long = "rule",
        value_name = "RULE",
        allow_hyphen_values = true,
        help_heading = "Matches"
    )]
    pub rules: Vec<String>,
    /// Do not add the rule that sends what no other rule matches to --service (those requests get 404).
    #[arg(long, help_heading = "Matches")]
    pub no_default_rule: bool,
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
    /// Send PERCENT of the default rule's traffic to this canary, the rest to --service.
    #[arg(long, value_name = "[NS/]NAME:PORT=PERCENT", help_heading = "Backends")]
    pub canary: Option<String>,
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
    /// Let browsers on this origin call the route: https://app.example.com, https://*.example.com
    /// or * (repeatable; the CORS filter, Gateway API v1.5+).
    #[arg(long, value_name = "ORIGIN", help_heading = "Filters")]
    pub cors_origin: Vec<String>,
    /// A method cross-origin callers may use, or * (repeatable; with --cors-origin).
    #[arg(long, value_name = "VERB", help_heading = "Filters")]
    pub cors_method: Vec<String>,
    /// A request header cross-origin callers may send, or * (repeatable; with --cors-origin).
    #[arg(long, value_name = "NAME", help_heading = "Filters")]
    pub cors_header: Vec<String>,
    /// A response header cross-origin scripts may read (repeatable; with --cors-origin).
    #[arg(long, value_name = "NAME", help_heading = "Filters")]
    pub cors_expose_header: Vec<String>,
    /// Let cross-origin requests carry credentials (cookies, Authorization).
    #[arg(long, help_heading = "Filters")]
    pub cors_credentials: bool,
    /// Seconds a browser may cache a CORS preflight answer [default: 5].
    #[arg(
        long,
        value_name = "SECONDS",
        allow_negative_numbers = true,
        help_heading = "Filters"
    )]
    pub cors_max_age: Option<i64>,

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
    /// Hostname of the generated listeners (e.g. *.example.com); repeat it for one HTTP (and
    /// HTTPS) listener per hostname, each named for its hostname.
    #[arg(long, value_name = "H", help_heading = "Gateway")]
    pub listener_hostname: Vec<String>,
    /// Add an HTTPS listener on 443 terminating TLS (needs --tls-secret).
    #[arg(long, help_heading = "Gateway")]
    pub https: bool,
    /// Redirect HTTP to HTTPS (301) and serve the routes over HTTPS only (with --https, or
    /// --listener and --redirect-listener on an existing Gateway, read with --cluster if not given).
    #[arg(long, help_heading = "Gateway")]
    pub https_redirect: bool,
    /// The HTTP listener the --https-redirect route attaches to [default: http].
    #[arg(long, value_name = "NAME", help_heading = "Gateway")]
    pub redirect_listener: Option<String>,
    /// The TLS certificate Secret for --https; HOST=[NS/]NAME for one --listener-hostname's own
    /// certificate, or without --listener-hostname for an HTTPS listener of HOST's own (repeatable).
    #[arg(long, value_name = "[HOST=][NS/]NAME", help_heading = "Gateway")]
    pub tls_secret: Vec<String>,
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

    /// The Gateway API implementation: envoy-gateway (default), istio, cilium, traefik, kong, nginx,
    /// contour, gke, agentgateway, airlock-microgateway, aws-load-balancer-controller, gravitee,
    /// higress, kgateway, kong-operator.
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

/// Which parts of a rule the single-rule flags set.
struct Given {
    /// A header, query parameter or method match: a rule that takes only some requests.
    narrows: bool,
    path: bool,
    matches: bool,
    rewrite: bool,
    headers: bool,
    redirect: bool,
    cors: bool,
}

/// `--canary [NS/]NAME:PORT=PERCENT`: the route's default rule (its last) goes PERCENT to the
/// canary and the rest to the service.
fn canary(
    route: &mut RouteRequest,
    text: &str,
    (service, service_namespace): (Option<String>, Option<String>),
) -> Result<(), RequestError> {
    let mut canary = parse_backend(text).map_err(|m| syntax_error("--canary", m))?;
    let percent = canary.weight.unwrap_or(-1);
    if !(1..=99).contains(&percent) {
        return Err(syntax_error(
            "--canary",
            format!("'{text}' needs =PERCENT from 1 to 99 (e.g. task-api-canary:8000=10)"),
        ));
    }
    let Some(service) = service else {
        return Err(syntax_error(
            "--canary",
            "splits traffic between --service and the canary: pass --service".into(),
        ));
    };
    if route.rules.is_empty() {
        route.rules.push(RuleRequest::default());
    }
    let default = route.rules.last_mut().expect("a rule was just ensured");
    if !default.backends.is_empty() {
        return Err(syntax_error(
            "--canary",
            "splits the default rule between --service and the canary, but that rule already names its backends (--backend): give the weights there instead".into(),
        ));
    }
    canary.weight = Some(percent);
    default.backends = vec![
        BackendRequest {
            name: service,
            namespace: service_namespace,
            port: None,
            weight: Some(100 - percent),
        },
        canary,
    ];
    Ok(())
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
        match self.listener_hostname.as_slice() {
            [] => {}
            [one] => g.hostname = Some(one.clone()),
            many => g.hostnames = many.to_vec(),
        }
        for secret in &self.tls_secret {
            match secret.split_once('=') {
                Some((host, name)) => {
                    g.tls_secrets.insert(host.to_string(), name.to_string());
                }
                None => g.tls_secret = Some(secret.clone()),
            }
        }
        set(&mut g.controller, &self.controller);
        set(&mut g.port, &self.listener_port);
        g.https |= self.https;
        g.https_redirect |= self.https_redirect;
        set(&mut g.redirect_listener, &self.redirect_listener);
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

    /// Which parts of a rule the single-rule flags set.
    fn given(&self) -> Given {
        let narrows = !self.header.is_empty() || !self.query.is_empty() || self.method.is_some();
        let path =
            self.path_prefix.is_some() || self.path_exact.is_some() || self.path_regex.is_some();
        let grpc = self.grpc_service.is_some() || self.grpc_method.is_some();
        Given {
            narrows,
            path,
            matches: narrows || path || grpc,
            rewrite: self.rewrite_prefix.is_some()
                || self.rewrite_path.is_some()
                || self.rewrite_hostname.is_some(),
            headers: !self.add_header.is_empty()
                || !self.set_header.is_empty()
                || !self.remove_header.is_empty(),
            redirect: self.redirect_scheme.is_some()
                || self.redirect_hostname.is_some()
                || self.redirect_status.is_some(),
            cors: !self.cors_origin.is_empty()
                || !self.cors_method.is_empty()
                || !self.cors_header.is_empty()
                || !self.cors_expose_header.is_empty()
                || self.cors_credentials
                || self.cors_max_age.is_some(),
        }
    }

    fn apply_route(&self, r: &mut Request) -> Result<(), RequestError> {
        let given = self.given();
        let rule_flags = given.matches
            || given.rewrite
            || given.headers
            || given.redirect
            || given.cors
            || !self.backend.is_empty()
            || self.mirror.is_some();
        if !self.rules.is_empty() && rule_flags {
            return Err(syntax_error("--rule", "cannot be combined with the flags of a single rule (--path-*, --header, --query, --method, --backend, --mirror, --rewrite-*, --*-header, --redirect-*, --cors-*): write each rule as a --rule".into()));
        }
        let touches_rules = rule_flags || !self.rules.is_empty() || self.canary.is_some();
        if !touches_rules
            && self.hostname.is_empty()
            && self.kind.is_none()
            && self.route_name.is_none()
        {
            return Ok(());
        }
        if r.routes.is_empty() {
            r.routes.push(RouteRequest::default());
        }
        let service = (r.service.clone(), r.service_namespace.clone());
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
        set(&mut route.name, &self.route_name);
        if !self.rules.is_empty() {
            if !route.rules.is_empty() {
                return Err(syntax_error("--rule", format!("would replace the {} rule(s) of the request file's first route: give every rule in the file, or every rule as --rule without --request", route.rules.len())));
            }
            route.rules = self
                .rules
                .iter()
                .map(|t| parse_rule(t).map_err(|m| syntax_error("--rule", m)))
                .collect::<Result<_, _>>()?;
            if !self.no_default_rule {
                route.rules.push(RuleRequest::default());
            }
        }
        if rule_flags {
            self.apply_rule(route, &given)?;
            // A rule that narrows by header, query parameter or method and sends elsewhere would
            // leave every other request without a rule (404): the rest goes to the service.
            let rule = &route.rules[0];
            if given.narrows
                && rule.narrows_elsewhere()
                && route.rules.len() == 1
                && !self.no_default_rule
            {
                route.rules.push(rule.rest());
            }
        }
        if let Some(text) = &self.canary {
            canary(route, text, service)?;
        }
        Ok(())
    }

    /// The single-rule flags, over the first rule (and its first match) of the route: each flag
    /// replaces only its own part, so a request file's other matches and settings stay.
    fn apply_rule(&self, route: &mut RouteRequest, given: &Given) -> Result<(), RequestError> {
        if route.rules.is_empty() {
            route.rules.push(RuleRequest::default());
        }
        let rule = &mut route.rules[0];
        if given.matches {
            if rule.matches.is_empty() {
                rule.matches.push(MatchRequest::default());
            }
            let m = &mut rule.matches[0];
            if given.path {
                m.path = [
                    (&self.path_prefix, PathType::PathPrefix),
                    (&self.path_exact, PathType::Exact),
                    (&self.path_regex, PathType::RegularExpression),
                ]
                .into_iter()
                .find_map(|(v, type_)| v.clone().map(|value| PathMatchRequest { type_, value }));
            }
            let exact = |list: Vec<NameValue>| {
                list.into_iter()
                    .map(|nv| ValueMatchRequest {
                        name: nv.name,
                        value: nv.value,
                        type_: None,
                    })
                    .collect()
            };
            if !self.header.is_empty() {
                m.headers = exact(pairs("--header", &self.header)?);
            }
            if !self.query.is_empty() {
                m.query_params = exact(pairs("--query", &self.query)?);
            }
            set(&mut m.method, &self.method);
            if self.grpc_service.is_some() || self.grpc_method.is_some() {
                m.grpc = Some(GrpcMatchRequest {
                    service: self.grpc_service.clone(),
                    method: self.grpc_method.clone(),
                });
            }
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
        if given.rewrite {
            rule.rewrite = Some(RewriteRequest {
                prefix: self.rewrite_prefix.clone(),
                path: self.rewrite_path.clone(),
                hostname: self.rewrite_hostname.clone(),
            });
        }
        if given.headers {
            rule.request_headers = Some(HeaderChanges {
                add: pairs("--add-header", &self.add_header)?,
                set: pairs("--set-header", &self.set_header)?,
                remove: self.remove_header.clone(),
            });
        }
        if given.cors {
            rule.cors = Some(CorsRequest {
                allow_origins: self.cors_origin.clone(),
                allow_methods: self.cors_method.clone(),
                allow_headers: self.cors_header.clone(),
                expose_headers: self.cors_expose_header.clone(),
                allow_credentials: self.cors_credentials,
                max_age: self.cors_max_age,
            });
        }
        if given.redirect {
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
