//! Cross-resource analysis over the whole set: predicts the conditions a controller would set
//! (RULES.md, "Status a controller will set"). It only claims what the set proves: when the
//! deciding object (a Gateway, a Namespace, the Services of a namespace) is not in the set, it says
//! so in a note, or says nothing.

mod listeners;
mod suggest;
mod tls;

use foldhash::HashMap;

use super::facts::{
    by_age, Facts, From, Grant, Listener, Object, Origin, ParentRef, PemKey, PemKeys, Ref, Route,
    Selector, ServicePort,
};
use crate::finding::{Finding, Severity};
use crate::implementation::Implementations;
use crate::spec;

/// The automatic label every Namespace carries.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A route attached to one listener: it carries that listener's traffic (indices into
/// [`Facts::routes`], [`Facts::gateways`] and the Gateway's listeners).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attachment {
    pub route: usize,
    pub gateway: usize,
    pub listener: usize,
}

/// What the cross-resource analysis finds and decides.
pub struct Analysed {
    pub findings: Vec<Finding>,
    /// Where each route carries traffic.
    pub attachments: Vec<Attachment>,
    /// Per Gateway (or ListenerSet) of the facts and per listener: whether it is valid.
    pub valid: Vec<Vec<bool>>,
}

/// The findings of the cross-resource analysis, and where each route attaches.
pub fn analyse(facts: &Facts) -> Analysed {
    let mut a = Analysis {
        facts,
        findings: Vec::new(),
        used_grants: vec![false; facts.grants.len()],
        attachments: Vec::new(),
        valid: Vec::new(),
    };
    a.valid = a.listeners();
    a.frontend_validation();
    a.gateways_with_valid_listeners();
    // Parents by (kind, namespace, name): Gateways and ListenerSets.
    let mut gateways: Parents = HashMap::default();
    for (i, g) in facts.gateways.iter().enumerate() {
        let key = (
            g.object.id.kind.as_str(),
            g.object.namespace.as_str(),
            g.object.id.name.as_str(),
        );
        gateways.entry(key).or_default().push(i);
    }
    // Routes are judged on several threads, a group at a time, each into its own findings,
    // attachments and grant marks, put together in route order: the once-per-place check of
    // `attachment` only compares findings of one route, so groups change nothing it says.
    let indices: Vec<usize> = (0..facts.routes.len()).collect();
    let mut parts = Vec::new();
    super::parallel_for_each(
        &super::groups(&indices),
        |group| {
            let mut part = Analysis {
                facts,
                findings: Vec::new(),
                used_grants: vec![false; facts.grants.len()],
                attachments: Vec::new(),
                valid: a.valid.clone(),
            };
            for &index in *group {
                part.route(index, &gateways);
            }
            part
        },
        |part| parts.push(part),
    );
    for part in parts {
        a.findings.extend(part.findings);
        a.attachments.extend(part.attachments);
        for (used, marked) in a.used_grants.iter_mut().zip(part.used_grants) {
            *used |= marked;
        }
    }
    for g in &facts.gateways {
        for l in &g.listeners {
            for r in &l.certificate_refs {
                a.reference(&g.object, r, &CERTIFICATE);
            }
        }
    }
    a.gateway_references();
    a.backend_tls_policies();
    a.grants();
    a.classes();
    for (object, first_file, first_line) in &facts.duplicates {
        let origin = Origin {
            file: object.file.clone(),
            line: object.line,
            field: String::new(),
        };
        a.findings.push(
            finding(Severity::Warning, "duplicate-resource", object, &origin, format!("{} is defined again here; it was first defined at {first_file}:{first_line}, and applying the set keeps only the last; the predictions here weigh every definition (a reference is accepted if any definition accepts it)", object.id))
                .hint("rename one of them, or delete the stale copy"),
        );
    }
    Analysed {
        findings: a.findings,
        attachments: a.attachments,
        valid: a.valid,
    }
}

