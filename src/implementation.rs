//! Implementation presets: `--implementation NAME` picks a GatewayClass name and controllerName, and
//! warns when the manifests use a feature the implementation does not claim in the conformance
//! report it submitted to the Gateway API project.
//!
//! The presets are data (`implementations/*.yaml`, embedded; a directory of files of the same shape
//! adds or replaces them), each written from one report: its profiles, its supported and
//! unsupported features, the tests it skipped and the provisional tests it passed (a test compares
//! every preset with its report). What a report does not say is not assumed: an extended feature
//! is claimed only when the report lists it as supported, and RegularExpression paths, which no
//! report measures, warn for every implementation. Feature detection works on rendered documents
//! rather than on the request, so `lint --implementation` can run it on any manifests.

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
    MultipleMirrors,
    PercentageMirror,
    MethodMatch,
    QueryParamMatch,
    PathRewrite,
    HostRewrite,
    RegexPath,
    TcpRoute,
    UdpRoute,
    TlsRoute,
    TlsTerminate,
    GrpcRoute,
    GrpcMethodMatch,
    GrpcHeaderMatch,
    RequestHeaderModifier,
    ResponseHeaderModifier,
    BackendRequestHeaderModifier,
    Redirect,
    SchemeRedirect,
    PortRedirect,
    PathRedirect,
    Cors,
    RequestTimeout,
    BackendTimeout,
    Retry,
    ParentRefPort,
    WeightedBackends,
    HttpsListener,
    CrossNamespaceBackends,
    ListenerSet,
    BackendTlsPolicy,
}

/// How a conformance report says whether a feature is supported.
enum Measure {
    /// An extended feature: claimed when the report lists it among its supported features.
    Extended(&'static str),
    /// Core: claimed unless the report skipped (or failed) one of these tests.
    Core(&'static [&'static str]),
    /// A route kind: claimed with its profile (and the feature of the kind's name, when the
    /// profile has one); passing the kind's provisional tests without claiming it is provisional.
    Kind {
        profile: &'static str,
        feature: Option<&'static str>,
        tests: &'static str,
    },
    /// No report measures it.
    Unmeasured,
}

