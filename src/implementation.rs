//! Implementation presets: `--implementation NAME` picks a GatewayClass name and controllerName, and
//! warns when the manifests use a feature the implementation does not claim in its published
//! conformance report.
//!
//! The presets are data (`implementations/*.yaml`, embedded; a directory of files of the same shape
//! adds or replaces them), so a new report is a data change. Only gaps that RULES.md states are
//! encoded: a feature a file does not list is assumed supported. Feature detection works on rendered
//! documents rather than on the request, so `lint --implementation` can run it on any manifests.

use crate::catalog::{Catalog, Named};
use crate::finding::{Finding, ResourceId, Severity};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// A Gateway API feature whose support differs between implementations.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    RequestMirror,
    MethodMatch,
    PathRewrite,
    RegexPath,
    TcpRoute,
    UdpRoute,
    TlsRoute,
    GrpcRoute,
    QueryParamMatch,
    HeaderModifier,
    Redirect,
    WeightedBackends,
    HttpsListener,
    CrossNamespaceBackends,
}

impl Feature {
    /// How the feature is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Feature::RequestMirror => "the RequestMirror filter",
            Feature::MethodMatch => "HTTP method matching",
            Feature::PathRewrite => "URLRewrite of the path",
            Feature::RegexPath => "RegularExpression path matching",
            Feature::TcpRoute => "TCPRoute",
            Feature::UdpRoute => "UDPRoute",
            Feature::TlsRoute => "TLSRoute",
            Feature::GrpcRoute => "GRPCRoute",
            Feature::QueryParamMatch => "query parameter matching",
            Feature::HeaderModifier => "header modifier filters",
            Feature::Redirect => "the RequestRedirect filter",
            Feature::WeightedBackends => "weighted backends (traffic splitting)",
            Feature::HttpsListener => "HTTPS listeners",
            Feature::CrossNamespaceBackends => "backendRefs to other namespaces",
        }
    }

    /// False for features no conformance report measures (RULES.md: RegularExpression paths), so
    /// no implementation's claim can be relied on.
    fn measured(self) -> bool {
        self != Feature::RegexPath
    }
}

/// What an implementation's report says about a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Supported,
    /// Claimed, but marked provisional in the report.
    Provisional,
    NotClaimed,
    /// No report measures the feature.
    Unmeasured,
}

/// One preset, as in `implementations/NAME.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Implementation {
    /// The `--implementation` value.
    pub name: String,
    pub display_name: String,
    /// The GatewayClass `spec.controllerName` the implementation's controller watches.
    pub controller_name: String,
    /// The GatewayClass name installations usually create.
    pub gateway_class: String,
    /// Where the feature claims come from, quoted in warnings.
    pub conformance_report: String,
    /// Features the report does not claim.
    #[serde(default)]
    pub unsupported: Vec<Feature>,
    /// Features the report claims only provisionally (reported as notes).
    #[serde(default)]
    pub provisional: Vec<Feature>,
    /// Said with every warning, e.g. which GatewayClass the report's gaps were measured on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

impl Implementation {
    pub fn claim(&self, feature: Feature) -> Claim {
        if !feature.measured() {
            Claim::Unmeasured
        } else if self.unsupported.contains(&feature) {
            Claim::NotClaimed
        } else if self.provisional.contains(&feature) {
            Claim::Provisional
        } else {
            Claim::Supported
        }
    }
}

const BUILT_IN: [(&str, &str); 8] = [
    (
        "envoy-gateway",
        include_str!("../implementations/envoy-gateway.yaml"),
    ),
    ("istio", include_str!("../implementations/istio.yaml")),
    ("cilium", include_str!("../implementations/cilium.yaml")),
    ("traefik", include_str!("../implementations/traefik.yaml")),
    ("kong", include_str!("../implementations/kong.yaml")),
    ("nginx", include_str!("../implementations/nginx.yaml")),
    ("contour", include_str!("../implementations/contour.yaml")),
    ("gke", include_str!("../implementations/gke.yaml")),
];

