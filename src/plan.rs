//! From a checked [`Request`] and its deployment context to the objects to emit.
//!
//! Every derivation lives here, not in templates: defaults from the context's profile, the
//! ReferenceGrants that cross-namespace backends and certificates need (in the target namespace,
//! narrowed to the one object), `allowedRoutes` when routes attach from another namespace, and
//! parentRefs with `namespace` and `sectionName`. Route attachment is never given a ReferenceGrant:
//! only the listener's `allowedRoutes` governs it.

use crate::context::{Owner, Profile, Profiles, RoutesNeed};
use crate::finding::{Finding, Severity};
use crate::model::*;
use crate::request::*;
use crate::spec::GROUP;
use std::collections::BTreeMap;

/// Envoy Gateway's class and controller: the defaults when the request names none.
pub const DEFAULT_CLASS: &str = "eg";
pub const DEFAULT_CONTROLLER: &str = "gateway.envoyproxy.io/gatewayclass-controller";

/// Label every namespace carries (Kubernetes ≥ 1.22), used to admit one namespace by name.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// One object and the folder of the persona that owns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub object: Object,
    /// `cluster-admin`, `platform`, or a namespace name.
    pub folder: String,
}

impl Resource {
    /// `<folder>/<kind>-<name>.yaml`, e.g. `task-api/httproute-task-api.yaml`.
    pub fn path(&self) -> String {
        format!(
            "{}/{}-{}.yaml",
            self.folder,
            self.object.kind.to_lowercase(),
            self.object.metadata.name
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub context: String,
    pub resources: Vec<Resource>,
    /// Notes of the context for the user (e.g. what the shared Gateway must allow).
    pub notes: Vec<Finding>,
}

/// Values resolved from the request and the profile's defaults.
struct Resolved<'a> {
    profile: &'a Profile,
    service: Option<&'a str>,
    namespace: Option<String>,
    port: Option<i64>,
    gateway_name: String,
    gateway_namespace: String,
}

/// Checks `request` and plans its objects. All problems are reported together.
pub fn plan(request: &Request, profiles: &Profiles) -> Result<Plan, RequestError> {
    check(request)?;
    let profile = profile_of(request, profiles)?;
    let mut errors = Vec::new();
    if !profile.gateway.create {
        refuse_gateway_fields(request, profile, &mut errors);
    }
    let r = resolve(request, profile, &mut errors);
    let mut resources = Vec::new();
    if request.gateway.with_gateway_class {
        resources.push(gateway_class(request));
    }
    let routes = routes(request, &r, &mut errors);
    if profile.gateway.create {
        if let Some(gateway) = gateway(request, &r, &routes, &mut errors) {
            resources.push(gateway);
        }
    }
    let grants = backend_grants(&routes);
    resources.extend(routes);
    resources.extend(grants);
    resources.extend(certificate_grant(request, &r));
    if profile.cross_namespace_backends
        && !resources
            .iter()
            .any(|res| res.object.kind == "ReferenceGrant")
    {
        errors.push(FieldError::new(
            "serviceNamespace",
            "",
            format!("is required for context {}: its backends live in another namespace than the routes", profile.name),
            "pass --service-namespace NS (or --backend NS/NAME:PORT); for a backend in the same namespace use --context single-dev or shared-gateway",
        ));
    }
    if !errors.is_empty() {
        return Err(RequestError::Invalid(errors));
    }
    Ok(Plan {
        context: profile.name.clone(),
        notes: notes(&r),
        resources,
    })
}

fn profile_of<'a>(request: &Request, profiles: &'a Profiles) -> Result<&'a Profile, RequestError> {
    let names = profiles.names().join(", ");
    let Some(name) = &request.context else {
        return Err(RequestError::Invalid(vec![FieldError::new(
            "context",
            "",
            "is required: the deployment context decides what is generated",
            format!("pass --context with one of: {names} (see `traffic-engineer contexts`)"),
        )]));
    };
    profiles.get(name).ok_or_else(|| {
        RequestError::Invalid(vec![FieldError::new(
            "context",
            name,
            "is not a known deployment context",
            format!("use one of: {names}"),
        )])
    })
}