impl Feature {
    /// How the feature is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Feature::RequestMirror => "the RequestMirror filter",
            Feature::MultipleMirrors => "several RequestMirror filters in one rule",
            Feature::PercentageMirror => "mirroring a percentage of requests",
            Feature::MethodMatch => "HTTP method matching",
            Feature::QueryParamMatch => "query parameter matching",
            Feature::PathRewrite => "URLRewrite of the path",
            Feature::HostRewrite => "URLRewrite of the hostname",
            Feature::RegexPath => "RegularExpression path matching",
            Feature::TcpRoute => "TCPRoute",
            Feature::UdpRoute => "UDPRoute",
            Feature::TlsRoute => "TLSRoute",
            Feature::TlsTerminate => "TLS listeners that terminate TLS",
            Feature::GrpcRoute => "GRPCRoute",
            Feature::GrpcMethodMatch => "gRPC method matching",
            Feature::GrpcHeaderMatch => "gRPC header matching",
            Feature::RequestHeaderModifier => "the RequestHeaderModifier filter",
            Feature::ResponseHeaderModifier => "the ResponseHeaderModifier filter",
            Feature::BackendRequestHeaderModifier => "request header changes on a backendRef",
            Feature::Redirect => "the RequestRedirect filter",
            Feature::SchemeRedirect => "redirects that change the scheme",
            Feature::PortRedirect => "redirects that change the port",
            Feature::PathRedirect => "redirects that change the path",
            Feature::Cors => "the CORS filter",
            Feature::RequestTimeout => "request timeouts",
            Feature::BackendTimeout => "backend request timeouts",
            Feature::Retry => "retries",
            Feature::ParentRefPort => "parentRefs that name a port",
            Feature::WeightedBackends => "weighted backends (traffic splitting)",
            Feature::HttpsListener => "HTTPS listeners",
            Feature::CrossNamespaceBackends => "backendRefs to other namespaces",
            Feature::ListenerSet => "ListenerSet",
            Feature::BackendTlsPolicy => "BackendTLSPolicy",
        }
    }

    /// What a report must say for the feature, used in a resource of `kind`.
    fn measure(self, kind: &str) -> Measure {
        use Measure::*;
        match self {
            Feature::RequestMirror => Extended("HTTPRouteRequestMirror"),
            Feature::MultipleMirrors => Extended("HTTPRouteRequestMultipleMirrors"),
            Feature::PercentageMirror => Extended("HTTPRouteRequestPercentageMirror"),
            Feature::MethodMatch => Extended("HTTPRouteMethodMatching"),
            Feature::QueryParamMatch => Extended("HTTPRouteQueryParamMatching"),
            Feature::PathRewrite => Extended("HTTPRoutePathRewrite"),
            Feature::HostRewrite => Extended("HTTPRouteHostRewrite"),
            Feature::RegexPath => Unmeasured,
            Feature::TcpRoute => Kind {
                profile: "GATEWAY-TCP",
                feature: Some("TCPRoute"),
                tests: "TCPRoute",
            },
            Feature::UdpRoute => Kind {
                profile: "GATEWAY-UDP",
                feature: Some("UDPRoute"),
                tests: "UDPRoute",
            },
            Feature::TlsRoute => Kind {
                profile: "GATEWAY-TLS",
                feature: None,
                tests: "TLSRoute",
            },
            Feature::TlsTerminate => Extended("TLSRouteModeTerminate"),
            Feature::GrpcRoute => Kind {
                profile: "GATEWAY-GRPC",
                feature: None,
                tests: "GRPCRoute",
            },
            Feature::GrpcMethodMatch => Core(&["GRPCExactMethodMatching"]),
            Feature::GrpcHeaderMatch => Core(&["GRPCRouteHeaderMatching"]),
            Feature::RequestHeaderModifier => Core(&["HTTPRouteRequestHeaderModifier"]),
            Feature::ResponseHeaderModifier => Extended("HTTPRouteResponseHeaderModification"),
            Feature::BackendRequestHeaderModifier => {
                Extended("HTTPRouteBackendRequestHeaderModification")
            }
            Feature::Redirect | Feature::CrossNamespaceBackends => Core(&[]),
            Feature::SchemeRedirect => Extended("HTTPRouteSchemeRedirect"),
            Feature::PortRedirect => Extended("HTTPRoutePortRedirect"),
            Feature::PathRedirect => Extended("HTTPRoutePathRedirect"),
            Feature::Cors => Extended("HTTPRouteCORS"),
            Feature::RequestTimeout => Extended("HTTPRouteRequestTimeout"),
            Feature::BackendTimeout => Extended("HTTPRouteBackendTimeout"),
            Feature::Retry => Extended("HTTPRouteRetry"),
            Feature::ParentRefPort => Extended("HTTPRouteParentRefPort"),
            Feature::WeightedBackends => Core(match kind {
                "HTTPRoute" => &["HTTPRouteWeight"],
                "GRPCRoute" => &["GRPCRouteWeight"],
                "TCPRoute" => &["TCPRouteWeightedRouting"],
                "UDPRoute" => &["UDPRouteWeightedRouting"],
                _ => &[],
            }),
            Feature::HttpsListener => Core(&["HTTPRouteHTTPSListener"]),
            Feature::ListenerSet => Extended("ListenerSet"),
            Feature::BackendTlsPolicy => Extended("BackendTLSPolicy"),
        }
    }
}

/// What an implementation's report says about a feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    Supported,
    /// Not claimed, but the report lists provisional tests of it that passed: why, in words.
    Provisional(String),
    /// Not claimed: why, in words (what the report says or does not say).
    NotClaimed(String),
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
    /// Said with every warning: what to know about the report the claims come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
    /// The conformance report the feature claims come from.
    pub report: ConformanceReport,
}

/// What one conformance report says, as the implementation submitted it (features and tests of
/// all its profiles together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConformanceReport {
    /// The report's path under `conformance-reports/` in the Gateway API project.
    pub file: String,
    /// `implementation.project` and `implementation.version`.
    pub project: String,
    pub version: String,
    #[serde(rename = "gatewayAPIVersion")]
    pub gateway_api_version: String,
    pub channel: String,
    pub mode: String,
    /// The conformance profiles the report covers (GATEWAY-HTTP, GATEWAY-TCP, …).
    pub profiles: Vec<String>,
    pub supported_features: Vec<String>,
    pub unsupported_features: Vec<String>,
    #[serde(default)]
    pub skipped_tests: Vec<String>,
    #[serde(default)]
    pub failed_tests: Vec<String>,
    /// `succeededProvisionalTests`.
    #[serde(default)]
    pub provisional_tests: Vec<String>,
}

impl ConformanceReport {
    /// The report in words, for messages.
    pub fn describe(&self) -> String {
        let mode = match self.mode.as_str() {
            "default" => String::new(),
            mode => format!(", {mode} mode"),
        };
        format!(
            "its conformance report for Gateway API {} ({} {}, {} channel{mode})",
            self.gateway_api_version, self.project, self.version, self.channel
        )
    }

    fn lists(&self, feature: &str) -> bool {
        self.supported_features.iter().any(|f| f == feature)
    }