#[derive(Debug, thiserror::Error)]
pub enum ImplementationError {
    #[error("implementation preset {origin}: {source}\n  hint: compare it with implementations/envoy-gateway.yaml")]
    Parse {
        origin: String,
        source: crate::yaml::YamlError,
    },
    #[error("implementation preset {origin}: {field} must {rule}")]
    Invalid {
        origin: String,
        field: &'static str,
        rule: String,
    },
    #[error("cannot read implementation presets: {0}")]
    Read(#[from] crate::yaml::ReadError),
}

/// The available presets: built-in ones first, then those from a directory.
pub type Implementations = Catalog<Implementation>;

impl Named for Implementation {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Catalog<Implementation> {
    /// The embedded presets (parsed once per process).
    pub fn built_in() -> Implementations {
        static PARSED: std::sync::OnceLock<Implementations> = std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| Catalog::embedded(&BUILT_IN, parse))
            .clone()
    }

    /// Built-in presets, with each `*.yaml` of `dir` added or replacing the one of the same name.
    pub fn load(dir: Option<&Path>) -> Result<Implementations, ImplementationError> {
        Implementations::built_in().overlay(dir, parse)
    }
}

/// Parses a preset and checks the two values that end up in manifests, so a custom preset cannot
/// produce a GatewayClass the API server rejects.
fn parse(text: &str, origin: &str) -> Result<Implementation, ImplementationError> {
    let implementation: Implementation =
        crate::yaml::from_str(text).map_err(|source| ImplementationError::Parse {
            origin: origin.to_string(),
            source,
        })?;
    let invalid = |field| {
        move |rule| ImplementationError::Invalid {
            origin: origin.to_string(),
            field,
            rule,
        }
    };
    crate::spec::controller_name(&implementation.controller_name)
        .map_err(invalid("controllerName"))?;
    crate::spec::dns_subdomain(&implementation.gateway_class).map_err(invalid("gatewayClass"))?;
    Ok(implementation)
}

/// A place in the manifests that uses a feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureUse {
    pub feature: Feature,
    pub resource: ResourceId,
    /// Field path inside the resource, e.g. `spec.rules[0].filters[1]`.
    pub field: String,
}

impl std::fmt::Display for FeatureUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.resource, self.field)
    }
}

/// Every use of a [`Feature`] in rendered Gateway API documents, in document order.
pub fn features_used(docs: &[Value]) -> Vec<FeatureUse> {
    let mut uses = Vec::new();
    for doc in docs {
        let text = |pointer| doc.pointer(pointer).and_then(Value::as_str);
        let kind = text("/kind").unwrap_or_default();
        let mut found = Found {
            uses: &mut uses,
            resource: ResourceId {
                kind: kind.to_string(),
                namespace: text("/metadata/namespace").map(str::to_string),
                name: text("/metadata/name").unwrap_or_default().to_string(),
            },
        };
        let spec = &doc["spec"];
        match kind {
            "Gateway" => {
                for (i, listener) in items(spec, "listeners") {
                    if listener["protocol"] == "HTTPS" {
                        found.add(
                            Feature::HttpsListener,
                            format!("spec.listeners[{i}].protocol"),
                        );
                    }
                }
            }
            "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute" => {
                match kind {
                    "GRPCRoute" => found.add(Feature::GrpcRoute, "kind".into()),
                    "TLSRoute" => found.add(Feature::TlsRoute, "kind".into()),
                    "TCPRoute" => found.add(Feature::TcpRoute, "kind".into()),
                    "UDPRoute" => found.add(Feature::UdpRoute, "kind".into()),
                    _ => {}
                }
                for (i, rule) in items(spec, "rules") {
                    found.rule(kind == "HTTPRoute", rule, &format!("spec.rules[{i}]"));
                }
            }
            _ => {}
        }
    }
    uses
}

/// The elements of the array `value[key]`, with their indexes; none when absent.
fn items<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    value[key].as_array().into_iter().flatten().enumerate()
}

/// Collects the uses of one resource.
struct Found<'a> {
    uses: &'a mut Vec<FeatureUse>,
    resource: ResourceId,
}