/// Listener settings given to a context that attaches to an existing Gateway would be dropped silently.
fn refuse_gateway_fields(request: &Request, profile: &Profile, errors: &mut Vec<FieldError>) {
    let g = &request.gateway;
    let given = [
        ("gateway.https", g.https),
        ("gateway.tlsSecret", g.tls_secret.is_some()),
        ("gateway.hostname", g.hostname.is_some()),
        ("gateway.allowedRoutes", g.allowed_routes.is_some()),
    ];
    for (field, _) in given.into_iter().filter(|(_, set)| *set) {
        errors.push(FieldError::new(
            field,
            "",
            format!("configures the Gateway's listeners, but context {} attaches to an existing Gateway and does not generate one", profile.name),
            "drop it, or use --context platform-team (or single-dev) to generate the Gateway",
        ));
    }
}

fn required(field: &str, profile: &Profile, flag: &str) -> FieldError {
    FieldError::new(
        field,
        "",
        format!("is required for context {}", profile.name),
        format!("pass {flag}"),
    )
}

fn resolve<'a>(
    request: &'a Request,
    profile: &'a Profile,
    errors: &mut Vec<FieldError>,
) -> Resolved<'a> {
    let service = request.service.as_deref();
    let namespace = request
        .namespace
        .clone()
        .or_else(|| service.map(str::to_string));
    let wants_routes =
        profile.routes == RoutesNeed::Required || service.is_some() || !request.routes.is_empty();
    if wants_routes && namespace.is_none() {
        errors.push(required("service", profile, "--service NAME (the namespace defaults to it), or --namespace NS with routes that name their backends"));
        // No route can be planned without a namespace, so its backend's missing port would go
        // unreported: report it here, so that one run lists every missing value.
        if request.port.is_none() && request.routes.is_empty() {
            errors.push(required("port", profile, "--port PORT"));
        }
    }
    let gateway_name = match (&request.gateway.name, &profile.gateway.name) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(pattern)) if pattern.contains("{service}") => match service {
            Some(s) => Some(pattern.replace("{service}", s)),
            None => {
                errors.push(required(
                    "gateway.name",
                    profile,
                    "--gateway NAME (or --service, which names the Gateway after it)",
                ));
                None
            }
        },
        (None, Some(name)) => Some(name.clone()),
        (None, None) => {
            errors.push(required(
                "gateway.name",
                profile,
                "--gateway NAME: the name of the existing Gateway to attach to",
            ));
            None
        }
    };
    let gateway_namespace = match &request.gateway.namespace {
        Some(ns) => Some(ns.clone()),
        None if profile.gateway.namespace == "{namespace}" => {
            // Already reported above when missing: the Gateway lives where the app does.
            namespace.clone()
        }
        None => Some(profile.gateway.namespace.clone()),
    };
    if gateway_namespace.is_none() && !wants_routes {
        errors.push(required(
            "gateway.namespace",
            profile,
            "--gateway-namespace NS",
        ));
    }
    // A missing name is reported above; planning goes on with a blank one so that the rest of the
    // request is checked in the same run (the plan fails anyway).
    Resolved {
        profile,
        service,
        namespace: if wants_routes { namespace } else { None },
        port: request.port,
        gateway_name: gateway_name.unwrap_or_default(),
        gateway_namespace: gateway_namespace.unwrap_or_default(),
    }
}

fn gateway_class(request: &Request) -> Resource {
    let g = &request.gateway;
    let name = g.class_name.as_deref().unwrap_or(DEFAULT_CLASS);
    let spec = GatewayClassSpec {
        controller_name: g
            .controller
            .clone()
            .unwrap_or_else(|| DEFAULT_CONTROLLER.to_string()),
        description: None,
    };
    Resource {
        object: Object::new(name, None, Spec::GatewayClass(spec)),
        folder: "cluster-admin".into(),
    }
}

