//! The declarative input every door builds: flags, the wizard, a request file and an MCP call all
//! produce a [`Request`]; nothing after this module knows which door was used.
//!
//! A request says what the team wants, not how Gateway API spells it: `backends` rather than
//! `backendRefs`, `rewrite.prefix` rather than a `URLRewrite` filter with `ReplacePrefixMatch`. The
//! plan turns it into resources. Field names are camelCase like Kubernetes; unknown fields are errors.
//! Numbers that have limits are read as wide integers so that an out-of-range value gets the same
//! clear message (field, value, rule, fix) as any other mistake, instead of a parser error.

mod check;
mod syntax;

pub use check::{check, warnings, FieldError, RequestError};
pub use syntax::{parse_backend, parse_name_value, parse_ref, parse_rule};

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "traffic-engineer request")]
pub struct Request {
    /// Deployment context: `single-dev`, `shared-gateway`, `platform-team` or `cross-namespace`
    /// (or the name of a profile of your own from `--profiles DIR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The Kubernetes Service that receives the traffic (a DNS-1123 label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The application's namespace, where routes live. Defaults to the service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The namespace of the Service when it differs from the routes' namespace (cross-namespace routing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_namespace: Option<String>,
    /// The Service port (1–65535).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// The Gateway the routes attach to (and, for contexts that own it, the Gateway to create).
    #[serde(default, skip_serializing_if = "GatewayRequest::is_empty")]
    pub gateway: GatewayRequest,
    /// Routes. When empty, one HTTPRoute named after the service sends everything to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteRequest>,
    /// Target cluster and extras.
    #[serde(default, skip_serializing_if = "Options::is_empty")]
    pub options: Options,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// The Gateway API implementation: envoy-gateway (default), istio, cilium, traefik, kong, nginx,
    /// contour, gke, agentgateway, airlock-microgateway, aws-load-balancer-controller, gravitee,
    /// higress, kgateway or kong-operator. Sets the GatewayClass and controller, and warns about
    /// features its conformance report does not claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<String>,
    /// The Gateway API release the cluster runs, `v1.0` to `v1.6` (default `v1.6`): decides the
    /// apiVersions emitted and refuses what that release lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_api: Option<String>,
    /// Also emit RBAC: who may change GatewayClasses, Gateways and routes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rbac: bool,
    /// The groups bound by the RBAC roles, by persona: `cluster-admin`, `platform`, `app`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub rbac_groups: IndexMap<String, String>,
}