/// Gateways and ListenerSets (indices into [`Facts::gateways`]) by kind, namespace and name.
type Parents<'f> = HashMap<(&'f str, &'f str, &'f str), Vec<usize>>;

struct Analysis<'f> {
    facts: &'f Facts,
    findings: Vec<Finding>,
    used_grants: Vec<bool>,
    attachments: Vec<Attachment>,
    /// Per Gateway (or ListenerSet) and listener: whether it is valid and may carry routes.
    valid: Vec<Vec<bool>>,
}

/// Evaluates a label selector on namespace `ns` with `labels` (`None`: the Namespace is not in the
/// set, so only the automatic name label is known).
fn selects_labels(sel: &Selector, ns: &str, labels: Option<&Vec<(String, String)>>) -> Known {
    let label = |key: &str| -> Option<Option<&str>> {
        if key == NAME_LABEL {
            return Some(Some(ns));
        }
        labels.map(|ls| ls.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()))
    };
    let mut result = Known::Yes;
    for (k, v) in &sel.match_labels {
        result = result.and(match label(k) {
            None => Known::Unknown,
            Some(actual) => known(actual == Some(v.as_str())),
        });
    }
    for (k, op, values) in &sel.expressions {
        let Some(actual) = label(k) else {
            result = result.and(Known::Unknown);
            continue;
        };
        let within = actual.is_some_and(|a| values.iter().any(|v| v == a));
        result = result.and(match op.as_str() {
            "In" => known(within),
            "NotIn" => known(!within),
            "Exists" => known(actual.is_some()),
            "DoesNotExist" => known(actual.is_none()),
            _ => Known::Unknown,
        });
    }
    result
}

/// Three-valued answer: the set proves yes, proves no, or cannot tell.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Known {
    Yes,
    No,
    Unknown,
}

impl Known {
    fn or(self, other: Known) -> Known {
        match (self, other) {
            (Known::Yes, _) | (_, Known::Yes) => Known::Yes,
            (Known::Unknown, _) | (_, Known::Unknown) => Known::Unknown,
            _ => Known::No,
        }
    }

    fn and(self, other: Known) -> Known {
        match (self, other) {
            (Known::No, _) | (_, Known::No) => Known::No,
            (Known::Unknown, _) | (_, Known::Unknown) => Known::Unknown,
            _ => Known::Yes,
        }
    }
}

/// How one kind of reference resolves, and what a controller says when it does not.
struct RefKind {
    /// The core kinds it may name; the first is the one the API documents.
    core: &'static [&'static str],
    /// Whether a kind of another API group is left to the implementation (a custom backend,
    /// an implementation's CA source) rather than refused.
    custom: bool,
    /// Rule and reason when the kind is not one of `core` (or of another group, unless `custom`).
    invalid_kind: (&'static str, &'static str),
    not_permitted: &'static str,
    /// Rule and reason when the set proves the object missing; the reason also when the object
    /// holds no usable certificate under `keys`.
    not_found: (&'static str, &'static str),
    /// The certificate keys a controller reads from the object (none for a backend).
    keys: &'static [PemKey],
}

const BACKEND: RefKind = RefKind {
    core: &["Service"],
    custom: true,
    invalid_kind: ("backend-invalid-kind", "InvalidKind"),
    not_permitted: "backend-ref-not-permitted",
    not_found: ("backend-not-found", "BackendNotFound"),
    keys: &[],
};

const CERTIFICATE: RefKind = RefKind {
    core: &["Secret"],
    custom: true,
    invalid_kind: ("certificate-invalid-kind", "InvalidCertificateRef"),
    not_permitted: "certificate-ref-not-permitted",
    not_found: ("certificate-not-found", "InvalidCertificateRef"),
    keys: &[PemKey::TlsCrt, PemKey::TlsKey],
};

fn finding(
    severity: Severity,
    rule: &'static str,
    object: &Object,
    origin: &Origin,
    message: String,
) -> Finding {
    let f = Finding::new(severity, rule, message)
        .at(&origin.file, origin.line)
        .on(Some(object.id.clone()));
    if origin.field.is_empty() {
        f
    } else {
        f.field(origin.field.clone())
    }
}

