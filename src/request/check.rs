//! Checks a [`Request`] field by field and reports every problem at once, each naming the field
//! path, the value, the rule it breaks and how to fix it. The wizard validates single answers with
//! the same functions in `spec`, so a value accepted there is accepted here.

use super::*;
use crate::spec;
use serde::Serialize;
use std::fmt;

/// One bad value: where it is, what it is, which rule it breaks, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// Path in the request, e.g. `routes[0].rules[1].backends[0].weight`.
    pub field: String,
    /// The offending value as text (empty when the value is missing).
    pub value: String,
    /// What the value must be.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// The value is absent rather than wrong: a terminal then starts the wizard to ask for it, and
    /// the MCP server asks the assistant's user.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        value: impl fmt::Display,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            value: value.to_string(),
            message: message.into(),
            hint: hint.into(),
            missing: false,
        }
    }

    /// A value that is absent (and needed): `message` says why it is needed.
    pub fn missing(
        field: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        FieldError {
            missing: true,
            ..FieldError::new(field, "", message, hint)
        }
    }

    pub fn is_missing(&self) -> bool {
        self.missing
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: {}", self.field, self.message)?;
        } else {
            write!(f, "{} = {:?}: {}", self.field, self.value, self.message)?;
        }
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    #[error("{origin}: {source}\n  hint: check the request against `traffic-engineer schema`")]
    Parse {
        origin: String,
        source: crate::yaml::YamlError,
    },
    #[error("{}", list(.0))]
    Invalid(Vec<FieldError>),
}

fn list(errors: &[FieldError]) -> String {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| {
            let what = if e.is_missing() { "missing" } else { "invalid" };
            format!("{what} {e}")
        })
        .collect();
    lines.join("\n")
}

/// Collects errors while walking the request.
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// Records `result` of a `spec` check of `value` at `field`.
    fn value(
        &mut self,
        field: &str,
        value: impl fmt::Display,
        result: Result<(), String>,
        hint: &str,
    ) {
        if let Err(rule) = result {
            self.errors
                .push(FieldError::new(field, value, format!("must {rule}"), hint));
        }
    }

    fn fail(&mut self, field: &str, value: impl fmt::Display, message: &str, hint: &str) {
        self.errors
            .push(FieldError::new(field, value, message, hint));
    }

    fn most(&mut self, field: &str, count: usize, max: usize) {
        if count > max {
            self.fail(
                field,
                count,
                &format!("must have at most {max} entries (Gateway API limit)"),
                "split it across several rules or routes",
            );
        }
    }

    fn label(&mut self, field: &str, value: &str) {
        self.value(
            field,
            value,
            spec::dns_label(value),
            "use lowercase letters, digits and '-', e.g. task-api",
        );
    }

    fn port(&mut self, field: &str, value: i64) {
        self.value(
            field,
            value,
            spec::port(value),
            "use the Service's port number, e.g. 8000",
        );
    }
}

/// Checks every field of `request`. Context-dependent requirements (which values a context needs)
/// are the plan's job; this checks what each value is.
pub fn check(request: &Request) -> Result<(), RequestError> {
    let mut c = Checker { errors: Vec::new() };
    if let Some(s) = &request.service {
        c.label("service", s);
    }
    for (field, ns) in [
        ("namespace", &request.namespace),
        ("serviceNamespace", &request.service_namespace),
    ] {
        if let Some(ns) = ns {
            c.label(field, ns);
        }
    }
    if let Some(p) = request.port {
        c.port("port", p);
    }
    check_gateway(&mut c, &request.gateway);
    check_options(&mut c, &request.options);
    for (i, route) in request.routes.iter().enumerate() {
        check_route(&mut c, &format!("routes[{i}]"), route);
    }
    if c.errors.is_empty() {
        Ok(())
    } else {
        Err(RequestError::Invalid(c.errors))
    }
}

