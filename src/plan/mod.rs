//! From a checked [`Request`] and its deployment context to the objects to emit.
//!
//! Every derivation lives here, not in templates: defaults from the context's profile and the
//! implementation preset, the apiVersions of the target release, the ReferenceGrants that
//! cross-namespace backends and certificates need (in the target namespace, narrowed to the one
//! object), `allowedRoutes` when routes attach from another namespace, parentRefs with `namespace`
//! and `sectionName`, and RBAC per persona. Route attachment is never given a ReferenceGrant: only
//! the listener's `allowedRoutes` governs it.
//!
//! `gateway` plans the GatewayClass and Gateway, `routes` the routes, `grants` the ReferenceGrants,
//! `rbac` the roles.

mod gateway;
mod grants;
mod origin;
mod rbac;
mod routes;

use crate::context::{Profile, Profiles, RoutesNeed};
use crate::door::{setting, setting_to};
use crate::finding::{Finding, Severity};
use crate::implementation::{Implementation, Implementations};
use crate::model::*;
use crate::request::*;
use crate::version::{self, Version};
pub use gateway::listener_name;
pub use origin::field_error as output_field_error;

/// The implementation whose class and controller are used when the request names none.
pub const DEFAULT_IMPLEMENTATION: &str = "envoy-gateway";

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
    /// What the user should know: the context's notes, experimental-channel requirements, …
    pub notes: Vec<Finding>,
    /// The implementation the manifests are for (its feature claims are checked after rendering).
    pub implementation: Implementation,
    /// Some object needs the experimental channel's CRDs (an alpha apiVersion of an older release).
    pub experimental: bool,
}

/// Everything the planning steps share: the request, the values resolved from it and the
/// profile, and the errors and notes found so far.
struct Planner<'a> {
    request: &'a Request,
    profile: &'a Profile,
    implementation: Implementation,
    version: Version,
    service: Option<&'a str>,
    /// The app namespace, where routes live; `None` when the context generates no routes.
    namespace: Option<String>,
    gateway_name: String,
    gateway_namespace: String,
    errors: Vec<FieldError>,
    notes: Vec<Finding>,
    experimental: bool,
}

/// Checks `request` and plans its objects. All problems are reported together.
pub fn plan(request: &Request, profiles: &Profiles) -> Result<Plan, RequestError> {
    check(request)?;
    let profile = profile_of(request, profiles)?;
    let mut p = Planner::new(request, profile);
    p.notes.extend(warnings(request));
    let mut resources = Vec::new();
    if request.gateway.with_gateway_class {
        resources.push(p.gateway_class());
    }
    let routes = p.routes();
    if profile.gateway.create {
        resources.push(p.gateway(&routes));
        resources.extend(p.certificate_grants());
    }
    let grants = grants::backend_grants(&routes);
    // A route that could not be planned (a missing name) may hold the foreign backends: only a
    // request that names none anywhere lacks them.
    let names_foreign = names_foreign_backends(request, p.namespace.as_deref());
    if profile.cross_namespace_backends && grants.is_empty() && !names_foreign {
        p.errors.push(FieldError::missing("serviceNamespace", format!("is required for context {}: its backends live in another namespace than the routes", profile.name),
            format!("use {} (or give the backends their namespace); for a backend in the same namespace use {} or shared-gateway", setting_to("serviceNamespace", "NS"), setting_to("context", "single-dev")),
        ));
    }
    resources.extend(routes);
    resources.extend(grants);
    if request.options.rbac {
        let rbac = p.rbac(&resources);
        resources.extend(rbac);
    }
    p.context_notes();
    if !p.errors.is_empty() {
        return Err(RequestError::Invalid(p.errors));
    }
    Ok(Plan {
        context: profile.name.clone(),
        resources,
        notes: p.notes,
        implementation: p.implementation,
        experimental: p.experimental,
    })
}

/// Whether a backend or mirror of the request's routes lives in another namespace than `namespace`
/// (the app's, when known).
fn names_foreign_backends(request: &Request, namespace: Option<&str>) -> bool {
    let rules = request.routes.iter().flat_map(|r| &r.rules);
    let mut backends = rules.flat_map(|rule| rule.backends.iter().chain(&rule.mirror));
    backends.any(|b| {
        b.namespace
            .as_deref()
            .is_some_and(|ns| Some(ns) != namespace)
    })
}

