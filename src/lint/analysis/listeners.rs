//! Listeners across a Gateway and its ListenerSets: which ListenerSets the Gateway admits
//! (`spec.allowedListeners`; absent means none), and which listeners conflict on a port
//! (`ProtocolConflict`, `HostnameConflict`). Only valid listeners carry routes.

use std::collections::HashMap;

use super::{finding, known, older_first, Analysis, Known};
use crate::finding::Severity;
use crate::lint::facts::{From, Gateway, Listener};
use crate::spec;

impl Analysis<'_> {
    /// Checks every listener; the result says, per Gateway (or ListenerSet) of the facts and per
    /// listener, whether it is valid and may carry routes.
    pub(super) fn listeners(&mut self) -> Vec<Vec<bool>> {
        let facts = self.facts;
        let mut valid: Vec<Vec<bool>> = facts
            .gateways
            .iter()
            .map(|g| {
                g.listeners
                    .iter()
                    .map(|l| spec::is_portable_protocol(&l.protocol))
                    .collect()
            })
            .collect();
        let mut parents: HashMap<(&str, &str), usize> = HashMap::new();
        for (i, g) in facts.gateways.iter().enumerate() {
            if !g.is_listener_set() {
                parents
                    .entry((g.object.namespace.as_str(), g.object.id.name.as_str()))
                    .or_insert(i);
            }
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); facts.gateways.len()];
        for (i, set) in facts.gateways.iter().enumerate() {
            let Some((ns, name)) = &set.parent else {
                continue;
            };
            match parents.get(&(ns.as_str(), name.as_str())) {
                Some(&gw) if self.admits_listener_set(&facts.gateways[gw], set) => {
                    members[gw].push(i)
                }
                Some(_) => valid[i].fill(false),
                // Not in the set: nothing to say about its listeners, and no traffic to model.
                None => valid[i].fill(false),
            }
        }
        for (gw, sets) in members.iter_mut().enumerate() {
            sets.sort_by(|a, b| {
                let (a, b) = (&facts.gateways[*a], &facts.gateways[*b]);
                older_first((&a.created, &a.object), (&b.created, &b.object))
            });
            // The Gateway's own listeners first, then its ListenerSets, oldest first.
            let order: Vec<(usize, usize)> = std::iter::once(gw)
                .chain(sets.iter().copied())
                .flat_map(|g| (0..facts.gateways[g].listeners.len()).map(move |l| (g, l)))
                .collect();
            let mut winners: Vec<(usize, usize)> = Vec::new();
            for (g, l) in order {
                if !valid[g][l] {
                    continue;
                }
                let listener = &facts.gateways[g].listeners[l];
                let conflict = winners.iter().find_map(|&(wg, wl)| {
                    let winner = &facts.gateways[wg].listeners[wl];
                    let either_set =
                        facts.gateways[g].is_listener_set() || facts.gateways[wg].is_listener_set();
                    conflict(winner, listener, either_set).map(|reason| (wg, wl, reason))
                });
                match conflict {
                    None => winners.push((g, l)),
                    Some((wg, wl, reason)) => {
                        valid[g][l] = false;
                        self.conflicted(g, l, wg, wl, reason);
                    }
                }
            }
            for &set in sets.iter() {
                if !valid[set].iter().any(|v| *v) {
                    let s = &facts.gateways[set];
                    self.findings.push(
                        finding(Severity::Error, "listenerset-listeners-not-valid", &s.object, &s.origin, "none of this ListenerSet's listeners is valid, so it is not accepted and carries no routes".into())
                            .condition("Accepted", "False", "ListenersNotValid")
                            .hint("resolve the listener conflicts reported for it"),
                    );
                }
            }
        }
        valid
    }

    /// Whether the parent Gateway's `allowedListeners` admits the ListenerSet's namespace.
    fn admits_listener_set(&mut self, gateway: &Gateway, set: &Gateway) -> bool {
        let ns = set.object.namespace.as_str();
        let admitted = match &gateway.allowed_listeners {
            None => Known::No,
            Some(From::All) => Known::Yes,
            Some(From::Same) => known(ns == gateway.object.namespace),
            Some(From::Selector(sel)) => self.selects(sel, ns),
        };
        let gw = format!("{}/{}", gateway.object.namespace, gateway.object.id.name);
        match admitted {
            Known::Yes => true,
            Known::Unknown => {
                self.findings.push(
                    finding(Severity::Note, "listenerset-namespace-unknown", &set.object, &set.origin, format!("whether Gateway {gw} admits ListenerSets from namespace {ns} depends on that Namespace's labels, which are not in the set"))
                        .hint("lint the Namespace manifest along with the ListenerSet"),
                );
                true
            }
            Known::No => {
                let why = match gateway.allowed_listeners {
                    None => "has no spec.allowedListeners, which admits no ListenerSets",
                    _ => "does not admit ListenerSets from this namespace in spec.allowedListeners",
                };
                self.findings.push(
                    finding(Severity::Error, "listenerset-not-allowed", &set.object, &set.origin, format!("Gateway {gw} {why}"))
                        .condition("Accepted", "False", "NotAllowed")
                        .hint(format!("on Gateway {gw}, set spec.allowedListeners.namespaces.from to Same, All or a Selector that matches namespace {ns}")),
                );
                false
            }
        }
    }

    fn conflicted(&mut self, g: usize, l: usize, wg: usize, wl: usize, reason: &'static str) {
        let facts = self.facts;
        let owner = &facts.gateways[g];
        let listener = &owner.listeners[l];
        let winner = &facts.gateways[wg];
        let (rule, what) = match reason {
            "ProtocolConflict" => (
                "listener-protocol-conflict",
                format!(
                    "{} on port {} cannot share the port with {} listener {:?} of {}",
                    listener.protocol,
                    listener.port.unwrap_or_default(),
                    winner.listeners[wl].protocol,
                    winner.listeners[wl].name,
                    winner.object.id
                ),
            ),
            _ => (
                "listener-hostname-conflict",
                format!(
                    "listener {:?} of {} already takes port {}, protocol {} and hostname {}",
                    winner.listeners[wl].name,
                    winner.object.id,
                    listener.port.unwrap_or_default(),
                    listener.protocol,
                    listener.hostname.as_deref().unwrap_or("(any)")
                ),
            ),
        };
        self.findings.push(
            finding(Severity::Error, rule, &owner.object, &listener.origin, format!("listener {:?} is Conflicted and carries no routes: {what}; the Gateway's own listeners win, then the oldest ListenerSet", listener.name))
                .condition("Conflicted", "True", reason)
                .hint("move the listener to another port, or give it a hostname of its own"),
        );
    }
}

/// Whether `later` conflicts with an earlier valid listener on the same port: protocols that
/// cannot share a port (TCP-based protocols other than HTTPS with TLS, which SNI tells apart),
/// or, between a Gateway and a ListenerSet, the same protocol and hostname.
fn conflict(earlier: &Listener, later: &Listener, either_set: bool) -> Option<&'static str> {
    if earlier.port.is_none() || earlier.port != later.port {
        return None;
    }
    let udp = |l: &Listener| l.protocol == "UDP";
    let sni = |l: &Listener| matches!(l.protocol.as_str(), "HTTPS" | "TLS");
    if earlier.protocol != later.protocol {
        let shareable = udp(earlier) != udp(later) || (sni(earlier) && sni(later));
        return (!shareable).then_some("ProtocolConflict");
    }
    (either_set && earlier.hostname == later.hostname).then_some("HostnameConflict")
}
