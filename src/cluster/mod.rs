//! Cluster facts (`--cluster`, off by default): what the user's current kubectl context says about
//! the installed Gateway API release, the GatewayClasses, the Gateway routes attach to and the
//! namespace they come from. Reported as findings; with no cluster reachable it is one finding and
//! the caller goes on offline. Reads only, through the user's own `kubectl` and credentials.

mod facts;
mod findings;
mod kubectl;

pub use facts::{
    AllowedFrom, ClassFact, CrdFact, GatewayFact, InstalledApi, ListenerFact, NamespaceFact,
    Requirement, Selector,
};
pub use findings::findings;
pub use kubectl::{Kubectl, KubectlError};

use facts::objects;
use serde::Serialize;
use serde_json::Value;

/// What the caller is about to generate, so the right objects are read and checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The Gateway routes attach to, as (namespace, name).
    pub gateway: Option<(String, String)>,
    /// The listener (`sectionName`) they attach to; `None`: any listener.
    pub listener: Option<String>,
    /// The namespace the routes live in.
    pub namespace: Option<String>,
    /// The GatewayClass the Gateway uses.
    pub class: Option<String>,
    /// The output creates the Gateway (or the GatewayClass) itself: its absence from the cluster
    /// is no problem, and the cluster's current copy says nothing about the one applied.
    pub gateway_generated: bool,
    pub class_generated: bool,
    /// The Gateway API release the manifests are written for (`v1.2`), when not the default.
    pub target: Option<String>,
}

/// Everything read. `None` for a part means it could not be read (see `problems`), not that it is
/// absent: an absent Gateway is a read list without it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterFacts {
    /// kubectl's current context.
    pub context: Option<String>,
    /// Why no cluster could be read; `None` when one answered.
    pub unreachable: Option<String>,
    /// The Gateway API CRDs installed (empty: Gateway API is not installed).
    pub crds: Option<Vec<CrdFact>>,
    /// The same CRDs as kubectl printed them, schemas included, to validate against.
    #[serde(skip)]
    pub crd_objects: Option<Value>,
    pub gateway_classes: Option<Vec<ClassFact>>,
    /// Every Gateway the user may list, or only the queried one when listing is not allowed.
    pub gateways: Option<Vec<GatewayFact>>,
    /// The queried namespace, read only when a listener selects namespaces by label.
    pub namespace: Option<NamespaceFact>,
    /// Reads that failed although the cluster answered (RBAC, missing CRDs), one line each.
    pub problems: Vec<String>,
}

/// The CRDs asked for by name: cheaper than listing every CRD of the cluster with its schemas.
const CRDS: [&str; 10] = [
    "gatewayclasses.gateway.networking.k8s.io",
    "gateways.gateway.networking.k8s.io",
    "httproutes.gateway.networking.k8s.io",
    "grpcroutes.gateway.networking.k8s.io",
    "referencegrants.gateway.networking.k8s.io",
    "backendtlspolicies.gateway.networking.k8s.io",
    "listenersets.gateway.networking.k8s.io",
    "tlsroutes.gateway.networking.k8s.io",
    "tcproutes.gateway.networking.k8s.io",
    "udproutes.gateway.networking.k8s.io",
];
const GATEWAY_CLASSES: &str = "gatewayclasses.gateway.networking.k8s.io";
const GATEWAYS: &str = "gateways.gateway.networking.k8s.io";

