//! The small facts the cross-resource analysis needs, taken from each document as it is read so
//! the documents themselves can be dropped (memory stays proportional to the largest file).
//! Only well-typed values are taken: malformed ones were already reported by the spec rules.

use foldhash::{HashMap, HashSet};
use std::sync::Arc;

use super::node::Node;
use super::rules::Header;
use crate::finding::ResourceId;
use crate::spec;
use crate::traffic::routes::Rules;

/// Where a fact was written, to point analysis findings at it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u64,
    pub field: String,
}

/// An object of the set, with the namespace a namespaced object lands in when none is written.
#[derive(Debug, Clone)]
pub struct Object {
    pub id: ResourceId,
    pub namespace: String,
    pub file: Arc<str>,
    pub line: u64,
}

/// A reference to another object (backendRef, certificateRef), with the API's defaults applied.
#[derive(Debug, Clone)]
pub struct Ref {
    pub group: String,
    pub kind: String,
    pub name: String,
    /// `None` when the reference stays in the referring object's namespace.
    pub namespace: Option<String>,
    /// A backendRef's port (certificateRefs have none).
    pub port: Option<i64>,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct ParentRef {
    pub group: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub section: Option<String>,
    pub port: Option<i64>,
    pub origin: Origin,
}

#[derive(Debug)]
pub enum From {
    Same,
    All,
    Selector(Selector),
}

/// A label selector (an absent one selects every namespace).
#[derive(Debug, Default)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    pub expressions: Vec<(String, String, Vec<String>)>,
}

#[derive(Debug)]
pub struct Listener {
    pub name: String,
    pub port: Option<i64>,
    pub protocol: String,
    pub hostname: Option<String>,
    pub from: From,
    /// `allowedRoutes.kinds` as (group, kind); `None` means the protocol's defaults.
    pub kinds: Option<Vec<(String, String)>>,
    pub certificate_refs: Vec<Ref>,
    pub origin: Origin,
}

/// A Gateway, or a ListenerSet: listeners that join a parent Gateway's (Gateway API v1.6).
#[derive(Debug)]
pub struct Gateway {
    pub object: Object,
    pub listeners: Vec<Listener>,
    /// `metadata.creationTimestamp`, when written: the older of two conflicting listeners wins.
    pub created: Option<String>,
    /// A ListenerSet's parent Gateway (namespace, name); `None` for a Gateway.
    pub parent: Option<(String, String)>,
    /// A Gateway's `allowedListeners.namespaces.from`: which namespaces' ListenerSets may join.
    /// `None` is the API's default, `from: None`.
    pub allowed_listeners: Option<From>,
    /// Where `spec.parentRef` (ListenerSet) or `spec.allowedListeners` (Gateway) is written.
    pub origin: Origin,
    /// A Gateway's `spec.gatewayClassName`, with where it is written.
    pub class_name: Option<(String, Origin)>,
    /// A Gateway's frontend client-certificate validation (`spec.tls.frontend`): the default
    /// first, then each `perPort` entry.
    pub frontend_validation: Vec<FrontendValidation>,
    /// A Gateway's `spec.tls.backend.clientCertificateRef`.
    pub client_certificate: Option<Ref>,
    /// A Gateway's `spec.infrastructure.parametersRef`.
    pub parameters: Option<Ref>,
}

/// One client-certificate validation of a Gateway's `spec.tls.frontend`: it applies to the
/// HTTPS listeners on `port`, or, for the default (`port: None`), on every port no `perPort`
/// entry names.
#[derive(Debug)]
pub struct FrontendValidation {
    pub port: Option<i64>,
    pub ca_refs: Vec<Ref>,
    /// Where `mode: AllowInsecureFallback` is written, when it is.
    pub insecure_fallback: Option<Origin>,
}

/// A BackendTLSPolicy: the Service ports it targets, and the CA certificates it names.
#[derive(Debug)]
pub struct BackendTlsPolicy {
    pub object: Object,
    pub created: Option<String>,
    /// Each targetRef (a local reference) with its `sectionName`.
    pub targets: Vec<(Ref, Option<String>)>,
    pub ca_refs: Vec<Ref>,
}

