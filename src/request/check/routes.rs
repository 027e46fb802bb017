//! Checks of routes: hostnames, rules, matches, backends and filters, and what each route kind allows.

use super::*;
use crate::door::{setting, setting_as};

/// How to fix a RegularExpression value that does not compile.
const REGEX_HINT: &str = "write RE2 syntax, which Envoy-based implementations compile: no look-around or backreferences, and a backslash before a literal ( ) [ ] { } . * + ? |";

pub(super) fn check_route(c: &mut Checker, at: &str, route: &RouteRequest) {
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
                refuse(
                    "cors",
                    rule.cors.is_some(),
                    "the CORS filter is HTTPRoute's: browsers do not call gRPC services directly",
                );
            }
            _ => {
                let filters = rule.rewrite.is_some()
                    || rule.redirect.is_some()
                    || rule.request_headers.is_some()
                    || rule.response_headers.is_some()
                    || !rule.mirror.is_empty()
                    || rule.timeouts.is_some()
                    || rule.cors.is_some();
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
                let hint = format!(
                    "use {} and/or {}",
                    setting(&format!("{field}.service")),
                    setting(&format!("{field}.method"))
                );
                c.fail(&field, "", "needs a service or a method", &hint);
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
            format!(
                "use {}",
                setting_as(&format!("{at}.hostnames"), "HOST", "[HOST]")
            ),
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
    if let Some(cors) = &rule.cors {
        check_cors(c, &format!("{at}.cors"), cors);
    }
    let filters = usize::from(rule.cors.is_some())
        + usize::from(rule.rewrite.is_some())
        + usize::from(rule.redirect.is_some())
        + usize::from(rule.request_headers.is_some())
        + usize::from(rule.response_headers.is_some())
        + rule.mirror.len();
    c.most(&format!("{at}.filters"), filters, spec::MAX_FILTERS);
}

/// The lists as the CRD takes them: valid items, each once, `*` alone (but in exposeHeaders,
/// where it is a name like any other).
fn check_cors(c: &mut Checker, at: &str, cors: &CorsRequest) {
    type Rule = fn(&str) -> Result<(), String>;
    let lists: [(&str, &[String], Rule, usize, &str); 4] = [
        (
            "allowOrigins",
            &cors.allow_origins,
            spec::cors_origin,
            spec::MAX_CORS_ITEMS,
            "e.g. https://app.example.com or https://*.example.com",
        ),
        (
            "allowMethods",
            &cors.allow_methods,
            spec::cors_method,
            spec::HTTP_METHODS.len(),
            "e.g. GET, in capitals",
        ),
        (
            "allowHeaders",
            &cors.allow_headers,
            spec::header_name,
            spec::MAX_CORS_ITEMS,
            "e.g. Authorization",
        ),
        (
            "exposeHeaders",
            &cors.expose_headers,
            spec::header_name,
            spec::MAX_CORS_ITEMS,
            "e.g. X-Request-Id",
        ),
    ];
    for (key, list, rule, max, hint) in lists {
        let field = format!("{at}.{key}");
        c.most(&field, list.len(), max);
        for (i, item) in list.iter().enumerate() {
            c.value(&format!("{field}[{i}]"), item, rule(item), hint);
            if list[..i].contains(item) {
                c.fail(
                    &format!("{field}[{i}]"),
                    item,
                    "must be unique (the list is a set)",
                    "give each value once",
                );
            }
        }
        if key != "exposeHeaders" && list.len() > 1 && list.iter().any(|v| v == "*") {
            c.fail(
                &field,
                list.join(", "),
                "cannot have '*' alongside other values",
                "'*' already allows everything: keep it alone, or list the values without it",
            );
        }
    }
    if let Some(age) = cors.max_age {
        if !(1..=i64::from(i32::MAX)).contains(&age) {
            c.fail(
                &format!("{at}.maxAge"),
                age,
                "must be 1 to 2147483647 (seconds a browser may cache a preflight answer)",
                "e.g. 600",
            );
        }
    }
}