impl Query {
    /// What to ask about generated manifests: the Gateway the first route attaches to (its
    /// namespace defaults to the route's), the listener it names, the routes' namespace, the
    /// GatewayClass of a generated Gateway, else `class`, and whether the output creates them.
    pub fn for_documents(documents: &[crate::render::Document], class: Option<&str>) -> Query {
        let route = documents.iter().find(|d| d.kind.ends_with("Route"));
        let parent = route.map(|d| &d.value["spec"]["parentRefs"][0]);
        let namespace = route.and_then(|d| d.namespace.clone());
        let gateway = parent.and_then(|p| {
            let ns = p["namespace"]
                .as_str()
                .map(str::to_string)
                .or_else(|| namespace.clone())?;
            Some((ns, p["name"].as_str()?.to_string()))
        });
        let generated = documents.iter().find(|d| d.kind == "Gateway");
        let generated_class = generated.and_then(|d| d.value["spec"]["gatewayClassName"].as_str());
        let class = generated_class.or(class).map(str::to_string);
        let creates = |kind: &str, namespace: Option<&str>, name: &str| {
            documents
                .iter()
                .any(|d| d.kind == kind && d.namespace.as_deref() == namespace && d.name == name)
        };
        Query {
            gateway_generated: gateway
                .as_ref()
                .is_some_and(|(ns, name)| creates("Gateway", Some(ns), name)),
            class_generated: class
                .as_ref()
                .is_some_and(|name| creates("GatewayClass", None, name)),
            gateway,
            listener: parent.and_then(|p| p["sectionName"].as_str().map(str::to_string)),
            namespace,
            class,
            target: None,
        }
    }
}

/// Every CRD the cluster has (`kubectl get customresourcedefinitions -o json`), compiled: what
/// `lint --cluster` validates against.
///
/// # Errors
/// kubectl's error when no cluster answered or the CRDs could not be listed.
pub fn read_crds(kubectl: &Kubectl) -> Result<crate::crd::CrdSet, KubectlError> {
    let answer = kubectl.get_json(&["customresourcedefinitions.apiextensions.k8s.io"])?;
    Ok(crate::crd::CrdSet::from_json("cluster", &answer))
}

/// Reads the facts `query` needs. Stops at the first sign that no cluster is reachable.
pub fn read(kubectl: &Kubectl, query: &Query) -> ClusterFacts {
    let mut facts = ClusterFacts::default();
    match kubectl.current_context() {
        Ok(context) => facts.context = Some(context),
        Err(e) => {
            facts.unreachable = Some(format!("kubectl has no usable current context: {e}"));
            return facts;
        }
    }
    let mut crd_args = vec!["customresourcedefinitions.apiextensions.k8s.io"];
    crd_args.extend(CRDS);
    crd_args.push("--ignore-not-found");
    match kubectl.get_json(&crd_args) {
        Ok(answer) => {
            facts.crds = Some(objects(&answer).into_iter().map(CrdFact::parse).collect());
            facts.crd_objects = Some(answer);
        }
        Err(e) if e.server_answered() => facts.problem("the Gateway API CRDs", e),
        Err(e) => {
            facts.unreachable = Some(e.to_string());
            return facts;
        }
    }
    if facts.crds.as_ref().is_some_and(Vec::is_empty) {
        return facts;
    }
    let classes = kubectl.get_json(&[GATEWAY_CLASSES]);
    facts.gateway_classes = facts
        .attempt("GatewayClasses", classes)
        .map(|answer| objects(&answer).into_iter().map(ClassFact::parse).collect());
    facts.gateways = read_gateways(kubectl, query, &mut facts);
    facts.namespace = read_namespace(kubectl, query, &mut facts);
    facts
}

/// All Gateways (for the wizard's choices); when RBAC forbids listing them cluster-wide, only the
/// queried one.
fn read_gateways(
    kubectl: &Kubectl,
    query: &Query,
    facts: &mut ClusterFacts,
) -> Option<Vec<GatewayFact>> {
    let answer = match (
        kubectl.get_json(&[GATEWAYS, "--all-namespaces"]),
        &query.gateway,
    ) {
        (Err(KubectlError::Forbidden(_)), Some((namespace, name))) => {
            match kubectl.get_json(&[GATEWAYS, name, "--namespace", namespace]) {
                Err(KubectlError::NotFound(_)) => return Some(Vec::new()),
                other => other,
            }
        }
        (answer, _) => answer,
    };
    let answer = facts.attempt("Gateways", answer)?;
    Some(
        objects(&answer)
            .into_iter()
            .map(GatewayFact::parse)
            .collect(),
    )
}

