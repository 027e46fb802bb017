//! The intermediate form both readers produce: each source object's routing in the source's own
//! terms (hosts, matches, what happens), before it becomes a [`crate::request::Request`].
//!
//! Keeping the source's terms here (a string prefix is not an element-wise prefix, Traefik orders by
//! priority where Ingress orders by path) lets the equivalence check evaluate the source with its own
//! semantics and compare with the traffic model over the output.

use crate::finding::{Finding, ResourceId, Severity};

/// The controller whose rules give the source its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// ingress-nginx: one nginx server per host; Exact, then regex locations (when the host uses
    /// regex) or the longest prefix.
    Nginx,
    /// An Ingress of another controller: only the Kubernetes Ingress rules are known.
    Ingress,
    /// Traefik IngressRoute: every router of an entry point, highest priority first.
    Traefik,
}

/// Where a source object came from, for findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub id: ResourceId,
    pub file: String,
}

impl Origin {
    pub fn finding(&self, severity: Severity, rule: &str, message: impl Into<String>) -> Finding {
        let mut f = Finding::new(severity, rule, message).on(Some(self.id.clone()));
        f.file = Some(self.file.clone());
        f
    }

    pub fn namespace(&self) -> &str {
        self.id.namespace.as_deref().unwrap_or("default")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathRule {
    Exact(String),
    /// Element-wise prefix (Ingress `Prefix`): `/api` takes `/api` and `/api/x`, not `/apix`.
    Prefix(String),
    /// Character prefix (nginx `ImplementationSpecific`, Traefik `PathPrefix`): `/api` takes `/apix`.
    StringPrefix(String),
    /// A regular expression anchored at the start of the path (nginx `~*`, case-insensitive;
    /// Traefik `PathRegexp`, case-sensitive).
    Regex {
        pattern: String,
        case_insensitive: bool,
    },
}

/// One way a request can match: everything given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Match {
    pub path: Option<PathRule>,
    /// Header name and exact value.
    pub headers: Vec<(String, String)>,
    pub method: Option<String>,
    /// Query parameter name and exact value.
    pub query: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub name: String,
    pub port: i64,
    pub weight: i64,
}

/// How the path reaches the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewrite {
    /// The whole path becomes this.
    Full(String),
    /// The matched prefix is replaced with this.
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Forward {
        backends: Vec<Backend>,
        rewrite: Option<Rewrite>,
        /// Replaces the Host header.
        host: Option<String>,
        /// Request headers set before forwarding.
        set_headers: Vec<(String, String)>,
    },
    /// Answers with a redirect; what is not given is kept from the request.
    Redirect {
        scheme: Option<String>,
        hostname: Option<String>,
        port: Option<i64>,
        /// The whole new path.
        path: Option<String>,
        status: i64,
    },
}

/// Which listener a route serves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serve {
    /// HTTP and HTTPS alike.
    Both,
    /// HTTP only (Traefik routers without TLS on a `web` entry point).
    Http,
    /// HTTPS only; HTTP gets nothing (Traefik routers with `tls`).
    Https,
    /// HTTPS; HTTP answers 308 to HTTPS (ingress-nginx ssl-redirect).
    HttpsRedirect,
}

/// One routing rule of a source object.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub origin: Origin,
    pub dialect: Dialect,
    /// The route name in the output (unique per namespace and kind).
    pub name: String,
    /// Empty: any host.
    pub hosts: Vec<String>,
    /// Any one selects the route. Empty: everything.
    pub matches: Vec<Match>,
    pub action: Action,
    pub grpc: bool,
    pub serve: Serve,
    /// Traefik router priority (explicit, or the length of the rule); 0 for Ingress.
    pub priority: i64,
    /// The Ingress's `spec.defaultBackend`: taken only when nothing else of the host matches.
    pub fallback: bool,
    /// The IngressClass (or `traefik`) whose Gateway serves the route.
    pub class: String,
    /// What the source answers to cross-origin requests (preflights answered by the proxy), and
    /// the source field that says so.
    pub cors: Option<(String, crate::request::CorsRequest)>,
}

/// What the readers produce: routes, the TLS certificates they name, and the findings.
#[derive(Debug, Default)]
pub struct Sources {
    pub routes: Vec<Route>,
    /// (origin, hosts, Secret name) of every TLS section.
    pub tls: Vec<(Origin, Vec<String>, String)>,
    pub findings: Vec<Finding>,
}
