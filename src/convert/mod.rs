//! `convert`, a front door: Ingress (with IngressClass and ingress-nginx annotations) and Traefik
//! IngressRoute (with its Middlewares) become Requests, which run through the normal pipeline.
//!
//! One Request per namespace (and per IngressClass when the Gateway is generated): a Request holds
//! one namespace's routes, and the Ingresses of one class share one load balancer, which is what
//! one Gateway is. Per Ingress would give every Ingress a Gateway of its own (a load balancer
//! each) in single-dev; per namespace keeps a team's Ingresses on one Gateway. Under
//! platform-team every namespace's Request plans the same Gateway in gateway-system, so the
//! copies merge into one document.
//!
//! Readers (`ingress` + `nginx`, `traefik` + `traefik_rule`) produce the intermediate form
//! (`source`), `request` turns it into Requests, and `equivalence` checks that the output routes
//! sample requests where the source did.

mod cors;
mod docs;
mod equivalence;
mod ingress;
mod nginx;
mod request;
mod source;
mod traefik;
mod traefik_rule;

use indexmap::IndexMap;

use crate::context::Profiles;
use crate::finding::{Finding, ResourceId, Severity};
use crate::generate::{generate, Bundle, GenerateError};
use crate::render::Templates;
use crate::request::Request;

pub use docs::RULES;

/// The context whose routes attach to an existing Gateway.
pub const SHARED_CONTEXT: &str = "shared-gateway";

/// How to convert: the deployment context and, for a shared Gateway, which one.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// single-dev, platform-team (generate the Gateways) or shared-gateway (attach to `gateway`).
    pub context: String,
    #[serde(default)]
    /// The existing Gateway (shared-gateway), or the name of the generated one instead of the
    /// IngressClass's.
    pub gateway: Option<String>,
    #[serde(default)]
    pub gateway_namespace: Option<String>,
    /// The shared Gateway's listener the routes attach to (its HTTPS listener for redirected hosts).
    #[serde(default)]
    pub listener: Option<String>,
    /// The shared Gateway's HTTP listener, which redirects to HTTPS.
    #[serde(default)]
    pub redirect_listener: Option<String>,
    #[serde(default)]
    pub implementation: Option<String>,
    /// The Gateway API release the cluster runs (default v1.6): what it lacks stays a finding.
    #[serde(default)]
    pub gateway_api: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{file}: {message}")]
    Yaml { file: String, message: String },
    #[error("nothing to convert: the input has no networking.k8s.io/v1 Ingress and no Traefik IngressRoute (traefik.io/v1alpha1 or traefik.containo.us/v1alpha1)")]
    Empty,
    #[error("the converted routes of namespace {namespace} cannot be generated: {source}")]
    Generate {
        namespace: String,
        #[source]
        source: GenerateError,
    },
    #[error("two converted namespaces generate {path} differently (e.g. different TLS settings for one Gateway); convert them separately or use {}", crate::door::setting_to("context", "single-dev"))]
    Conflict { path: String },
}

/// The result: one Bundle (every Request's documents, merged) and the Requests it came from.
#[derive(Debug)]
pub struct Conversion {
    pub bundle: Bundle,
    pub requests: Vec<Request>,
}

impl Conversion {
    /// The conversion's own findings of a severity that `--strict` fails on: something the
    /// output does not carry, or a request it routes elsewhere.
    pub fn lossy(&self) -> usize {
        self.bundle
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("convert-") && f.severity != Severity::Note)
            .count()
    }
}

/// Converts YAML streams `(label, text)` into the manifests of the context.
pub fn convert(
    sources: &[(&str, &str)],
    opts: &Options,
    profiles: &Profiles,
    templates: &Templates,
) -> Result<Conversion, ConvertError> {
    let read = read(sources)?;
    let mut src = source::Sources {
        findings: read.findings,
        ..source::Sources::default()
    };
    let ports = |ns: &str, service: &str, port: &str| {
        read.ports
            .iter()
            .find(|(n, s, p, _)| n == ns && s == service && p == port)
            .map(|(_, _, _, number)| *number)
    };
    ingress::read(&read.ingresses, &read.classes, &ports, &mut src);
    nginx::regex_hosts(&mut src);
    traefik::read(&read.routes, &read.middlewares, &ports, &mut src);
    if read.ingresses.is_empty() && read.routes.is_empty() {
        return Err(ConvertError::Empty);
    }
    let shared = opts.context == SHARED_CONTEXT;
    let mut groups: IndexMap<(String, String), Vec<&source::Route>> = IndexMap::new();
    for r in &src.routes {
        let class = if shared {
            String::new()
        } else {
            r.class.clone()
        };
        groups
            .entry((r.origin.namespace().to_string(), class))
            .or_default()
            .push(r);
    }
    let mut findings = src.findings.clone();
    let mut requests = Vec::new();
    let mut merged: Option<Bundle> = None;
    for ((namespace, class), routes) in &groups {
        let tls: Vec<_> = src
            .tls
            .iter()
            .filter(|(origin, _, _)| {
                let class_of = src
                    .routes
                    .iter()
                    .find(|r| r.origin == *origin)
                    .map(|r| &r.class);
                let same_ns = opts.context == "platform-team" || origin.namespace() == namespace;
                same_ns && (shared || class_of == Some(class))
            })
            .cloned()
            .collect();
        let request = request::build(namespace, class, routes, &tls, opts, &mut findings);
        let bundle =
            generate(&request, profiles, templates).map_err(|source| ConvertError::Generate {
                namespace: namespace.clone(),
                source,
            })?;
        merged = Some(match merged {
            None => bundle,
            Some(all) => merge(all, bundle)?,
        });
        requests.push(request);
    }
    let mut bundle = merged.ok_or(ConvertError::Empty)?;
    let gateway = |r: &Request| {
        let g = &r.gateway;
        let ns = g
            .namespace
            .clone()
            .unwrap_or_else(|| match opts.context.as_str() {
                "platform-team" => "gateway-system".into(),
                _ => r.namespace.clone().unwrap_or_default(),
            });
        format!("{ns}/{}", g.name.clone().unwrap_or_default())
    };
    let checked: Vec<(String, Vec<&source::Route>)> = groups
        .values()
        .zip(&requests)
        .map(|(routes, r)| (gateway(r), routes.clone()))
        .collect();
    findings.extend(equivalence::check(&checked, &bundle, opts));
    findings.append(&mut bundle.findings);
    let mut seen = Vec::new();
    findings.retain(|f| {
        let new = !seen.contains(f);
        if new {
            seen.push(f.clone());
        }
        new
    });
    bundle.findings = findings;
    Ok(Conversion { bundle, requests })
}