fn profile_of<'a>(request: &Request, profiles: &'a Profiles) -> Result<&'a Profile, RequestError> {
    let names = profiles.names().join(", ");
    let Some(name) = &request.context else {
        return Err(RequestError::Invalid(vec![FieldError::missing(
            "context",
            "is required: the deployment context decides what is generated",
            format!("use {} with one of: {names}", setting("context")),
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

fn required(field: &str, profile: &Profile, flag: &str) -> FieldError {
    FieldError::missing(
        field,
        format!("is required for context {}", profile.name),
        format!("use {flag}"),
    )
}

impl<'a> Planner<'a> {
    fn new(request: &'a Request, profile: &'a Profile) -> Planner<'a> {
        let mut errors = Vec::new();
        if !profile.gateway.create {
            refuse_gateway_fields(request, profile, &mut errors);
        }
        let implementation = implementation_of(request, &mut errors);
        let version = match &request.options.gateway_api {
            // Checked by `check`: a bad value never gets here.
            Some(v) => Version::parse(v).unwrap_or(version::LATEST),
            None => version::LATEST,
        };
        let service = request.service.as_deref();
        let namespace = request
            .namespace
            .clone()
            .or_else(|| service.map(str::to_string));
        let wants_routes = profile.routes == RoutesNeed::Required
            || service.is_some()
            || !request.routes.is_empty();
        if wants_routes && namespace.is_none() {
            let what = format!(
                "{} (the namespace defaults to it), or {} with routes that name their backends",
                setting_to("service", "NAME"),
                setting_to("namespace", "NS")
            );
            errors.push(required("service", profile, &what));
            // No route can be planned without a namespace, so its backend's missing port would go
            // unreported: report it here, so that one run lists every missing value.
            if request.port.is_none() && request.routes.is_empty() {
                errors.push(required("port", profile, &setting_to("port", "PORT")));
            }
        }
        let gateway_name = match (&request.gateway.name, &profile.gateway.name) {
            (Some(name), _) => name.clone(),
            (None, Some(pattern)) if pattern.contains("{service}") => match service {
                Some(s) => pattern.replace("{service}", s),
                None => {
                    errors.push(required(
                        "gateway.name",
                        profile,
                        &format!(
                            "{} (or {}, which names the Gateway after it)",
                            setting_to("gateway.name", "NAME"),
                            setting("service")
                        ),
                    ));
                    String::new()
                }
            },
            (None, Some(name)) => name.clone(),
            (None, None) => {
                errors.push(required(
                    "gateway.name",
                    profile,
                    &format!(
                        "{} (the name of the existing Gateway to attach to)",
                        setting_to("gateway.name", "NAME")
                    ),
                ));
                String::new()
            }
        };
        let gateway_namespace = match &request.gateway.namespace {
            Some(ns) => ns.clone(),
            // The Gateway lives where the app does; a missing namespace is reported above.
            None if profile.gateway.namespace == "{namespace}" => {
                namespace.clone().unwrap_or_default()
            }
            None => profile.gateway.namespace.clone(),
        };
        // A missing value is reported above; planning goes on with a blank one so that the rest of
        // the request is checked in the same run (the plan fails anyway).
        Planner {
            request,
            profile,
            implementation,
            version,
            service,
            namespace: if wants_routes { namespace } else { None },
            gateway_name,
            gateway_namespace,
            errors,
            notes: Vec::new(),
            experimental: false,
        }
    }

    /// The apiVersion of `kind` on the target release; an error at `field` when it lacks the kind.
    fn api_version(&mut self, kind: &str, field: &str) -> String {
        match self.version.api_version(kind) {
            Ok((api, note)) => {
                if let Some(note) = note {
                    self.experimental = true;
                    self.note(Severity::Warning, "experimental-channel-needed", note);
                }
                api
            }
            Err(message) => {
                let hint = format!(
                    "target a newer release with {} (now {})",
                    setting("options.gatewayApi"),
                    self.version
                );
                self.errors
                    .push(FieldError::new(field, kind, message, hint));
                format!("{}/v1", crate::spec::GROUP)
            }
        }
    }

    fn note(&mut self, severity: Severity, rule: &str, message: String) {
        if !self.notes.iter().any(|n| n.message == message) {
            self.notes.push(Finding::new(severity, rule, message));
        }
    }

    fn context_notes(&mut self) {
        let gateway = format!("{}/{}", self.gateway_namespace, self.gateway_name);
        let namespace = self.namespace.clone().unwrap_or_default();
        for text in &self.profile.notes {
            let message = text
                .replace("{gateway}", &gateway)
                .replace("{namespace}", &namespace);
            self.notes
                .push(Finding::new(Severity::Note, "context-note", message));
        }
    }
}

fn implementation_of(request: &Request, errors: &mut Vec<FieldError>) -> Implementation {
    let name = request
        .options
        .implementation
        .as_deref()
        .unwrap_or(DEFAULT_IMPLEMENTATION);
    let presets = Implementations::built_in();
    match presets.get(name) {
        Some(found) => found.clone(),
        None => {
            errors.push(FieldError::new(
                "options.implementation",
                name,
                "is not a known implementation",
                format!("use one of: {}", presets.names().join(", ")),
            ));
            presets
                .get(DEFAULT_IMPLEMENTATION)
                .expect("the default implementation is built in")
                .clone()
        }
    }
}

/// Listener settings given to a context that attaches to an existing Gateway would be dropped silently.
fn refuse_gateway_fields(request: &Request, profile: &Profile, errors: &mut Vec<FieldError>) {
    let g = &request.gateway;
    let given = [
        ("gateway.https", g.https),
        ("gateway.tlsSecret", g.tls_secret.is_some()),
        ("gateway.hostname", g.hostname.is_some()),
        ("gateway.hostnames", !g.hostnames.is_empty()),
        ("gateway.tlsSecrets", !g.tls_secrets.is_empty()),
        ("gateway.allowedRoutes", g.allowed_routes.is_some()),
        ("gateway.port", g.port.is_some()),
    ];
    for (field, _) in given.into_iter().filter(|(_, set)| *set) {
        errors.push(FieldError::new(
            field,
            "",
            format!("configures the Gateway's listeners, but context {} attaches to an existing Gateway and does not generate one", profile.name),
            format!("drop it, or use {} (or single-dev) to generate the Gateway", setting_to("context", "platform-team")),
        ));
    }
}
