//! What a Gateway's TLS settings and a BackendTLSPolicy refer to, and the conditions that follow
//! (Gateway API v1.6.1, `spec.tls` of Gateway, BackendTLSPolicy; GEP-91 and GEP-713):
//! frontend CA certificates (listener `ResolvedRefs` and `Accepted: NoValidCACertificate`),
//! the backend client certificate (Gateway `ResolvedRefs`), `infrastructure.parametersRef` and
//! a GatewayClass's `parametersRef` (`InvalidParameters`), a Gateway whose listeners are all
//! invalid (`ListenersNotValid`), and BackendTLSPolicies that conflict or name no usable CA.

use std::collections::HashMap;

use super::{finding, missing_core, older_first, Analysis, RefKind};
use crate::finding::Severity;
use crate::lint::facts::{Object, PemKey, Ref};

/// A CA bundle for frontend validation: a ConfigMap (core), a Secret (implementation-specific
/// but common), or a kind of an implementation's own group.
const FRONTEND_CA: RefKind = RefKind {
    core: &["ConfigMap", "Secret"],
    custom: true,
    invalid_kind: ("ca-certificate-invalid-kind", "InvalidCACertificateKind"),
    not_permitted: "ca-certificate-ref-not-permitted",
    not_found: ("ca-certificate-not-found", "InvalidCACertificateRef"),
    keys: &[PemKey::CaCrt],
};

/// A BackendTLSPolicy's CA bundle (a local reference, so never across namespaces).
const BACKEND_CA: RefKind = RefKind {
    invalid_kind: ("ca-certificate-invalid-kind", "InvalidKind"),
    ..FRONTEND_CA
};

/// The Gateway's client certificate towards backends: a core Secret and nothing else.
const CLIENT_CERTIFICATE: RefKind = RefKind {
    core: &["Secret"],
    custom: false,
    invalid_kind: (
        "client-certificate-invalid-ref",
        "InvalidClientCertificateRef",
    ),
    not_permitted: "client-certificate-ref-not-permitted",
    not_found: (
        "client-certificate-invalid-ref",
        "InvalidClientCertificateRef",
    ),
    keys: &[PemKey::TlsCrt, PemKey::TlsKey],
};

