//! Lint rules that need the traffic model: redirect loops, matches that never win, routes that
//! compete for the same requests, rules that send nothing anywhere, mirrors to their own backend.

use foldhash::{HashMap, HashSet};

use super::probe::Probe;
use super::routes::{Backend, Filter, HttpMatch, PathMatch, Rules, StrMatch};
use super::table::{self, Entry, GRPC_CRITERIA, HTTP_CRITERIA};
use super::{Model, Outcome, Trace};
use crate::finding::{Finding, Severity};
use crate::lint::facts::{Listener, Route};

/// Chooses a kind's groups of a listener's table.
type Pick = fn(&super::table::Table) -> &HashMap<String, Vec<Entry>>;

/// Redirects a loop check follows before it gives up (a chain this long is a problem too).
const MAX_HOPS: usize = 5;

impl Model {
    /// The findings of every traffic rule over the set.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        self.redirect_loops(&mut out);
        self.shadowed(&mut out);
        for route in &self.facts.routes {
            backend_rules(route, &mut out);
        }
        out
    }

    /// A redirect whose Location comes back to the same rule (directly or through others).
    fn redirect_loops(&self, out: &mut Vec<Finding>) {
        let mut reported = HashSet::default();
        let redirects = |e: &Entry| match &self.facts.routes[e.route as usize].rules {
            Rules::Http(rules) => rules[e.rule as usize]
                .filters
                .iter()
                .any(|f| matches!(f, Filter::Redirect(_))),
            _ => false,
        };
        for (g, l, host, entries) in self.groups(|t| &t.http, |es| es.iter().any(redirects)) {
            let listener = &self.facts.gateways[g].listeners[l];
            for e in entries {
                let route = &self.facts.routes[e.route as usize];
                let Rules::Http(rules) = &route.rules else {
                    continue;
                };
                let rule = &rules[e.rule as usize];
                if !redirects(e) || reported.contains(&(e.route, e.rule)) {
                    continue;
                }
                let Some(probe) = sample(listener, host, &rule.matches[e.matched as usize]) else {
                    continue;
                };
                if let Some((at, chain)) = self.follow(&probe, g, l, e) {
                    reported.insert((e.route, e.rule));
                    out.push(
                            Finding::new(Severity::Error, "redirect-loop", format!("on listener {at:?}, rule {} redirects requests to where they come back to it, a redirect loop: {}", e.rule, chain.join(" → ")))
                                .at(&route.object.file, rule.line)
                                .on(Some(route.object.id.clone()))
                                .field(format!("spec.rules[{}].filters", e.rule))
                                .hint(format!("attach the redirect only to the listener it should leave, with parentRef sectionName (for an HTTP→HTTPS redirect, the HTTP listener); it is attached to {at:?} too")),
                        );
                }
            }
        }
    }

    /// Follows redirects from `probe` (which rule `start` of listener `l` answers). When the
    /// chain comes back to a rule it already passed: the listener where the loop is and its URLs.
    fn follow(
        &self,
        probe: &Probe,
        g: usize,
        l: usize,
        start: &Entry,
    ) -> Option<(String, Vec<String>)> {
        let trace = self
            .trace_on(probe, g, l, Trace::new(Outcome::NoListener))
            .ok()?;
        // Another rule wins this request (perhaps of another definition of the same route, which
        // has its name): that rule is checked on its own.
        if trace.rule != Some(start.rule as usize) || trace.route_index != Some(start.route) {
            return None;
        }
        let gateway = trace.gateway.clone()?;
        // hops[i] is the decision on urls[i].
        let mut hops = vec![hop(&trace)];
        let mut urls = vec![probe.url()];
        let mut current = trace;
        for _ in 0..MAX_HOPS {
            let r = current.redirect.as_ref()?;
            let method = current
                .request
                .as_ref()
                .map_or(probe.method.as_str(), |s| s.method.as_str());
            let mut next = Probe::new(&r.location, Some(method), &[]).ok()?;
            next.headers = probe.headers.clone();
            current = self.trace(&next, Some(&gateway)).ok()?;
            let step = hop(&current);
            if let Some(k) = hops.iter().position(|h| *h == step) {
                let mut chain = urls.split_off(k);
                chain.push(next.url());
                return Some((step.1.unwrap_or_default(), chain));
            }
            hops.push(step);
            urls.push(next.url());
        }
        None
    }

    /// Matches that never win: an identical match of higher precedence on the same listener and
    /// hostname takes every request they would match.
    fn shadowed(&self, out: &mut Vec<Finding>) {
        let mut reported = HashSet::default();
        let kinds: [(Pick, &[&str; 5]); 2] =
            [(|t| &t.http, &HTTP_CRITERIA), (|t| &t.grpc, &GRPC_CRITERIA)];
        for (pick, criteria) in kinds {
            // A match can only be shadowed by another candidate for the same hostname.
            for (g, l, host, entries) in self.groups(pick, |es| es.len() > 1) {
                let listener = &self.facts.gateways[g].listeners[l];
                let mut first: HashMap<Condition, Entry> = HashMap::default();
                for e in entries {
                    let Some(condition) = self.condition(e) else {
                        continue;
                    };
                    match first.get(&condition) {
                        None => {
                            first.insert(condition, *e);
                        }
                        // Two definitions of one route (duplicate-resource) are one object.
                        Some(w)
                            if (w.route, w.rule) != (e.route, e.rule)
                                && (w.route == e.route || !self.same_object(w.route, e.route))
                                && reported.insert((e.route, e.rule, e.matched)) =>
                        {
                            out.push(self.shadow_finding(w, e, listener, host, criteria));
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }

    /// Whether two routes of the facts are definitions of the same object.
    fn same_object(&self, a: u32, b: u32) -> bool {
        let (a, b) = (
            &self.facts.routes[a as usize].object,
            &self.facts.routes[b as usize].object,
        );
        (&a.id.kind, &a.namespace, &a.id.name) == (&b.id.kind, &b.namespace, &b.id.name)
    }

    fn shadow_finding(
        &self,
        winner: &Entry,
        loser: &Entry,
        listener: &Listener,
        host: &str,
        criteria: &[&str; 5],
    ) -> Finding {
        let route = &self.facts.routes[loser.route as usize];
        let (line, count) = match &route.rules {
            Rules::Http(r) => (
                r[loser.rule as usize].matches[loser.matched as usize].line,
                r[loser.rule as usize].matches.len(),
            ),
            Rules::Grpc(r) => (
                r[loser.rule as usize].matches[loser.matched as usize].line,
                r[loser.rule as usize].matches.len(),
            ),
            Rules::L4(_) => (route.object.line, 1),
        };
        let whole = if count == 1 {
            format!("rule {} never receives traffic", loser.rule)
        } else {
            format!("match {} of rule {} never wins", loser.matched, loser.rule)
        };
        let host = if host.is_empty() { "any host" } else { host };
        let why = table::why(&self.facts, criteria, winner, loser);
        let (rule, message) = if winner.route == loser.route {
            ("shadowed-match", format!("{whole}: rule {} of the same route has the same match and takes every request first (listener {:?}, {host})", winner.rule, listener.name))
        } else {
            ("conflicting-route-match", format!("{whole} on listener {:?} for {host}: {} rule {} has the same match and wins ({why})", listener.name, self.route_name(winner.route), winner.rule))
        };
        Finding::new(Severity::Warning, rule, message)
            .at(&route.object.file, line)
            .on(Some(route.object.id.clone()))
            .field(format!("spec.rules[{}].matches[{}]", loser.rule, loser.matched))
            .hint("remove the duplicate, or make the matches differ (path, method, headers or query parameters)")
    }

    /// What a match selects, comparable (header and query order do not matter); `None` for
    /// regular expressions, whose overlap the model does not judge.
    fn condition<'m>(&'m self, e: &Entry) -> Option<Condition<'m>> {
        let route = &self.facts.routes[e.route as usize];
        let sorted = |list: &'m [super::routes::NameMatch]| -> Option<Vec<(&'m str, &'m str)>> {
            let mut v = list
                .iter()
                .map(|n| match &n.value {
                    StrMatch::Exact(x) => Some((n.name.as_str(), x.as_str())),
                    StrMatch::Regex(_) => None,
                })
                .collect::<Option<Vec<_>>>()?;
            v.sort_unstable();
            Some(v)
        };
        match &route.rules {
            Rules::Http(rules) => {
                let m = &rules[e.rule as usize].matches[e.matched as usize];
                let path = match &m.path {
                    PathMatch::Exact(p) => (true, p.as_str()),
                    PathMatch::Prefix(p) => (false, p.as_str()),
                    PathMatch::Regex(_) => return None,
                };
                Some(Condition::Http {
                    path,
                    method: m.method.as_deref(),
                    headers: sorted(&m.headers)?,
                    query: sorted(&m.query)?,
                })
            }
            Rules::Grpc(rules) => {
                let m = &rules[e.rule as usize].matches[e.matched as usize];
                let exact = |s: &'m Option<StrMatch>| match s {
                    None => Some(""),
                    Some(StrMatch::Exact(x)) => Some(x.as_str()),
                    Some(StrMatch::Regex(_)) => None,
                };
                Some(Condition::Grpc {
                    service: exact(&m.service)?,
                    method: exact(&m.method)?,
                    headers: sorted(&m.headers)?,
                })
            }
            Rules::L4(_) => None,
        }
    }
}

