//! Cluster facts as findings: warnings for what would make the generated manifests fail on this
//! cluster, notes for what is merely worth knowing. All are warnings at most: the cluster may
//! change before the manifests are applied.

use super::{minor_version, AllowedFrom, ClusterFacts, GatewayFact, ListenerFact, Query};
use crate::finding::{Condition, Finding, ResourceId, Severity};

/// The findings about `query` in `facts`. With no cluster reachable, exactly one.
pub fn findings(facts: &ClusterFacts, query: &Query) -> Vec<Finding> {
    let on = match &facts.context {
        Some(context) => format!("cluster (context {context})"),
        None => "cluster".to_string(),
    };
    if let Some(reason) = &facts.unreachable {
        let mut f = Finding::new(
            Severity::Warning,
            "cluster-unreachable",
            format!("no {on} reachable through kubectl, going on without cluster facts: {reason}"),
        );
        f.hint = Some(
            "check `kubectl config current-context` and your credentials, or leave out --cluster"
                .into(),
        );
        return vec![f];
    }
    let mut out = Vec::new();
    api_version(facts, query, &on, &mut out);
    for problem in &facts.problems {
        out.push(Finding::new(
            Severity::Note,
            "cluster-read-failed",
            format!("{on}: {problem}; the checks that need it are skipped"),
        ));
    }
    if let Some(class) = &query.class {
        gateway_class(facts, class, query.class_generated, &on, &mut out);
    }
    if let Some((namespace, name)) = &query.gateway {
        if facts.gateways.is_some() && !query.gateway_generated {
            match facts.gateway(namespace, name) {
                Some(gateway) => listeners(facts, gateway, query, &mut out),
                None => out.push(gateway_missing(facts, namespace, name, &on)),
            }
        }
    }
    out
}

fn with(mut finding: Finding, resource: Option<ResourceId>, hint: impl Into<String>) -> Finding {
    finding.resource = resource;
    finding.hint = Some(hint.into());
    finding
}

fn resource(kind: &str, namespace: Option<&str>, name: &str) -> Option<ResourceId> {
    Some(ResourceId {
        kind: kind.to_string(),
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
    })
}

fn api_version(facts: &ClusterFacts, query: &Query, on: &str, out: &mut Vec<Finding>) {
    // The release the manifests are written for: the one asked for (or taken from the cluster),
    // else the newest.
    let target = query
        .target
        .as_deref()
        .unwrap_or(crate::spec::TARGET_VERSION);
    let Some(crds) = &facts.crds else { return };
    if crds.is_empty() {
        let f = Finding::new(
            Severity::Warning,
            "cluster-gateway-api-missing",
            format!("the {on} has no Gateway API CRDs installed: every generated object would be rejected"),
        );
        out.push(with(
            f,
            None,
            format!(
                "install Gateway API {target} (standard channel) or your implementation's bundle first"
            ),
        ));
        return;
    }
    let rule = "cluster-gateway-api-version";
    let Some(api) = facts.gateway_api() else {
        out.push(Finding::new(Severity::Note, rule, format!("the {on}'s Gateway API CRDs carry no bundle-version annotation: its release cannot be told")));
        return;
    };
    let installed = format!(
        "the {on} runs Gateway API {} ({} channel)",
        api.bundle_version, api.channel
    );
    let mut others: Vec<String> = crds
        .iter()
        .filter(|c| c.bundle_version.as_ref() != Some(&api.bundle_version))
        .map(|c| {
            format!(
                "{} {}",
                c.name,
                c.bundle_version.as_deref().unwrap_or("unannotated")
            )
        })
        .collect();
    others.sort();
    if !others.is_empty() {
        let f = Finding::new(
            Severity::Warning,
            rule,
            format!(
                "{installed}, but some CRDs come from other bundles: {}",
                others.join(", ")
            ),
        );
        out.push(with(
            f,
            None,
            "reinstall all Gateway API CRDs from one release",
        ));
    }
    if minor_version(&api.bundle_version) < minor_version(target) {
        let f = Finding::new(
            Severity::Warning,
            rule,
            format!("{installed}, older than {target} that the manifests are written for: kinds, versions and fields added since are rejected"),
        );
        let hint = match facts.target_version() {
            Some(v) => {
                format!(
                    "generate for the cluster with {}, or upgrade its CRDs",
                    crate::door::setting_to("options.gatewayApi", &v)
                )
            }
            None => "upgrade the cluster's Gateway API CRDs".to_string(),
        };
        out.push(with(f, None, hint));
    } else {
        let written = match &query.target {
            Some(target) => format!("; the manifests are written for Gateway API {target}"),
            None => String::new(),
        };
        out.push(Finding::new(
            Severity::Note,
            rule,
            format!("{installed}{written}"),
        ));
    }
}

