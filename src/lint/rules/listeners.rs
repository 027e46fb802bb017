//! Listeners of a Gateway or a ListenerSet (their fields, the TLS CEL rules that depend on the
//! protocol, allowedRoutes) and the namespace selection both `allowedRoutes` and
//! `allowedListeners` use.

use super::refs;
use crate::finding::{Condition, Severity};
use crate::lint::check::{Ctx, Field, MapRules, StringItems};
use crate::lint::node::Node;
use crate::spec;

/// The fields of a Secret, ConfigMap or other object reference that may name a namespace.
pub const OBJECT_REF: [&str; 4] = ["group", "kind", "name", "namespace"];

/// A TLS `options` map: at most 16 entries of implementation-specific strings.
pub const TLS_OPTIONS: MapRules = MapRules {
    max: spec::MAX_TLS_OPTIONS,
    key: |_| Ok(()),
    value: spec::option_value,
    rule: "invalid-value",
};

/// The `listeners` of a Gateway or ListenerSet spec: 1 to 64, unique by name and by port,
/// protocol and hostname.
pub fn listeners(ctx: &mut Ctx, spec_node: &Node) {
    let listeners = ctx.require_list(
        spec_node,
        Field::new("spec"),
        "listeners",
        1,
        spec::MAX_LISTENERS,
    );
    for (i, l) in listeners.iter().enumerate() {
        let list = Field::new("spec.listeners");
        listener(ctx, l, list.at(i));
    }
    ctx.unique(listeners, Field::new("spec.listeners"), "name", |l| {
        l.str_at("name")
    });
    ctx.unique(
        listeners,
        Field::new("spec.listeners"),
        "port, protocol and hostname",
        |l| {
            Some((
                l.get("port")?.as_int()?,
                l.str_at("protocol")?.to_string(),
                l.str_at("hostname").unwrap_or_default().to_string(),
            ))
        },
    );
}

/// `namespaces` of `allowedRoutes` or `allowedListeners`: `from` one of `from_values`, and a
/// label selector.
pub fn namespaces(ctx: &mut Ctx, ns: &Node, path: Field, from_values: &[&str]) {
    ctx.known_fields(ns, path, &["from", "selector"], &[]);
    ctx.check_enum(ns, path, "from", from_values);
    let Some(sel) = ns.get("selector") else {
        return;
    };
    let spath = path.key("selector");
    ctx.known_fields(sel, spath, &["matchLabels", "matchExpressions"], &[]);
    ctx.string_map(sel, spath, "matchLabels");
    let exprs = ctx.list(sel, spath, "matchExpressions", usize::MAX);
    for (i, e) in exprs.iter().enumerate() {
        let epath_list = spath.key("matchExpressions");
        let epath = epath_list.at(i);
        ctx.known_fields(e, epath, &["key", "operator", "values"], &[]);
        ctx.require_str(e, epath, "key", "invalid-value", |_| Ok(()));
        let operator = ctx.require_str(e, epath, "operator", "invalid-value", |_| Ok(()));
        // The CRD takes any string; a label selector knows four operators.
        let known = ["In", "NotIn", "Exists", "DoesNotExist"];
        if let Some(op) = operator.filter(|op| !known.contains(op)) {
            let field = epath.key("operator");
            ctx.report(
                Severity::Warning,
                "label-selector-operator",
                e.line_of("operator"),
                field,
                format!("`{field}` is {op:?}, which is not a label selector operator ({})", known.join(", ")),
            )
            .hint = Some("the API server accepts it, but the controller cannot build the selector: use In, NotIn, Exists or DoesNotExist".into());
        }
        let values = StringItems {
            max: usize::MAX,
            rule: "invalid-value",
            check: |_| Ok(()),
            set: false,
        };
        ctx.strings(e, epath, "values", &values);
    }
}

fn listener(ctx: &mut Ctx, l: &Node, path: Field) {
    ctx.known_fields(
        l,
        path,
        &[
            "name",
            "hostname",
            "port",
            "protocol",
            "tls",
            "allowedRoutes",
        ],
        &[],
    );
    ctx.require_str(l, path, "name", "invalid-name", spec::dns_subdomain);
    ctx.check_str(l, path, "hostname", "invalid-hostname", spec::hostname);
    ctx.require(l, path, "port");
    ctx.check_int(l, path, "port", spec::port);
    let protocol = ctx.require_str(
        l,
        path,
        "protocol",
        "invalid-value",
        spec::listener_protocol,
    );
    if let Some(protocol) = protocol {
        if spec::listener_protocol(protocol).is_ok() && !spec::is_portable_protocol(protocol) {
            let field = path.key("protocol");
            // The controller sets Accepted=False on the listener: an error, like every prediction
            // of a listener or route that will not work.
            let f = ctx.report(
                Severity::Error,
                "listener-protocol-unsupported",
                l.line_of("protocol"),
                field,
                format!("`{field}` is {protocol:?}: not a protocol of the spec (HTTP, HTTPS, TLS, TCP, UDP) nor domain-prefixed"),
            );
            f.condition = Some(Condition::new("Accepted", "False", "UnsupportedProtocol"));
            f.hint = Some("protocols are case-sensitive: use HTTP, HTTPS, TLS, TCP or UDP".into());
        }
        listener_protocol_rules(ctx, l, path, protocol);
    }
    if let Some(tls) = l.get("tls") {
        let tpath = path.key("tls");
        ctx.known_fields(tls, tpath, &["mode", "certificateRefs", "options"], &[]);
        ctx.check_enum(tls, tpath, "mode", &["Terminate", "Passthrough"]);
        let certs = ctx.list(tls, tpath, "certificateRefs", spec::MAX_CERTIFICATE_REFS);
        for (i, c) in certs.iter().enumerate() {
            let cpath_list = tpath.key("certificateRefs");
            let cpath = cpath_list.at(i);
            refs::reference(ctx, c, cpath, &OBJECT_REF, &["name"]);
        }
        ctx.checked_string_map(tls, tpath, "options", &TLS_OPTIONS);
    }
    if let Some(a) = l.get("allowedRoutes") {
        allowed_routes(ctx, a, path.key("allowedRoutes"));
        if let Some(protocol) = protocol {
            route_kinds_for_protocol(ctx, a, path.key("allowedRoutes"), protocol);
        }
    }
}