impl Analysis<'_> {
    /// Where route `index` attaches through each of its parentRefs (`gateways`: the Gateways and
    /// ListenerSets of the set by kind, namespace and name), and whether its backendRefs resolve.
    fn route(&mut self, index: usize, gateways: &Parents) {
        let facts = self.facts;
        let route = &facts.routes[index];
        let mut missing = Vec::new();
        for parent in &route.parent_refs {
            if parent.group != spec::GROUP || !["Gateway", "ListenerSet"].contains(&&*parent.kind) {
                continue; // mesh (Service) and other parents are out of scope
            }
            let ns = parent
                .namespace
                .as_deref()
                .unwrap_or(&route.object.namespace);
            match gateways.get(&(parent.kind.as_str(), ns, parent.name.as_str())) {
                Some(definitions) => self.attachment(index, parent, definitions),
                // Said once per route and Gateway, not once per parentRef.
                None if !missing.contains(&(ns, &parent.name)) => {
                    missing.push((ns, &parent.name));
                    let near = suggest::did_you_mean(
                        &parent.name,
                        gateways
                            .keys()
                            .filter(|(k, n, _)| *k == parent.kind && *n == ns)
                            .map(|(_, _, name)| *name),
                    );
                    self.findings.push(
                        finding(Severity::Note, "parent-not-in-set", &route.object, &parent.origin, format!("{} {ns}/{} is not among the linted files; if it does not exist in the cluster the route is ignored (no status at all)", parent.kind, parent.name))
                            .hint(format!("lint the {} together with its routes to check attachment{near}", parent.kind)),
                    );
                }
                None => {}
            }
        }
        route
            .rules
            .each_reference(|r| _ = self.reference(&route.object, r, &BACKEND));
    }

    /// Whether and where a route's parentRef attaches to a Gateway of the set. When the set
    /// defines the Gateway more than once, the route is fine if any definition accepts it (and
    /// carries the traffic of the first that does); when none does, what each says is reported.
    fn attachment(&mut self, route: usize, parent: &ParentRef, definitions: &[usize]) {
        let facts = self.facts;
        let outcomes: Vec<(usize, Vec<usize>, Vec<Finding>)> = definitions
            .iter()
            .map(|&g| {
                let (listeners, findings) = self.attach(&facts.routes[route], parent, g);
                (g, listeners, findings)
            })
            .collect();
        match outcomes.iter().position(|(_, l, _)| !l.is_empty()) {
            Some(attached) => {
                let (gateway, listeners, findings) = outcomes.into_iter().nth(attached).unwrap();
                self.attachments
                    .extend(listeners.into_iter().map(|listener| Attachment {
                        route,
                        gateway,
                        listener,
                    }));
                self.findings.extend(findings);
            }
            None => {
                for finding in outcomes.into_iter().flat_map(|(_, _, f)| f) {
                    // Said once per place: the same parentRef seen through several definitions
                    // of its Gateway. Another route's file may have the same line and message.
                    let said = self.findings.iter().any(|f| {
                        f.rule == finding.rule
                            && f.message == finding.message
                            && f.line == finding.line
                            && f.file == finding.file
                    });
                    if !said {
                        self.findings.push(finding);
                    }
                }
            }
        }
    }

    /// The listeners (indices) that `route` attaches to through `parent` on one Gateway
    /// definition, and the findings of attaching it.
    fn attach(&self, route: &Route, parent: &ParentRef, g: usize) -> (Vec<usize>, Vec<Finding>) {
        let gateway = &self.facts.gateways[g];
        let gw = ObjectName(&gateway.object);
        let named: Vec<(usize, &Listener)> = gateway
            .listeners
            .iter()
            .enumerate()
            .filter(|(_, l)| parent.section.as_ref().is_none_or(|s| *s == l.name))
            .filter(|(_, l)| parent.port.is_none_or(|p| l.port == Some(p)))
            .collect();
        if named.is_empty() {
            let what = match (&parent.section, parent.port) {
                (Some(s), Some(p)) => format!("no listener named {s:?} on port {p}"),
                (Some(s), None) => format!("no listener named {s:?}"),
                (None, Some(p)) => format!("no listener on port {p}"),
                (None, None) => "no listeners".to_string(),
            };
            let names: Vec<&str> = gateway.listeners.iter().map(|l| l.name.as_str()).collect();
            return (
                Vec::new(),
                vec![finding(
                    Severity::Error,
                    "no-matching-parent",
                    &route.object,
                    &parent.origin,
                    format!("{gw} has {what}"),
                )
                .condition("Accepted", "False", "NoMatchingParent")
                .hint(format!(
                    "its listeners are: {}{}",
                    names.join(", "),
                    parent
                        .section
                        .as_deref()
                        .map(|s| suggest::did_you_mean(s, names.iter().copied()))
                        .unwrap_or_default()
                ))],
            );
        }
        // Listeners that are not valid (conflicted, unsupported, or of a ListenerSet the Gateway
        // does not admit) carry nothing; their own findings say why.
        let invalid: Vec<&str> = named
            .iter()
            .filter(|(i, _)| !self.valid[g][*i])
            .map(|(_, l)| l.name.as_str())
            .collect();
        let named: Vec<(usize, &Listener)> = named
            .into_iter()
            .filter(|(i, _)| self.valid[g][*i])
            .collect();
        if named.is_empty() {
            let why = format!(
                "the listeners it names on {gw} are not valid ({}): see their findings",
                invalid.join(", ")
            );
            return (Vec::new(), vec![finding(Severity::Error, "route-on-invalid-listener", &route.object, &parent.origin, format!("this parentRef carries no traffic: {why}"))
                .hint("attach to a valid listener, or fix the listener (its protocol, conflicts, or the ListenerSet's admission)")]);
        }
        let kind = &route.object.id.kind;
        let accepting: Vec<(usize, &Listener)> = named
            .into_iter()
            .filter(|(_, l)| accepts_kind(l, kind))
            .collect();
        let allowed: Vec<(usize, &Listener, Known)> = accepting
            .iter()
            .map(|&(i, l)| (i, l, self.admits_namespace(l, &gateway.object, route)))
            .filter(|(_, _, k)| *k != Known::No)
            .collect();
        if allowed.is_empty() {
            let (message, hint) = if accepting.is_empty() {
                (
                    format!("no listener of {gw} accepts {kind}s: their allowedRoutes.kinds or protocol exclude them"),
                    format!("add {kind} to the listener's allowedRoutes.kinds, or attach to a listener whose protocol carries {kind}s"),
                )
            } else {
                (
                    format!("no listener of {gw} admits routes from namespace {}", route.object.namespace),
                    "set the listener's allowedRoutes.namespaces (from: All, or a Selector matching this namespace); a ReferenceGrant never permits attachment".to_string(),
                )
            };
            return (
                Vec::new(),
                vec![finding(
                    Severity::Error,
                    "route-not-allowed-by-listener",
                    &route.object,
                    &parent.origin,
                    message,
                )
                .condition("Accepted", "False", "NotAllowedByListeners")
                .hint(hint)],
            );
        }
        let mut out = Vec::new();
        if allowed.iter().all(|(_, _, k)| *k == Known::Unknown) {
            out.push(
                finding(Severity::Note, "route-namespace-unknown", &route.object, &parent.origin, format!("whether {gw} admits routes from namespace {} depends on that Namespace's labels, which are not in the set", route.object.namespace))
                    .hint("lint the Namespace manifest along with the route, or check its labels with kubectl"),
            );
        }
        // The listeners whose hostname intersects one of the route's carry its traffic.
        let carrying: Vec<usize> = allowed
            .iter()
            .filter(|(_, l, _)| {
                route.hostnames.is_empty()
                    || route
                        .hostnames
                        .iter()
                        .any(|h| spec::hostnames_intersect(l.hostname.as_deref(), Some(h)))
            })
            .map(|(i, _, _)| *i)
            .collect();
        if carrying.is_empty() {
            let listener_hosts: Vec<&str> = allowed
                .iter()
                .filter_map(|(_, l, _)| l.hostname.as_deref())
                .collect();
            out.push(
                finding(Severity::Error, "no-matching-listener-hostname", &route.object, &parent.origin, format!("none of the route's hostnames ({}) matches a listener hostname of {gw} ({})", route.hostnames.join(", "), listener_hosts.join(", ")))
                    .condition("Accepted", "False", "NoMatchingListenerHostname")
                    .hint("make a route hostname fall under a listener hostname ('*.example.com' matches 'a.example.com', not 'example.com')"),
            );
            return (Vec::new(), out);
        }
        (carrying, out)
    }

    /// Whether a listener's `allowedRoutes.namespaces` admits the route's namespace.
    fn admits_namespace(&self, l: &Listener, gateway: &Object, route: &Route) -> Known {
        let ns = route.object.namespace.as_str();
        match &l.from {
            From::All => Known::Yes,
            From::Same if ns == gateway.namespace => Known::Yes,
            From::Same => Known::No,
            From::Selector(sel) => self.selects(sel, ns),
        }
    }

    /// Evaluates a label selector on a namespace. Only the automatic name label is known when the
    /// Namespace is not in the set; when the set defines it more than once, the selector selects
    /// it if it selects any definition (as a reference is accepted if any definition accepts it).
    fn selects(&self, sel: &Selector, ns: &str) -> Known {
        match self.facts.namespaces.get(ns) {
            None => selects_labels(sel, ns, None),
            Some(definitions) => definitions
                .iter()
                .map(|labels| selects_labels(sel, ns, Some(labels)))
                .fold(Known::No, Known::or),
        }
    }

    /// A reference (backendRef, certificateRef, CA certificate, client certificate): its kind,
    /// a grant when it crosses namespaces, and the object's existence. Whether it resolves, as
    /// far as the set proves.
    fn reference(&mut self, from: &Object, r: &Ref, kind: &RefKind) -> bool {
        let target_ns = r.namespace.as_deref().unwrap_or(&from.namespace);
        let core = r.group.is_empty();
        if (core && !kind.core.contains(&r.kind.as_str())) || (!core && !kind.custom) {
            let (rule, reason) = kind.invalid_kind;
            let what = match core {
                true => format!("a core {}", r.kind),
                false => format!("{} of group {}", r.kind, r.group),
            };
            self.findings.push(
                finding(
                    Severity::Error,
                    rule,
                    from,
                    &r.origin,
                    format!(
                        "refers to {what}; only {} is supported here",
                        kind.core.join(" or ")
                    ),
                )
                .condition("ResolvedRefs", "False", reason)
                .hint(match kind.custom {
                    true => format!(
                        "refer to a {}, or set the group of the custom kind",
                        kind.core[0]
                    ),
                    false => format!("refer to a core {}", kind.core[0]),
                }),
            );
            return false;
        }
        let mut resolves = true;
        if target_ns != from.namespace && !self.granted(from, r, target_ns) {
            // The usual mistake: the grant placed next to the referring object.
            let misplaced = self
                .facts
                .grants
                .iter()
                .find(|g| g.object.namespace == from.namespace && grant_matches(g, from, r));
            let hint = match misplaced {
                Some(g) => format!("{} would permit it, but a grant must live in the target namespace {target_ns}: move it there", g.object.id),
                None => format!("add a ReferenceGrant in namespace {target_ns} with from {{group: {}, kind: {}, namespace: {}}} and to {{group: {:?}, kind: {}, name: {}}}", spec::GROUP, from.id.kind, from.namespace, r.group, r.kind, r.name),
            };
            self.findings.push(
                finding(Severity::Error, kind.not_permitted, from, &r.origin, format!("refers to {} {target_ns}/{} in another namespace, and no ReferenceGrant in {target_ns} permits it", r.kind, r.name))
                    .condition("ResolvedRefs", "False", "RefNotPermitted")
                    .hint(hint),
            );
            resolves = false;
        }
        if missing_core(self.facts, r, &r.kind, target_ns) {
            let (rule, reason) = kind.not_found;
            let named = &r.kind;
            self.findings.push(
                finding(Severity::Error, rule, from, &r.origin, format!("{named} {target_ns}/{} is not in the set, though other {named}s of {target_ns} are", r.name))
                    .condition("ResolvedRefs", "False", reason)
                    .hint(format!("check the name, or add the {named}{}", suggest::did_you_mean(&r.name, self.facts.core.iter().filter(|(k, ns, _)| k == named && ns == target_ns).map(|(_, _, n)| n.as_str())))),
            );
            resolves = false;
        }
        if let Some((missing, problem)) = pem_problem(self.facts, r, target_ns, kind.keys) {
            let keys: Vec<&str> = kind.keys.iter().map(|k| k.name()).collect();
            let hint = format!(
                "put the PEM-encoded {} in the {}",
                keys.join(" and "),
                r.kind
            );
            let message = format!("{} {target_ns}/{} {problem}", r.kind, r.name);
            self.findings.push(match missing {
                true => {
                    resolves = false;
                    finding(Severity::Error, "certificate-data-invalid", from, &r.origin, message)
                        .condition("ResolvedRefs", "False", kind.not_found.1)
                        .hint(hint)
                }
                // Placeholders stand in for real certificates in many repositories.
                false => finding(Severity::Note, "certificate-data-not-pem", from, &r.origin, format!("{message}; if that is the data the cluster gets, the controller sets ResolvedRefs=False ({})", kind.not_found.1))
                    .hint(hint),
            });
        }
        if kind.core[0] == "Service" && core {
            resolves &= self.service_port(from, r, target_ns);
        }
        resolves
    }

    /// A backendRef to a Service of the set names one of its ports. The usual mistake is the
    /// container port, the Service's `targetPort`.
    fn service_port(&mut self, from: &Object, r: &Ref, target_ns: &str) -> bool {
        let (Some(port), Some(ports)) = (r.port, missing_port(self.facts, r, target_ns)) else {
            return true;
        };
        let listed: Vec<String> = ports.iter().map(|p| p.port.to_string()).collect();
        let hint = match ports
            .iter()
            .find(|p| p.target_port.map(i64::from) == Some(port))
        {
            Some(p) => format!(
                "{port} is the targetPort of Service port {}; a backendRef names the Service port",
                p.port
            ),
            None => "use one of the Service's ports, or add the port to the Service".to_string(),
        };
        self.findings.push(
            finding(
                Severity::Error,
                "backend-port-not-found",
                from,
                &r.origin,
                format!(
                    "Service {target_ns}/{} has no port {port} (its ports: {})",
                    r.name,
                    listed.join(", ")
                ),
            )
            .condition("ResolvedRefs", "False", "BackendNotFound")
            .hint(hint),
        );
        false
    }

    /// Whether a ReferenceGrant in the target namespace permits `r` from `from`; marks it used.
    fn granted(&mut self, from: &Object, r: &Ref, target_ns: &str) -> bool {
        for (i, g) in self.facts.grants.iter().enumerate() {
            if g.object.namespace == target_ns && grant_matches(g, from, r) {
                self.used_grants[i] = true;
            }
        }
        permits_any(self.facts, from, r, target_ns)
    }

    /// Grants that misunderstand attachment, and grants nothing in the set uses.
    fn grants(&mut self) {
        for (i, g) in self.facts.grants.iter().enumerate() {
            let origin = &g.to_origin;
            if g.to
                .iter()
                .any(|(gr, k, _)| gr == spec::GROUP && k == "Gateway")
            {
                self.findings.push(
                    finding(Severity::Warning, "reference-grant-to-gateway", &g.object, origin, "this ReferenceGrant targets a Gateway, but a ReferenceGrant never permits route attachment".into())
                        .hint("let routes from other namespaces attach with the listener's allowedRoutes.namespaces (from: All or Selector)"),
                );
            } else if !self.used_grants[i] {
                self.findings.push(
                    finding(Severity::Note, "unused-reference-grant", &g.object, origin, "no reference in the linted files needs this ReferenceGrant".into())
                        .hint("it may serve objects outside the set; otherwise check its from/to against the references it is meant for"),
                );
            }
        }
    }

    fn classes(&mut self) {
        self.gateway_classes();
        if self.facts.classes.is_empty() {
            return; // most sets have none, and parsing the presets was half of `generate`
        }
        let presets = Implementations::built_in();
        let known: Vec<&str> = presets.iter().map(|i| i.controller_name.as_str()).collect();
        for c in &self.facts.classes {
            if known.contains(&c.controller_name.as_str()) {
                continue;
            }
            let origin = Origin {
                file: c.object.file.clone(),
                line: c.line,
                field: "spec.controllerName".into(),
            };
            self.findings.push(
                finding(Severity::Note, "unknown-controller", &c.object, &origin, format!("controllerName {:?} is not one of the known implementations; the class stays Accepted=Unknown unless such a controller runs", c.controller_name))
                    .condition("Accepted", "Unknown", "Pending")
                    .hint(format!("known: {}", known.join(", "))),
            );
        }
    }
}