impl Found<'_> {
    fn add(&mut self, feature: Feature, field: String) {
        self.uses.push(FeatureUse {
            feature,
            resource: self.resource.clone(),
            field,
        });
    }

    /// A route rule at `at`. Only HTTPRoute matches are HTTP matches: a GRPCRoute `method` match
    /// names a gRPC method, not an HTTP verb.
    fn rule(&mut self, http: bool, rule: &Value, at: &str) {
        if http {
            for (j, m) in items(rule, "matches") {
                let at = format!("{at}.matches[{j}]");
                if m["path"]["type"] == "RegularExpression" {
                    self.add(Feature::RegexPath, format!("{at}.path.type"));
                }
                if !m["method"].is_null() {
                    self.add(Feature::MethodMatch, format!("{at}.method"));
                }
                if items(m, "queryParams").next().is_some() {
                    self.add(Feature::QueryParamMatch, format!("{at}.queryParams"));
                }
            }
        }
        self.filters(rule, at);
        let backends: Vec<_> = items(rule, "backendRefs").collect();
        if backends.len() > 1 {
            self.add(Feature::WeightedBackends, format!("{at}.backendRefs"));
        }
        for (b, backend) in backends {
            let at = format!("{at}.backendRefs[{b}]");
            self.backend_namespace(backend, &at);
            self.filters(backend, &at);
        }
    }

    /// The filters of a rule or backendRef at `at`.
    fn filters(&mut self, owner: &Value, at: &str) {
        for (k, filter) in items(owner, "filters") {
            let at = format!("{at}.filters[{k}]");
            match filter["type"].as_str().unwrap_or_default() {
                "RequestMirror" => {
                    self.add(Feature::RequestMirror, at.clone());
                    let backend = &filter["requestMirror"]["backendRef"];
                    self.backend_namespace(backend, &format!("{at}.requestMirror.backendRef"));
                }
                "URLRewrite" if !filter["urlRewrite"]["path"].is_null() => {
                    self.add(Feature::PathRewrite, format!("{at}.urlRewrite.path"));
                }
                "RequestHeaderModifier" | "ResponseHeaderModifier" => {
                    self.add(Feature::HeaderModifier, at);
                }
                "RequestRedirect" => self.add(Feature::Redirect, at),
                _ => {}
            }
        }
    }

    /// A backendRef naming a namespace other than the route's own.
    fn backend_namespace(&mut self, backend: &Value, at: &str) {
        let Some(namespace) = backend["namespace"].as_str() else {
            return;
        };
        if self.resource.namespace.as_deref() != Some(namespace) {
            self.add(Feature::CrossNamespaceBackends, format!("{at}.namespace"));
        }
    }
}

/// Rule id of every finding [`warnings`] produces.
pub const RULE: &str = "feature-not-claimed";

/// A finding for every use of a feature `implementation` does not claim (warning), claims only
/// provisionally (note), or that no report measures (warning, whatever the implementation).
pub fn warnings(implementation: &Implementation, docs: &[Value]) -> Vec<Finding> {
    let who = format!(
        "{} ({})",
        implementation.display_name, implementation.controller_name
    );
    let report = &implementation.conformance_report;
    let caveat = implementation
        .caveat
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    features_used(docs)
        .into_iter()
        .filter_map(|used| {
            let feature = used.feature.describe();
            let (severity, message, hint) = match implementation.claim(used.feature) {
                Claim::Supported => return None,
                Claim::NotClaimed => (
                    Severity::Warning,
                    format!("{who} does not claim {feature} in {report}{caveat}: the controller may reject this resource or accept it only partly (UnsupportedValue / PartiallyInvalid)"),
                    format!("check {}'s documentation for {feature}, or avoid it", implementation.display_name),
                ),
                Claim::Provisional => (
                    Severity::Note,
                    format!("{who} claims {feature} only provisionally in {report}{caveat}"),
                    format!("test {feature} on your {} version before relying on it", implementation.display_name),
                ),
                Claim::Unmeasured => (
                    Severity::Warning,
                    format!("no conformance report measures {feature}: whether {who} supports it, and with which regex dialect, is implementation-specific"),
                    "prefer PathPrefix or Exact matches, which every implementation supports".to_string(),
                ),
            };
            let mut finding = Finding::new(severity, RULE, message);
            finding.resource = Some(used.resource);
            finding.field = Some(used.field);
            finding.hint = Some(hint);
            Some(finding)
        })
        .collect()
}

#[cfg(test)]
mod tests;
