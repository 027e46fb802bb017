//! The traffic model: where a conformant implementation sends one request, given a set of
//! manifests. "Accepted" is not the goal; "routes as intended" is.
//!
//! The model is built from what lint already knows: the facts of the set and the attachments its
//! analysis predicts (a route carries a listener's traffic only where lint predicts it Accepted).
//! Each listener gets a table of candidates per effective hostname (route hostnames intersected
//! with the listener's), sorted once by the spec's precedence, so a trace looks only at the groups
//! that can match its host, never at every route.
//!
//! Spec sources (Gateway API v1.6.1 CRD descriptions): HTTPRoute `spec.rules` (match precedence),
//! `spec.hostnames` (hostname precedence and intersection), GRPCRoute `spec.rules`, Gateway
//! `spec.listeners[].hostname`, and the filter and backendRef field descriptions.

pub mod cases;
pub mod checks;
mod filters;
pub mod probe;
pub mod routes;
mod table;
mod trace;

pub use cases::{run_cases, CaseReport, Cases, TestReport};
pub use checks::SampleTrace;
pub use probe::{Probe, ProbeError};
pub use trace::{BackendShare, Candidate, Outcome, Redirected, SeenRequest, Trace};

use foldhash::HashMap;

use crate::lint::analysis::Attachment;
use crate::lint::facts::Facts;
use table::Table;

/// The routing tables of a set of manifests.
pub struct Model {
    facts: Facts,
    /// Per Gateway (or ListenerSet) and listener: whether it is valid (lint's analysis).
    valid: Vec<Vec<bool>>,
    /// Per Gateway or ListenerSet: the Gateway whose address it listens on (itself for a
    /// Gateway; `None` for a ListenerSet whose parent is not in the set).
    roots: Vec<Option<usize>>,
    /// Per (gateway, listener) index: the routes that carry its traffic.
    tables: HashMap<(usize, usize), Table>,
}

impl Model {
    /// Builds the tables from lint's facts and the attachments its analysis predicted.
    pub(crate) fn new(facts: Facts, attachments: &[Attachment], valid: Vec<Vec<bool>>) -> Model {
        let mut tables: HashMap<(usize, usize), Table> = HashMap::default();
        for a in attachments {
            tables
                .entry((a.gateway, a.listener))
                .or_default()
                .add(&facts, a);
        }
        for table in tables.values_mut() {
            table.sort(&facts);
        }
        let roots = facts
            .gateways
            .iter()
            .enumerate()
            .map(|(i, g)| match &g.parent {
                None => Some(i),
                Some((ns, name)) => facts.gateways.iter().position(|p| {
                    !p.is_listener_set() && p.object.namespace == *ns && p.object.id.name == *name
                }),
            })
            .collect();
        Model {
            facts,
            valid,
            roots,
            tables,
        }
    }

    /// The Gateways of the set as `namespace/name`, in input order.
    pub fn gateways(&self) -> Vec<String> {
        self.facts
            .gateways
            .iter()
            .filter(|g| !g.is_listener_set())
            .map(|g| format!("{}/{}", g.object.namespace, g.object.id.name))
            .collect()
    }

    /// The hostname groups of every listener's table that `keep` selects, in a stable order, as
    /// (gateway, listener, effective hostname, candidates); `pick` chooses the HTTPRoute,
    /// GRPCRoute or L4 groups. Selecting before sorting matters: a large set has a group per
    /// hostname, and a check usually needs few of them.
    pub(crate) fn groups(
        &self,
        pick: fn(&Table) -> &HashMap<String, Vec<table::Entry>>,
        keep: impl Fn(&[table::Entry]) -> bool,
    ) -> Vec<(usize, usize, &str, &[table::Entry])> {
        let mut out: Vec<(usize, usize, &str, &[table::Entry])> = self
            .tables
            .iter()
            .flat_map(|(&(g, l), t)| {
                pick(t)
                    .iter()
                    .map(move |(host, entries)| (g, l, host.as_str(), entries.as_slice()))
            })
            .filter(|(_, _, _, entries)| keep(entries))
            .collect();
        out.sort_unstable_by_key(|&(g, l, host, _)| (g, l, host));
        out
    }
}