/// `Gateway ns/name` in messages, written only when a finding is.
struct ObjectName<'o>(&'o Object);

impl std::fmt::Display for ObjectName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let o = self.0;
        write!(f, "{} {}/{}", o.id.kind, o.namespace, o.id.name)
    }
}

impl Analysis<'_> {
    /// A Gateway whose class is not among the GatewayClasses of the set (when it has any) is
    /// reconciled by no controller the set knows of: it gets no status and carries nothing.
    fn gateway_classes(&mut self) {
        let facts = self.facts;
        if facts.classes.is_empty() {
            return;
        }
        let names: Vec<&str> = facts
            .classes
            .iter()
            .map(|c| c.object.id.name.as_str())
            .collect();
        for g in &facts.gateways {
            let Some((class, origin)) = &g.class_name else {
                continue;
            };
            if names.contains(&class.as_str()) {
                continue;
            }
            self.findings.push(
                finding(Severity::Warning, "gateway-class-not-in-set", &g.object, origin, format!("GatewayClass {class:?} is not among the GatewayClasses of the set ({}); unless the cluster has it, no controller reconciles this Gateway and it gets no status", names.join(", ")))
                    .hint(format!("name one of the set's GatewayClasses{}", suggest::did_you_mean(class, names.iter().copied()))),
            );
        }
    }
}