/// A GatewayClass that is missing (unless the output creates it) or that no controller accepted.
fn gateway_class(
    facts: &ClusterFacts,
    class: &str,
    generated: bool,
    on: &str,
    out: &mut Vec<Finding>,
) {
    let Some(classes) = &facts.gateway_classes else {
        return;
    };
    let id = resource("GatewayClass", None, class);
    let Some(found) = classes.iter().find(|c| c.name == class) else {
        if generated {
            return;
        }
        let f = Finding::new(
            Severity::Warning,
            "cluster-gatewayclass-missing",
            format!("GatewayClass {class} does not exist in the {on}: a Gateway of this class is never programmed"),
        );
        let hint = match facts.class_names().join(", ") {
            none if none.is_empty() => "no GatewayClass is installed: install your implementation, or generate the GatewayClass too".to_string(),
            names => format!("installed classes: {names}"),
        };
        out.push(with(f, id, hint));
        return;
    };
    if found.accepted == Some(true) {
        return;
    }
    let status = match found.accepted {
        Some(_) => "False",
        None => "Unknown",
    };
    let reason = found.reason.clone().unwrap_or_else(|| "none yet".into());
    let mut f = Finding::new(
        Severity::Warning,
        "cluster-gatewayclass-not-accepted",
        format!("GatewayClass {class} exists in the {on} but is not accepted (Accepted={status}, reason {reason}): no running controller has taken it"),
    );
    f.condition = Some(Condition {
        type_: "Accepted".into(),
        status: status.into(),
        reason,
    });
    let hint = format!("check that the controller for {} is installed and running (`kubectl describe gatewayclass {class}`)", found.controller);
    out.push(with(f, id, hint));
}

fn gateway_missing(facts: &ClusterFacts, namespace: &str, name: &str, on: &str) -> Finding {
    let f = Finding::new(
        Severity::Warning,
        "cluster-gateway-missing",
        format!("Gateway {namespace}/{name} does not exist in the {on}: routes that name it as parent get no status at all and are silently ignored"),
    );
    let known: Vec<String> = facts
        .gateway_names()
        .iter()
        .map(|(ns, n)| format!("{ns}/{n}"))
        .collect();
    let hint = match known.join(", ") {
        none if none.is_empty() => {
            "create the Gateway first, or check its name and namespace".to_string()
        }
        names => format!("Gateways in the cluster: {names}"),
    };
    with(f, resource("Gateway", Some(namespace), name), hint)
}

/// How a listener's `allowedRoutes` reads, for messages.
fn allows(listener: &ListenerFact, gateway_namespace: &str) -> String {
    let who = match &listener.from {
        AllowedFrom::Same => format!("only routes in {gateway_namespace} (Same)"),
        AllowedFrom::All => "routes from every namespace (All)".to_string(),
        AllowedFrom::Selector(s) => format!("namespaces labelled {} (Selector)", s.describe()),
        AllowedFrom::Other(from) => format!("from: {from}"),
    };
    format!("listener {} admits {who}", listener.name)
}

fn listeners(facts: &ClusterFacts, gateway: &GatewayFact, query: &Query, out: &mut Vec<Finding>) {
    let id = resource("Gateway", Some(&gateway.namespace), &gateway.name);
    let gw = format!("Gateway {}/{}", gateway.namespace, gateway.name);
    let candidates = facts.listeners(query);
    if let (Some(wanted), true) = (&query.listener, candidates.is_empty()) {
        let names: Vec<&str> = gateway.listeners.iter().map(|l| l.name.as_str()).collect();
        let mut f = Finding::new(
            Severity::Warning,
            "cluster-listener-missing",
            format!("{gw} has no listener named {wanted}: a route attaching with sectionName {wanted} is not accepted"),
        );
        f.condition = Some(condition("NoMatchingParent"));
        out.push(with(f, id, format!("its listeners: {}", names.join(", "))));
        return;
    }
    let Some(namespace) = &query.namespace else {
        return;
    };
    let labels = facts.namespace.as_ref().and_then(|n| n.labels.as_ref());
    let verdicts: Vec<Option<bool>> = candidates
        .iter()
        .map(|l| l.admits(&gateway.namespace, namespace, labels))
        .collect();
    if verdicts.contains(&Some(true)) {
        return;
    }
    let how: Vec<String> = candidates
        .iter()
        .map(|l| allows(l, &gateway.namespace))
        .collect();
    let how = how.join("; ");
    if verdicts.iter().all(Option::is_some) {
        let mut f = Finding::new(
            Severity::Warning,
            "cluster-listener-refuses-namespace",
            format!("{gw} does not admit routes from namespace {namespace}: {how}"),
        );
        f.condition = Some(condition("NotAllowedByListeners"));
        let hint = "ask the Gateway's owners to admit the namespace in the listener's allowedRoutes (a ReferenceGrant cannot do this), or give the namespace the labels the selector wants";
        out.push(with(f, id, hint));
    } else {
        let why = match facts.namespace.as_ref().map(|n| n.labels.is_some()) {
            Some(false) => format!("namespace {namespace} does not exist yet"),
            _ => format!("the labels of namespace {namespace} are unknown"),
        };
        let f = Finding::new(
            Severity::Note,
            "cluster-listener-admission-unknown",
            format!("cannot tell whether {gw} admits routes from {namespace}: {why}; {how}"),
        );
        out.push(with(
            f,
            id,
            "create the namespace with labels the listener's selector matches",
        ));
    }
}

/// The route condition a controller sets when the parent refuses it.
fn condition(reason: &str) -> Condition {
    Condition {
        type_: "Accepted".into(),
        status: "False".into(),
        reason: reason.into(),
    }
}