fn check_options(c: &mut Checker, o: &Options) {
    if let Some(v) = &o.gateway_api {
        if let Err(rule) = crate::version::Version::parse(v) {
            c.fail("options.gatewayApi", v, &rule, "e.g. v1.6 or v1.2");
        }
    }
    for (persona, group) in &o.rbac_groups {
        if !["cluster-admin", "platform", "app"].contains(&persona.as_str()) {
            c.fail(
                "options.rbacGroups",
                persona,
                "must name a persona: cluster-admin, platform or app",
                "e.g. --rbac-group platform=platform-team",
            );
        }
        if group.is_empty() {
            c.fail(
                &format!("options.rbacGroups.{persona}"),
                "",
                "must name a group",
                "e.g. --rbac-group app=task-api-developers",
            );
        }
    }
    if !o.rbac_groups.is_empty() && !o.rbac {
        c.fail(
            "options.rbac",
            "false",
            "must be true when rbacGroups are given",
            "pass --rbac",
        );
    }
}

fn check_gateway(c: &mut Checker, g: &GatewayRequest) {
    if let Some(p) = g.port {
        c.port("gateway.port", p);
    }
    let names = [
        ("gateway.name", &g.name),
        ("gateway.className", &g.class_name),
        ("gateway.listener", &g.listener),
    ];
    for (field, value) in names {
        if let Some(v) = value {
            c.value(
                field,
                v,
                spec::dns_subdomain(v),
                "use lowercase letters, digits, '-' and '.'",
            );
        }
    }
    if let Some(ns) = &g.namespace {
        c.label("gateway.namespace", ns);
    }
    if let Some(ctrl) = &g.controller {
        c.value(
            "gateway.controller",
            ctrl,
            spec::controller_name(ctrl),
            "e.g. gateway.envoyproxy.io/gatewayclass-controller",
        );
    }
    if let Some(h) = &g.hostname {
        c.value(
            "gateway.hostname",
            h,
            spec::hostname(h),
            "e.g. api.example.com or *.example.com",
        );
    }
    if let Some(secret) = &g.tls_secret {
        let (ns, name) = parse_ref(secret);
        if let Some(ns) = ns {
            c.label("gateway.tlsSecret", &ns);
        }
        c.value(
            "gateway.tlsSecret",
            secret,
            spec::dns_subdomain(&name),
            "name the Secret as NAME or NAMESPACE/NAME",
        );
    }
    if g.https && g.tls_secret.is_none() {
        c.errors.push(FieldError::missing(
            "gateway.tlsSecret",
            "is required with https: an HTTPS listener terminates TLS with a certificate Secret",
            "pass --tls-secret [NAMESPACE/]NAME (a kubernetes.io/tls Secret)",
        ));
    }
    if g.tls_secret.is_some() && !g.https {
        c.fail("gateway.https", "false", "must be true when a tlsSecret is given (the secret is only used by the HTTPS listener)", "pass --https");
    }
    if let Some(allowed) = &g.allowed_routes {
        match allowed.from {
            FromNamespaces::Selector => {
                for (k, v) in &allowed.labels {
                    c.value(
                        "gateway.allowedRoutes.labels",
                        k,
                        label_key(k),
                        "e.g. gateway-access=true",
                    );
                    c.value(
                        "gateway.allowedRoutes.labels",
                        v,
                        label_value(v),
                        "e.g. gateway-access=true",
                    );
                }
            }
            _ if !allowed.labels.is_empty() => c.fail(
                "gateway.allowedRoutes.labels",
                "",
                "are only used with from: Selector",
                "set from: Selector, or drop the labels",
            ),
            _ => {}
        }
    }
}

/// A Kubernetes label key: optional DNS-subdomain prefix and `/`, then a name of ≤ 63 characters.
fn label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        spec::dns_subdomain(p).map_err(|rule| format!("have a prefix that would {rule}"))?;
    }
    label_value(name)?;
    if name.is_empty() {
        return Err("not be empty".into());
    }
    Ok(())
}