/// Whether a listener accepts a route kind: its `allowedRoutes.kinds`, or its protocol's defaults.
fn accepts_kind(l: &Listener, kind: &str) -> bool {
    match &l.kinds {
        Some(kinds) => kinds.iter().any(|(g, k)| g == spec::GROUP && k == kind),
        None => spec::default_route_kinds(&l.protocol).is_none_or(|ks| ks.contains(&kind)),
    }
}

/// Whether a grant's `from` and `to` match the reference (its namespace is checked by the caller).
fn grant_matches(g: &Grant, from: &Object, r: &Ref) -> bool {
    g.from
        .iter()
        .any(|(gr, k, ns)| gr == spec::GROUP && *k == from.id.kind && *ns == from.namespace)
        && g.to.iter().any(|(gr, k, name)| {
            *gr == r.group && *k == r.kind && name.as_ref().is_none_or(|n| *n == r.name)
        })
}

/// Why a backendRef does not resolve, as the reason of the `ResolvedRefs=False` condition a
/// controller sets (`InvalidKind`, `RefNotPermitted`, `BackendNotFound`), or `None` when it
/// resolves or the set cannot tell. Requests sent to such a backend get HTTP 500.
pub fn backend_problem(facts: &Facts, from: &Object, r: &Ref) -> Option<&'static str> {
    let target_ns = r.namespace.as_deref().unwrap_or(&from.namespace);
    if r.group.is_empty() && r.kind != "Service" {
        return Some("InvalidKind");
    }
    if target_ns != from.namespace && !permits_any(facts, from, r, target_ns) {
        return Some("RefNotPermitted");
    }
    let wrong_port = r.group.is_empty() && missing_port(facts, r, target_ns).is_some();
    (missing_core(facts, r, "Service", target_ns) || wrong_port).then_some("BackendNotFound")
}