impl Gateway {
    pub fn is_listener_set(&self) -> bool {
        self.parent.is_some()
    }
}

#[derive(Debug)]
pub struct Route {
    pub object: Object,
    /// `metadata.creationTimestamp` (RFC 3339, so text order is time order), when written.
    pub created: Option<String>,
    pub hostnames: Box<[String]>,
    pub parent_refs: Box<[ParentRef]>,
    pub rules: Rules,
}

#[derive(Debug)]
pub struct Grant {
    pub object: Object,
    /// (group, kind, namespace)
    pub from: Vec<(String, String, String)>,
    /// (group, kind, name)
    pub to: Vec<(String, String, Option<String>)>,
    /// Where `spec.to` is written.
    pub to_origin: Origin,
}

#[derive(Debug)]
pub struct GatewayClass {
    pub object: Object,
    pub controller_name: String,
    pub line: u64,
    /// `spec.parametersRef`, its namespace as written (a class is cluster-scoped).
    pub parameters: Option<Ref>,
}

/// The certificate keys one definition of a Secret or ConfigMap holds, each with whether it is
/// PEM of its kind.
pub type PemKeys = Vec<(PemKey, bool)>;

/// The keys controllers read certificates from: a TLS Secret's `tls.crt` and `tls.key`, and a
/// CA bundle's `ca.crt` (ConfigMap or Secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemKey {
    TlsCrt,
    TlsKey,
    CaCrt,
}

impl PemKey {
    pub const ALL: [PemKey; 3] = [PemKey::TlsCrt, PemKey::TlsKey, PemKey::CaCrt];

    pub fn name(self) -> &'static str {
        match self {
            PemKey::TlsCrt => "tls.crt",
            PemKey::TlsKey => "tls.key",
            PemKey::CaCrt => "ca.crt",
        }
    }

    /// Whether `text` holds a PEM block of this key's kind.
    fn holds(self, text: &str) -> bool {
        match self {
            PemKey::TlsKey => text.split("-----BEGIN ").skip(1).any(|block| {
                block
                    .split("-----")
                    .next()
                    .is_some_and(|label| label.ends_with("PRIVATE KEY"))
            }),
            PemKey::TlsCrt | PemKey::CaCrt => text.contains("-----BEGIN CERTIFICATE-----"),
        }
    }
}