/// What a match selects, borrowed from the facts ([`Model::condition`]): two matches with equal
/// conditions select the same requests.
#[derive(PartialEq, Eq, Hash)]
enum Condition<'m> {
    Http {
        /// (exact, path): a PathPrefix is kept without its trailing `/`.
        path: (bool, &'m str),
        method: Option<&'m str>,
        headers: Vec<(&'m str, &'m str)>,
        query: Vec<(&'m str, &'m str)>,
    },
    Grpc {
        service: &'m str,
        method: &'m str,
        headers: Vec<(&'m str, &'m str)>,
    },
}

/// The identity of a trace's decision, to notice a redirect chain coming back.
fn hop(
    t: &Trace,
) -> (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<usize>,
) {
    (
        t.gateway.clone(),
        t.listener.clone(),
        t.route.clone(),
        t.rule,
    )
}

/// A request that `m` matches on `listener` for the effective hostname `host` (`""`: any), or
/// `None` when the match uses regular expressions (no request is derived from a pattern).
pub(crate) fn sample(listener: &Listener, host: &str, m: &HttpMatch) -> Option<Probe> {
    let scheme = match listener.protocol.as_str() {
        "HTTP" => "http",
        "HTTPS" => "https",
        _ => return None,
    };
    let host = match host {
        "" => "www.example.com".to_string(),
        h => match h.strip_prefix("*.") {
            Some(rest) => format!("sample.{rest}"),
            None => h.to_string(),
        },
    };
    let path = match &m.path {
        PathMatch::Exact(p) | PathMatch::Prefix(p) => p.clone(),
        PathMatch::Regex(_) => return None,
    };
    let exact = |list: &[super::routes::NameMatch]| -> Option<Vec<(String, String)>> {
        list.iter()
            .map(|n| match &n.value {
                StrMatch::Exact(v) => Some((n.name.clone(), v.clone())),
                StrMatch::Regex(_) => None,
            })
            .collect()
    };
    let headers = exact(&m.headers)?;
    // The parts are set as they are, not through a URL: a value may hold any character.
    let mut probe = Probe::new(
        &format!("{scheme}://{host}:{}/", listener.port?),
        m.method.as_deref(),
        &[],
    )
    .ok()?;
    probe.path = path;
    probe.query = exact(&m.query)?;
    for (name, value) in headers {
        probe.set_header(&name, &value);
    }
    Some(probe)
}

