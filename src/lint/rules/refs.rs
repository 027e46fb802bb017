//! Parts shared by every route kind: parentRefs, backendRefs and hostnames.

use crate::lint::check::{index, join, Ctx};
use crate::lint::node::Node;
use crate::lint::Channel;
use crate::spec;

/// Fields of an object reference, checked with the CRD patterns.
fn object_ref(ctx: &mut Ctx, r: &Node, path: &str) {
    ctx.check_str(r, path, "group", "invalid-value", spec::group);
    ctx.check_str(r, path, "kind", "invalid-value", spec::kind);
    ctx.check_str(r, path, "namespace", "invalid-name", spec::dns_label);
    ctx.require_str(r, path, "name", "invalid-name", spec::ref_name);
}

pub fn parent_refs(ctx: &mut Ctx, spec_node: &Node) {
    let refs = ctx.list(spec_node, "spec", "parentRefs", spec::MAX_PARENT_REFS);
    for (i, r) in refs.iter().enumerate() {
        let path = index("spec.parentRefs", i);
        ctx.known_fields(
            r,
            &path,
            &["group", "kind", "namespace", "name", "sectionName", "port"],
            &[],
        );
        object_ref(ctx, r, &path);
        ctx.check_str(r, &path, "sectionName", "invalid-name", spec::dns_subdomain);
        ctx.check_int(r, &path, "port", spec::port);
    }
    distinct_parents(ctx, refs);
}

/// The same parent twice needs distinct sections (CEL on `spec.parentRefs`). The experimental
/// channel also counts `port` as distinguishing.
fn distinct_parents(ctx: &mut Ctx, refs: &[Node]) {
    let parent = |r: &Node| {
        (
            r.str_at("group").unwrap_or(spec::GROUP).to_string(),
            r.str_at("kind").unwrap_or("Gateway").to_string(),
            r.str_at("namespace").unwrap_or_default().to_string(),
            r.str_at("name").unwrap_or_default().to_string(),
        )
    };
    let with_port = ctx.channel == Channel::Experimental;
    for (i, r) in refs.iter().enumerate() {
        let same: Vec<usize> = (0..refs.len())
            .filter(|&j| j != i && parent(&refs[j]) == parent(r))
            .collect();
        if same.is_empty() {
            continue;
        }
        let section = r.str_at("sectionName").filter(|s| !s.is_empty());
        let port = r.get("port").and_then(Node::as_int).filter(|_| with_port);
        let path = index("spec.parentRefs", i);
        if section.is_none() && port.is_none() {
            ctx.error("parent-ref-needs-section", r.line, &path, format!("`{path}` names the same parent as another parentRef, so it needs a sectionName"))
                .hint = Some("set sectionName on every parentRef to that parent, each naming a different listener".into());
        } else if same.iter().any(|&j| {
            j < i
                && refs[j].str_at("sectionName").filter(|s| !s.is_empty()) == section
                && refs[j]
                    .get("port")
                    .and_then(Node::as_int)
                    .filter(|_| with_port)
                    == port
        }) {
            ctx.error(
                "duplicate-entry",
                r.line,
                &path,
                format!("`{path}` repeats the parent and sectionName of an earlier parentRef"),
            );
        }
    }
}

/// A backend reference (rule backendRefs and mirror targets). `extra` lists the fields the
/// caller checks itself (weight, filters).
pub fn backend_ref(ctx: &mut Ctx, r: &Node, path: &str, extra: &[&str]) {
    let mut known = vec!["group", "kind", "name", "namespace", "port"];
    known.extend_from_slice(extra);
    ctx.known_fields(r, path, &known, &[]);
    object_ref(ctx, r, path);
    let port = ctx.check_int(r, path, "port", spec::port);
    let is_service = r.str_at("group").unwrap_or("").is_empty()
        && r.str_at("kind").unwrap_or("Service") == "Service";
    if is_service && port.is_none() && !r.has("port") {
        ctx.error(
            "backend-port-required",
            r.line,
            path,
            format!("`{path}` refers to a Service, so `port` is required"),
        )
        .hint = Some("add the Service port, e.g. `port: 8080`".into());
    }
}

/// The backendRefs of one rule: 0..=16 (or `min..`), each with an optional weight.
pub fn backend_refs<'n>(
    ctx: &mut Ctx,
    rule: &'n Node,
    path: &str,
    min: usize,
    extra: &[&str],
) -> &'n [Node] {
    let refs = if min > 0 {
        ctx.require_list(rule, path, "backendRefs", min, spec::MAX_BACKENDS)
    } else {
        ctx.list(rule, path, "backendRefs", spec::MAX_BACKENDS)
    };
    let mut known = vec!["weight"];
    known.extend_from_slice(extra);
    for (i, r) in refs.iter().enumerate() {
        let p = index(&join(path, "backendRefs"), i);
        backend_ref(ctx, r, &p, &known);
        ctx.check_int(r, &p, "weight", spec::weight);
    }
    refs
}

/// Route hostnames; TLSRoute also forbids IP addresses.
pub fn hostnames(ctx: &mut Ctx, spec_node: &Node, no_ip: bool) {
    let list = ctx.list(spec_node, "spec", "hostnames", spec::MAX_HOSTNAMES);
    for (i, h) in list.iter().enumerate() {
        let path = index("spec.hostnames", i);
        let Some(s) = h.as_str() else {
            ctx.error(
                "wrong-type",
                h.line,
                &path,
                format!("`{path}` must be a string"),
            );
            continue;
        };
        let check = spec::hostname(s).and_then(|()| match no_ip && spec::is_ip_address(s) {
            true => Err("be a DNS name, not an IP address".to_string()),
            false => Ok(()),
        });
        if let Err(must) = check {
            ctx.error(
                "invalid-hostname",
                h.line,
                &path,
                format!("`{path}` must {must} (it is {s:?})"),
            );
        }
    }
}