impl Options {
    fn is_empty(&self) -> bool {
        self == &Options::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayRequest {
    /// Gateway name. Required for contexts that attach to an existing Gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Gateway namespace. The context decides the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// GatewayClass name (default `eg`, Envoy Gateway's usual class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Also emit the GatewayClass.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_gateway_class: bool,
    /// The GatewayClass `controllerName` (default Envoy Gateway's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// The listener routes attach to (`sectionName` of their parentRefs). Empty: every listener that accepts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// Add an HTTPS listener on 443 that terminates TLS with `tlsSecret` (HTTP on 80 stays).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub https: bool,
    /// Serve the routes over HTTPS only and answer HTTP with a 301 redirect to HTTPS: the routes
    /// attach to the HTTPS listener (`listener`, default `https`), and a redirect route of its own
    /// to the HTTP listener (`redirectListener`, default `http`). Needs `https` on a generated
    /// Gateway; on an existing one, both listener names.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub https_redirect: bool,
    /// The HTTP listener the redirect route of `httpsRedirect` attaches to (default `http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_listener: Option<String>,
    /// The TLS Secret for HTTPS, `NAME` or `NAMESPACE/NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_secret: Option<String>,
    /// Port of a generated TCP, UDP or TLS listener (default: the service port; 443 for TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// The hostname the generated listeners accept (e.g. `*.example.com`). Empty: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Several hostnames instead of `hostname`: one HTTP listener per hostname (and with `https`
    /// one HTTPS listener), each named for its hostname (`http-api-example-com`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// The TLS Secret of each hostname of `hostnames` whose certificate is not `tlsSecret`:
    /// hostname → `NAME` or `NAMESPACE/NAME`. Without `hostnames`, each hostname here gets an
    /// HTTPS listener of its own (`https-api-example-com`) beside the HTTP listener, which
    /// serves every host, and the `https` listener of `tlsSecret`, when given.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tls_secrets: IndexMap<String, String>,
    /// Which namespaces may attach routes to the generated listeners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_routes: Option<AllowedRoutesRequest>,
}

impl GatewayRequest {
    fn is_empty(&self) -> bool {
        self == &GatewayRequest::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FromNamespaces {
    /// Only routes in the Gateway's own namespace.
    Same,
    /// Routes in any namespace.
    All,
    /// Routes in namespaces whose labels match `labels`.
    Selector,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllowedRoutesRequest {
    pub from: FromNamespaces,
    /// Namespace labels for `Selector` (all must match). Default: the app namespace's
    /// `kubernetes.io/metadata.name` label, which Kubernetes sets on every namespace.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RouteRequest {
    /// Route kind (default HTTPRoute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RouteKind>,
    /// Route name. Default: the service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The listener this route attaches to, overriding `gateway.listener` (e.g. `http` for a redirect to HTTPS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// Hostnames the route serves (≤ 16; `*.` wildcard allowed as the first label).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Rules, tried most specific first by the controller. Empty: everything goes to the service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleRequest>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RouteKind {
    #[default]
    #[serde(rename = "HTTPRoute")]
    Http,
    /// gRPC services and methods, over HTTP or HTTPS listeners.
    #[serde(rename = "GRPCRoute")]
    Grpc,
    /// TLS passed through by SNI hostname (hostnames required).
    #[serde(rename = "TLSRoute")]
    Tls,
    #[serde(rename = "TCPRoute")]
    Tcp,
    #[serde(rename = "UDPRoute")]
    Udp,
}

impl RouteKind {
    pub fn name(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Grpc => "GRPCRoute",
            RouteKind::Tls => "TLSRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Udp => "UDPRoute",
        }
    }

    /// Layer-4 kinds: one rule of backends, no matches or filters.
    pub fn is_l4(self) -> bool {
        matches!(self, RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleRequest {
    /// Matches (any one matching selects the rule). Empty: PathPrefix `/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<MatchRequest>,
    /// Where matching requests go, with weights for traffic splitting. Empty: the service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<BackendRequest>,
    /// Copies of the requests are also sent here; responses are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mirror: Vec<BackendRequest>,
    /// Rewrite the request before forwarding (URLRewrite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<RewriteRequest>,
    /// Answer with a redirect instead of forwarding (RequestRedirect). No backends allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<RedirectRequest>,
    /// Change request headers before forwarding (RequestHeaderModifier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<HeaderChanges>,
    /// Change response headers (ResponseHeaderModifier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<HeaderChanges>,
    /// Timeouts, e.g. `10s`, `1m30s`, `500ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<TimeoutsRequest>,
    /// Answer CORS preflights at the Gateway and add the CORS headers to responses (the CORS
    /// filter, standard from Gateway API v1.5; HTTPRoute only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<CorsRequest>,
}

impl RuleRequest {
    /// Whether the rule takes only some requests (a header, query parameter or method match)
    /// and sends them somewhere other than the service: every other request then needs a rule.
    pub fn narrows_elsewhere(&self) -> bool {
        let narrowing = self
            .matches
            .iter()
            .any(|m| !m.headers.is_empty() || !m.query_params.is_empty() || m.method.is_some());
        narrowing && (!self.backends.is_empty() || self.redirect.is_some())
    }

    /// The rule for the rest of this rule's path: the same path match, to the service.
    pub fn rest(&self) -> RuleRequest {
        let path = self.matches.first().and_then(|m| m.path.clone());
        RuleRequest {
            matches: path
                .map(|path| {
                    vec![MatchRequest {
                        path: Some(path),
                        ..MatchRequest::default()
                    }]
                })
                .unwrap_or_default(),
            ..RuleRequest::default()
        }
    }

    /// At most one match, and backends: nothing a `--rule` cannot say.
    pub fn is_plain(&self) -> bool {
        let bare = RuleRequest {
            matches: self.matches.clone(),
            backends: self.backends.clone(),
            ..RuleRequest::default()
        };
        self.matches.len() <= 1 && *self == bare
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatchRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathMatchRequest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<ValueMatchRequest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<ValueMatchRequest>,
    /// An HTTP method, e.g. `GET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A gRPC service and/or method (GRPCRoute only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<GrpcMatchRequest>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrpcMatchRequest {
    /// Fully qualified service, e.g. `tasks.v1.TaskService`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Method name, e.g. `ListTasks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PathType {
    PathPrefix,
    Exact,
    /// Implementation-specific dialect and support.
    RegularExpression,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PathMatchRequest {
    #[serde(rename = "type")]
    pub type_: PathType,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ValueMatchType {
    Exact,
    RegularExpression,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValueMatchRequest {
    pub name: String,
    pub value: String,
    /// Default `Exact`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<ValueMatchType>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackendRequest {
    /// Service name.
    pub name: String,
    /// Service namespace, when not the route's. A ReferenceGrant is derived for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Service port. Default: the request's `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// Share of the traffic (0–1,000,000; relative to the sum of the rule's weights). Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewriteRequest {
    /// Replace the matched path prefix with this (needs exactly one PathPrefix match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Replace the whole path with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Replace the Host header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedirectRequest {
    /// `http` or `https`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// 301, 302 (default), 303, 307 or 308.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i64>,
    /// Replace the matched path prefix in the redirect location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Replace the whole path in the redirect location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderChanges {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

/// Who may call the routes from a browser on another origin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorsRequest {
    /// Origins allowed: `*` alone, or origins such as `https://app.example.com`,
    /// `https://*.example.com` (any subdomain) and `http://localhost:8080` (≤ 64).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_origins: Vec<String>,
    /// Methods allowed, e.g. `GET`, `PUT`, or `*` alone (GET, HEAD and POST always are).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_methods: Vec<String>,
    /// Request headers allowed, e.g. `Authorization`, or `*` alone (≤ 64).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_headers: Vec<String>,
    /// Response headers scripts may read beyond the safelisted ones (≤ 64).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    /// Let cross-origin requests carry credentials (cookies, Authorization).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_credentials: bool,
    /// Seconds a browser may cache a preflight answer (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeoutsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_request: Option<String>,
}

/// Reads a request from YAML or JSON text. `origin` names the source in errors. Text that is JSON
/// is read as JSON: JSON strings may hold DEL and C1 characters raw, which YAML refuses.
pub fn from_text(text: &str, origin: &str) -> Result<Request, RequestError> {
    let parse = |source| RequestError::Parse {
        origin: origin.to_string(),
        source,
    };
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        return serde_json::from_str(text).map_err(|e| parse(json_error(&e)));
    }
    crate::yaml::from_str(text).map_err(parse)
}

/// A JSON error in the shape of a YAML one: its message without the location serde_json appends.
fn json_error(e: &serde_json::Error) -> crate::yaml::YamlError {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    crate::yaml::YamlError {
        line: e.line() as u64,
        column: e.column() as u64,
        message: text.strip_suffix(&suffix).unwrap_or(&text).to_string(),
    }
}