/// The certificate keys of a Secret or ConfigMap that carries `data` or `stringData`, each with
/// whether it is PEM of its kind (Secret `data` is base64). `None` when the set cannot judge: no
/// data (a Secret filled in the cluster, by cert-manager say), or data still to be decrypted or
/// substituted (SOPS, `${VAR}`), which the API server would not take as base64 either.
fn pem_keys(doc: &Node, kind: &str) -> Option<PemKeys> {
    use base64::Engine;
    let data = doc.get("data");
    let string_data = doc.get("stringData");
    if (data.is_none() && string_data.is_none()) || doc.get("sops").is_some() {
        return None;
    }
    let mut keys = Vec::new();
    for key in PemKey::ALL {
        let text = match (
            string_data.and_then(|d| d.str_at(key.name())),
            data.and_then(|d| d.str_at(key.name())),
        ) {
            (Some(text), _) => text.to_string(),
            (None, Some(text)) if kind == "ConfigMap" => text.to_string(),
            (None, Some(encoded)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
            (None, None) => continue,
        };
        if text.contains("${") || text.contains("ENC[") {
            return None;
        }
        keys.push((key, key.holds(&text)));
    }
    Some(keys)
}

/// A port of a core Service: `port`, and `targetPort` when it is a number.
#[derive(Debug)]
pub struct ServicePort {
    pub port: u16,
    pub target_port: Option<u16>,
}

#[derive(Debug, Default)]
pub struct Facts {
    /// Namespace name → the labels of each definition, for Namespaces in the set (a Namespace
    /// defined twice has two label sets; the analysis does not pick one).
    pub namespaces: HashMap<String, Vec<Vec<(String, String)>>>,
    /// Core objects by (kind, namespace, name), and the (kind, namespace) pairs that have any.
    pub core: HashSet<(String, String, String)>,
    pub core_namespaces: HashSet<(String, String)>,
    /// Secrets and ConfigMaps (kind, namespace, name) that carry data → per definition, the
    /// certificate keys they hold and whether each is PEM of its kind ([`PemKey`]).
    pub pem: HashMap<(String, String, String), Vec<PemKeys>>,
    /// Service (namespace, name) → its ports; a Service defined twice has the ports of both.
    pub service_ports: HashMap<(String, String), Vec<ServicePort>>,
    pub classes: Vec<GatewayClass>,
    pub gateways: Vec<Gateway>,
    pub routes: Vec<Route>,
    pub grants: Vec<Grant>,
    pub backend_tls_policies: Vec<BackendTlsPolicy>,
    /// Named objects of one file (with their API group) in document order, until
    /// [`Facts::merge`] checks them.
    defined: Vec<(String, Object)>,
    /// Objects by identity ([`identity`]) → where first defined.
    identities: HashMap<Identity, (Arc<str>, u64)>,
    /// Later definitions of an identity already seen, with where it was first defined.
    pub duplicates: Vec<(Object, Arc<str>, u64)>,
}

/// Oldest first by `creationTimestamp` (RFC 3339, so text order is time order); objects without
/// one sort after those with one, as they are created when applied.
pub fn by_age(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// What makes two documents the same object: API group, kind, namespace ("" for cluster-scoped
/// kinds) and name. The version does not count: `v1` and `v1beta1` HTTPRoutes of one name are
/// one object.
type Identity = (String, String, String, String);

/// The cluster-scoped kinds among those a Gateway API set usually holds: their namespace, if
/// written, is ignored by the API server.
const CLUSTER_SCOPED: [(&str, &str); 5] = [
    ("", "Namespace"),
    (spec::GROUP, "GatewayClass"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
];

/// The identity of `object` of API group `group`.
fn identity(group: &str, object: &Object) -> Identity {
    let kind = object.id.kind.as_str();
    let namespace = match CLUSTER_SCOPED.contains(&(group, kind)) {
        true => String::new(),
        false => object.namespace.clone(),
    };
    (
        group.to_string(),
        kind.to_string(),
        namespace,
        object.id.name.clone(),
    )
}

/// The namespace an object without `metadata.namespace` is assumed to land in.
pub const DEFAULT_NAMESPACE: &str = "default";

/// The kinds of the core group whose presence the analysis uses.
const CORE_KINDS: [&str; 3] = ["Service", "Secret", "ConfigMap"];

fn s(node: &Node, key: &str) -> Option<String> {
    node.str_at(key).map(str::to_string)
}

/// `path[i]` children of a list, with their paths.
fn each<'n>(node: &'n Node, key: &str, path: &str) -> impl Iterator<Item = (String, &'n Node)> {
    let base = super::check::join(path, key);
    node.items_at(key)
        .iter()
        .enumerate()
        .map(move |(i, n)| (super::check::index(&base, i), n))
}

impl Facts {
    /// Takes what the analysis needs from one document.
    pub fn collect(&mut self, file: &Arc<str>, doc: &Node, header: &Header, id: ResourceId) {
        let meta = doc.get("metadata");
        let object = Object {
            namespace: id
                .namespace
                .clone()
                .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string()),
            id,
            file: file.clone(),
            line: doc.line,
        };
        // Unnamed documents (generateName, kustomization files) are never the same object.
        if !object.id.name.is_empty() && header.group != "kustomize.config.k8s.io" {
            self.defined
                .push((header.group.to_string(), object.clone()));
        }
        let spec_node = doc.get("spec");
        match (header.group, header.kind, spec_node) {
            ("", "Namespace", _) => {
                let labels = meta
                    .and_then(|m| m.get("labels"))
                    .map(|l| l.entries())
                    .unwrap_or_default();
                let labels = labels
                    .iter()
                    .filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string())))
                    .collect();
                self.namespaces
                    .entry(object.id.name)
                    .or_default()
                    .push(labels);
            }
            ("", kind, _) if CORE_KINDS.contains(&kind) => {
                if kind == "Service" {
                    self.service_ports
                        .entry((object.namespace.clone(), object.id.name.clone()))
                        .or_default()
                        .extend(service_ports(spec_node));
                }
                if let Some(keys) = pem_keys(doc, kind) {
                    let id = (
                        kind.to_string(),
                        object.namespace.clone(),
                        object.id.name.clone(),
                    );
                    self.pem.entry(id).or_default().push(keys);
                }
                self.core_namespaces
                    .insert((kind.to_string(), object.namespace.clone()));
                self.core
                    .insert((kind.to_string(), object.namespace, object.id.name));
            }
            (spec::GROUP, "GatewayClass", Some(sp)) => {
                if let Some(c) = sp.get("controllerName") {
                    let controller_name = c.as_str().unwrap_or_default().to_string();
                    let parameters = sp
                        .get("parametersRef")
                        .and_then(|p| reference(file, p, "spec.parametersRef", ""));
                    self.classes.push(GatewayClass {
                        object,
                        controller_name,
                        line: c.line,
                        parameters,
                    });
                }
            }
            (spec::GROUP, kind @ ("Gateway" | "ListenerSet"), Some(sp)) => {
                let listeners = each(sp, "listeners", "spec")
                    .filter_map(|(p, l)| listener(file, l, &p))
                    .collect();
                let created = meta.and_then(|m| s(m, "creationTimestamp"));
                let class_name = sp.get("gatewayClassName").and_then(|c| {
                    Some((
                        c.as_str()?.to_string(),
                        origin(file, c, "spec.gatewayClassName"),
                    ))
                });
                let (parent, allowed_listeners, origin) = if kind == "ListenerSet" {
                    let p = sp.get("parentRef");
                    let parent = p.and_then(|p| {
                        Some((
                            s(p, "namespace").unwrap_or_else(|| object.namespace.clone()),
                            s(p, "name")?,
                        ))
                    });
                    let origin = origin(file, p.unwrap_or(sp), "spec.parentRef");
                    (parent, None, origin)
                } else {
                    let namespaces = sp.get("allowedListeners").and_then(|a| a.get("namespaces"));
                    let from = match namespaces.and_then(|n| n.str_at("from")) {
                        Some("All") => Some(From::All),
                        Some("Same") => Some(From::Same),
                        Some("Selector") => Some(From::Selector(selector(
                            namespaces.and_then(|n| n.get("selector")),
                        ))),
                        _ => None,
                    };
                    let at = sp.get("allowedListeners").unwrap_or(sp);
                    (None, from, origin(file, at, "spec.allowedListeners"))
                };
                let tls = sp.get("tls");
                let client_certificate = tls
                    .and_then(|t| t.get("backend"))
                    .and_then(|b| b.get("clientCertificateRef"))
                    .and_then(|r| {
                        reference(file, r, "spec.tls.backend.clientCertificateRef", "Secret")
                    });
                let parameters = sp
                    .get("infrastructure")
                    .and_then(|i| i.get("parametersRef"))
                    .and_then(|r| reference(file, r, "spec.infrastructure.parametersRef", ""));
                self.gateways.push(Gateway {
                    object,
                    listeners,
                    created,
                    parent,
                    allowed_listeners,
                    origin,
                    class_name,
                    frontend_validation: tls
                        .and_then(|t| t.get("frontend"))
                        .map(|f| frontend_validation(file, f))
                        .unwrap_or_default(),
                    client_certificate,
                    parameters,
                });
            }
            (spec::GROUP, "ReferenceGrant", Some(sp)) => {
                let from = sp
                    .items_at("from")
                    .iter()
                    .filter_map(|f| Some((s(f, "group")?, s(f, "kind")?, s(f, "namespace")?)))
                    .collect();
                let to = sp
                    .items_at("to")
                    .iter()
                    .filter_map(|t| Some((s(t, "group")?, s(t, "kind")?, s(t, "name"))))
                    .collect();
                let to_origin = origin(file, sp.get("to").unwrap_or(sp), "spec.to");
                self.grants.push(Grant {
                    object,
                    from,
                    to,
                    to_origin,
                });
            }
            (spec::GROUP, "BackendTLSPolicy", Some(sp)) => {
                let targets = each(sp, "targetRefs", "spec")
                    .filter_map(|(p, t)| Some((reference(file, t, &p, "")?, s(t, "sectionName"))))
                    .collect();
                let ca_refs = sp
                    .get("validation")
                    .map(|v| {
                        each(v, "caCertificateRefs", "spec.validation")
                            .filter_map(|(p, r)| reference(file, r, &p, ""))
                            .collect()
                    })
                    .unwrap_or_default();
                self.backend_tls_policies.push(BackendTlsPolicy {
                    created: meta.and_then(|m| s(m, "creationTimestamp")),
                    object,
                    targets,
                    ca_refs,
                });
            }
            (
                spec::GROUP,
                "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute",
                Some(sp),
            ) => {
                let created = meta.and_then(|m| s(m, "creationTimestamp"));
                self.routes.push(route(file, object, created, sp));
            }
            _ => {}
        }
    }
}