/// `allowedRoutes.kinds` naming a Gateway API route kind the listener's protocol cannot carry
/// (a TCPRoute on an HTTP listener): the controller sets ResolvedRefs=False, InvalidRouteKinds.
fn route_kinds_for_protocol(ctx: &mut Ctx, a: &Node, path: Field, protocol: &str) {
    let Some(carried) = spec::default_route_kinds(protocol) else {
        return;
    };
    for (i, k) in a.items_at("kinds").iter().enumerate() {
        let group = k.str_at("group").unwrap_or(spec::GROUP);
        let Some(kind) = k.str_at("kind") else {
            continue;
        };
        if group != spec::GROUP || carried.contains(&kind) {
            continue;
        }
        let kinds = path.key("kinds");
        let item = kinds.at(i);
        let field = item.key("kind");
        let f = ctx.report(
            Severity::Error,
            "listener-invalid-route-kind",
            k.line_of("kind"),
            field,
            format!(
                "`{field}` is {kind}, which a {protocol} listener cannot carry (it carries {})",
                carried.join(", ")
            ),
        );
        f.condition = Some(Condition::new("ResolvedRefs", "False", "InvalidRouteKinds"));
        f.hint = Some(format!(
            "allow {} here, or add a listener whose protocol carries {kind}",
            carried.join(" or ")
        ));
    }
}

/// The listener CEL rules of the Gateway CRD that depend on the protocol.
fn listener_protocol_rules(ctx: &mut Ctx, l: &Node, path: Field, protocol: &str) {
    let tls = l.get("tls").filter(|_| l.has("tls"));
    let tls_path = path.key("tls");
    if let (Some(tls), "HTTP" | "TCP" | "UDP") = (tls, protocol) {
        ctx.error(
            "listener-tls-forbidden",
            tls.line,
            tls_path,
            format!("`{tls_path}` must not be set for protocol {protocol}"),
        )
        .hint = Some("use protocol HTTPS or TLS to terminate TLS, or remove `tls`".into());
    }
    if let (Some(h), "TCP" | "UDP") = (
        l.get("hostname").filter(|h| h.as_str() != Some("")),
        protocol,
    ) {
        let field = path.key("hostname");
        ctx.error(
            "listener-hostname-forbidden",
            h.line,
            field,
            format!("`{field}` must not be set for protocol {protocol}"),
        )
        .hint = Some("TCP and UDP carry no hostname; remove it".into());
    }
    if protocol == "TLS" && tls.is_none() {
        ctx.error(
            "listener-tls-required",
            l.line,
            tls_path,
            format!("a TLS listener needs `{tls_path}` with a mode"),
        )
        .hint = Some(
            "add `tls: {mode: Passthrough}` or `tls: {mode: Terminate, certificateRefs: [...]}`"
                .into(),
        );
    }
    let Some(tls) = tls else { return };
    let mode = tls.str_at("mode").unwrap_or("Terminate");
    if protocol == "HTTPS" && !matches!(mode, "Terminate" | "") {
        let field = tls_path.key("mode");
        ctx.error(
            "listener-tls-mode",
            tls.line_of("mode"),
            field,
            format!("`{field}` must be Terminate for protocol HTTPS"),
        )
        .hint = Some("to pass TLS through untouched use protocol TLS with a TLSRoute".into());
    }
    let has_certs = !tls.items_at("certificateRefs").is_empty()
        || !tls.get("options").map_or(&[][..], Node::entries).is_empty();
    if mode == "Terminate" && !has_certs {
        ctx.error(
            "listener-tls-missing-certificates",
            tls.line,
            tls_path,
            format!("`{tls_path}` terminates TLS but has no certificateRefs (or options)"),
        )
        .hint = Some(
            "add `certificateRefs: [{name: my-cert}]` naming the Secret with the certificate"
                .into(),
        );
    }
}

fn allowed_routes(ctx: &mut Ctx, a: &Node, path: Field) {
    ctx.known_fields(a, path, &["namespaces", "kinds"], &[]);
    if let Some(ns) = a.get("namespaces") {
        namespaces(
            ctx,
            ns,
            path.key("namespaces"),
            &["All", "Selector", "Same"],
        );
    }
    let kinds = ctx.list(a, path, "kinds", spec::MAX_ALLOWED_KINDS);
    for (i, k) in kinds.iter().enumerate() {
        let kpath_list = path.key("kinds");
        let kpath = kpath_list.at(i);
        refs::reference(ctx, k, kpath, &["group", "kind"], &["kind"]);
    }
}