/// Rules whose backends can take nothing, and mirrors to a backend the rule already uses.
fn backend_rules(route: &Route, out: &mut Vec<Finding>) {
    let at = |line: u64, field: String, f: Finding| {
        f.at(&route.object.file, line)
            .on(Some(route.object.id.clone()))
            .field(field)
    };
    let mut check = |i: usize, line: u64, filters: &[Filter], backends: &[Backend]| {
        if !backends.is_empty() && backends.iter().all(|b| b.weight == 0) {
            out.push(at(line, format!("spec.rules[{i}].backendRefs"), Finding::new(Severity::Error, "backends-all-weight-zero", format!("every backendRef of rule {i} has weight 0, so every request it matches gets HTTP 500")).hint("give the backend that should take the traffic a weight above 0 (weights are shares: weight / sum)")));
        }
        for f in filters {
            let Filter::Mirror { backend, .. } = f else {
                continue;
            };
            let same = |b: &Backend| {
                b.reference.group == backend.reference.group
                    && b.reference.kind == backend.reference.kind
                    && b.reference.name == backend.reference.name
                    && b.reference.namespace == backend.reference.namespace
                    && b.reference.port == backend.reference.port
            };
            if backends.iter().any(|b| b.weight > 0 && same(b)) {
                out.push(at(backend.reference.origin.line, backend.reference.origin.field.clone(), Finding::new(Severity::Warning, "mirror-to-own-backend", format!("rule {i} mirrors requests to {}, which it already forwards them to: that backend receives them twice", backend.reference.name)).hint("mirror to a different backend (a shadow deployment), or remove the RequestMirror filter")));
            }
        }
    };
    match &route.rules {
        Rules::Http(rules) => {
            for (i, r) in rules.iter().enumerate() {
                check(i, r.line, &r.filters, &r.backends);
            }
        }
        Rules::Grpc(rules) => {
            for (i, r) in rules.iter().enumerate() {
                check(i, r.line, &r.filters, &r.backends);
            }
        }
        Rules::L4(backends) => check(0, route.object.line, &[], backends),
    }
}

