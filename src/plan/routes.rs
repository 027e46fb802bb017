//! Routes of every kind: parentRefs to the Gateway (with `namespace` when it lives elsewhere and
//! `sectionName` when a listener is chosen), rules with their matches, filters and backends.

use super::{Planner, Resource};
use crate::door::{setting, setting_as, setting_to};
use crate::finding::Severity;
use crate::model::*;
use crate::request::*;
use crate::version::{Version, CORS, TIMEOUTS};

impl Planner<'_> {
    pub(super) fn routes(&mut self) -> Vec<Resource> {
        let Some(namespace) = self.namespace.clone() else {
            return Vec::new();
        };
        let asked = if self.request.routes.is_empty() {
            vec![RouteRequest::default()]
        } else {
            self.request.routes.clone()
        };
        let mut names: Vec<(RouteKind, String)> = Vec::new();
        let mut out = Vec::new();
        for (i, route) in asked.iter().enumerate() {
            let at = format!("routes[{i}]");
            let kind = route.kind.unwrap_or_default();
            let Some(name) = route.name.as_deref().or(self.service).map(str::to_string) else {
                self.errors.push(FieldError::missing(
                    format!("{at}.name"),
                    "is required when no service is given",
                    format!("name the route, or use {}", setting("service")),
                ));
                continue;
            };
            if names.contains(&(kind, name.clone())) {
                self.errors.push(FieldError::new(
                    format!("{at}.name"),
                    &name,
                    "must be unique among the routes of its kind",
                    "give each route its own name",
                ));
            }
            names.push((kind, name.clone()));
            let section_name = route
                .listener
                .clone()
                .or_else(|| self.request.gateway.listener.clone())
                .or_else(|| {
                    // A generated Gateway has one listener per layer-4 kind: attach to exactly that one.
                    let own = match kind {
                        RouteKind::Tls => "tls",
                        RouteKind::Tcp => "tcp",
                        RouteKind::Udp => "udp",
                        _ => return None,
                    };
                    self.profile.gateway.create.then(|| own.to_string())
                });
            let rules = if route.rules.is_empty() {
                vec![RuleRequest::default()]
            } else {
                route.rules.clone()
            };
            let redirect_pair = kind == RouteKind::Http && self.request.gateway.https_redirect;
            let mut redirect = None;
            let sections = if redirect_pair {
                let https = match section_name {
                    Some(s) => vec![s],
                    None => self.generated_listeners(true, &route.hostnames),
                };
                redirect = self.https_redirect(&at, &name, route, !https.is_empty(), &namespace);
                https
            } else {
                self.refuse_redirect_loop(&at, &rules, section_name.as_deref(), &route.hostnames);
                section_name.into_iter().collect()
            };
            let parents = self.parent_refs(sections, &namespace);
            let spec = self.route_spec(
                &at,
                kind,
                parents,
                route.hostnames.clone(),
                &rules,
                &namespace,
            );
            let api = self.api_version(kind.name(), &format!("{at}.kind"));
            let object = Object::new(api, &name, Some(&namespace), Content::Spec { spec });
            out.push(Resource {
                object,
                folder: namespace.clone(),
            });
            out.extend(redirect);
        }
        out
    }

    /// The parentRefs to the Gateway: one per listener in `sections`, or one to every listener.
    fn parent_refs(&self, sections: Vec<String>, namespace: &str) -> Vec<ParentRef> {
        let parent = |section_name| ParentRef {
            name: self.gateway_name.clone(),
            namespace: (self.gateway_namespace != namespace)
                .then(|| self.gateway_namespace.clone()),
            section_name,
        };
        if sections.is_empty() {
            return vec![parent(None)];
        }
        sections.into_iter().map(|s| parent(Some(s))).collect()
    }

    /// The HTTPS (or HTTP) listeners of a Gateway this plan generates with HTTPS that a route of
    /// `hostnames` attaches to (a listener of another hostname would not accept it); none for an
    /// existing Gateway.
    fn generated_listeners(&self, https: bool, hostnames: &[String]) -> Vec<String> {
        let g = &self.request.gateway;
        if !(self.profile.gateway.create && g.https) {
            return Vec::new();
        }
        let mut listeners: Vec<(Option<String>, String)> = self
            .web_listeners()
            .into_iter()
            .filter(|(host, _)| {
                // An HTTPS listener is generated where it has a certificate.
                let secret = host.as_ref().and_then(|h| g.tls_secrets.get(h));
                !https || secret.or(g.tls_secret.as_ref()).is_some()
            })
            .map(|(host, (http, secure))| (host, if https { secure } else { http }))
            .collect();
        if https {
            listeners.extend(
                self.host_https_listeners()
                    .into_iter()
                    .map(|(host, name)| (Some(host), name)),
            );
        }
        listeners
            .into_iter()
            .filter(|(host, _)| {
                hostnames.is_empty()
                    || hostnames
                        .iter()
                        .any(|h| crate::spec::hostnames_intersect(host.as_deref(), Some(h)))
            })
            .map(|(_, name)| name)
            .collect()
    }

    /// The redirect half of `httpsRedirect`: a route of its own on the HTTP listener answering
    /// every request with a 301 to HTTPS. (The serving route attaches to the HTTPS listener only;
    /// attached to both, the redirect would also answer HTTPS requests: a loop.)
    fn https_redirect(
        &mut self,
        at: &str,
        name: &str,
        route: &RouteRequest,
        has_https: bool,
        namespace: &str,
    ) -> Option<Resource> {
        let g = &self.request.gateway;
        let http = match &g.redirect_listener {
            Some(l) => vec![l.clone()],
            None => self.generated_listeners(false, &route.hostnames),
        };
        let create = self.profile.gateway.create;
        if create && !g.https {
            self.errors.push(FieldError::new(
                "gateway.httpsRedirect",
                "true",
                "needs the HTTPS listener the routes move to",
                format!(
                    "use {} and {} with {}",
                    setting_to("gateway.https", "true"),
                    setting_to("gateway.tlsSecret", "NAME"),
                    setting("gateway.httpsRedirect")
                ),
            ));
            return None;
        }
        if !has_https {
            self.errors.push(FieldError::missing(
                "gateway.listener",
                "is required with httpsRedirect on an existing Gateway: the HTTPS listener the routes attach to",
                format!("use {} (the Gateway's HTTPS listener)", setting_to("gateway.listener", "NAME")),
            ));
        }
        if http.is_empty() {
            self.errors.push(FieldError::missing(
                "gateway.redirectListener",
                "is required with httpsRedirect on an existing Gateway: the HTTP listener that redirects",
                format!("use {} (the Gateway's HTTP listener)", setting_to("gateway.redirectListener", "NAME")),
            ));
            return None;
        };
        let rule = RuleRequest {
            redirect: Some(RedirectRequest {
                scheme: Some("https".into()),
                status_code: Some(301),
                ..RedirectRequest::default()
            }),
            ..RuleRequest::default()
        };
        let parents = self.parent_refs(http, namespace);
        let spec = self.route_spec(
            at,
            RouteKind::Http,
            parents,
            route.hostnames.clone(),
            &[rule],
            namespace,
        );
        let api = self.api_version("HTTPRoute", &format!("{at}.kind"));
        let name = format!("{name}-https-redirect");
        let object = Object::new(api, &name, Some(namespace), Content::Spec { spec });
        Some(Resource {
            object,
            folder: namespace.to_string(),
        })
    }

    /// A redirect to HTTPS on a route that attaches to every listener of a Gateway with an HTTPS
    /// listener would answer HTTPS requests with a redirect to themselves.
    fn refuse_redirect_loop(
        &mut self,
        at: &str,
        rules: &[RuleRequest],
        section: Option<&str>,
        hostnames: &[String],
    ) {
        let https_too = section.is_none() && !self.generated_listeners(true, hostnames).is_empty();
        for (j, rule) in rules.iter().enumerate() {
            let to_https =
                rule.redirect.as_ref().and_then(|r| r.scheme.as_deref()) == Some("https");
            if https_too && to_https {
                self.errors.push(FieldError::new(
                    format!("{at}.rules[{j}].redirect.scheme"),
                    "https",
                    "would be attached to the HTTPS listener too, and redirect HTTPS requests to themselves (a redirect loop)",
                    format!("use {} to redirect HTTP to HTTPS and serve the app over HTTPS, or attach this route to the HTTP listener only ({})", setting_to("gateway.httpsRedirect", "true"), setting_to("gateway.listener", "http")),
                ));
            }
        }
    }

    fn route_spec(
        &mut self,
        at: &str,
        kind: RouteKind,
        parent_refs: Vec<ParentRef>,
        hostnames: Vec<String>,
        rules: &[RuleRequest],
        namespace: &str,
    ) -> Spec {
        let at_rule = |j: usize| format!("{at}.rules[{j}]");
        match kind {
            RouteKind::Http => {
                let rules = rules
                    .iter()
                    .enumerate()
                    .map(|(j, r)| self.http_rule(&at_rule(j), r, namespace))
                    .collect();
                Spec::HttpRoute(HttpRouteSpec {
                    parent_refs,
                    hostnames,
                    rules,
                })
            }
            RouteKind::Grpc => {
                let rules = rules
                    .iter()
                    .enumerate()
                    .map(|(j, r)| self.grpc_rule(&at_rule(j), r, namespace))
                    .collect();
                Spec::GrpcRoute(GrpcRouteSpec {
                    parent_refs,
                    hostnames,
                    rules,
                })
            }
            RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => {
                let rules = rules
                    .iter()
                    .enumerate()
                    .map(|(j, r)| L4RouteRule {
                        backend_refs: self.backends(&at_rule(j), r, namespace),
                    })
                    .collect();
                let spec = L4RouteSpec {
                    parent_refs,
                    hostnames,
                    rules,
                };
                match kind {
                    RouteKind::Tls => Spec::TlsRoute(spec),
                    RouteKind::Tcp => Spec::TcpRoute(spec),
                    _ => Spec::UdpRoute(spec),
                }
            }
        }
    }

    /// The backendRef of `b`; `port_field` is where its port is missing from, when it is.
    fn backend_ref(
        &mut self,
        port_field: String,
        b: &BackendRequest,
        namespace: &str,
    ) -> BackendRef {
        let port = b.port.or(self.request.port).unwrap_or_else(|| {
            self.errors.push(FieldError::missing(
                port_field,
                "is required: a Service backend needs a port",
                format!(
                    "use {} (or give the backend its port)",
                    setting_to("port", "PORT")
                ),
            ));
            0
        });
        BackendRef {
            name: b.name.clone(),
            namespace: b.namespace.clone().filter(|ns| ns != namespace),
            port,
            weight: b.weight,
        }
    }

    /// The rule's backends, or the service when it names none (a redirect has none).
    fn backends(&mut self, at: &str, rule: &RuleRequest, namespace: &str) -> Vec<BackendRef> {
        if rule.redirect.is_some() {
            return Vec::new();
        }
        if rule.backends.is_empty() {
            let Some(service) = self.service else {
                self.errors.push(FieldError::new(
                    format!("{at}.backends"),
                    "",
                    "needs a backend: the rule has no redirect and no service is given",
                    format!(
                        "use {} or {}",
                        setting_to("service", "NAME"),
                        setting_as(
                            &format!("{at}.backends"),
                            "NAME:PORT",
                            "[{name: NAME, port: PORT}]"
                        )
                    ),
                ));
                return Vec::new();
            };
            let b = BackendRequest {
                name: service.to_string(),
                namespace: self.request.service_namespace.clone(),
                port: None,
                weight: None,
            };
            return vec![self.backend_ref("port".to_string(), &b, namespace)];
        }
        self.weights(at, &rule.backends);
        rule.backends
            .iter()
            .enumerate()
            .map(|(k, b)| self.backend_ref(format!("{at}.backends[{k}].port"), b, namespace))
            .collect()
    }

    /// Weights are shares of the rule's sum: a weighted backend alone, or one beside backends of
    /// weight 0, takes all the traffic, whatever its number says.
    fn weights(&mut self, at: &str, backends: &[BackendRequest]) {
        let weight = |b: &BackendRequest| b.weight.unwrap_or(1);
        let taking: Vec<&BackendRequest> = backends.iter().filter(|b| weight(b) > 0).collect();
        let message = match (backends, taking.as_slice()) {
            ([only], _) if only.weight.is_some_and(|w| w > 0) => format!(
                "{at}.backends: {} has weight {} but is the only backend, so it takes 100 % of the traffic (weights are shares of the rule's sum); for a canary, give the main backend a weight too (90 beside 10 sends 10 % to the canary)",
                only.name,
                weight(only)
            ),
            ([_, _, ..], [one]) => format!(
                "{at}.backends: only {} has a weight above 0, so it takes 100 % of the traffic",
                one.name
            ),
            _ => return,
        };
        self.note(Severity::Warning, "weights-one-backend", message);
    }

    /// Header modifiers and mirrors: the filters HTTPRoute and GRPCRoute share.
    fn common_filters(
        &mut self,
        at: &str,
        rule: &RuleRequest,
        namespace: &str,
    ) -> Vec<HttpRouteFilter> {
        let mut filters = Vec::new();
        for (type_, changes) in [
            ("RequestHeaderModifier", &rule.request_headers),
            ("ResponseHeaderModifier", &rule.response_headers),
        ] {
            let Some(h) = changes else { continue };
            let pairs = |list: &[NameValue]| {
                list.iter()
                    .map(|nv| HeaderValue {
                        name: nv.name.clone(),
                        value: nv.value.clone(),
                    })
                    .collect()
            };
            let modifier = HeaderModifier {
                add: pairs(&h.add),
                set: pairs(&h.set),
                remove: h.remove.clone(),
            };
            let mut f = HttpRouteFilter::of(type_);
            if type_ == "RequestHeaderModifier" {
                f.request_header_modifier = Some(modifier);
            } else {
                f.response_header_modifier = Some(modifier);
            }
            filters.push(f);
        }
        for (k, m) in rule.mirror.iter().enumerate() {
            let mut f = HttpRouteFilter::of("RequestMirror");
            f.request_mirror = Some(RequestMirror {
                backend_ref: self.backend_ref(format!("{at}.mirror[{k}].port"), m, namespace),
            });
            filters.push(f);
        }
        filters
    }

    fn http_rule(&mut self, at: &str, rule: &RuleRequest, namespace: &str) -> HttpRouteRule {
        let default_match = [MatchRequest::default()];
        let matches: &[MatchRequest] = if rule.matches.is_empty() {
            &default_match
        } else {
            &rule.matches
        };
        let matches = matches.iter().map(http_match).collect();
        let backend_refs = self.backends(at, rule, namespace);
        let mut filters = self.common_filters(at, rule, namespace);
        // Rewrites and redirects go before mirrors so a mirror sees the rewritten request.
        let mirrors_from = filters
            .iter()
            .position(|f| f.type_ == "RequestMirror")
            .unwrap_or(filters.len());
        let mut path_filters = Vec::new();
        if let Some(rw) = &rule.rewrite {
            let mut f = HttpRouteFilter::of("URLRewrite");
            f.url_rewrite = Some(UrlRewrite {
                hostname: rw.hostname.clone(),
                path: path_modifier(&rw.prefix, &rw.path),
            });
            path_filters.push(f);
        }
        if let Some(rd) = &rule.redirect {
            let mut f = HttpRouteFilter::of("RequestRedirect");
            f.request_redirect = Some(RequestRedirect {
                scheme: rd.scheme.clone(),
                hostname: rd.hostname.clone(),
                path: path_modifier(&rd.prefix, &rd.path),
                port: rd.port,
                status_code: rd.status_code,
            });
            path_filters.push(f);
        }
        filters.splice(mirrors_from..mirrors_from, path_filters);
        if let Some(c) = &rule.cors {
            self.needs_release(&format!("{at}.cors"), "is", "the CORS filter", CORS);
            let mut f = HttpRouteFilter::of("CORS");
            f.cors = Some(Cors {
                allow_origins: c.allow_origins.clone(),
                allow_credentials: c.allow_credentials.then_some(true),
                allow_methods: c.allow_methods.clone(),
                allow_headers: c.allow_headers.clone(),
                expose_headers: c.expose_headers.clone(),
                max_age: c.max_age,
            });
            // First: a preflight is answered before any other filter changes the request.
            filters.insert(0, f);
        }
        let timeouts = rule.timeouts.as_ref().map(|t| Timeouts {
            request: t.request.clone(),
            backend_request: t.backend_request.clone(),
        });
        if timeouts.is_some() {
            self.needs_release(&format!("{at}.timeouts"), "are", "the timeouts", TIMEOUTS);
        }
        HttpRouteRule {
            matches,
            filters,
            backend_refs,
            timeouts,
        }
    }

    /// Refuses `field` (`what`, which `verb` standard) when the target release is older than
    /// `since`, the first that serves it.
    fn needs_release(&mut self, field: &str, verb: &str, what: &str, since: Version) {
        if self.version >= since {
            return;
        }
        self.errors.push(FieldError::new(
            field,
            "",
            format!(
                "{verb} standard from Gateway API {since}; the target is {}",
                self.version
            ),
            format!(
                "drop {what}, or target {since} or newer ({})",
                setting_to("options.gatewayApi", &since.to_string())
            ),
        ));
    }

    fn grpc_rule(&mut self, at: &str, rule: &RuleRequest, namespace: &str) -> GrpcRouteRule {
        let matches = rule
            .matches
            .iter()
            .map(|m| GrpcRouteMatch {
                method: m.grpc.as_ref().map(|g| GrpcMethodMatch {
                    type_: "Exact".into(),
                    service: g.service.clone(),
                    method: g.method.clone(),
                }),
                headers: named(&m.headers),
            })
            .collect();
        let backend_refs = self.backends(at, rule, namespace);
        let filters = self.common_filters(at, rule, namespace);
        GrpcRouteRule {
            matches,
            filters,
            backend_refs,
        }
    }
}

