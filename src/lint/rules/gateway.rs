//! GatewayClass, Gateway (addresses, infrastructure, TLS, allowedListeners) and ListenerSet; the
//! listeners both carry are in [`super::listeners`].

use super::listeners::{self, OBJECT_REF};
use super::refs;
use crate::finding::Severity;
use crate::lint::check::{Ctx, Field, MapRules};
use crate::lint::node::Node;
use crate::lint::Channel;
use crate::spec;

pub fn gateway_class(ctx: &mut Ctx, spec_node: &Node) {
    ctx.known_fields(
        spec_node,
        Field::new("spec"),
        &["controllerName", "parametersRef", "description"],
        &[],
    );
    ctx.require_str(
        spec_node,
        Field::new("spec"),
        "controllerName",
        "invalid-value",
        spec::controller_name,
    );
    ctx.check_str(
        spec_node,
        Field::new("spec"),
        "description",
        "invalid-value",
        |s| spec::at_most(s, 64),
    );
    if let Some(p) = spec_node.get("parametersRef") {
        refs::reference(
            ctx,
            p,
            Field::new("spec.parametersRef"),
            &OBJECT_REF,
            &GROUP_KIND_NAME,
        );
    }
}

/// What a reference to a namespaced object of any group must say.
const GROUP_KIND_NAME: [&str; 3] = ["group", "kind", "name"];

pub fn gateway(ctx: &mut Ctx, spec_node: &Node) {
    ctx.known_fields(
        spec_node,
        Field::new("spec"),
        &[
            "gatewayClassName",
            "listeners",
            "addresses",
            "infrastructure",
            "tls",
            "allowedListeners",
        ],
        &["defaultScope"],
    );
    if ctx.channel == Channel::Experimental {
        ctx.check_enum(
            spec_node,
            Field::new("spec"),
            "defaultScope",
            &["All", "None"],
        );
    }
    let class = ctx.require_str(
        spec_node,
        Field::new("spec"),
        "gatewayClassName",
        "invalid-name",
        spec::ref_name,
    );
    // The CRD only limits the length, but a GatewayClass is named like any object.
    if let Some(Err(must)) = class
        .filter(|c| spec::ref_name(c).is_ok())
        .map(spec::dns_subdomain)
    {
        let field = "spec.gatewayClassName";
        ctx.report(
            Severity::Warning,
            "gateway-class-name-invalid",
            spec_node.line_of("gatewayClassName"),
            field,
            format!("no GatewayClass can be named {:?}: its name must {must}", class.unwrap_or_default()),
        )
        .hint = Some("name the GatewayClass of the controller that should run this Gateway (`kubectl get gatewayclass`); without one the Gateway gets no status".into());
    }
    listeners::listeners(ctx, spec_node);
    addresses(ctx, spec_node);
    if let Some(i) = spec_node.get("infrastructure") {
        infrastructure(ctx, i);
    }
    if let Some(tls) = spec_node.get("tls") {
        gateway_tls(ctx, tls);
    }
    if let Some(a) = spec_node.get("allowedListeners") {
        let path = Field::new("spec.allowedListeners");
        ctx.known_fields(a, path, &["namespaces"], &[]);
        if let Some(ns) = a.get("namespaces") {
            let from = ["All", "Selector", "Same", "None"];
            listeners::namespaces(ctx, ns, path.key("namespaces"), &from);
        }
    }
}

/// A ListenerSet: the Gateway it joins and its listeners, held to a Gateway listener's rules.
pub fn listener_set(ctx: &mut Ctx, spec_node: &Node) {
    ctx.known_fields(
        spec_node,
        Field::new("spec"),
        &["parentRef", "listeners"],
        &[],
    );
    if let Some(p) = ctx.require(spec_node, Field::new("spec"), "parentRef") {
        refs::reference(ctx, p, Field::new("spec.parentRef"), &OBJECT_REF, &["name"]);
    }
    listeners::listeners(ctx, spec_node);
}

/// Infrastructure labels: at most 8, keys and values as Kubernetes labels.
const LABELS: MapRules = MapRules {
    max: spec::MAX_INFRASTRUCTURE_LABELS,
    key: spec::label_key,
    value: spec::label_value,
    rule: "invalid-value",
};

/// Infrastructure annotations: at most 16, keys as label keys, values up to 4096 characters.
const ANNOTATIONS: MapRules = MapRules {
    max: spec::MAX_INFRASTRUCTURE_ANNOTATIONS,
    value: spec::option_value,
    ..LABELS
};

