//! The GatewayClass and the Gateway: listeners for the route kinds generated, `allowedRoutes` that
//! admit the routes' namespaces, TLS certificates and the grant a certificate in another namespace needs.

use super::{grants, Planner, Resource};
use crate::context::Owner;
use crate::door::{setting, setting_as, setting_to};
use crate::model::*;
use crate::request::*;
use std::collections::BTreeSet;

/// Label every namespace carries (Kubernetes ≥ 1.22), used to admit one namespace by name.
pub(super) const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The name of a generated listener of `hostname`: `https-api-example-com`,
/// `http-wildcard-example-com` for `*.example.com`.
pub fn listener_name(prefix: &str, hostname: &str) -> String {
    let slug = hostname.replace("*.", "wildcard.").replace('.', "-");
    format!("{prefix}-{slug}")
}

/// The label suggested for namespaces that may attach routes to a shared Gateway.
pub(super) const SHARED_LABEL: &str = "gateway-access=true";
pub(super) const SHARED_LABEL_FIELD: &str = "{gateway-access: \"true\"}";

impl Planner<'_> {
    pub(super) fn class_name(&self) -> String {
        let class = self.request.gateway.class_name.as_ref();
        class.unwrap_or(&self.implementation.gateway_class).clone()
    }

    pub(super) fn gateway_class(&mut self) -> Resource {
        let spec = GatewayClassSpec {
            controller_name: self
                .request
                .gateway
                .controller
                .clone()
                .unwrap_or_else(|| self.implementation.controller_name.clone()),
            description: None,
        };
        let api = self.api_version("GatewayClass", "gateway.withGatewayClass");
        let object = Object::new(
            api,
            &self.class_name(),
            None,
            Content::Spec {
                spec: Spec::GatewayClass(spec),
            },
        );
        Resource {
            object,
            folder: "cluster-admin".into(),
        }
    }

    /// The listeners' `allowedRoutes`: what was asked, or the context's default, widened to admit
    /// the namespaces of the routes generated with it.
    fn allowed_routes(&mut self, routes: &[Resource]) -> AllowedRoutes {
        let foreign: Vec<&str> = routes
            .iter()
            .filter_map(|res| res.object.metadata.namespace.as_deref())
            .filter(|ns| *ns != self.gateway_namespace)
            .collect();
        let asked = self.request.gateway.allowed_routes.as_ref();
        let from = asked.map_or(self.profile.gateway.allowed_routes, |a| a.from);
        let from = match from {
            FromNamespaces::Same if !foreign.is_empty() && asked.is_some() => {
                self.errors.push(FieldError::new(
                    "gateway.allowedRoutes.from",
                    "Same",
                    format!("would refuse the routes in namespace {}: only allowedRoutes admits routes from another namespace", foreign[0]),
                    format!("use {} or {}, or put the routes in the Gateway's namespace", setting_as("gateway.allowedRoutes.from", "selector", "Selector"), setting_as("gateway.allowedRoutes.from", "all", "All")),
                ));
                FromNamespaces::Same
            }
            // The context's default cannot admit the routes it generates: admit exactly their namespace.
            FromNamespaces::Same if !foreign.is_empty() => FromNamespaces::Selector,
            other => other,
        };
        let selector = (from == FromNamespaces::Selector).then(|| {
            let mut match_labels = asked.map(|a| a.labels.clone()).unwrap_or_default();
            if match_labels.is_empty() {
                match self.namespace.as_deref().or(self.request.namespace.as_deref()) {
                    Some(ns) => {
                        match_labels.insert(NAMESPACE_NAME_LABEL.to_string(), ns.to_string());
                        let message = format!("the Gateway admits routes from namespace {ns} only (it selects {NAMESPACE_NAME_LABEL}={ns}, the label Kubernetes sets to each namespace's own name, which no other namespace can carry); for other teams to attach routes, select a label they put on their namespace, e.g. {}, and each team runs kubectl label namespace NAMESPACE {SHARED_LABEL}", setting_as("gateway.allowedRoutes.labels", SHARED_LABEL, SHARED_LABEL_FIELD));
                        self.note(crate::finding::Severity::Note, "one-namespace-admitted", message);
                    }
                    None => self.errors.push(FieldError::missing("gateway.allowedRoutes.labels", "are needed to say which namespaces may attach routes (from: Selector)",
                        format!("use {} (e.g. gateway-access=true), {} of the app, or {}", setting_as("gateway.allowedRoutes.labels", "KEY=VALUE", "{KEY: VALUE}"), setting("namespace"), setting_as("gateway.allowedRoutes.from", "all", "All")),
                    )),
                }
            } else if let Some(ns) = self.namespace.clone().filter(|_| !foreign.is_empty()) {
                let labels: Vec<String> = match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let message = format!("the Gateway admits routes from namespaces labelled {}: label namespace {ns} so its routes attach (kubectl label namespace {ns} {})", labels.join(","), labels.join(" "));
                self.note(crate::finding::Severity::Note, "label-namespace", message);
            }
            LabelSelector { match_labels }
        });
        let from = match from {
            FromNamespaces::Same => "Same",
            FromNamespaces::All => "All",
            FromNamespaces::Selector => "Selector",
        };
        AllowedRoutes {
            namespaces: RouteNamespaces {
                from: from.to_string(),
                selector,
            },
        }
    }

    /// The hostnames of the generated HTTP (and HTTPS) listeners with the listeners' names: `http`
    /// and `https` for one hostname (or none), `http-HOST` and `https-HOST` for several.
    pub(super) fn web_listeners(&self) -> Vec<(Option<String>, (String, String))> {
        let g = &self.request.gateway;
        if g.hostnames.is_empty() {
            return vec![(g.hostname.clone(), ("http".into(), "https".into()))];
        }
        g.hostnames
            .iter()
            .map(|h| {
                (
                    Some(h.clone()),
                    (listener_name("http", h), listener_name("https", h)),
                )
            })
            .collect()
    }

    /// Without `hostnames`, each `tlsSecrets` hostname has an HTTPS listener of its own beside
    /// the HTTP listener (and the `https` one of `tlsSecret`): (hostname, listener name).
    pub(super) fn host_https_listeners(&self) -> Vec<(String, String)> {
        let g = &self.request.gateway;
        if !g.https || !g.hostnames.is_empty() {
            return Vec::new();
        }
        g.tls_secrets
            .keys()
            .map(|h| (h.clone(), listener_name("https", h)))
            .collect()
    }

    /// The listeners the generated routes need: HTTP (and HTTPS) for HTTP and gRPC routes, and one
    /// listener per layer-4 kind.
    fn listeners(&mut self, routes: &[Resource], allowed: &AllowedRoutes) -> Vec<Listener> {
        let g = &self.request.gateway;
        let kinds: BTreeSet<&str> = routes.iter().map(|r| r.object.kind.as_str()).collect();
        let web = routes.is_empty() || kinds.contains("HTTPRoute") || kinds.contains("GRPCRoute");
        let listener = |name: &str,
                        protocol: &str,
                        port: i64,
                        hostname: Option<String>,
                        tls: Option<ListenerTls>| Listener {
            name: name.to_string(),
            protocol: protocol.to_string(),
            port,
            hostname,
            tls,
            allowed_routes: allowed.clone(),
        };
        let mut listeners = Vec::new();
        if web {
            for (host, names) in self.web_listeners() {
                listeners.push(listener(&names.0, "HTTP", 80, host.clone(), None));
                if !g.https {
                    continue;
                }
                let secret = host
                    .as_ref()
                    .and_then(|h| g.tls_secrets.get(h))
                    .or(g.tls_secret.as_ref());
                let Some(secret) = secret else {
                    continue; // the request check names the missing Secret
                };
                let tls = self.terminate(secret);
                listeners.push(listener(&names.1, "HTTPS", 443, host, Some(tls)));
            }
            for (host, name) in self.host_https_listeners() {
                let tls = self.terminate(&g.tls_secrets[&host]);
                listeners.push(listener(&name, "HTTPS", 443, Some(host), Some(tls)));
            }
        }
        if kinds.contains("TLSRoute") {
            // HTTPS already holds 443 when both are asked for.
            let port = g.port.unwrap_or(if web && g.https { 8443 } else { 443 });
            let tls = ListenerTls {
                mode: Some("Passthrough".into()),
                certificate_refs: Vec::new(),
            };
            listeners.push(listener("tls", "TLS", port, g.hostname.clone(), Some(tls)));
        }
        for (kind, name, protocol) in [("TCPRoute", "tcp", "TCP"), ("UDPRoute", "udp", "UDP")] {
            if kinds.contains(kind) {
                let port = g.port.or(self.request.port).unwrap_or_else(|| {
                    self.errors.push(FieldError::missing(
                        "gateway.port",
                        format!("is required for the {protocol} listener of a {kind}"),
                        format!(
                            "use {} (or {}, which it defaults to)",
                            setting_to("gateway.port", "PORT"),
                            setting("port")
                        ),
                    ));
                    0
                });
                listeners.push(listener(name, protocol, port, None, None));
            }
        }
        listeners
    }

    /// TLS terminated with the certificate Secret `secret` (`NAME` or `NAMESPACE/NAME`).
    fn terminate(&self, secret: &str) -> ListenerTls {
        let (namespace, name) = parse_ref(secret);
        let certificate = ObjectRef {
            group: String::new(),
            kind: "Secret".into(),
            name,
            namespace: namespace.filter(|ns| *ns != self.gateway_namespace),
        };
        ListenerTls {
            mode: Some("Terminate".into()),
            certificate_refs: vec![certificate],
        }
    }

    pub(super) fn gateway(&mut self, routes: &[Resource]) -> Resource {
        let allowed = self.allowed_routes(routes);
        let listeners = self.listeners(routes, &allowed);
        let g = &self.request.gateway;
        let sections: BTreeSet<&String> = routes
            .iter()
            .filter_map(|res| {
                res.object
                    .spec()?
                    .parent_refs()
                    .first()?
                    .section_name
                    .as_ref()
            })
            .chain(g.listener.as_ref())
            .collect();
        for section in sections {
            if !listeners.iter().any(|l| &l.name == section) {
                let names: Vec<&str> = listeners.iter().map(|l| l.name.as_str()).collect();
                self.errors.push(FieldError::new(
                    "gateway.listener",
                    section,
                    format!(
                        "names no listener of the generated Gateway (it has {})",
                        names.join(", ")
                    ),
                    "use one of those names, or leave it out to attach to every listener",
                ));
            }
        }
        self.check_hostnames(routes);
        let spec = GatewaySpec {
            gateway_class_name: self.class_name(),
            listeners,
        };
        let folder = match self.profile.gateway.owner {
            Owner::Platform => "platform".to_string(),
            Owner::App => self.gateway_namespace.clone(),
        };
        let api = self.api_version("Gateway", "gateway");
        let object = Object::new(
            api,
            &self.gateway_name,
            Some(&self.gateway_namespace),
            Content::Spec {
                spec: Spec::Gateway(spec),
            },
        );
        Resource { object, folder }
    }

    /// A route none of whose hostnames intersects the listeners' hostname would not be accepted
    /// (NoMatchingListenerHostname): refuse it rather than emit it.
    fn check_hostnames(&mut self, routes: &[Resource]) {
        let listeners: Vec<String> = self
            .web_listeners()
            .into_iter()
            .filter_map(|(h, _)| h)
            .collect();
        if listeners.is_empty() {
            return;
        }
        for (i, route) in self.request.routes.iter().enumerate() {
            let matches = route.hostnames.iter().any(|h| {
                listeners
                    .iter()
                    .any(|l| crate::spec::hostnames_intersect(Some(l), Some(h)))
            });
            if route.hostnames.is_empty() || matches || i >= routes.len() {
                continue;
            }
            self.errors.push(FieldError::new(
                format!("routes[{i}].hostnames"),
                route.hostnames.join(", "),
                format!("match no listener hostname ({} = {}): the route would not be accepted (NoMatchingListenerHostname)", if listeners.len() == 1 { "gateway.hostname" } else { "gateway.hostnames" }, listeners.join(", ")),
                "use hostnames under the listener's (e.g. api.example.com under *.example.com), or change the listener hostname",
            ));
        }
    }

    /// The grants the listeners' certificate Secrets in other namespaces need, one per namespace.
    pub(super) fn certificate_grants(&mut self) -> Vec<Resource> {
        let g = &self.request.gateway;
        let mut by_namespace: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for secret in g.tls_secret.iter().chain(g.tls_secrets.values()) {
            let (namespace, name) = parse_ref(secret);
            let Some(namespace) = namespace.filter(|ns| *ns != self.gateway_namespace) else {
                continue;
            };
            let names = by_namespace.entry(namespace).or_default();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        by_namespace
            .into_iter()
            .map(|(namespace, names)| {
                grants::grant(
                    &namespace,
                    "Gateway",
                    &self.gateway_namespace,
                    "Secret",
                    names,
                )
            })
            .collect()
    }
}