/// A Kubernetes label value: ≤ 63 of alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
fn label_value(value: &str) -> Result<(), String> {
    let ok = value.len() <= 63
        && value
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        && (value.is_empty()
            || (value.starts_with(|ch: char| ch.is_ascii_alphanumeric())
                && value.ends_with(|ch: char| ch.is_ascii_alphanumeric())));
    if ok {
        Ok(())
    } else {
        Err("be a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit".into())
    }
}

fn check_route(c: &mut Checker, at: &str, route: &RouteRequest) {
    if let Some(name) = &route.name {
        c.value(
            &format!("{at}.name"),
            name,
            spec::dns_subdomain(name),
            "use lowercase letters, digits, '-' and '.'",
        );
    }
    c.most(
        &format!("{at}.hostnames"),
        route.hostnames.len(),
        spec::MAX_HOSTNAMES,
    );
    for (i, h) in route.hostnames.iter().enumerate() {
        c.value(
            &format!("{at}.hostnames[{i}]"),
            h,
            spec::hostname(h),
            "e.g. api.example.com or *.example.com",
        );
    }
    c.most(&format!("{at}.rules"), route.rules.len(), spec::MAX_RULES);
    let matches: usize = route.rules.iter().map(|r| r.matches.len()).sum();
    c.most(
        &format!("{at}.rules[*].matches"),
        matches,
        spec::MAX_MATCHES_PER_ROUTE,
    );
    for (i, rule) in route.rules.iter().enumerate() {
        check_rule(c, &format!("{at}.rules[{i}]"), rule);
    }
    check_kind(c, at, route);
}

/// What each route kind can say: gRPC matches only on GRPCRoute, no paths or rewrites there, and
/// layer-4 routes are one rule of backends.
fn check_kind(c: &mut Checker, at: &str, route: &RouteRequest) {
    let kind = route.kind.unwrap_or_default();
    let name = kind.name();
    for (i, rule) in route.rules.iter().enumerate() {
        let at = format!("{at}.rules[{i}]");
        let mut refuse = |field: &str, present: bool, hint: &str| {
            if present {
                c.fail(
                    &format!("{at}.{field}"),
                    "",
                    &format!("is not available on a {name}"),
                    hint,
                );
            }
        };
        match kind {
            RouteKind::Http => {
                refuse(
                    "matches[*].grpc",
                    rule.matches.iter().any(|m| m.grpc.is_some()),
                    "use kind GRPCRoute for gRPC service and method matches",
                );
            }
            RouteKind::Grpc => {
                let http_only = |m: &MatchRequest| {
                    m.path.is_some() || !m.query_params.is_empty() || m.method.is_some()
                };
                refuse(
                    "matches[*]",
                    rule.matches.iter().any(http_only),
                    "match gRPC calls with grpc.service / grpc.method and headers",
                );
                refuse(
                    "rewrite",
                    rule.rewrite.is_some(),
                    "GRPCRoute filters are header changes and mirrors",
                );
                refuse(
                    "redirect",
                    rule.redirect.is_some(),
                    "GRPCRoute filters are header changes and mirrors",
                );
                refuse(
                    "timeouts",
                    rule.timeouts.is_some(),
                    "set timeouts in your implementation's policy",
                );
            }
            _ => {
                let filters = rule.rewrite.is_some()
                    || rule.redirect.is_some()
                    || rule.request_headers.is_some()
                    || rule.response_headers.is_some()
                    || !rule.mirror.is_empty()
                    || rule.timeouts.is_some();
                refuse(
                    "matches",
                    !rule.matches.is_empty(),
                    "layer-4 routes forward whole connections: drop the matches",
                );
                refuse(
                    "filters",
                    filters,
                    "layer-4 routes have no filters: drop them",
                );
            }
        }
        for (j, m) in rule.matches.iter().enumerate() {
            let Some(g) = &m.grpc else { continue };
            let field = format!("{at}.matches[{j}].grpc");
            if g.service.is_none() && g.method.is_none() {
                c.fail(
                    &field,
                    "",
                    "needs a service or a method",
                    "pass --grpc-service and/or --grpc-method",
                );
            }
            if let Some(svc) = &g.service {
                c.value(
                    &format!("{field}.service"),
                    svc,
                    spec::grpc_service(svc),
                    "e.g. tasks.v1.TaskService",
                );
            }
            if let Some(method) = &g.method {
                c.value(
                    &format!("{field}.method"),
                    method,
                    spec::grpc_method(method),
                    "e.g. ListTasks",
                );
            }
        }
    }
    if kind.is_l4() && route.rules.len() > 1 {
        c.fail(
            &format!("{at}.rules"),
            route.rules.len(),
            &format!("must be exactly one rule on a {name}"),
            "put all backends in one rule, weighted",
        );
    }
    match kind {
        RouteKind::Tls if route.hostnames.is_empty() => c.errors.push(FieldError::missing(
            format!("{at}.hostnames"),
            "are required on a TLSRoute: TLS passthrough routes by SNI hostname",
            "pass --hostname H",
        )),
        RouteKind::Tcp | RouteKind::Udp if !route.hostnames.is_empty() => c.fail(
            &format!("{at}.hostnames"),
            "",
            &format!("are not available on a {name}: it routes by port"),
            "drop the hostnames",
        ),
        _ => {}
    }
}