/// The listeners' `allowedRoutes`: what was asked, or the context's default, widened to admit the
/// namespaces of the routes generated with it.
fn allowed_routes(
    request: &Request,
    r: &Resolved,
    routes: &[Resource],
    errors: &mut Vec<FieldError>,
) -> AllowedRoutes {
    let foreign: Vec<&str> = routes
        .iter()
        .filter_map(|res| res.object.metadata.namespace.as_deref())
        .filter(|ns| *ns != r.gateway_namespace)
        .collect();
    let asked = request.gateway.allowed_routes.as_ref();
    let from = asked.map_or(r.profile.gateway.allowed_routes, |a| a.from);
    let labels = asked.map(|a| a.labels.clone()).unwrap_or_default();
    let from = match from {
        FromNamespaces::Same if !foreign.is_empty() && asked.is_some() => {
            errors.push(FieldError::new(
                "gateway.allowedRoutes.from",
                "Same",
                format!("would refuse the routes in namespace {}: only allowedRoutes admits routes from another namespace", foreign[0]),
                "use --allow-routes-from selector (or all), or put the routes in the Gateway's namespace",
            ));
            FromNamespaces::Same
        }
        // The context's default cannot admit the routes it generates: admit exactly their namespace.
        FromNamespaces::Same if !foreign.is_empty() => FromNamespaces::Selector,
        other => other,
    };
    let selector = (from == FromNamespaces::Selector).then(|| {
        let mut match_labels = labels;
        if match_labels.is_empty() {
            match r.namespace.as_deref() {
                Some(ns) => {
                    match_labels.insert(NAMESPACE_NAME_LABEL.to_string(), ns.to_string());
                }
                None => errors.push(FieldError::new(
                    "gateway.allowedRoutes.labels",
                    "",
                    "are needed to say which namespaces may attach routes (from: Selector)",
                    "pass --allow-label KEY=VALUE (e.g. gateway-access=true), --namespace of the app, or --allow-routes-from all",
                )),
            }
        }
        LabelSelector { match_labels }
    });
    let from = match from {
        FromNamespaces::Same => "Same",
        FromNamespaces::All => "All",
        FromNamespaces::Selector => "Selector",
    };
    AllowedRoutes {
        namespaces: RouteNamespaces {
            from: from.to_string(),
            selector,
        },
    }
}

fn gateway(
    request: &Request,
    r: &Resolved,
    routes: &[Resource],
    errors: &mut Vec<FieldError>,
) -> Option<Resource> {
    let g = &request.gateway;
    let allowed = allowed_routes(request, r, routes, errors);
    let listener = |name: &str, protocol: &str, port: i64, tls: Option<ListenerTls>| Listener {
        name: name.to_string(),
        protocol: protocol.to_string(),
        port,
        hostname: g.hostname.clone(),
        tls,
        allowed_routes: allowed.clone(),
    };
    let mut listeners = vec![listener("http", "HTTP", 80, None)];
    if let Some(secret) = &g.tls_secret {
        let (namespace, name) = parse_ref(secret);
        let certificate = ObjectRef {
            group: String::new(),
            kind: "Secret".into(),
            name,
            namespace: namespace.filter(|ns| *ns != r.gateway_namespace),
        };
        let tls = ListenerTls {
            mode: "Terminate".into(),
            certificate_refs: vec![certificate],
        };
        listeners.push(listener("https", "HTTPS", 443, Some(tls)));
    }
    let sections: std::collections::BTreeSet<&String> = routes
        .iter()
        .filter_map(|res| match &res.object.spec {
            Spec::HttpRoute(spec) => spec.parent_refs[0].section_name.as_ref(),
            _ => None,
        })
        .chain(g.listener.as_ref())
        .collect();
    for section in sections {
        if !listeners.iter().any(|l| &l.name == section) {
            let names: Vec<&str> = listeners.iter().map(|l| l.name.as_str()).collect();
            errors.push(FieldError::new(
                "gateway.listener",
                section,
                format!(
                    "names no listener of the generated Gateway (it has {})",
                    names.join(", ")
                ),
                "use one of those names, or leave it out to attach to every listener",
            ));
        }
    }
    let spec = GatewaySpec {
        gateway_class_name: g
            .class_name
            .clone()
            .unwrap_or_else(|| DEFAULT_CLASS.to_string()),
        listeners,
    };
    let folder = match r.profile.gateway.owner {
        Owner::Platform => "platform".to_string(),
        Owner::App => r.gateway_namespace.clone(),
    };
    Some(Resource {
        object: Object::new(
            &r.gateway_name,
            Some(&r.gateway_namespace),
            Spec::Gateway(spec),
        ),
        folder,
    })
}