/// Whether `sources` can be converted: each is YAML, and together they hold an Ingress or an
/// IngressRoute (the wizard checks the files it is given before asking more).
pub fn check_sources(sources: &[(&str, &str)]) -> Result<(), ConvertError> {
    let read = read(sources)?;
    if read.ingresses.is_empty() && read.routes.is_empty() {
        return Err(ConvertError::Empty);
    }
    Ok(())
}

/// The objects of the input the readers use.
#[derive(Default)]
struct Read {
    ingresses: Vec<(String, ingress::Ingress)>,
    classes: Vec<ingress::IngressClass>,
    routes: Vec<(String, traefik::IngressRoute)>,
    middlewares: Vec<traefik::Middleware>,
    /// (namespace, Service, port name, port number) from the Services of the input.
    ports: Vec<(String, String, String, i64)>,
    findings: Vec<Finding>,
}

const TRAEFIK_APIS: &[&str] = &["traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"];

fn read(sources: &[(&str, &str)]) -> Result<Read, ConvertError> {
    let mut out = Read::default();
    for (file, text) in sources {
        let docs: Vec<serde_json::Value> =
            crate::yaml::from_str_multiple(text).map_err(|e| ConvertError::Yaml {
                file: file.to_string(),
                message: e.to_string(),
            })?;
        for doc in docs {
            let api = doc["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = doc["kind"].as_str().unwrap_or_default().to_string();
            let id = ResourceId {
                kind: kind.clone(),
                namespace: doc["metadata"]["namespace"].as_str().map(str::to_string),
                name: doc["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            };
            let bad = |e: serde_json::Error| {
                let mut f = Finding::new(
                    Severity::Error,
                    "convert-unreadable",
                    format!("cannot be read as {api} {kind}: {e}; not converted"),
                )
                .on(Some(id.clone()));
                f.file = Some(file.to_string());
                f
            };
            let label = file.to_string();
            let result = match (api.as_str(), kind.as_str()) {
                ("networking.k8s.io/v1", "Ingress") => {
                    serde_json::from_value(doc).map(|i| out.ingresses.push((label, i)))
                }
                ("networking.k8s.io/v1", "IngressClass") => {
                    serde_json::from_value(doc).map(|c| out.classes.push(c))
                }
                (api, "IngressRoute") if TRAEFIK_APIS.contains(&api) => {
                    serde_json::from_value(doc).map(|r| out.routes.push((label, r)))
                }
                (api, "Middleware") if TRAEFIK_APIS.contains(&api) => {
                    serde_json::from_value(doc).map(|m| out.middlewares.push(m))
                }
                ("v1", "Service") => {
                    service_ports(&doc, &mut out.ports);
                    Ok(())
                }
                (_, "Ingress") => {
                    let mut f = Finding::new(Severity::Error, "convert-old-api",
                        format!("apiVersion {api} of Ingress is no longer served (removed in Kubernetes 1.22); not converted"))
                        .on(Some(id.clone()))
                        .hint("move it to networking.k8s.io/v1 first (kubectl convert), then convert");
                    f.file = Some(label);
                    out.findings.push(f);
                    Ok(())
                }
                _ => {
                    let mut f = Finding::new(Severity::Note, "convert-not-a-source", format!("{api} {kind} is not an Ingress, IngressRoute or what they use; left out"))
                        .on(Some(id.clone()));
                    f.file = Some(label);
                    out.findings.push(f);
                    Ok(())
                }
            };
            if let Err(e) = result {
                out.findings.push(bad(e));
            }
        }
    }
    Ok(out)
}

fn service_ports(doc: &serde_json::Value, out: &mut Vec<(String, String, String, i64)>) {
    let ns = doc["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = doc["metadata"]["name"].as_str().unwrap_or_default();
    for p in doc["spec"]["ports"].as_array().into_iter().flatten() {
        if let (Some(port_name), Some(number)) = (p["name"].as_str(), p["port"].as_i64()) {
            out.push((ns.into(), name.into(), port_name.into(), number));
        }
    }
}

/// Both bundles' documents, a document both plan (the platform team's Gateway) once.
fn merge(mut all: Bundle, next: Bundle) -> Result<Bundle, ConvertError> {
    for doc in next.documents {
        match all.documents.iter().find(|d| d.path == doc.path) {
            Some(same) if same.yaml == doc.yaml => {}
            Some(_) => return Err(ConvertError::Conflict { path: doc.path }),
            None => all.documents.push(doc),
        }
    }
    all.findings.extend(next.findings);
    all.traces.extend(next.traces);
    Ok(all)
}