fn check_rule(c: &mut Checker, at: &str, rule: &RuleRequest) {
    c.most(
        &format!("{at}.matches"),
        rule.matches.len(),
        spec::MAX_MATCHES_PER_RULE,
    );
    for (i, m) in rule.matches.iter().enumerate() {
        check_match(c, &format!("{at}.matches[{i}]"), m);
    }
    c.most(
        &format!("{at}.backends"),
        rule.backends.len(),
        spec::MAX_BACKENDS,
    );
    for (i, b) in rule.backends.iter().enumerate() {
        check_backend(c, &format!("{at}.backends[{i}]"), b);
    }
    for (i, b) in rule.mirror.iter().enumerate() {
        let field = format!("{at}.mirror[{i}]");
        check_backend(c, &field, b);
        if b.weight.is_some() {
            c.fail(
                &format!("{field}.weight"),
                b.weight.unwrap_or_default(),
                "has no meaning for a mirror",
                "drop the weight: a mirror gets a copy of every request",
            );
        }
    }
    if let Some(rw) = &rule.rewrite {
        check_rewrite(c, &format!("{at}.rewrite"), rw, rule);
    }
    if let Some(rd) = &rule.redirect {
        check_redirect(c, &format!("{at}.redirect"), rd, rule);
    }
    for (field, changes) in [
        ("requestHeaders", &rule.request_headers),
        ("responseHeaders", &rule.response_headers),
    ] {
        if let Some(h) = changes {
            check_header_changes(c, &format!("{at}.{field}"), h);
        }
    }
    if let Some(t) = &rule.timeouts {
        check_timeouts(c, &format!("{at}.timeouts"), t);
    }
    let filters = usize::from(rule.rewrite.is_some())
        + usize::from(rule.redirect.is_some())
        + usize::from(rule.request_headers.is_some())
        + usize::from(rule.response_headers.is_some())
        + rule.mirror.len();
    c.most(&format!("{at}.filters"), filters, spec::MAX_FILTERS);
}