fn routes(request: &Request, r: &Resolved, errors: &mut Vec<FieldError>) -> Vec<Resource> {
    let Some(namespace) = r.namespace.as_deref() else {
        return Vec::new();
    };
    let default = [RouteRequest::default()];
    let asked: &[RouteRequest] = if request.routes.is_empty() {
        &default
    } else {
        &request.routes
    };
    let mut names = Vec::new();
    let mut out = Vec::new();
    for (i, route) in asked.iter().enumerate() {
        let at = format!("routes[{i}]");
        let Some(name) = route.name.as_deref().or(r.service) else {
            errors.push(FieldError::new(
                format!("{at}.name"),
                "",
                "is required when no service is given",
                "name the route, or pass --service",
            ));
            continue;
        };
        if names.contains(&name) {
            errors.push(FieldError::new(
                format!("{at}.name"),
                name,
                "must be unique among the routes",
                "give each route its own name",
            ));
        }
        names.push(name);
        let parent = ParentRef {
            name: r.gateway_name.clone(),
            namespace: (r.gateway_namespace != namespace).then(|| r.gateway_namespace.clone()),
            section_name: route
                .listener
                .clone()
                .or_else(|| request.gateway.listener.clone()),
        };
        let default_rule = [RuleRequest::default()];
        let rules: &[RuleRequest] = if route.rules.is_empty() {
            &default_rule
        } else {
            &route.rules
        };
        let rules = rules
            .iter()
            .enumerate()
            .map(|(j, rule)| {
                http_rule(
                    request,
                    r,
                    namespace,
                    &format!("{at}.rules[{j}]"),
                    rule,
                    errors,
                )
            })
            .collect();
        let spec = HttpRouteSpec {
            parent_refs: vec![parent],
            hostnames: route.hostnames.clone(),
            rules,
        };
        out.push(Resource {
            object: Object::new(name, Some(namespace), Spec::HttpRoute(spec)),
            folder: namespace.to_string(),
        });
    }
    out
}