impl Facts {
    /// Adds the facts of the next file (files are merged in input order, so "first defined" is
    /// stable whatever thread read them).
    /// Adds the facts of a later document of the same file; its objects are checked for
    /// duplicates when the file is merged into the set.
    pub fn append(&mut self, mut part: Facts) {
        self.defined.append(&mut part.defined);
        self.merge(part);
    }

    pub fn merge(&mut self, part: Facts) {
        for (namespace, definitions) in part.namespaces {
            self.namespaces
                .entry(namespace)
                .or_default()
                .extend(definitions);
        }
        self.core.extend(part.core);
        self.core_namespaces.extend(part.core_namespaces);
        for (id, definitions) in part.pem {
            self.pem.entry(id).or_default().extend(definitions);
        }
        for (service, ports) in part.service_ports {
            self.service_ports.entry(service).or_default().extend(ports);
        }
        self.classes.extend(part.classes);
        self.gateways.extend(part.gateways);
        self.routes.extend(part.routes);
        self.grants.extend(part.grants);
        self.backend_tls_policies.extend(part.backend_tls_policies);
        for (group, object) in part.defined {
            let key = identity(&group, &object);
            match self.identities.get(&key) {
                Some((file, line)) => self.duplicates.push((object, file.clone(), *line)),
                None => {
                    self.identities.insert(key, (object.file, object.line));
                }
            }
        }
    }
}