fn check_match(c: &mut Checker, at: &str, m: &MatchRequest) {
    if let Some(p) = &m.path {
        let field = format!("{at}.path.value");
        match p.type_ {
            PathType::RegularExpression
                if p.value.is_empty() || spec::at_most(&p.value, spec::MAX_PATH_LEN).is_err() =>
            {
                c.fail(
                    &field,
                    &p.value,
                    "must be 1 to 1024 characters",
                    "give a regular expression such as ^/api/v[0-9]+/",
                )
            }
            PathType::RegularExpression => {
                c.value(&field, &p.value, spec::regex(&p.value), REGEX_HINT)
            }
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
            let value_rule = if h.value.is_empty() || spec::at_most(&h.value, max_value).is_err() {
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
            if h.type_ == Some(ValueMatchType::RegularExpression) {
                c.value(
                    &format!("{field}.value"),
                    &h.value,
                    spec::regex(&h.value),
                    REGEX_HINT,
                );
            }
            // The API refuses a name twice; header names that differ only in case it accepts,
            // though they name one header (query parameter names are case-sensitive).
            if seen.contains(&h.name) {
                c.fail(
                    &format!("{field}.name"),
                    &h.name,
                    "must be unique within a match",
                    "match a name once per match; use several matches for alternatives",
                );
            } else if let Some(first) = seen
                .iter()
                .position(|n| key == "headers" && n.eq_ignore_ascii_case(&h.name))
            {
                c.warn(
                    "header-match-case",
                    &format!("{field}.name"),
                    &h.name,
                    &format!("names header {:?} of this match again, in other case: header names are case-insensitive, so the controller matches the first of them and ignores this one", seen[first]),
                    "match each header once per match (both values at once cannot hold: use a RegularExpression, or several matches for alternatives)",
                );
            }
            seen.push(h.name.clone());
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
        let Some(v) = value else { continue };
        let field = format!("{at}.{key}");
        let shape = spec::path_shape(v);
        let ok = shape.is_ok();
        c.value(&field, v, shape, "an absolute path such as /api/v1");
        if let (true, Err(rule)) = (ok, spec::path_characters(v)) {
            c.warn(
                "replacement-path-characters",
                &field,
                v,
                &format!("would be refused as a path match, which must {rule}: the API accepts it as a replacement, but implementations may percent-encode it, refuse the route or send a request line backends reject"),
                "percent-encode the other characters (a space as %20, '?' as %3F, '#' as %23)",
            );
        }
    }
    if prefix.is_some() && !has_one_prefix_match(rule) {
        c.fail(&format!("{at}.prefix"), prefix.as_deref().unwrap_or_default(), "needs exactly one match whose path is a PathPrefix (Gateway API rule for ReplacePrefixMatch)", &format!("match with a PathPrefix, or replace the full path ({})", setting(&format!("{at}.path"))));
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
    if !rule.backends.is_empty() {
        c.fail(
            at,
            "",
            "cannot be used with backends: a redirect answers the request itself",
            "drop the backends of this rule, or drop the redirect",
        );
    } else if let Some(mirror) = rule.mirror.first() {
        c.warn(
            "redirect-with-mirror",
            at,
            "",
            &format!("answers every request of the rule with a redirect, and the rule also mirrors to {}: the API accepts both, but whether the copy of a request that is redirected, not forwarded, reaches the mirror depends on the implementation", mirror.name),
            "mirror in the rule the redirect leads to, or drop the mirror",
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
    let mut seen: Vec<(String, &str)> = Vec::new();
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
            // The API refuses a name twice in one list; in add and set, or in other case, it
            // accepts it, and the header gets what the order the implementation applies them says.
            if seen.contains(&(nv.name.clone(), key)) {
                c.fail(
                    &format!("{field}.name"),
                    &nv.name,
                    &format!("must be unique within {key}"),
                    "change each header once",
                );
            } else if let Some((first, in_list)) =
                seen.iter().find(|(n, _)| n.eq_ignore_ascii_case(&nv.name))
            {
                c.warn(
                    "header-changed-twice",
                    &format!("{field}.name"),
                    &nv.name,
                    &format!("changes header {first:?} of {in_list} again (header names are case-insensitive): whether the request ends with one value or both depends on the order the implementation applies add and set"),
                    "change each header once: set to replace its value, add to append one",
                );
            }
            seen.push((nv.name.clone(), key));
        }
    }
    c.most(
        &format!("{at}.remove"),
        h.remove.len(),
        spec::MAX_HEADER_CHANGES,
    );
    for (i, name) in h.remove.iter().enumerate() {
        let field = format!("{at}.remove[{i}]");
        c.value(
            &field,
            name,
            spec::header_name(name),
            "e.g. X-Internal-Header",
        );
        // The API refuses a name twice; the same name in other case removes the same header.
        if h.remove[..i].contains(name) {
            c.fail(&field, name, "must be unique", "remove each header once");
        }
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