fn http_rule(
    request: &Request,
    r: &Resolved,
    namespace: &str,
    at: &str,
    rule: &RuleRequest,
    errors: &mut Vec<FieldError>,
) -> HttpRouteRule {
    let default_match = [MatchRequest::default()];
    let matches: &[MatchRequest] = if rule.matches.is_empty() {
        &default_match
    } else {
        &rule.matches
    };
    let matches = matches.iter().map(http_match).collect();
    let backend = |field: String, b: &BackendRequest, errors: &mut Vec<FieldError>| -> BackendRef {
        let port = b.port.or(r.port).unwrap_or_else(|| {
            errors.push(FieldError::new(
                format!("{field}.port"),
                "",
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
    };
    let mut backend_refs = Vec::new();
    if rule.redirect.is_none() {
        if rule.backends.is_empty() {
            match r.service {
                Some(service) => {
                    let b = BackendRequest {
                        name: service.to_string(),
                        namespace: request.service_namespace.clone(),
                        port: None,
                        weight: None,
                    };
                    backend_refs.push(backend("port".to_string(), &b, errors));
                }
                None => errors.push(FieldError::new(
                    format!("{at}.backends"),
                    "",
                    "needs a backend: the rule has no redirect and no service is given",
                    "pass --service NAME or --backend NAME:PORT",
                )),
            }
        }
        for (k, b) in rule.backends.iter().enumerate() {
            backend_refs.push(backend(format!("{at}.backends[{k}]"), b, errors));
        }
    }
    let mut filters = Vec::new();
    for (type_, changes) in [
        ("RequestHeaderModifier", &rule.request_headers),
        ("ResponseHeaderModifier", &rule.response_headers),
    ] {
        if let Some(h) = changes {
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
    }
    if let Some(rw) = &rule.rewrite {
        let mut f = HttpRouteFilter::of("URLRewrite");
        f.url_rewrite = Some(UrlRewrite {
            hostname: rw.hostname.clone(),
            path: path_modifier(&rw.prefix, &rw.path),
        });
        filters.push(f);
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
        filters.push(f);
    }
    for (k, m) in rule.mirror.iter().enumerate() {
        let mut f = HttpRouteFilter::of("RequestMirror");
        f.request_mirror = Some(RequestMirror {
            backend_ref: backend(format!("{at}.mirror[{k}]"), m, errors),
        });
        filters.push(f);
    }
    let timeouts = rule.timeouts.as_ref().map(|t| Timeouts {
        request: t.request.clone(),
        backend_request: t.backend_request.clone(),
    });
    HttpRouteRule {
        matches,
        filters,
        backend_refs,
        timeouts,
    }
}

fn http_match(m: &MatchRequest) -> HttpRouteMatch {
    let path = match &m.path {
        Some(p) => TypedValue {
            type_: format!("{:?}", p.type_),
            value: p.value.clone(),
        },
        None if m.headers.is_empty() && m.query_params.is_empty() && m.method.is_none() => {
            TypedValue {
                type_: "PathPrefix".into(),
                value: "/".into(),
            }
        }
        // A match on headers alone keeps the spec's default path (PathPrefix /) implicit.
        None => {
            return HttpRouteMatch {
                path: None,
                headers: named(&m.headers),
                query_params: named(&m.query_params),
                method: m.method.clone(),
            }
        }
    };
    HttpRouteMatch {
        path: Some(path),
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

/// One ReferenceGrant per (target namespace, route namespace), listing exactly the Services referenced.
fn backend_grants(routes: &[Resource]) -> Vec<Resource> {
    let mut wanted: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for route in routes {
        let Spec::HttpRoute(spec) = &route.object.spec else {
            continue;
        };
        let from = route.object.metadata.namespace.clone().unwrap_or_default();
        let refs = spec.rules.iter().flat_map(|rule| {
            let mirrors = rule
                .filters
                .iter()
                .filter_map(|f| f.request_mirror.as_ref().map(|m| &m.backend_ref));
            rule.backend_refs.iter().chain(mirrors)
        });
        for b in refs {
            if let Some(target) = &b.namespace {
                let names = wanted.entry((target.clone(), from.clone())).or_default();
                if !names.contains(&b.name) {
                    names.push(b.name.clone());
                }
            }
        }
    }
    wanted
        .into_iter()
        .map(|((target, from), names)| grant(&target, "HTTPRoute", &from, "Service", names))
        .collect()
}

/// The grant a listener's certificate Secret in another namespace needs.
fn certificate_grant(request: &Request, r: &Resolved) -> Option<Resource> {
    if !r.profile.gateway.create {
        return None;
    }
    let (namespace, name) = parse_ref(request.gateway.tls_secret.as_deref()?);
    let namespace = namespace.filter(|ns| *ns != r.gateway_namespace)?;
    Some(grant(
        &namespace,
        "Gateway",
        &r.gateway_namespace,
        "Secret",
        vec![name],
    ))
}

fn grant(
    target: &str,
    from_kind: &str,
    from_namespace: &str,
    to_kind: &str,
    names: Vec<String>,
) -> Resource {
    let spec = ReferenceGrantSpec {
        from: vec![GrantFrom {
            group: GROUP.into(),
            kind: from_kind.into(),
            namespace: from_namespace.into(),
        }],
        to: names
            .into_iter()
            .map(|name| GrantTo {
                group: String::new(),
                kind: to_kind.into(),
                name,
            })
            .collect(),
    };
    let name = format!("allow-{}s-from-{from_namespace}", from_kind.to_lowercase());
    Resource {
        object: Object::new(&name, Some(target), Spec::ReferenceGrant(spec)),
        folder: target.to_string(),
    }
}

fn notes(r: &Resolved) -> Vec<Finding> {
    let gateway = format!("{}/{}", r.gateway_namespace, r.gateway_name);
    let namespace = r.namespace.clone().unwrap_or_default();
    r.profile
        .notes
        .iter()
        .map(|text| {
            let message = text
                .replace("{gateway}", &gateway)
                .replace("{namespace}", &namespace);
            Finding::new(Severity::Note, "context-note", message)
        })
        .collect()
}
