//! Routes of every kind: parentRefs to the Gateway (with `namespace` when it lives elsewhere and
//! `sectionName` when a listener is chosen), rules with their matches, filters and backends.

use super::{Planner, Resource};
use crate::model::*;
use crate::request::*;

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
                    "name the route, or pass --service",
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
            let parent = ParentRef {
                name: self.gateway_name.clone(),
                namespace: (self.gateway_namespace != namespace)
                    .then(|| self.gateway_namespace.clone()),
                section_name,
            };
            let rules = if route.rules.is_empty() {
                vec![RuleRequest::default()]
            } else {
                route.rules.clone()
            };
            let spec = self.route_spec(
                &at,
                kind,
                parent,
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
        }
        out
    }

    fn route_spec(
        &mut self,
        at: &str,
        kind: RouteKind,
        parent: ParentRef,
        hostnames: Vec<String>,
        rules: &[RuleRequest],
        namespace: &str,
    ) -> Spec {
        let parent_refs = vec![parent];
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

    fn backend_ref(&mut self, field: String, b: &BackendRequest, namespace: &str) -> BackendRef {
        let port = b.port.or(self.request.port).unwrap_or_else(|| {
            self.errors.push(FieldError::missing(
                format!("{field}.port"),
                "is required: a Service backend needs a port",
                "pass --port PORT (or NAME:PORT in --backend)",
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
                    "pass --service NAME or --backend NAME:PORT",
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
        rule.backends
            .iter()
            .enumerate()
            .map(|(k, b)| self.backend_ref(format!("{at}.backends[{k}]"), b, namespace))
            .collect()
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
                backend_ref: self.backend_ref(format!("{at}.mirror[{k}]"), m, namespace),
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
        let timeouts = rule.timeouts.as_ref().map(|t| Timeouts {
            request: t.request.clone(),
            backend_request: t.backend_request.clone(),
        });
        if timeouts.is_some() && !self.version.has_timeouts() {
            let message = format!(
                "are standard from Gateway API v1.2; the target is {}",
                self.version
            );
            self.errors.push(FieldError::new(
                format!("{at}.timeouts"),
                "",
                message,
                "drop the timeouts, or target --gateway-api v1.2 or newer",
            ));
        }
        HttpRouteRule {
            matches,
            filters,
            backend_refs,
            timeouts,
        }
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