fn check_match(c: &mut Checker, at: &str, m: &MatchRequest) {
    if let Some(p) = &m.path {
        let field = format!("{at}.path.value");
        match p.type_ {
            PathType::RegularExpression
                if p.value.is_empty() || p.value.len() > spec::MAX_PATH_LEN =>
            {
                c.fail(
                    &field,
                    &p.value,
                    "must be 1 to 1024 characters",
                    "give a regular expression such as ^/api/v[0-9]+/",
                )
            }
            PathType::RegularExpression => {}
            _ => c.value(
                &field,
                &p.value,
                spec::path(&p.value),
                "an absolute path such as /api/",
            ),
        }
    }
    for (list, key, max_value) in [
        (&m.headers, "headers", spec::MAX_HEADER_VALUE_LEN),
        (&m.query_params, "queryParams", spec::MAX_QUERY_VALUE_LEN),
    ] {
        c.most(&format!("{at}.{key}"), list.len(), spec::MAX_HEADER_MATCHES);
        let mut seen = Vec::new();
        for (i, h) in list.iter().enumerate() {
            let field = format!("{at}.{key}[{i}]");
            c.value(
                &format!("{field}.name"),
                &h.name,
                spec::header_name(&h.name),
                "e.g. X-API-Version",
            );
            let value_rule = if h.value.is_empty() || h.value.len() > max_value {
                Err(format!("be 1 to {max_value} characters"))
            } else {
                Ok(())
            };
            c.value(
                &format!("{field}.value"),
                &h.value,
                value_rule,
                "give the value to match",
            );
            // Header names are case-insensitive; query parameter names are not.
            let name = if key == "headers" {
                h.name.to_ascii_lowercase()
            } else {
                h.name.clone()
            };
            if seen.contains(&name) {
                c.fail(
                    &format!("{field}.name"),
                    &h.name,
                    "must be unique within a match",
                    "match a name once per match; use several matches for alternatives",
                );
            }
            seen.push(name);
        }
    }
    if let Some(method) = &m.method {
        c.value(
            &format!("{at}.method"),
            method,
            spec::http_method(method),
            "use an uppercase HTTP method such as GET",
        );
    }
}

fn check_backend(c: &mut Checker, at: &str, b: &BackendRequest) {
    c.label(&format!("{at}.name"), &b.name);
    if let Some(ns) = &b.namespace {
        c.label(&format!("{at}.namespace"), ns);
    }
    if let Some(p) = b.port {
        c.port(&format!("{at}.port"), p);
    }
    if let Some(w) = b.weight {
        c.value(
            &format!("{at}.weight"),
            w,
            spec::weight(w),
            "weights are relative: 90 and 10 send 90% and 10%",
        );
    }
}

fn has_one_prefix_match(rule: &RuleRequest) -> bool {
    match rule.matches.as_slice() {
        [] => true,
        [only] => only
            .path
            .as_ref()
            .is_none_or(|p| p.type_ == PathType::PathPrefix),
        _ => false,
    }
}

fn check_path_replacement(
    c: &mut Checker,
    at: &str,
    prefix: &Option<String>,
    path: &Option<String>,
    rule: &RuleRequest,
) {
    if prefix.is_some() && path.is_some() {
        c.fail(
            at,
            "",
            "can replace the prefix or the full path, not both",
            "keep one of prefix and path",
        );
    }
    for (key, value) in [("prefix", prefix), ("path", path)] {
        if let Some(v) = value {
            c.value(
                &format!("{at}.{key}"),
                v,
                spec::replacement_path(v),
                "an absolute path such as /api/v1",
            );
        }
    }
    if prefix.is_some() && !has_one_prefix_match(rule) {
        c.fail(&format!("{at}.prefix"), prefix.as_deref().unwrap_or_default(), "needs exactly one match whose path is a PathPrefix (Gateway API rule for ReplacePrefixMatch)", "match with --path-prefix, or replace the full path with --rewrite-path");
    }
}

fn check_rewrite(c: &mut Checker, at: &str, rw: &RewriteRequest, rule: &RuleRequest) {
    check_path_replacement(c, at, &rw.prefix, &rw.path, rule);
    if let Some(h) = &rw.hostname {
        c.value(
            &format!("{at}.hostname"),
            h,
            spec::precise_hostname(h),
            "e.g. internal.example.com",
        );
    }
    if rw == &RewriteRequest::default() {
        c.fail(
            at,
            "",
            "must change something: prefix, path or hostname",
            "drop the rewrite or give one of its fields",
        );
    }
}

