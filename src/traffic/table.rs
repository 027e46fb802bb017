//! One listener's routing table: candidates (route, rule, match) grouped by effective hostname and
//! sorted by the spec's precedence, with the reason one candidate beats another.

use foldhash::HashMap;
use std::cmp::Ordering;

use super::routes::{GrpcMatch, HttpMatch, PathMatch, Rules, StrMatch};
use crate::lint::analysis::Attachment;
use crate::lint::facts::{by_age, Facts, Route};

/// A match of a rule of a route, with its precedence on the spec's criteria (higher wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub route: u32,
    pub rule: u16,
    pub matched: u16,
    pub rank: [u32; 5],
}

/// Candidates by effective hostname (`""`: any host), each list in precedence order.
#[derive(Debug, Default)]
pub struct Table {
    pub http: HashMap<String, Vec<Entry>>,
    pub grpc: HashMap<String, Vec<Entry>>,
    pub l4: HashMap<String, Vec<Entry>>,
}

/// The spec's criteria behind `Entry::rank`, as said when one candidate beats another.
pub const HTTP_CRITERIA: [&str; 5] = [
    "path match type (Exact, then RegularExpression, then PathPrefix)",
    "a longer path",
    "a method match",
    "more header matches",
    "more query parameter matches",
];
pub const GRPC_CRITERIA: [&str; 5] = [
    "a longer service match",
    "a longer method match",
    "more header matches",
    "",
    "",
];

impl Table {
    pub fn add(&mut self, facts: &Facts, a: &Attachment) {
        let route = &facts.routes[a.route];
        let listener = &facts.gateways[a.gateway].listeners[a.listener];
        let hosts = effective_hostnames(listener.hostname.as_deref(), &route.hostnames);
        let id = a.route as u32;
        let (target, entries) = match &route.rules {
            Rules::Http(rules) => (
                &mut self.http,
                entries(id, rules.iter().map(|r| &r.matches[..]), http_rank),
            ),
            Rules::Grpc(rules) => (
                &mut self.grpc,
                entries(id, rules.iter().map(|r| &r.matches[..]), grpc_rank),
            ),
            Rules::L4(_) => (&mut self.l4, entries(id, [&[()][..]], |_| [0; 5])),
        };
        for host in hosts {
            let list = target.entry(host).or_default();
            // A route attached twice to one listener (two parentRefs) is one candidate.
            if list.last().is_none_or(|e| e.route != id) {
                list.extend(entries.iter().copied());
            }
        }
    }

    pub fn sort(&mut self, facts: &Facts) {
        for list in self
            .http
            .values_mut()
            .chain(self.grpc.values_mut())
            .chain(self.l4.values_mut())
        {
            list.sort_by(|a, b| compare(facts, a, b));
        }
    }
}

/// One entry per match of each rule, ranked.
fn entries<'m, M: 'm>(
    route: u32,
    rules: impl IntoIterator<Item = &'m [M]>,
    rank: impl Fn(&M) -> [u32; 5],
) -> Vec<Entry> {
    let mut out = Vec::new();
    for (r, matches) in rules.into_iter().enumerate() {
        for (m, mat) in matches.iter().enumerate() {
            out.push(Entry {
                route,
                rule: r as u16,
                matched: m as u16,
                rank: rank(mat),
            });
        }
    }
    out
}

/// The groups of a table that can serve `host`, most specific hostname first: the host itself,
/// then wildcards from the longest suffix down, then routes for any host.
pub fn groups<'t>(map: &'t HashMap<String, Vec<Entry>>, host: &str) -> Vec<(&'t str, &'t [Entry])> {
    let mut keys = vec![host.to_string()];
    keys.extend(
        host.match_indices('.')
            .map(|(i, _)| format!("*{}", &host[i..])),
    );
    keys.push(String::new());
    keys.iter()
        .filter_map(|k| map.get_key_value(k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect()
}

/// The hostnames a route serves on a listener: each route hostname that intersects the
/// listener's, narrowed to the more specific of the two; the listener's when the route has none.
pub fn effective_hostnames(listener: Option<&str>, route: &[String]) -> Vec<String> {
    if route.is_empty() {
        return vec![listener.unwrap_or_default().to_string()];
    }
    let mut out: Vec<String> = route
        .iter()
        .filter(|h| crate::spec::hostnames_intersect(listener, Some(h)))
        .map(|h| match listener {
            Some(l) if !l.starts_with("*.") => l.to_string(),
            Some(l) if h.starts_with("*.") && l.len() > h.len() => l.to_string(),
            _ => h.clone(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn http_rank(m: &HttpMatch) -> [u32; 5] {
    let (kind, len) = match &m.path {
        PathMatch::Exact(v) => (3, v.len()),
        PathMatch::Regex(p) => (2, p.source.len()),
        PathMatch::Prefix(v) => (1, v.len()),
    };
    [
        kind,
        len as u32,
        u32::from(m.method.is_some()),
        m.headers.len() as u32,
        m.query.len() as u32,
    ]
}

fn grpc_rank(m: &GrpcMatch) -> [u32; 5] {
    let len = |s: &Option<StrMatch>| s.as_ref().map_or(0, |s| s.text().len() as u32);
    [
        len(&m.service),
        len(&m.method),
        m.headers.len() as u32,
        0,
        0,
    ]
}

/// Precedence: the match criteria, then the oldest route, then `namespace/name`, then rule and
/// match order. A route without `creationTimestamp` sorts after those with one.
pub fn compare(facts: &Facts, a: &Entry, b: &Entry) -> Ordering {
    let ra = &facts.routes[a.route as usize];
    let rb = &facts.routes[b.route as usize];
    b.rank
        .cmp(&a.rank)
        .then_with(|| by_age(&ra.created, &rb.created))
        .then_with(|| key(ra).cmp(&key(rb)))
        .then_with(|| a.route.cmp(&b.route))
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| a.matched.cmp(&b.matched))
}

fn key(r: &Route) -> (&str, &str) {
    (r.object.namespace.as_str(), r.object.id.name.as_str())
}

/// Why `winner` takes precedence over `loser` (both match the request).
pub fn why(facts: &Facts, criteria: &[&str; 5], winner: &Entry, loser: &Entry) -> String {
    if let Some(i) = (0..5).find(|&i| winner.rank[i] != loser.rank[i]) {
        return format!("the winner has {}", criteria[i]);
    }
    let rw = &facts.routes[winner.route as usize];
    let rl = &facts.routes[loser.route as usize];
    if winner.route == loser.route {
        return if winner.rule == loser.rule {
            "an earlier match of the same rule".to_string()
        } else {
            format!(
                "equal precedence; rule {} comes first in the same route",
                winner.rule
            )
        };
    }
    match (&rw.created, &rl.created) {
        (Some(a), Some(b)) if a != b => {
            format!("equal precedence; the winner is older (creationTimestamp {a} before {b})")
        }
        (Some(_), None) | (None, Some(_)) => {
            "equal precedence; the older route wins, and only one has a creationTimestamp"
                .to_string()
        }
        _ => format!(
            "equal precedence{}; {}/{} comes first in namespace/name order",
            if rw.created.is_none() {
                " and no creationTimestamp (the route created first wins in a cluster)"
            } else {
                ""
            },
            rw.object.namespace,
            rw.object.id.name
        ),
    }
}