/// A request derived from a rule, and where the model sends it: what `generate` shows to prove
/// its output routes as asked.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct SampleTrace {
    pub method: String,
    pub url: String,
    /// Request headers the rule's match needs.
    pub headers: indexmap::IndexMap<String, String>,
    /// `Kind/namespace/name rule N`: the rule the request was derived from and must reach.
    pub intended: String,
    pub trace: Trace,
}

impl Model {
    /// One sample request per match of every rule that carries traffic (regular expression
    /// matches excepted), traced; and a line for each that does not reach its own rule or loops.
    pub fn samples(&self) -> (Vec<SampleTrace>, Vec<String>) {
        let mut done = HashSet::default();
        let mut samples = Vec::new();
        let mut wrong = Vec::new();
        for (g, l, host, entries) in self.groups(|t| &t.http, |_| true) {
            let listener = &self.facts.gateways[g].listeners[l];
            for e in entries {
                let Rules::Http(rules) = &self.facts.routes[e.route as usize].rules else {
                    continue;
                };
                let m = &rules[e.rule as usize].matches[e.matched as usize];
                let Some(mut probe) = sample(listener, host, m) else {
                    continue;
                };
                if !done.insert((e.route, e.rule, e.matched)) {
                    continue;
                }
                let Ok(mut trace) = self.trace_on(&probe, g, l, Trace::new(Outcome::NoListener))
                else {
                    continue;
                };
                let intended = format!("{} rule {}", self.route_name(e.route), e.rule);
                let reached_by = |t: &Trace| match (&t.route, t.rule) {
                    (Some(r), Some(i)) => format!("{r} rule {i}"),
                    _ => format!("{:?}", t.outcome),
                };
                let mut reached = reached_by(&trace);
                // A prefix is reached when a path under it is: an Exact match of the prefix
                // itself (e.g. `/` next to PathPrefix `/`) takes only that one path.
                if let (true, PathMatch::Prefix(p)) = (reached != intended, &m.path) {
                    let mut deeper = probe.clone();
                    deeper.path = format!("{}/sample", p.trim_end_matches('/'));
                    if let Ok(t) = self.trace_on(&deeper, g, l, Trace::new(Outcome::NoListener)) {
                        if reached_by(&t) == intended {
                            (probe, trace, reached) = (deeper, t, intended.clone());
                        }
                    }
                }
                if reached != intended {
                    wrong.push(format!(
                        "{} {} is meant for {intended} but reaches {reached}",
                        probe.method,
                        probe.url()
                    ));
                }
                samples.push(SampleTrace {
                    method: probe.method.clone(),
                    url: probe.url(),
                    headers: probe.headers.iter().cloned().collect(),
                    intended,
                    trace,
                });
            }
        }
        (samples, wrong)
    }
}