    /// What the report says about `feature` used in a resource of `kind`.
    fn claim(&self, feature: Feature, kind: &str) -> Claim {
        let not_listed = |name: &str| {
            let list = match self.unsupported_features.iter().any(|f| f == name) {
                true => "among its unsupported features",
                false => "not among its supported features",
            };
            Claim::NotClaimed(format!("{name} is {list}"))
        };
        match feature.measure(kind) {
            Measure::Unmeasured => Claim::Unmeasured,
            Measure::Extended(name) if self.lists(name) => Claim::Supported,
            Measure::Extended(name) => not_listed(name),
            Measure::Core(tests) => {
                let missed = tests.iter().find(|t| {
                    self.skipped_tests.contains(&t.to_string())
                        || self.failed_tests.contains(&t.to_string())
                });
                match missed {
                    Some(test) => {
                        let how = match self.failed_tests.iter().any(|f| f == test) {
                            true => "failed",
                            false => "skipped",
                        };
                        Claim::NotClaimed(format!("it {how} the core test {test}"))
                    }
                    None => Claim::Supported,
                }
            }
            Measure::Kind {
                profile,
                feature: named,
                tests,
            } => {
                let has_profile = self.profiles.iter().any(|p| p == profile);
                if has_profile && named.is_none_or(|f| self.lists(f)) {
                    return Claim::Supported;
                }
                let passed: Vec<&str> = self
                    .provisional_tests
                    .iter()
                    .filter(|t| t.starts_with(tests))
                    .map(String::as_str)
                    .collect();
                let claimed = match (has_profile, named) {
                    (true, Some(f)) => {
                        format!("{f} is not among the supported features of its {profile} profile")
                    }
                    _ => format!("it does not cover the {profile} profile"),
                };
                match passed.first() {
                    Some(first) => Claim::Provisional(format!(
                        "{claimed}, but it passed {} provisional {tests} tests ({first}, …)",
                        passed.len()
                    )),
                    None => Claim::NotClaimed(claimed),
                }
            }
        }
    }
}

impl Implementation {
    /// What the preset's report says about `feature`, used in a resource of `kind`.
    pub fn claim(&self, feature: Feature, kind: &str) -> Claim {
        self.report.claim(feature, kind)
    }
}