fn http_match(m: &MatchRequest) -> HttpRouteMatch {
    let path = match &m.path {
        Some(p) => Some(TypedValue {
            type_: format!("{:?}", p.type_),
            value: p.value.clone(),
        }),
        None if m.headers.is_empty() && m.query_params.is_empty() && m.method.is_none() => {
            Some(TypedValue {
                type_: "PathPrefix".into(),
                value: "/".into(),
            })
        }
        // A match on headers alone keeps the spec's default path (PathPrefix /) implicit.
        None => None,
    };
    HttpRouteMatch {
        path,
        headers: named(&m.headers),
        query_params: named(&m.query_params),
        method: m.method.clone(),
    }
}

fn named(list: &[ValueMatchRequest]) -> Vec<NamedMatch> {
    list.iter()
        .map(|v| NamedMatch {
            type_: format!("{:?}", v.type_.unwrap_or(ValueMatchType::Exact)),
            name: v.name.clone(),
            value: v.value.clone(),
        })
        .collect()
}

fn path_modifier(prefix: &Option<String>, path: &Option<String>) -> Option<PathModifier> {
    match (prefix, path) {
        (Some(p), _) => Some(PathModifier {
            type_: "ReplacePrefixMatch".into(),
            replace_full_path: None,
            replace_prefix_match: Some(p.clone()),
        }),
        (None, Some(p)) => Some(PathModifier {
            type_: "ReplaceFullPath".into(),
            replace_full_path: Some(p.clone()),
            replace_prefix_match: None,
        }),
        (None, None) => None,
    }
}