impl Analysis<'_> {
    /// Frontend client-certificate validation of every Gateway. A listener none of whose CA
    /// certificates resolves is not accepted (`NoValidCACertificate`) and carries no routes.
    pub(super) fn frontend_validation(&mut self) {
        let facts = self.facts;
        for (g, gateway) in facts.gateways.iter().enumerate() {
            let per_port: Vec<i64> = gateway
                .frontend_validation
                .iter()
                .filter_map(|v| v.port)
                .collect();
            for v in &gateway.frontend_validation {
                if let Some(origin) = &v.insecure_fallback {
                    self.findings.push(
                        finding(Severity::Warning, "frontend-validation-insecure-fallback", &gateway.object, origin, "client certificates are requested but not required: connections without a valid one are accepted too".into())
                            .condition("InsecureFrontendValidationMode", "True", "ConfigurationChanged")
                            .hint("use mode: AllowValidOnly (the default) unless the backends authenticate clients themselves"),
                    );
                }
                if v.ca_refs.is_empty() {
                    continue;
                }
                // Evaluated for every reference, so that each problem is reported.
                let resolved: Vec<bool> = v
                    .ca_refs
                    .iter()
                    .map(|r| self.reference(&gateway.object, r, &FRONTEND_CA))
                    .collect();
                if resolved.contains(&true) {
                    continue;
                }
                let served = gateway.listeners.iter().enumerate().filter(|(_, l)| {
                    l.protocol == "HTTPS"
                        && match v.port {
                            Some(port) => l.port == Some(port),
                            None => l.port.is_none_or(|p| !per_port.contains(&p)),
                        }
                });
                for (l, listener) in served {
                    if !self.valid[g][l] {
                        continue;
                    }
                    self.valid[g][l] = false;
                    self.findings.push(
                        finding(Severity::Error, "no-valid-ca-certificate", &gateway.object, &listener.origin, format!("listener {:?} is not accepted and carries no routes: none of the CA certificates that validate its clients resolves (see their findings)", listener.name))
                            .condition("Accepted", "False", "NoValidCACertificate")
                            .hint("fix the caCertificateRefs of spec.tls.frontend for this port"),
                    );
                }
            }
        }
    }

    /// A Gateway none of whose listeners is valid is not accepted. (ListenerSets are judged
    /// with their parent's conflicts.)
    pub(super) fn gateways_with_valid_listeners(&mut self) {
        let facts = self.facts;
        for (g, gateway) in facts.gateways.iter().enumerate() {
            if gateway.is_listener_set()
                || self.valid[g].is_empty()
                || self.valid[g].contains(&true)
            {
                continue;
            }
            self.findings.push(
                finding(Severity::Error, "gateway-listeners-not-valid", &gateway.object, &gateway.listeners[0].origin, "none of this Gateway's listeners is valid, so the Gateway is not accepted and carries no traffic".into())
                    .condition("Accepted", "False", "ListenersNotValid")
                    .hint("fix the listeners' own findings (protocol, conflicts, certificates)"),
            );
        }
    }

    /// What a Gateway's backend client certificate and infrastructure parameters, and a
    /// GatewayClass's parameters, refer to.
    pub(super) fn gateway_references(&mut self) {
        let facts = self.facts;
        for gateway in &facts.gateways {
            if let Some(r) = &gateway.client_certificate {
                self.reference(&gateway.object, r, &CLIENT_CERTIFICATE);
            }
            if let Some(r) = &gateway.parameters {
                self.parameters(&gateway.object, r, &gateway.object.namespace);
            }
        }
        for class in &facts.classes {
            if let Some(r) = &class.parameters {
                let ns = r.namespace.as_deref().unwrap_or_default();
                self.parameters(&class.object, r, ns);
            }
        }
    }

    /// `parametersRef` to a core object the set proves missing (other objects of its kind in
    /// that namespace are in the set). Other kinds are the implementation's to judge.
    fn parameters(&mut self, from: &Object, r: &Ref, ns: &str) {
        if !missing_core(self.facts, r, &r.kind, ns) {
            return;
        }
        self.findings.push(
            finding(
                Severity::Error,
                "parameters-ref-not-found",
                from,
                &r.origin,
                format!(
                    "{} {ns}/{} is not in the set, though other {}s of {ns} are",
                    r.kind, r.name, r.kind
                ),
            )
            .condition("Accepted", "False", "InvalidParameters")
            .hint("check the name, or add the object the parameters live in"),
        );
    }

    /// BackendTLSPolicies: their CA certificates, and which of two policies on the same Service
    /// port wins (the older, then the first by namespace/name: GEP-713).
    pub(super) fn backend_tls_policies(&mut self) {
        let facts = self.facts;
        for policy in &facts.backend_tls_policies {
            if policy.ca_refs.is_empty() {
                continue;
            }
            let resolved: Vec<bool> = policy
                .ca_refs
                .iter()
                .map(|r| self.reference(&policy.object, r, &BACKEND_CA))
                .collect();
            if !resolved.contains(&true) {
                let origin = &policy.ca_refs[0].origin;
                self.findings.push(
                    finding(Severity::Error, "no-valid-ca-certificate", &policy.object, origin, "the policy is not accepted: none of its CA certificates resolves (see their findings), so connections to its Services fail".into())
                        .condition("Accepted", "False", "NoValidCACertificate")
                        .hint("refer to a ConfigMap holding the CA bundle under ca.crt, or use wellKnownCACertificates: System"),
                );
            }
        }
        // (namespace, group, kind, name, sectionName) of a target → the policies on it.
        type Target<'a> = (&'a str, &'a str, &'a str, &'a str, Option<&'a str>);
        let mut on: HashMap<Target, Vec<(usize, usize)>> = HashMap::new();
        for (p, policy) in facts.backend_tls_policies.iter().enumerate() {
            for (t, (r, section)) in policy.targets.iter().enumerate() {
                let key = (
                    policy.object.namespace.as_str(),
                    r.group.as_str(),
                    r.kind.as_str(),
                    r.name.as_str(),
                    section.as_deref(),
                );
                let policies = on.entry(key).or_default();
                if !policies.iter().any(|(q, _)| *q == p) {
                    policies.push((p, t));
                }
            }
        }
        let mut conflicts: Vec<_> = on.into_iter().filter(|(_, ps)| ps.len() > 1).collect();
        conflicts.sort_by_key(|(key, _)| *key);
        for (_, mut policies) in conflicts {
            let all = &facts.backend_tls_policies;
            policies.sort_by(|a, b| {
                older_first(
                    (&all[a.0].created, &all[a.0].object),
                    (&all[b.0].created, &all[b.0].object),
                )
            });
            let winner = &all[policies[0].0];
            for &(p, t) in &policies[1..] {
                let loser = &all[p];
                let (target, section) = &loser.targets[t];
                let port = section
                    .as_deref()
                    .map(|s| format!(" port {s:?}"))
                    .unwrap_or_default();
                self.findings.push(
                    finding(Severity::Error, "backend-tls-policy-conflicted", &loser.object, &target.origin, format!("{} {}{port} is already targeted by {}, which is older or first by namespace/name; this policy is not accepted there", target.kind, target.name, winner.object.id))
                        .condition("Accepted", "False", "Conflicted")
                        .hint("merge the two policies, or target different ports with sectionName"),
                );
            }
        }
    }
}