/// Labels and annotations the controller puts on what it provisions, and its parameters.
fn infrastructure(ctx: &mut Ctx, i: &Node) {
    let path = Field::new("spec.infrastructure");
    ctx.known_fields(i, path, &["labels", "annotations", "parametersRef"], &[]);
    ctx.checked_string_map(i, path, "labels", &LABELS);
    ctx.checked_string_map(i, path, "annotations", &ANNOTATIONS);
    if let Some(p) = i.get("parametersRef") {
        let ppath = path.key("parametersRef");
        refs::reference(ctx, p, ppath, &GROUP_KIND_NAME, &GROUP_KIND_NAME);
    }
}

/// Gateway-level TLS: client certificate validation for the frontends (a default and per-port
/// overrides, each port once) and the client certificate the Gateway shows its backends.
fn gateway_tls(ctx: &mut Ctx, tls: &Node) {
    ctx.known_fields(tls, Field::new("spec.tls"), &["backend", "frontend"], &[]);
    if let Some(backend) = tls.get("backend") {
        let path = Field::new("spec.tls.backend");
        ctx.known_fields(backend, path, &["clientCertificateRef"], &[]);
        if let Some(r) = backend.get("clientCertificateRef") {
            let rpath = path.key("clientCertificateRef");
            refs::reference(ctx, r, rpath, &OBJECT_REF, &["name"]);
        }
    }
    let Some(frontend) = tls.get("frontend") else {
        return;
    };
    let path = Field::new("spec.tls.frontend");
    ctx.known_fields(frontend, path, &["default", "perPort"], &[]);
    if let Some(default) = ctx.require(frontend, path, "default") {
        frontend_tls(ctx, default, path.key("default"));
    }
    let per_port = ctx.list(frontend, path, "perPort", spec::MAX_LISTENERS);
    let list_path = path.key("perPort");
    for (i, p) in per_port.iter().enumerate() {
        let ppath = list_path.at(i);
        ctx.known_fields(p, ppath, &["port", "tls"], &[]);
        ctx.require(p, ppath, "port");
        ctx.check_int(p, ppath, "port", spec::port);
        if let Some(t) = ctx.require(p, ppath, "tls") {
            frontend_tls(ctx, t, ppath.key("tls"));
        }
    }
    ctx.unique(per_port, list_path, "port", |p| p.get("port")?.as_int());
}

/// A frontend TLS configuration: how client certificates are validated, against which CAs.
fn frontend_tls(ctx: &mut Ctx, t: &Node, path: Field) {
    ctx.known_fields(t, path, &["validation"], &[]);
    let Some(v) = t.get("validation") else {
        return;
    };
    let vpath = path.key("validation");
    ctx.known_fields(v, vpath, &["caCertificateRefs", "mode"], &[]);
    let refs = ctx.require_list(v, vpath, "caCertificateRefs", 1, spec::MAX_FRONTEND_CA_REFS);
    for (i, r) in refs.iter().enumerate() {
        let rpath_list = vpath.key("caCertificateRefs");
        let rpath = rpath_list.at(i);
        refs::reference(ctx, r, rpath, &OBJECT_REF, &GROUP_KIND_NAME);
    }
    ctx.check_enum(
        v,
        vpath,
        "mode",
        &["AllowValidOnly", "AllowInsecureFallback"],
    );
}

fn addresses(ctx: &mut Ctx, spec_node: &Node) {
    let list = ctx.list(
        spec_node,
        Field::new("spec"),
        "addresses",
        spec::MAX_ADDRESSES,
    );
    for (i, a) in list.iter().enumerate() {
        let path_list = Field::new("spec.addresses");
        let path = path_list.at(i);
        ctx.known_fields(a, path, &["type", "value"], &[]);
        let ty = ctx
            .check_str(a, path, "type", "invalid-value", spec::address_type)
            .unwrap_or("IPAddress");
        let value = ctx.check_str(a, path, "value", "invalid-address", |s| {
            spec::at_most(s, 253)
        });
        let Some(value) = value else { continue };
        let problem = match ty {
            "IPAddress" if !spec::is_ip_address(value) => {
                Some("an IPv4 or IPv6 address".to_string())
            }
            "Hostname" => spec::hostname(value)
                .err()
                .map(|_| "a DNS hostname without port".to_string()),
            _ => None,
        };
        if let Some(must_be) = problem {
            let line = a.line_of("value");
            ctx.error(
                "invalid-address",
                line,
                path.key("value"),
                format!("`{path}.value` must be {must_be} for type {ty} (it is {value:?})"),
            );
        }
    }
    ctx.unique(list, Field::new("spec.addresses"), "type and value", |a| {
        let ty = a.str_at("type").unwrap_or("IPAddress");
        if !matches!(ty, "IPAddress" | "Hostname") {
            return None;
        }
        Some((ty.to_string(), a.str_at("value")?.to_string()))
    });
}
