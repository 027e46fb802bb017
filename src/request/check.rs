//! Checks a [`Request`] field by field and reports every problem at once, each naming the field
//! path, the value, the rule it breaks and how to fix it. The wizard validates single answers with
//! the same functions in `spec`, so a value accepted there is accepted here.

mod routes;

use super::*;
use crate::door::{flag_note, setting, setting_as, setting_to};
use crate::finding::{Finding, Severity};
use crate::spec;
use routes::check_route;
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

/// Collects errors, and warnings about values the API accepts but that may not do what was
/// meant, while walking the request.
#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
    warnings: Vec<Finding>,
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

    /// A value the API accepts at `field` that is risky: `message` says why, `hint` what to do.
    fn warn(&mut self, rule: &str, field: &str, value: &str, message: &str, hint: &str) {
        let at = match value {
            "" => format!("{field}{}", flag_note(field)),
            v => format!("{field}{} = {v:?}", flag_note(field)),
        };
        self.warnings
            .push(Finding::new(Severity::Warning, rule, format!("{at}: {message}")).hint(hint));
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
    let c = walk(request);
    if c.errors.is_empty() {
        Ok(())
    } else {
        Err(RequestError::Invalid(c.errors))
    }
}

/// What the API accepts in `request` but may not do what was meant: header names that differ
/// only in case, a header both added and set, a redirect with a mirror, replacement paths with
/// characters a path match would refuse. The plan passes them on as warnings.
pub fn warnings(request: &Request) -> Vec<Finding> {
    walk(request).warnings
}

fn walk(request: &Request) -> Checker {
    let mut c = Checker::default();
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
    c
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
                &format!(
                    "e.g. {}",
                    setting_as(
                        "options.rbacGroups",
                        "platform=platform-team",
                        "{platform: platform-team}"
                    )
                ),
            );
        }
        if group.is_empty() {
            c.fail(
                &format!("options.rbacGroups.{persona}"),
                "",
                "must name a group",
                &format!(
                    "e.g. {}",
                    setting_as(
                        "options.rbacGroups",
                        "app=task-api-developers",
                        "{app: task-api-developers}"
                    )
                ),
            );
        }
    }
    if !o.rbac_groups.is_empty() && !o.rbac {
        c.fail(
            "options.rbac",
            "false",
            "must be true when rbacGroups are given",
            &format!("use {}", setting_to("options.rbac", "true")),
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
    for h in &g.hostnames {
        c.value(
            "gateway.hostnames",
            h,
            spec::hostname(h),
            "e.g. api.example.com or *.example.com",
        );
    }
    if g.hostname.is_some() && !g.hostnames.is_empty() {
        c.fail(
            "gateway.hostnames",
            g.hostnames.join(", "),
            "cannot be given with gateway.hostname",
            &format!("list every hostname in {}", setting("gateway.hostnames")),
        );
    }
    for (host, secret) in &g.tls_secrets {
        if g.hostnames.is_empty() {
            c.value(
                "gateway.tlsSecrets",
                host,
                spec::hostname(host),
                "key each certificate by its hostname, e.g. api.example.com",
            );
        } else if !g.hostnames.contains(host) {
            c.fail(
                "gateway.tlsSecrets",
                host,
                "names a hostname that is not one of gateway.hostnames",
                &format!(
                    "give the certificate of a listener hostname ({} with HOST one of {})",
                    setting_as("gateway.tlsSecrets", "HOST=SECRET", "{HOST: SECRET}"),
                    setting("gateway.hostnames")
                ),
            );
        }
        let (ns, name) = parse_ref(secret);
        if let Some(ns) = ns {
            c.label("gateway.tlsSecrets", &ns);
        }
        c.value(
            "gateway.tlsSecrets",
            secret,
            spec::dns_subdomain(&name),
            "name the Secret as NAME or NAMESPACE/NAME",
        );
    }
    // Without hostnames, the tlsSecrets hostnames have HTTPS listeners of their own.
    let uncovered = match g.hostnames.is_empty() {
        true => g.tls_secrets.is_empty(),
        false => g.hostnames.iter().any(|h| !g.tls_secrets.contains_key(h)),
    };
    if g.https && g.tls_secret.is_none() && uncovered {
        c.errors.push(FieldError::missing(
            "gateway.tlsSecret",
            "is required with https: an HTTPS listener terminates TLS with a certificate Secret",
            format!(
                "use {} (a kubernetes.io/tls Secret), or {} for each of {}",
                setting_to("gateway.tlsSecret", "[NAMESPACE/]NAME"),
                setting_as("gateway.tlsSecrets", "HOST=SECRET", "{HOST: SECRET}"),
                setting("gateway.hostnames")
            ),
        ));
    }
    if !g.tls_secrets.is_empty() && !g.https {
        c.fail("gateway.https", "false", "must be true when tlsSecrets are given (the secrets are only used by the HTTPS listeners)", &format!("use {}", setting_to("gateway.https", "true")));
    }
    if g.tls_secret.is_some() && !g.https {
        c.fail("gateway.https", "false", "must be true when a tlsSecret is given (the secret is only used by the HTTPS listener)", &format!("use {}", setting_to("gateway.https", "true")));
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
    let ok = value.chars().count() <= 63
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