/// The ports of the Service a backendRef names when the set holds that Service and its port is
/// not one of them.
fn missing_port<'f>(facts: &'f Facts, r: &Ref, target_ns: &str) -> Option<&'f [ServicePort]> {
    let port = r.port?;
    let ports = facts
        .service_ports
        .get(&(target_ns.to_string(), r.name.clone()))?;
    // A Service without ports (ExternalName) leaves the port to the implementation.
    (!ports.is_empty() && !ports.iter().any(|p| i64::from(p.port) == port)).then_some(ports)
}

/// What is wrong with the certificate data of the Secret or ConfigMap a reference names, when
/// the set holds it with data and no definition of it has every key in `keys` well-formed:
/// `(true, _)` when a key is missing from every definition, `(false, _)` when the keys are there
/// but some value is not PEM of its kind.
fn pem_problem(facts: &Facts, r: &Ref, target_ns: &str, keys: &[PemKey]) -> Option<(bool, String)> {
    if keys.is_empty() || !r.group.is_empty() {
        return None;
    }
    let definitions = facts
        .pem
        .get(&(r.kind.clone(), target_ns.to_string(), r.name.clone()))?;
    let problem = |held: &PemKeys| {
        let value = |key: &PemKey| held.iter().find(|(k, _)| k == key).map(|(_, pem)| *pem);
        if let Some(key) = keys.iter().find(|k| value(k).is_none()) {
            return Some((true, format!("has no {}", key.name())));
        }
        let key = keys.iter().find(|k| value(k) == Some(false))?;
        Some((
            false,
            format!("has a {} that is not PEM of its kind", key.name()),
        ))
    };
    let mut problems: Vec<(bool, String)> =
        definitions.iter().map(problem).collect::<Option<_>>()?;
    // A definition that has every key decides: the data may only be a placeholder.
    problems.sort_by_key(|(missing, _)| *missing);
    problems.into_iter().next()
}

/// Whether some ReferenceGrant in `target_ns` permits the reference.
fn permits_any(facts: &Facts, from: &Object, r: &Ref, target_ns: &str) -> bool {
    facts
        .grants
        .iter()
        .any(|g| g.object.namespace == target_ns && grant_matches(g, from, r))
}

/// Whether the set proves a core object missing: it holds others of its kind in that namespace.
fn missing_core(facts: &Facts, r: &Ref, core_kind: &str, target_ns: &str) -> bool {
    let judged = r.group.is_empty()
        && facts
            .core_namespaces
            .contains(&(core_kind.to_string(), target_ns.to_string()));
    judged
        && !facts
            .core
            .contains(&(core_kind.to_string(), target_ns.to_string(), r.name.clone()))
}

/// Older first by `creationTimestamp`, then by namespace/name: which of two conflicting objects
/// wins (GEP-713).
fn older_first(a: (&Option<String>, &Object), b: (&Option<String>, &Object)) -> std::cmp::Ordering {
    by_age(a.0, b.0)
        .then_with(|| (&a.1.namespace, &a.1.id.name).cmp(&(&b.1.namespace, &b.1.id.name)))
}

fn known(b: bool) -> Known {
    if b {
        Known::Yes
    } else {
        Known::No
    }
}