fn origin(file: &Arc<str>, node: &Node, field: &str) -> Origin {
    Origin {
        file: file.clone(),
        line: node.line,
        field: field.to_string(),
    }
}

/// A reference with `default_kind` in the core group unless written otherwise.
pub(crate) fn reference(file: &Arc<str>, r: &Node, path: &str, default_kind: &str) -> Option<Ref> {
    let group = r.str_at("group").unwrap_or("");
    let kind = r.str_at("kind").unwrap_or(default_kind);
    // A malformed group or kind was reported by the spec rules and resolves to nothing.
    spec::group(group).ok()?;
    spec::kind(kind).ok()?;
    Some(Ref {
        group: group.to_string(),
        kind: kind.to_string(),
        name: s(r, "name")?,
        namespace: s(r, "namespace"),
        port: r.get("port").and_then(Node::as_int),
        origin: origin(file, r, path),
    })
}

/// The well-typed `spec.ports` of a Service (a named `targetPort` is left out).
fn service_ports(spec_node: Option<&Node>) -> Vec<ServicePort> {
    let port = |p: &Node, key| {
        p.get(key)
            .and_then(Node::as_int)
            .and_then(|n| u16::try_from(n).ok())
    };
    spec_node
        .map(|sp| sp.items_at("ports"))
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            Some(ServicePort {
                port: port(p, "port")?,
                target_port: port(p, "targetPort"),
            })
        })
        .collect()
}

