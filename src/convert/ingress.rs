//! `networking.k8s.io/v1` Ingress and IngressClass into the intermediate form. The Kubernetes rules
//! (hosts, path types, the default backend, TLS) live here; what ingress-nginx's annotations add is
//! in [`super::nginx`].

use indexmap::IndexMap;
use serde::Deserialize;

use super::nginx::{self, Annotations};
use super::source::*;
use crate::finding::{ResourceId, Severity};

#[derive(Debug, Deserialize)]
pub struct Meta {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// Read loosely: a value YAML types as a number or boolean is taken as its text.
    #[serde(default)]
    pub annotations: IndexMap<String, serde_json::Value>,
}

impl Meta {
    pub fn annotations(&self) -> IndexMap<String, String> {
        self.annotations
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect()
    }
}

#[derive(Debug, Deserialize)]
pub struct Ingress {
    pub metadata: Meta,
    #[serde(default)]
    pub spec: IngressSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    #[serde(default)]
    pub ingress_class_name: Option<String>,
    #[serde(default)]
    pub default_backend: Option<IngressBackend>,
    #[serde(default)]
    pub tls: Vec<IngressTls>,
    #[serde(default)]
    pub rules: Vec<IngressRule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressTls {
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub secret_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IngressRule {
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub http: Option<HttpPaths>,
}

#[derive(Debug, Deserialize)]
pub struct HttpPaths {
    #[serde(default)]
    pub paths: Vec<IngressPath>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressPath {
    #[serde(default)]
    pub path: Option<String>,
    pub path_type: String,
    pub backend: IngressBackend,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IngressBackend {
    /// `None` for a resource backend (`resource:`), which has no Gateway API equivalent.
    #[serde(default)]
    pub service: Option<ServiceBackend>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceBackend {
    pub name: String,
    #[serde(default)]
    pub port: ServicePort,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServicePort {
    #[serde(default)]
    pub number: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IngressClass {
    pub metadata: Meta,
    #[serde(default)]
    pub spec: IngressClassSpec,
}

#[derive(Debug, Default, Deserialize)]
pub struct IngressClassSpec {
    #[serde(default)]
    pub controller: Option<String>,
}

/// The ingress-nginx controller name in `IngressClass.spec.controller`.
const NGINX_CONTROLLER: &str = "k8s.io/ingress-nginx";
/// Marks the IngressClass used by Ingresses that name none.
const DEFAULT_CLASS: &str = "ingressclass.kubernetes.io/is-default-class";
/// The class annotation that predates `spec.ingressClassName`.
const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// A Service port by name or number, resolved against the Services of the input.
pub type PortLookup<'a> = &'a dyn Fn(&str, &str, &str) -> Option<i64>;

/// Reads every Ingress (canaries last, onto the routes of their main Ingress) into `out`.
pub fn read(
    ingresses: &[(String, Ingress)],
    classes: &[IngressClass],
    ports: PortLookup,
    out: &mut Sources,
) {
    let default_class = classes
        .iter()
        .find(|c| {
            c.metadata
                .annotations()
                .get(DEFAULT_CLASS)
                .is_some_and(|v| v == "true")
        })
        .map(|c| c.metadata.name.clone());
    let (canaries, mains): (Vec<_>, Vec<_>) = ingresses
        .iter()
        .partition(|(_, ing)| nginx::is_canary(&ing.metadata.annotations()));
    for (file, ing) in mains.into_iter().chain(canaries) {
        let origin = Origin {
            id: ResourceId {
                kind: "Ingress".into(),
                namespace: Some(
                    ing.metadata
                        .namespace
                        .clone()
                        .unwrap_or_else(|| "default".into()),
                ),
                name: ing.metadata.name.clone(),
            },
            file: file.clone(),
        };
        let annotations = ing.metadata.annotations();
        let class = ing
            .spec
            .ingress_class_name
            .clone()
            .or_else(|| annotations.get(CLASS_ANNOTATION).cloned())
            .or_else(|| default_class.clone());
        let Some(class) = class else {
            out.findings.push(origin.finding(Severity::Warning, "convert-no-ingress-class",
                "names no IngressClass (spec.ingressClassName) and no IngressClass in the input is the default; converted as ingress-nginx into a Gateway named `nginx`")
                .field("spec.ingressClassName")
                .hint("set spec.ingressClassName, or add the IngressClass to the input"));
            read_one(
                &origin,
                ing,
                "nginx",
                Dialect::Nginx,
                &annotations,
                ports,
                out,
            );
            continue;
        };
        let dialect = dialect_of(&class, classes);
        if dialect == Dialect::Ingress {
            out.findings.push(origin.finding(Severity::Note, "convert-controller-unknown",
                format!("IngressClass {class} is not served by ingress-nginx (by its spec.controller, or by its name when the IngressClass is not in the input): only the Kubernetes Ingress rules are converted, its annotations are reported, not read")));
        }
        read_one(&origin, ing, &class, dialect, &annotations, ports, out);
    }
}

fn dialect_of(class: &str, classes: &[IngressClass]) -> Dialect {
    let nginx = match classes.iter().find(|c| c.metadata.name == class) {
        Some(c) => c.spec.controller.as_deref() == Some(NGINX_CONTROLLER),
        None => class.contains("nginx"),
    };
    if nginx {
        Dialect::Nginx
    } else {
        Dialect::Ingress
    }
}

fn read_one(
    origin: &Origin,
    ing: &Ingress,
    class: &str,
    dialect: Dialect,
    annotations: &IndexMap<String, String>,
    ports: PortLookup,
    out: &mut Sources,
) {
    let ann = Annotations::read(origin, annotations, dialect, out);
    let tls_hosts: Vec<&String> = ing.spec.tls.iter().flat_map(|t| &t.hosts).collect();
    for (i, tls) in ing.spec.tls.iter().enumerate() {
        match &tls.secret_name {
            Some(secret) => out
                .tls
                .push((origin.clone(), tls.hosts.clone(), secret.clone())),
            None => out.findings.push(
                origin
                    .finding(Severity::Warning, "convert-tls-no-secret",
                        "names no Secret: the controller would serve its default certificate for these hosts; no certificate is converted")
                    .field(format!("spec.tls[{i}].secretName")),
            ),
        }
    }
    let base = Route {
        origin: origin.clone(),
        dialect,
        name: ing.metadata.name.clone(),
        hosts: Vec::new(),
        matches: Vec::new(),
        action: Action::Forward {
            backends: Vec::new(),
            rewrite: None,
            host: None,
            set_headers: Vec::new(),
        },
        grpc: false,
        serve: Serve::Both,
        priority: 0,
        fallback: false,
        class: class.to_string(),
        cors: None,
    };
    let mut hosts: Vec<Option<String>> = Vec::new();
    for (i, rule) in ing.spec.rules.iter().enumerate() {
        let host = rule.host.clone().map(|h| h.to_ascii_lowercase());
        if !hosts.contains(&host) {
            hosts.push(host.clone());
        }
        let Some(http) = &rule.http else { continue };
        for (j, p) in http.paths.iter().enumerate() {
            let field = format!("spec.rules[{i}].http.paths[{j}]");
            let Some(backend) = backend(origin, &p.backend, &field, ports, out) else {
                continue;
            };
            let value = p.path.clone().unwrap_or_else(|| "/".into());
            let Some(path) = path_rule(origin, &field, &p.path_type, &value, dialect, &ann, out)
            else {
                continue;
            };
            let mut route = base.clone();
            route.hosts = host.iter().cloned().collect();
            route.matches = vec![Match {
                path: Some(path),
                ..Match::default()
            }];
            route.serve = serve(&ann, host.as_ref(), &tls_hosts);
            route.action = Action::Forward {
                backends: vec![backend],
                rewrite: None,
                host: None,
                set_headers: Vec::new(),
            };
            ann.apply(&field, &value, route, out);
        }
    }
    if let Some(b) = &ing.spec.default_backend {
        let Some(backend) = backend(origin, b, "spec.defaultBackend", ports, out) else {
            return;
        };
        if hosts.is_empty() {
            hosts.push(None);
        }
        // The default backend takes what no path of the Ingress's hosts matches; with no rules
        // it is the catch-all of every host. A host with a path `/` leaves it nothing.
        let root = |host: &Option<String>| {
            out.routes.iter().any(|r| {
                r.origin == *origin
                    && r.hosts == host.iter().cloned().collect::<Vec<_>>()
                    && r.matches.iter().any(|m| {
                        matches!(&m.path, Some(PathRule::Prefix(p) | PathRule::StringPrefix(p)) if p == "/")
                    })
            })
        };
        let hosts: Vec<Option<String>> = hosts.into_iter().filter(|h| !root(h)).collect();
        for host in hosts {
            let mut route = base.clone();
            route.hosts = host.iter().cloned().collect();
            route.matches = vec![Match {
                path: Some(PathRule::Prefix("/".into())),
                ..Match::default()
            }];
            route.fallback = true;
            route.serve = serve(&ann, host.as_ref(), &tls_hosts);
            route.action = Action::Forward {
                backends: vec![backend.clone()],
                rewrite: None,
                host: None,
                set_headers: Vec::new(),
            };
            ann.apply("spec.defaultBackend", "/", route, out);
        }
    }
}

/// ingress-nginx redirects HTTP to HTTPS for hosts with TLS unless `ssl-redirect: "false"`, and
/// for every host with `force-ssl-redirect`.
fn serve(ann: &Annotations, host: Option<&String>, tls_hosts: &[&String]) -> Serve {
    let has_tls = host.is_some_and(|h| tls_hosts.iter().any(|t| t.eq_ignore_ascii_case(h)));
    match ann.dialect {
        Dialect::Nginx if ann.force_ssl_redirect || (has_tls && ann.ssl_redirect) => {
            Serve::HttpsRedirect
        }
        _ => Serve::Both,
    }
}

fn backend(
    origin: &Origin,
    b: &IngressBackend,
    field: &str,
    ports: PortLookup,
    out: &mut Sources,
) -> Option<Backend> {
    let Some(service) = &b.service else {
        out.findings.push(
            origin
                .finding(Severity::Error, "convert-resource-backend",
                    "is a resource backend (not a Service): Gateway API routes forward to Services; this path is not converted")
                .field(format!("{field}.backend.resource")),
        );
        return None;
    };
    let port = match (service.port.number, &service.port.name) {
        (Some(n), _) => Some(n),
        (None, Some(name)) => ports(origin.namespace(), &service.name, name),
        (None, None) => None,
    };
    let Some(port) = port else {
        out.findings.push(
            origin
                .finding(Severity::Error, "convert-port-unresolved",
                    format!("names Service port {:?} of {} by name, and the Service is not in the input: a backendRef needs the port number; this path is not converted",
                        service.port.name.clone().unwrap_or_default(), service.name))
                .field(format!("{field}.backend.service.port"))
                .hint("add the Service manifest to the input, or use port.number"),
        );
        return None;
    };
    Some(Backend {
        name: service.name.clone(),
        port,
        weight: 1,
    })
}

/// The path in the source's terms. `Prefix` and `Exact` are the spec's; `ImplementationSpecific`
/// is the controller's: ingress-nginx matches it as a character prefix (a regex under `use-regex`).
fn path_rule(
    origin: &Origin,
    field: &str,
    path_type: &str,
    value: &str,
    dialect: Dialect,
    ann: &Annotations,
    out: &mut Sources,
) -> Option<PathRule> {
    if dialect == Dialect::Nginx && ann.regex {
        // ingress-nginx turns every path of the Ingress into a case-insensitive regex location.
        return Some(PathRule::Regex {
            pattern: value.to_string(),
            case_insensitive: true,
        });
    }
    Some(match (path_type, dialect) {
        ("Exact", _) => PathRule::Exact(value.to_string()),
        ("Prefix", _) => PathRule::Prefix(value.to_string()),
        ("ImplementationSpecific", Dialect::Nginx) => {
            if value != "/" {
                out.findings.push(origin.finding(Severity::Note, "convert-implementation-specific",
                    format!("pathType ImplementationSpecific is a character prefix under ingress-nginx ({value} also takes {value}x): kept exactly as a RegularExpression match"))
                    .field(format!("{field}.pathType"))
                    .hint("if only whole path segments were meant, set pathType: Prefix in the Ingress and convert again: it becomes a PathPrefix match"));
            }
            PathRule::StringPrefix(value.to_string())
        }
        ("ImplementationSpecific", _) => {
            out.findings.push(origin.finding(Severity::Warning, "convert-implementation-specific",
                "pathType ImplementationSpecific means what the controller says, and this controller is unknown: converted as Prefix (element-wise)")
                .field(format!("{field}.pathType"))
                .hint("set pathType: Prefix or Exact in the Ingress to say what is meant"));
            PathRule::Prefix(value.to_string())
        }
        (other, _) => {
            out.findings.push(
                origin
                    .finding(
                        Severity::Error,
                        "convert-path-type",
                        format!("pathType {other:?} is not Exact, Prefix or ImplementationSpecific: the path is not converted"),
                    )
                    .field(format!("{field}.pathType")),
            );
            return None;
        }
    })
}