const BUILT_IN: [(&str, &str); 15] = [
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
    (
        "agentgateway",
        include_str!("../implementations/agentgateway.yaml"),
    ),
    (
        "airlock-microgateway",
        include_str!("../implementations/airlock-microgateway.yaml"),
    ),
    (
        "aws-load-balancer-controller",
        include_str!("../implementations/aws-load-balancer-controller.yaml"),
    ),
    ("gravitee", include_str!("../implementations/gravitee.yaml")),
    ("higress", include_str!("../implementations/higress.yaml")),
    ("kgateway", include_str!("../implementations/kgateway.yaml")),
    (
        "kong-operator",
        include_str!("../implementations/kong-operator.yaml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ImplementationError {
    #[error("implementation preset {origin}: {source}\n  hint: a preset has name, displayName, controllerName, gatewayClass and report (file, project, version, gatewayAPIVersion, channel, mode, profiles, supportedFeatures, unsupportedFeatures)")]
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

    fn embedded(text: &str, origin: &str) -> Self {
        parse(text, origin).expect("embedded presets are valid")
    }
}

impl Catalog<Implementation> {
    /// The embedded presets, each parsed when first used.
    pub fn built_in() -> Implementations {
        Catalog::embedded(&BUILT_IN)
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
            "Gateway" | "ListenerSet" => {
                if kind == "ListenerSet" {
                    found.add(Feature::ListenerSet, "kind".into());
                }
                for (i, listener) in items(spec, "listeners") {
                    let at = format!("spec.listeners[{i}]");
                    match listener["protocol"].as_str() {
                        Some("HTTPS") => {
                            found.add(Feature::HttpsListener, format!("{at}.protocol"))
                        }
                        Some("TLS")
                            if listener["tls"]["mode"].as_str().unwrap_or("Terminate")
                                == "Terminate" =>
                        {
                            found.add(Feature::TlsTerminate, format!("{at}.tls"))
                        }
                        _ => {}
                    }
                }
            }
            "BackendTLSPolicy" => found.add(Feature::BackendTlsPolicy, "kind".into()),
            "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute" => {
                match kind {
                    "GRPCRoute" => found.add(Feature::GrpcRoute, "kind".into()),
                    "TLSRoute" => found.add(Feature::TlsRoute, "kind".into()),
                    "TCPRoute" => found.add(Feature::TcpRoute, "kind".into()),
                    "UDPRoute" => found.add(Feature::UdpRoute, "kind".into()),
                    _ => {}
                }
                if kind == "HTTPRoute" {
                    for (i, parent) in items(spec, "parentRefs") {
                        if !parent["port"].is_null() {
                            found.add(Feature::ParentRefPort, format!("spec.parentRefs[{i}].port"));
                        }
                    }
                }
                for (i, rule) in items(spec, "rules") {
                    found.rule(kind, rule, &format!("spec.rules[{i}]"));
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

    /// A route rule at `at`. The filter and timeout features are HTTPRoute's (the reports name
    /// them so); a GRPCRoute `method` match names a gRPC method, not an HTTP verb.
    fn rule(&mut self, kind: &str, rule: &Value, at: &str) {
        let http = kind == "HTTPRoute";
        for (j, m) in items(rule, "matches") {
            let at = format!("{at}.matches[{j}]");
            match kind {
                "HTTPRoute" => {
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
                "GRPCRoute" => {
                    if !m["method"].is_null() {
                        self.add(Feature::GrpcMethodMatch, format!("{at}.method"));
                    }
                    if items(m, "headers").next().is_some() {
                        self.add(Feature::GrpcHeaderMatch, format!("{at}.headers"));
                    }
                }
                _ => {}
            }
        }
        if http {
            self.filters(rule, at, false);
            let timeouts = &rule["timeouts"];
            if !timeouts["request"].is_null() {
                self.add(Feature::RequestTimeout, format!("{at}.timeouts.request"));
            }
            if !timeouts["backendRequest"].is_null() {
                self.add(
                    Feature::BackendTimeout,
                    format!("{at}.timeouts.backendRequest"),
                );
            }
            if !rule["retry"].is_null() {
                self.add(Feature::Retry, format!("{at}.retry"));
            }
        }
        let backends: Vec<_> = items(rule, "backendRefs").collect();
        if backends.len() > 1 {
            self.add(Feature::WeightedBackends, format!("{at}.backendRefs"));
        }
        for (b, backend) in backends {
            let at = format!("{at}.backendRefs[{b}]");
            self.backend_namespace(backend, &at);
            if http {
                self.filters(backend, &at, true);
            }
        }
    }

    /// The filters of an HTTPRoute rule or (`on_backend`) backendRef at `at`.
    fn filters(&mut self, owner: &Value, at: &str, on_backend: bool) {
        let mut mirrors = 0;
        for (k, filter) in items(owner, "filters") {
            let at = format!("{at}.filters[{k}]");
            match filter["type"].as_str().unwrap_or_default() {
                "RequestMirror" => {
                    mirrors += 1;
                    self.add(Feature::RequestMirror, at.clone());
                    let mirror = &filter["requestMirror"];
                    if mirrors == 2 {
                        self.add(Feature::MultipleMirrors, at.clone());
                    }
                    if !mirror["percent"].is_null() || !mirror["fraction"].is_null() {
                        self.add(Feature::PercentageMirror, format!("{at}.requestMirror"));
                    }
                    let backend = &mirror["backendRef"];
                    self.backend_namespace(backend, &format!("{at}.requestMirror.backendRef"));
                }
                "URLRewrite" => {
                    let rewrite = &filter["urlRewrite"];
                    if !rewrite["path"].is_null() {
                        self.add(Feature::PathRewrite, format!("{at}.urlRewrite.path"));
                    }
                    if !rewrite["hostname"].is_null() {
                        self.add(Feature::HostRewrite, format!("{at}.urlRewrite.hostname"));
                    }
                }
                "RequestHeaderModifier" if on_backend => {
                    self.add(Feature::BackendRequestHeaderModifier, at)
                }
                "RequestHeaderModifier" => self.add(Feature::RequestHeaderModifier, at),
                "ResponseHeaderModifier" => self.add(Feature::ResponseHeaderModifier, at),
                "CORS" => self.add(Feature::Cors, at),
                "RequestRedirect" => {
                    let redirect = &filter["requestRedirect"];
                    self.add(Feature::Redirect, at.clone());
                    for (field, feature) in [
                        ("scheme", Feature::SchemeRedirect),
                        ("port", Feature::PortRedirect),
                        ("path", Feature::PathRedirect),
                    ] {
                        if !redirect[field].is_null() {
                            self.add(feature, format!("{at}.requestRedirect.{field}"));
                        }
                    }
                }
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
    let report = implementation.report.describe();
    let caveat = implementation
        .caveat
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    features_used(docs)
        .into_iter()
        .filter_map(|used| {
            let feature = used.feature.describe();
            let (severity, message, hint) = match implementation.claim(used.feature, &used.resource.kind) {
                Claim::Supported => return None,
                Claim::NotClaimed(why) => (
                    Severity::Warning,
                    format!("{who} does not claim {feature} in {report}: {why}{caveat}; the controller may reject this resource or accept it only partly (UnsupportedValue / PartiallyInvalid)"),
                    format!("check {}'s documentation for {feature}, or avoid it", implementation.display_name),
                ),
                Claim::Provisional(why) => (
                    Severity::Note,
                    format!("{who} claims {feature} only provisionally in {report}: {why}{caveat}"),
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