fn listener(file: &Arc<str>, l: &Node, path: &str) -> Option<Listener> {
    let allowed = l.get("allowedRoutes");
    let namespaces = allowed.and_then(|a| a.get("namespaces"));
    let from = match namespaces.and_then(|n| n.str_at("from")).unwrap_or("Same") {
        "All" => From::All,
        "Selector" => From::Selector(selector(namespaces.and_then(|n| n.get("selector")))),
        _ => From::Same,
    };
    let kinds = allowed.and_then(|a| a.get("kinds")).map(|k| {
        k.items()
            .iter()
            .filter_map(|k| {
                Some((
                    k.str_at("group").unwrap_or(spec::GROUP).to_string(),
                    s(k, "kind")?,
                ))
            })
            .collect()
    });
    let tls_path = format!("{path}.tls");
    let certificate_refs = l
        .get("tls")
        .map(|t| {
            each(t, "certificateRefs", &tls_path)
                .filter_map(|(p, c)| reference(file, c, &p, "Secret"))
                .collect()
        })
        .unwrap_or_default();
    Some(Listener {
        name: s(l, "name")?,
        port: l.get("port").and_then(Node::as_int),
        protocol: s(l, "protocol")?,
        hostname: s(l, "hostname").filter(|h| !h.is_empty()),
        from,
        kinds,
        certificate_refs,
        origin: origin(file, l, path),
    })
}

/// `spec.tls.frontend` of a Gateway: `default`, then each `perPort` entry.
fn frontend_validation(file: &Arc<str>, frontend: &Node) -> Vec<FrontendValidation> {
    let base = "spec.tls.frontend";
    let one = |v: Option<&Node>, path: String, port: Option<i64>| FrontendValidation {
        port,
        ca_refs: v
            .map(|v| {
                each(v, "caCertificateRefs", &path)
                    .filter_map(|(p, r)| reference(file, r, &p, ""))
                    .collect()
            })
            .unwrap_or_default(),
        insecure_fallback: v
            .and_then(|v| v.get("mode"))
            .filter(|m| m.as_str() == Some("AllowInsecureFallback"))
            .map(|m| origin(file, m, &format!("{path}.mode"))),
    };
    let default = frontend
        .get("default")
        .and_then(|d| d.get("validation"))
        .map(|v| one(Some(v), format!("{base}.default.validation"), None));
    // A perPort entry replaces the default on its port, even one without validation.
    let per_port = each(frontend, "perPort", base).filter_map(|(p, entry)| {
        let port = entry.get("port").and_then(Node::as_int)?;
        let validation = entry.get("tls").and_then(|t| t.get("validation"));
        Some(one(validation, format!("{p}.tls.validation"), Some(port)))
    });
    default.into_iter().chain(per_port).collect()
}

fn selector(node: Option<&Node>) -> Selector {
    let Some(node) = node else {
        return Selector::default();
    };
    let match_labels = node
        .get("matchLabels")
        .map(|m| {
            m.entries()
                .iter()
                .filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let expressions = node
        .items_at("matchExpressions")
        .iter()
        .filter_map(|e| {
            let values = e
                .items_at("values")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            Some((s(e, "key")?, s(e, "operator")?, values))
        })
        .collect();
    Selector {
        match_labels,
        expressions,
    }
}

fn route(file: &Arc<str>, object: Object, created: Option<String>, sp: &Node) -> Route {
    let rules = crate::traffic::routes::read(file, &object.id.kind, sp);
    let hostnames = sp
        .items_at("hostnames")
        .iter()
        .filter_map(|h| h.as_str().map(str::to_string))
        .collect();
    let parent_refs = each(sp, "parentRefs", "spec")
        .filter_map(|(p, r)| {
            Some(ParentRef {
                group: r.str_at("group").unwrap_or(spec::GROUP).to_string(),
                kind: r.str_at("kind").unwrap_or("Gateway").to_string(),
                name: s(r, "name")?,
                namespace: s(r, "namespace"),
                section: s(r, "sectionName"),
                port: r.get("port").and_then(Node::as_int),
                origin: origin(file, r, &p),
            })
        })
        .collect();
    Route {
        object,
        created,
        hostnames,
        parent_refs,
        rules,
    }
}