fn check_redirect(c: &mut Checker, at: &str, rd: &RedirectRequest, rule: &RuleRequest) {
    check_path_replacement(c, at, &rd.prefix, &rd.path, rule);
    if let Some(s) = &rd.scheme {
        c.value(
            &format!("{at}.scheme"),
            s,
            spec::redirect_scheme(s),
            "http or https",
        );
    }
    if let Some(h) = &rd.hostname {
        c.value(
            &format!("{at}.hostname"),
            h,
            spec::precise_hostname(h),
            "e.g. www.example.com",
        );
    }
    if let Some(p) = rd.port {
        c.port(&format!("{at}.port"), p);
    }
    if let Some(code) = rd.status_code {
        c.value(
            &format!("{at}.statusCode"),
            code,
            spec::redirect_status(code),
            "301 for permanent, 302 for temporary",
        );
    }
    if !rule.backends.is_empty() || !rule.mirror.is_empty() {
        c.fail(
            at,
            "",
            "cannot be used with backends or a mirror: a redirect answers the request itself",
            "drop the backends of this rule, or drop the redirect",
        );
    }
    if rule.rewrite.is_some() {
        c.fail(
            at,
            "",
            "cannot be combined with a rewrite in the same rule",
            "keep either the redirect or the rewrite",
        );
    }
}

fn check_header_changes(c: &mut Checker, at: &str, h: &HeaderChanges) {
    let mut seen: Vec<String> = Vec::new();
    for (key, list) in [("add", &h.add), ("set", &h.set)] {
        c.most(&format!("{at}.{key}"), list.len(), spec::MAX_HEADER_CHANGES);
        for (i, nv) in list.iter().enumerate() {
            let field = format!("{at}.{key}[{i}]");
            c.value(
                &format!("{field}.name"),
                &nv.name,
                spec::header_name(&nv.name),
                "e.g. X-Forwarded-By",
            );
            c.value(
                &format!("{field}.value"),
                &nv.value,
                spec::header_value(&nv.value),
                "give the header's value",
            );
            let lower = nv.name.to_ascii_lowercase();
            if seen.contains(&lower) {
                c.fail(
                    &format!("{field}.name"),
                    &nv.name,
                    "must be unique across add and set",
                    "change each header once",
                );
            }
            seen.push(lower);
        }
    }
    c.most(
        &format!("{at}.remove"),
        h.remove.len(),
        spec::MAX_HEADER_CHANGES,
    );
    let mut removed: Vec<String> = Vec::new();
    for (i, name) in h.remove.iter().enumerate() {
        let field = format!("{at}.remove[{i}]");
        c.value(
            &field,
            name,
            spec::header_name(name),
            "e.g. X-Internal-Header",
        );
        if removed.contains(&name.to_ascii_lowercase()) {
            c.fail(&field, name, "must be unique", "remove each header once");
        }
        removed.push(name.to_ascii_lowercase());
    }
}

fn check_timeouts(c: &mut Checker, at: &str, t: &TimeoutsRequest) {
    for (key, value) in [
        ("request", &t.request),
        ("backendRequest", &t.backend_request),
    ] {
        if let Some(v) = value {
            c.value(
                &format!("{at}.{key}"),
                v,
                spec::duration(v),
                "e.g. 10s, 1m30s or 500ms",
            );
        }
    }
    let millis = |v: &Option<String>| v.as_deref().and_then(spec::duration_millis);
    if let (Some(req), Some(backend)) = (millis(&t.request), millis(&t.backend_request)) {
        if req != 0 && backend > req {
            c.fail(
                &format!("{at}.backendRequest"),
                t.backend_request.as_deref().unwrap_or_default(),
                "must not be longer than the request timeout",
                "lower backendRequest or raise request",
            );
        }
    }
}
