//! The request setting behind a problem found in the rendered output. `generate` lints what it
//! renders and refuses what lint rejects; the refusal then names the request field to change (and
//! each door its flag or tool parameter), not only the output's object and field.

use super::gateway::{NAMESPACE_NAME_LABEL, SHARED_LABEL, SHARED_LABEL_FIELD};
use crate::door::{setting_as, setting_to};
use crate::finding::Finding;
use crate::request::*;

/// The field error for `finding`, an error lint found in the output of `request`: the request
/// field the output field comes from, the finding's message with the object it is about, and a
/// fix in request settings where one is known (the finding's own hint otherwise).
pub fn field_error(request: &Request, finding: &Finding) -> FieldError {
    let at = finding.field.as_deref().unwrap_or_default();
    let object = finding
        .resource
        .as_ref()
        .map(|r| format!("{r} {at}").trim_end().to_string())
        .unwrap_or_default();
    let said = format!(
        "the generated {object} would be refused ({}): {}",
        finding.rule, finding.message
    );
    let hint = match finding.rule.as_str() {
        // The lint hint speaks of parentRefs; the request's setting is the listener.
        "redirect-loop" => format!(
            "redirect to a scheme, hostname, port or path this rule does not take, or attach the route only to the listener the redirect should leave ({})",
            setting_to("gateway.listener", "NAME")
        ),
        _ => finding.hint.clone().unwrap_or_default(),
    };
    let kind = finding.resource.as_ref().map(|r| r.kind.as_str());
    if finding.rule == "route-not-allowed-by-listener" {
        if let Some(e) = not_admitted(request, finding, &said) {
            return e;
        }
    }
    let field = match kind {
        Some("Gateway") => gateway_field(at),
        Some("GatewayClass") if at.contains("controllerName") => "gateway.controller".into(),
        Some("GatewayClass") => "gateway.className".into(),
        Some("ReferenceGrant") => "serviceNamespace".into(),
        Some(kind) if kind.ends_with("Route") => {
            let name = finding.resource.as_ref().map(|r| r.name.as_str());
            route_field(request, kind, name.unwrap_or_default(), at)
        }
        _ => "options.rbac".into(),
    };
    FieldError::new(field, "", said, hint)
}

/// The request field of a Gateway's output field: the listeners' hostname, TLS, allowed routes or port.
fn gateway_field(at: &str) -> String {
    let parts = [
        (".hostname", "gateway.hostname"),
        (".tls", "gateway.tlsSecret"),
        (".allowedRoutes", "gateway.allowedRoutes"),
        (".port", "gateway.port"),
    ];
    let found = parts.iter().find(|(part, _)| at.contains(part));
    found.map_or("gateway", |(_, field)| field).to_string()
}

/// The request field of a route's output field: `routes[i]` of the route with that kind and name
/// (the route of the flags when the request lists none), and below it the rule's backends,
/// matches, filters or hostnames. The redirect route of `httpsRedirect` is that setting.
fn route_field(request: &Request, kind: &str, name: &str, at: &str) -> String {
    let implicit = [RouteRequest::default()];
    let routes = match request.routes.as_slice() {
        [] => &implicit[..],
        routes => routes,
    };
    let found = routes.iter().position(|r| {
        let own = r.name.as_deref().or(request.service.as_deref());
        r.kind.unwrap_or_default().name() == kind && own == Some(name)
    });
    let Some(i) = found else {
        return match name.ends_with("-https-redirect") {
            true => "gateway.httpsRedirect".into(),
            false => "routes".into(),
        };
    };
    let route = format!("routes[{i}]");
    if at.starts_with("spec.hostnames") {
        return format!("{route}.hostnames");
    }
    if at.starts_with("spec.parentRefs") {
        return "gateway.listener".into();
    }
    let Some(rest) = at.strip_prefix("spec.rules[") else {
        return route;
    };
    let Some((j, below)) = rest.split_once(']') else {
        return route;
    };
    let rule = format!("{route}.rules[{j}]");
    let asked = j.parse::<usize>().ok().and_then(|j| routes[i].rules.get(j));
    match below {
        b if b.starts_with(".backendRefs") => format!("{rule}.backends"),
        b if b.starts_with(".matches") || b.starts_with(".timeouts") => format!("{rule}{b}"),
        b if b.starts_with(".filters") => match asked {
            Some(r) if r.redirect.is_some() => format!("{rule}.redirect"),
            Some(r) if r.rewrite.is_some() => format!("{rule}.rewrite"),
            _ => rule,
        },
        _ => rule,
    }
}

