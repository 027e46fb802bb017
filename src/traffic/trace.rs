//! Following one request: listener, route and rule by precedence, filters, then backends.

use serde::{Deserialize, Serialize};

use super::filters;
use super::probe::{Flavor, Probe, ProbeError};
use super::routes::{Backend, Filter, HttpMatch, PathMatch, Rules};
use super::table::{self, Entry, GRPC_CRITERIA, HTTP_CRITERIA};
use super::Model;
use crate::lint::analysis::backend_problem;
use crate::lint::facts::{Gateway, Listener, Route};

/// What happens to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Sent to the backends (some shares may still get 500: see `backends[].problem`).
    Forwarded,
    /// Answered with a redirect (`redirect`).
    Redirected,
    /// A listener took it but no rule matched: HTTP 404.
    NotFound,
    /// A rule matched but has nothing to send it to: HTTP 500 (`reason` says why).
    Error,
    /// No listener of the Gateway takes this port, protocol and host.
    NoListener,
    /// Answered by the Gateway itself (a CORS preflight), not forwarded.
    Answered,
}

/// The result of a trace, the same in JSON for the CLI, the MCP tool and routing tests.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Trace {
    pub outcome: Outcome,
    /// The HTTP status the client gets when the Gateway answers itself (redirect, 404, 500).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `namespace/name`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// `namespace/name` of the ListenerSet the listener belongs to, if any.
    #[serde(rename = "listenerSet", skip_serializing_if = "Option::is_none")]
    pub listener_set: Option<String>,
    /// The effective hostname (route ∩ listener) of the winning route's group; `*` for any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `Kind/namespace/name`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Which route of the set won: two definitions of one object (duplicate-resource) share
    /// the name above.
    #[serde(skip)]
    pub(crate) route_index: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub match_: Option<usize>,
    pub backends: Vec<BackendShare>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirected>,
    /// The request as the backend receives it (after rewrites and header changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<SeenRequest>,
    pub mirrors: Vec<BackendShare>,
    /// The filters of the winning rule, in the order applied.
    pub filters: Vec<String>,
    /// Other rules that match the request and lose, with why.
    pub candidates: Vec<Candidate>,
    /// How the decision was made, one line a step.
    pub steps: Vec<String>,
    /// Where the outcome depends on the implementation or on facts outside the set.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct BackendShare {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    pub weight: i64,
    /// weight / sum of the rule's weights (for mirrors: the mirrored fraction), 0 to 1.
    pub share: f64,
    /// Why requests sent here get HTTP 500 (`RefNotPermitted`, `BackendNotFound`, `InvalidKind`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Redirected {
    pub status: u16,
    pub location: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SeenRequest {
    pub method: String,
    pub url: String,
    /// Header names as the filters wrote them; `host` first.
    pub headers: indexmap::IndexMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Candidate {
    pub route: String,
    pub rule: usize,
    #[serde(rename = "match")]
    pub match_: usize,
    pub hostname: String,
    pub reason: String,
}

/// Candidates listed at most, so a trace over a huge table stays readable.
const MAX_CANDIDATES: usize = 16;

impl Model {
    /// Traces `probe`. `gateway` (`namespace/name` or `name`) chooses among Gateways that listen
    /// on the same port; without it, more than one is an error that names them.
    pub fn trace(&self, probe: &Probe, gateway: Option<&str>) -> Result<Trace, ProbeError> {
        let mut t = Trace::new(Outcome::NoListener);
        let Some((g, l)) = self.listener(probe, gateway, &mut t)? else {
            return Ok(t);
        };
        self.trace_on(probe, g, l, t)
    }

    /// Traces `probe` as it arrives on listener `l` of Gateway `g` (indices of the facts).
    pub(crate) fn trace_on(
        &self,
        probe: &Probe,
        g: usize,
        l: usize,
        mut t: Trace,
    ) -> Result<Trace, ProbeError> {
        let owner = &self.facts.gateways[g];
        let listener = &owner.listeners[l];
        let root = &self.facts.gateways[self.roots[g].unwrap_or(g)];
        t.gateway = Some(format!("{}/{}", root.object.namespace, root.object.id.name));
        t.listener = Some(listener.name.clone());
        if owner.is_listener_set() {
            t.listener_set = Some(format!(
                "{}/{}",
                owner.object.namespace, owner.object.id.name
            ));
        }
        let Some(table) = self.tables.get(&(g, l)) else {
            t.not_found(format!(
                "no route is attached to listener {:?}",
                listener.name
            ));
            return Ok(t);
        };
        let flavor = probe.flavor();
        let (map, criteria) = match flavor {
            Flavor::Grpc if !table.grpc.is_empty() => (&table.grpc, &GRPC_CRITERIA),
            Flavor::Grpc | Flavor::Http if listener_is_http(listener) => {
                if flavor == Flavor::Grpc {
                    t.notes.push("no GRPCRoute serves this listener; HTTPRoutes match the gRPC request as an HTTP/2 POST".into());
                }
                (&table.http, &HTTP_CRITERIA)
            }
            _ => (&table.l4, &HTTP_CRITERIA),
        };
        let groups = table::groups(map, &probe.host);
        let mut winner: Option<(&str, Entry)> = None;
        let mut losers = Vec::new();
        for (host, entries) in &groups {
            for e in entries.iter() {
                if !self.matches(e, probe) {
                    continue;
                }
                match &winner {
                    None => winner = Some((host, *e)),
                    Some((wh, w)) => {
                        if losers.len() < MAX_CANDIDATES && (w.route, w.rule) != (e.route, e.rule) {
                            let reason = if wh == host {
                                table::why(&self.facts, criteria, w, e)
                            } else {
                                format!(
                                    "the winner's hostname {} is more specific than {}",
                                    show_host(wh),
                                    show_host(host)
                                )
                            };
                            losers.push(Candidate {
                                route: self.route_name(e.route),
                                rule: e.rule as usize,
                                match_: e.matched as usize,
                                hostname: show_host(host),
                                reason,
                            });
                        }
                    }
                }
            }
        }
        t.candidates = losers;
        let Some((host, w)) = winner else {
            let count = groups.iter().map(|(_, e)| e.len()).sum::<usize>();
            t.not_found(if count == 0 {
                format!(
                    "no route on listener {:?} serves host {}",
                    listener.name, probe.host
                )
            } else {
                format!(
                    "none of the {count} rule matches on listener {:?} for host {} matches",
                    listener.name, probe.host
                )
            });
            return Ok(t);
        };
        if let Some((first, _)) = groups.first() {
            if *first != host && flavor == Flavor::Http {
                t.notes.push(format!("the request fell through from the routes of the more specific hostname {} to {}: the spec orders rules by hostname first, but Envoy-based implementations give each hostname its own virtual host and answer 404 here", show_host(first), show_host(host)));
            }
        }
        t.hostname = Some(show_host(host));
        t.route = Some(self.route_name(w.route));
        t.route_index = Some(w.route);
        t.rule = Some(w.rule as usize);
        t.match_ = Some(w.matched as usize);
        t.steps.push(format!(
            "route {} rule {} match {} wins{}",
            self.route_name(w.route),
            w.rule,
            w.matched,
            if t.candidates.is_empty() {
                String::new()
            } else {
                format!(" over {} other matching candidate(s)", t.candidates.len())
            }
        ));
        let route = &self.facts.routes[w.route as usize];
        if regex_involved(route, &w) {
            t.notes.push("RegularExpression path precedence is implementation-specific; modelled after Exact and before PathPrefix, longer patterns first (as Envoy-based implementations order them)".into());
        }
        self.outcome(route, &w, probe, t)
    }

    /// The listener the request arrives on: port and protocol, then the most specific hostname
    /// (exact, then the longest wildcard, then none).
    fn listener(
        &self,
        probe: &Probe,
        gateway: Option<&str>,
        t: &mut Trace,
    ) -> Result<Option<(usize, usize)>, ProbeError> {
        let protocols = protocols(probe);
        // The best listener per Gateway, its ListenerSets' listeners included.
        let mut best: Vec<(usize, usize, (u8, usize))> = Vec::new();
        for (gi, g) in self.facts.gateways.iter().enumerate() {
            let Some(root) = self.roots[gi] else {
                continue;
            };
            if !gateway.is_none_or(|want| names_gateway(&self.facts.gateways[root], want)) {
                continue;
            }
            let fit = g
                .listeners
                .iter()
                .enumerate()
                .filter(|(li, l)| {
                    self.valid[gi][*li]
                        && l.port == Some(i64::from(probe.port))
                        && protocols.contains(&l.protocol.as_str())
                })
                .filter_map(|(li, l)| Some((li, host_fit(l.hostname.as_deref(), &probe.host)?)))
                .max_by_key(|(_, fit)| *fit);
            let Some((li, fit)) = fit else {
                continue;
            };
            match best
                .iter_mut()
                .find(|(b, _, _)| self.roots[*b] == Some(root))
            {
                Some(entry) if entry.2 < fit => *entry = (gi, li, fit),
                Some(_) => {}
                None => best.push((gi, li, fit)),
            }
        }
        if let Some(want) = gateway {
            if !self
                .facts
                .gateways
                .iter()
                .any(|g| !g.is_listener_set() && names_gateway(g, want))
            {
                return Err(ProbeError(format!(
                    "Gateway {want:?} is not in the set; it has: {}",
                    self.gateways().join(", ")
                )));
            }
        }
        match best.as_slice() {
            [] => {
                t.reason = Some(format!(
                    "no listener{} takes {} on port {} for host {}",
                    gateway
                        .map(|g| format!(" of Gateway {g}"))
                        .unwrap_or_default(),
                    protocols.join(" or "),
                    probe.port,
                    probe.host
                ));
                Ok(None)
            }
            [(g, l, _)] => {
                let owner = &self.facts.gateways[*g];
                let gw = &self.facts.gateways[self.roots[*g].unwrap_or(*g)];
                let listener = &owner.listeners[*l];
                let set = if owner.is_listener_set() {
                    format!(
                        " of ListenerSet {}/{}",
                        owner.object.namespace, owner.object.id.name
                    )
                } else {
                    String::new()
                };
                t.steps.push(format!(
                    "Gateway {}/{} listener {:?}{set} ({} on port {}{}) takes the request",
                    gw.object.namespace,
                    gw.object.id.name,
                    listener.name,
                    listener.protocol,
                    probe.port,
                    match &listener.hostname {
                        Some(h) => format!(", hostname {h} matches {}", probe.host),
                        None => ", any hostname".to_string(),
                    }
                ));
                Ok(Some((*g, *l)))
            }
            several => {
                let names: Vec<String> = several
                    .iter()
                    .map(|(g, _, _)| {
                        let o = &self.facts.gateways[self.roots[*g].unwrap_or(*g)].object;
                        format!("{}/{}", o.namespace, o.id.name)
                    })
                    .collect();
                Err(ProbeError(format!(
                    "several Gateways listen on port {} for {}: {}; choose one with {}",
                    probe.port,
                    probe.host,
                    names.join(", "),
                    crate::door::setting("gateway")
                )))
            }
        }
    }

    fn matches(&self, e: &Entry, probe: &Probe) -> bool {
        match &self.facts.routes[e.route as usize].rules {
            Rules::Http(rules) => {
                http_matches(&rules[e.rule as usize].matches[e.matched as usize], probe)
            }
            Rules::Grpc(rules) => {
                let m = &rules[e.rule as usize].matches[e.matched as usize];
                let mut parts = probe.path.trim_start_matches('/').splitn(2, '/');
                let (service, method) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                m.service.as_ref().is_none_or(|s| s.is_match(service))
                    && m.method.as_ref().is_none_or(|s| s.is_match(method))
                    && m.headers
                        .iter()
                        .all(|h| probe.header(&h.name).is_some_and(|v| h.value.is_match(v)))
            }
            Rules::L4(_) => true,
        }
    }

    pub(crate) fn route_name(&self, route: u32) -> String {
        route_name(&self.facts.routes[route as usize])
    }

    /// What the winning rule does with the request.
    fn outcome(
        &self,
        route: &Route,
        w: &Entry,
        probe: &Probe,
        mut t: Trace,
    ) -> Result<Trace, ProbeError> {
        let (filters_, backends, matched) = match &route.rules {
            Rules::Http(rules) => {
                let rule = &rules[w.rule as usize];
                let matched = match &rule.matches[w.matched as usize].path {
                    PathMatch::Prefix(p) => p.clone(),
                    _ => "/".to_string(),
                };
                (&rule.filters[..], &rule.backends[..], matched)
            }
            Rules::Grpc(rules) => {
                let rule = &rules[w.rule as usize];
                (&rule.filters[..], &rule.backends[..], "/".to_string())
            }
            Rules::L4(backends) => (&[][..], &backends[..], "/".to_string()),
        };
        let mut seen = probe.clone();
        for f in filters_ {
            match f {
                Filter::RequestHeaders(changes) => {
                    filters::headers(&mut seen, changes);
                    t.filters.push("RequestHeaderModifier".into());
                }
                Filter::Redirect(r) => {
                    t.filters.push("RequestRedirect".into());
                    let next = filters::redirect(probe, r, &matched);
                    t.outcome = Outcome::Redirected;
                    t.status = Some(r.status);
                    t.redirect = Some(Redirected {
                        status: r.status,
                        location: next.url(),
                    });
                    t.steps.push(format!(
                        "RequestRedirect answers {} with Location {}",
                        r.status,
                        next.url()
                    ));
                    return Ok(t);
                }
                Filter::Rewrite { hostname, path } => {
                    if let Some(h) = hostname {
                        seen.host = h.clone();
                    }
                    if let Some(p) = path {
                        seen.path = filters::modify_path(&probe.path, p, &matched);
                    }
                    t.filters.push("URLRewrite".into());
                }
                Filter::Mirror { backend, percent } => {
                    t.filters.push("RequestMirror".into());
                    t.mirrors.push(self.share(route, backend, percent / 100.0));
                }
                Filter::Cors(cors) => {
                    t.filters.push("CORS".into());
                    let preflight = probe.method == "OPTIONS"
                        && probe.header("origin").is_some()
                        && probe.header("access-control-request-method").is_some();
                    if preflight {
                        let origin = probe.header("origin").unwrap_or_default();
                        let allowed = cors
                            .allow_origins
                            .iter()
                            .any(|o| o == "*" || o == origin || wildcard_origin(o, origin));
                        t.outcome = Outcome::Answered;
                        t.status = Some(if allowed { 200 } else { 403 });
                        t.reason = Some(if allowed {
                            format!("CORS preflight from {origin} answered by the Gateway (allowed methods: {})", cors.allow_methods.join(", "))
                        } else {
                            format!("CORS preflight from {origin}: origin not in allowOrigins; the Gateway answers without CORS headers (status is implementation-specific)")
                        });
                        return Ok(t);
                    }
                }
                Filter::Other(kind) => {
                    t.filters.push(kind.clone());
                    if kind == "ExtensionRef" {
                        t.notes.push("an ExtensionRef filter applies; what it does is implementation-specific".into());
                    }
                }
            }
        }
        if !matches!(route.rules, Rules::L4(_)) {
            t.request = Some(seen_request(&seen));
        }
        if backends.is_empty() {
            t.error(
                500,
                "the matching rule has no backendRefs and no filter that answers".into(),
            );
            return Ok(t);
        }
        let total: i64 = backends.iter().map(|b| b.weight.max(0)).sum();
        if total == 0 {
            t.error(
                500,
                "every backendRef of the matching rule has weight 0".into(),
            );
            t.backends = backends.iter().map(|b| self.share(route, b, 0.0)).collect();
            return Ok(t);
        }
        t.backends = backends
            .iter()
            .map(|b| self.share(route, b, b.weight.max(0) as f64 / total as f64))
            .collect();
        let broken: f64 = t
            .backends
            .iter()
            .filter(|b| b.problem.is_some())
            .map(|b| b.share)
            .sum();
        if broken >= 1.0 - 1e-9 {
            let why: Vec<String> = t
                .backends
                .iter()
                .filter_map(|b| {
                    Some(format!(
                        "{}/{} ({})",
                        b.namespace,
                        b.name,
                        b.problem.as_ref()?
                    ))
                })
                .collect();
            t.error(
                500,
                format!(
                    "no backend of the matching rule resolves: {}",
                    why.join(", ")
                ),
            );
            return Ok(t);
        }
        if broken > 0.0 {
            t.notes.push(format!(
                "{:.1} % of these requests get HTTP 500: a backend does not resolve",
                broken * 100.0
            ));
        }
        if backends.iter().any(|b| b.headers.is_some()) {
            t.notes.push("a backendRef has filters of its own: the request that backend sees differs from `request`".into());
        }
        t.outcome = Outcome::Forwarded;
        let list: Vec<String> = t
            .backends
            .iter()
            .filter(|b| b.share > 0.0)
            .map(|b| {
                format!(
                    "{}/{}:{} ({:.1} %)",
                    b.namespace,
                    b.name,
                    b.port.map_or("-".into(), |p| p.to_string()),
                    b.share * 100.0
                )
            })
            .collect();
        t.steps.push(format!("forwarded to {}", list.join(", ")));
        Ok(t)
    }

    fn share(&self, route: &Route, b: &Backend, share: f64) -> BackendShare {
        let r = &b.reference;
        BackendShare {
            group: r.group.clone(),
            kind: r.kind.clone(),
            namespace: r
                .namespace
                .clone()
                .unwrap_or_else(|| route.object.namespace.clone()),
            name: r.name.clone(),
            port: r.port,
            weight: b.weight,
            share,
            problem: backend_problem(&self.facts, &route.object, r).map(str::to_string),
        }
    }
}

impl Trace {
    pub(crate) fn new(outcome: Outcome) -> Trace {
        Trace {
            outcome,
            status: None,
            reason: None,
            gateway: None,
            listener: None,
            listener_set: None,
            hostname: None,
            route: None,
            route_index: None,
            rule: None,
            match_: None,
            backends: Vec::new(),
            redirect: None,
            request: None,
            mirrors: Vec::new(),
            filters: Vec::new(),
            candidates: Vec::new(),
            steps: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn not_found(&mut self, reason: String) {
        self.outcome = Outcome::NotFound;
        self.status = Some(404);
        self.steps.push(reason.clone());
        self.reason = Some(reason);
    }

    fn error(&mut self, status: u16, reason: String) {
        self.outcome = Outcome::Error;
        self.status = Some(status);
        self.steps.push(reason.clone());
        self.reason = Some(reason);
    }

    /// The backend that takes the largest share (the first of equals), as `ns/name:port`.
    pub fn main_backend(&self) -> Option<String> {
        self.backends
            .iter()
            .filter(|b| b.share > 0.0)
            .fold(None::<&BackendShare>, |best, b| match best {
                Some(x) if x.share >= b.share => Some(x),
                _ => Some(b),
            })
            .map(|b| format!("{}/{}:{}", b.namespace, b.name, b.port.unwrap_or(0)))
    }
}

/// HTTPRoute match semantics: path (Exact; PathPrefix element-wise; RegularExpression on the
/// whole path), headers (names in any case), query parameters, method; all ANDed.
pub fn http_matches(m: &HttpMatch, probe: &Probe) -> bool {
    let path_ok = match &m.path {
        PathMatch::Exact(v) => probe.path == *v,
        PathMatch::Prefix(p) => {
            p == "/"
                || probe
                    .path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }
        PathMatch::Regex(r) => r.is_match(&probe.path),
    };
    path_ok
        && m.method.as_ref().is_none_or(|x| *x == probe.method)
        && m.headers
            .iter()
            .all(|h| probe.header(&h.name).is_some_and(|v| h.value.is_match(v)))
        && m.query.iter().all(|q| {
            probe
                .query_param(&q.name)
                .is_some_and(|v| q.value.is_match(v))
        })
}

fn regex_involved(route: &Route, e: &Entry) -> bool {
    match &route.rules {
        Rules::Http(rules) => matches!(
            rules[e.rule as usize].matches[e.matched as usize].path,
            PathMatch::Regex(_)
        ),
        _ => false,
    }
}

/// The listener protocols a request of this scheme arrives on.
fn protocols(probe: &Probe) -> &'static [&'static str] {
    match probe.scheme.as_str() {
        "http" | "grpc" => &["HTTP"],
        "https" | "grpcs" => &["HTTPS", "TLS"],
        "tls" => &["TLS"],
        "tcp" => &["TCP"],
        _ => &["UDP"],
    }
}

fn listener_is_http(l: &Listener) -> bool {
    matches!(l.protocol.as_str(), "HTTP" | "HTTPS")
}

/// How well a listener hostname fits the host: exact beats wildcard, longer wildcards beat
/// shorter ones, and no hostname fits any host least; `None` when it does not fit.
fn host_fit(listener: Option<&str>, host: &str) -> Option<(u8, usize)> {
    match listener {
        None => Some((0, 0)),
        Some(l) if l == host => Some((2, l.len())),
        Some(l) => {
            let suffix = l.strip_prefix('*')?;
            (host.ends_with(suffix) && host.len() > suffix.len()).then_some((1, l.len()))
        }
    }
}

fn names_gateway(g: &Gateway, want: &str) -> bool {
    match want.split_once('/') {
        Some((ns, name)) => g.object.namespace == ns && g.object.id.name == name,
        None => g.object.id.name == want,
    }
}

fn wildcard_origin(pattern: &str, origin: &str) -> bool {
    pattern.split_once('*').is_some_and(|(a, b)| {
        origin.starts_with(a) && origin.ends_with(b) && origin.len() >= a.len() + b.len()
    })
}

pub(crate) fn route_name(r: &Route) -> String {
    format!(
        "{}/{}/{}",
        r.object.id.kind, r.object.namespace, r.object.id.name
    )
}

fn show_host(h: &str) -> String {
    if h.is_empty() {
        "*".to_string()
    } else {
        h.to_string()
    }
}

fn seen_request(p: &Probe) -> SeenRequest {
    let mut headers = indexmap::IndexMap::new();
    headers.insert("host".to_string(), p.host.clone());
    for (n, v) in &p.headers {
        headers.insert(n.clone(), v.clone());
    }
    SeenRequest {
        method: p.method.clone(),
        url: p.url(),
        headers,
    }
}

impl Trace {
    /// The trace for a person: the steps, the losers and why, then the outcome.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for s in &self.steps {
            out.push_str(&format!("  {s}\n"));
            if !s.starts_with("route ") {
                continue;
            }
            for c in &self.candidates {
                out.push_str(&format!(
                    "    also matched: {} rule {} match {} (hostname {}): lost, {}\n",
                    c.route, c.rule, c.match_, c.hostname, c.reason
                ));
            }
        }
        if !self.filters.is_empty() {
            out.push_str(&format!("  filters: {}\n", self.filters.join(", ")));
        }
        if let Some(r) = &self.request {
            let headers: Vec<String> = r.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            out.push_str(&format!(
                "  backend sees: {} {} [{}]\n",
                r.method,
                r.url,
                headers.join("; ")
            ));
        }
        for m in &self.mirrors {
            out.push_str(&format!(
                "  mirrored to {}/{} ({:.1} %)\n",
                m.namespace,
                m.name,
                m.share * 100.0
            ));
        }
        for n in &self.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        let outcome = match self.outcome {
            Outcome::Forwarded => {
                format!("forwarded to {}", self.main_backend().unwrap_or_default())
            }
            Outcome::Redirected => match &self.redirect {
                Some(r) => format!("redirected: {} Location: {}", r.status, r.location),
                None => "redirected".into(),
            },
            Outcome::NotFound => "not found: HTTP 404".into(),
            Outcome::Error => format!(
                "error: HTTP {}: {}",
                self.status.unwrap_or(500),
                self.reason.as_deref().unwrap_or_default()
            ),
            Outcome::NoListener => format!(
                "no listener: {}",
                self.reason.as_deref().unwrap_or("connection refused")
            ),
            Outcome::Answered => format!(
                "answered by the Gateway: HTTP {}",
                self.status.unwrap_or(200)
            ),
        };
        out.push_str(&format!("=> {outcome}\n"));
        out
    }
}