/// The routes' namespace, read only when a listener they may attach to selects namespaces by label.
fn read_namespace(
    kubectl: &Kubectl,
    query: &Query,
    facts: &mut ClusterFacts,
) -> Option<NamespaceFact> {
    let namespace = query.namespace.as_deref()?;
    let selects = facts
        .listeners(query)
        .iter()
        .any(|l| matches!(l.from, AllowedFrom::Selector(_)));
    if !selects {
        return None;
    }
    let answer = match kubectl.get_json(&["namespace", namespace]) {
        Err(KubectlError::NotFound(_)) => return Some(NamespaceFact::parse(namespace, None)),
        answer => facts.attempt("the namespace's labels", answer)?,
    };
    Some(NamespaceFact::parse(namespace, Some(&answer)))
}

impl ClusterFacts {
    pub fn reachable(&self) -> bool {
        self.unreachable.is_none()
    }

    fn problem(&mut self, what: &str, error: KubectlError) {
        self.problems.push(format!("cannot read {what}: {error}"));
    }

    fn attempt(&mut self, what: &str, result: Result<Value, KubectlError>) -> Option<Value> {
        result.map_err(|e| self.problem(what, e)).ok()
    }

    /// The release and channel of the Gateway CRD (or, without it, of the first annotated CRD).
    pub fn gateway_api(&self) -> Option<InstalledApi> {
        let crds = self.crds.as_ref()?;
        let annotated = |crd: &&CrdFact| crd.bundle_version.is_some();
        let crd = crds
            .iter()
            .filter(annotated)
            .find(|crd| crd.kind == "Gateway")
            .or_else(|| crds.iter().find(annotated))?;
        Some(InstalledApi {
            bundle_version: crd.bundle_version.clone()?,
            channel: crd.channel.clone().unwrap_or_else(|| "unknown".into()),
        })
    }

    /// The `--gateway-api` value matching the cluster, e.g. `v1.2` for bundle `v1.2.1`.
    pub fn target_version(&self) -> Option<String> {
        let (major, minor) = minor_version(&self.gateway_api()?.bundle_version)?;
        Some(format!("v{major}.{minor}"))
    }

    /// GatewayClass names, for the wizard's choices.
    pub fn class_names(&self) -> Vec<&str> {
        let classes = self.gateway_classes.iter().flatten();
        classes.map(|c| c.name.as_str()).collect()
    }

    /// Gateways as (namespace, name), for the wizard's choices.
    pub fn gateway_names(&self) -> Vec<(&str, &str)> {
        let gateways = self.gateways.iter().flatten();
        gateways
            .map(|g| (g.namespace.as_str(), g.name.as_str()))
            .collect()
    }

    /// For `httpsRedirect` on an existing Gateway: its only HTTPS listener (the routes) and its
    /// only HTTP listener (the redirect), when the Gateway was read and has exactly one of each.
    pub fn redirect_listeners(&self, namespace: &str, name: &str) -> Option<(String, String)> {
        let gateway = self.gateway(namespace, name)?;
        let only = |protocol: &str| {
            let mut named = gateway.listeners.iter().filter(|l| l.protocol == protocol);
            match (named.next(), named.next()) {
                (Some(l), None) => Some(l.name.clone()),
                _ => None,
            }
        };
        Some((only("HTTPS")?, only("HTTP")?))
    }

    /// The queried Gateway, when it was read and exists.
    pub fn gateway(&self, namespace: &str, name: &str) -> Option<&GatewayFact> {
        let mut gateways = self.gateways.iter().flatten();
        gateways.find(|g| g.namespace == namespace && g.name == name)
    }

    /// The listeners of the queried Gateway that the routes may attach to: the named one, or all.
    fn listeners(&self, query: &Query) -> Vec<&ListenerFact> {
        let Some((namespace, name)) = &query.gateway else {
            return Vec::new();
        };
        let Some(gateway) = self.gateway(namespace, name) else {
            return Vec::new();
        };
        let wanted = |l: &&ListenerFact| query.listener.as_ref().is_none_or(|n| *n == l.name);
        gateway.listeners.iter().filter(wanted).collect()
    }
}

/// (major, minor) of `v1.2.1` or `v1.2`.
fn minor_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.strip_prefix('v')?.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_versions_are_read_from_bundle_versions() {
        assert_eq!(minor_version("v1.2.1"), Some((1, 2)));
        assert_eq!(minor_version("v1.10"), Some((1, 10)));
        assert_eq!(minor_version("1.2.1"), None);
        assert_eq!(minor_version("v1"), None);
    }
}