/// A route no listener admits: the listeners' `allowedRoutes` is the setting. A selector on the
/// namespace-name label that names another namespace is said as such, with the label that admits
/// the route's namespace.
fn not_admitted(request: &Request, finding: &Finding, said: &str) -> Option<FieldError> {
    let namespace = finding.resource.as_ref()?.namespace.clone()?;
    let allowed = request.gateway.allowed_routes.as_ref()?;
    let all = setting_as("gateway.allowedRoutes.from", "all", "All");
    let admit = setting_as(
        "gateway.allowedRoutes.labels",
        &format!("{NAMESPACE_NAME_LABEL}={namespace}"),
        &format!("{{{NAMESPACE_NAME_LABEL}: {namespace}}}"),
    );
    let other = allowed
        .labels
        .iter()
        .find(|(k, v)| *k == NAMESPACE_NAME_LABEL && **v != namespace);
    let Some((key, value)) = other else {
        return Some(FieldError::new(
            "gateway.allowedRoutes",
            "",
            said,
            format!("admit namespace {namespace}: {admit}, or {all}"),
        ));
    };
    let message = format!("selects namespace {value} by its name ({key}, which Kubernetes sets to each namespace's own name), so the routes of namespace {namespace} cannot attach: {said}");
    let hint = format!(
        "use {admit}, or a label namespace {namespace} carries (kubectl label namespace {namespace} {SHARED_LABEL}, then {}), or {all}",
        setting_as("gateway.allowedRoutes.labels", SHARED_LABEL, SHARED_LABEL_FIELD)
    );
    Some(FieldError::new(
        "gateway.allowedRoutes.labels",
        format!("{key}={value}"),
        message,
        hint,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ResourceId, Severity};

    fn finding(kind: &str, name: &str, field: &str) -> Finding {
        let resource = ResourceId {
            kind: kind.into(),
            namespace: Some("app".into()),
            name: name.into(),
        };
        Finding::new(Severity::Error, "missing-field", "broken")
            .on(Some(resource))
            .field(field)
    }

    #[test]
    fn output_fields_map_to_the_request_fields_they_come_from() {
        let request: Request = crate::yaml::from_str(
            "service: web\nroutes:\n- name: a\n- name: b\n  rules:\n  - {}\n  - redirect: {scheme: https}\n",
        )
        .unwrap();
        let cases = [
            (
                "HTTPRoute",
                "b",
                "spec.rules[1].filters[0]",
                "routes[1].rules[1].redirect",
            ),
            (
                "HTTPRoute",
                "b",
                "spec.rules[0].backendRefs[2].port",
                "routes[1].rules[0].backends",
            ),
            (
                "HTTPRoute",
                "a",
                "spec.rules[0].matches[1].path",
                "routes[0].rules[0].matches[1].path",
            ),
            ("HTTPRoute", "a", "spec.hostnames[0]", "routes[0].hostnames"),
            ("HTTPRoute", "a", "spec.parentRefs[0]", "gateway.listener"),
            (
                "HTTPRoute",
                "web-https-redirect",
                "spec.rules[0]",
                "gateway.httpsRedirect",
            ),
            ("GRPCRoute", "a", "spec", "routes"),
            (
                "Gateway",
                "gw",
                "spec.listeners[1].tls.certificateRefs[0]",
                "gateway.tlsSecret",
            ),
            (
                "Gateway",
                "gw",
                "spec.listeners[0].hostname",
                "gateway.hostname",
            ),
            (
                "GatewayClass",
                "eg",
                "spec.controllerName",
                "gateway.controller",
            ),
        ];
        for (kind, name, field, expected) in cases {
            let e = field_error(&request, &finding(kind, name, field));
            assert_eq!(e.field, expected, "{kind} {name} {field}");
            assert!(
                e.message.contains("(missing-field): broken"),
                "{}",
                e.message
            );
        }
        // Without routes in the request, the route of the flags is routes[0].
        let flags: Request = crate::yaml::from_str("service: web\n").unwrap();
        let e = field_error(
            &flags,
            &finding("HTTPRoute", "web", "spec.rules[0].backendRefs"),
        );
        assert_eq!(e.field, "routes[0].rules[0].backends");
    }
}
