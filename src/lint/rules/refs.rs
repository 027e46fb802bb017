//! Parts shared by every route kind: parentRefs, backendRefs and hostnames.

use crate::lint::check::{Ctx, Field, StrCheck};
use crate::lint::node::Node;
use crate::lint::Channel;
use crate::spec;

/// The fields an object reference may have, with the rule and check of each (CRD patterns).
const REF_FIELDS: [(&str, &str, StrCheck); 5] = [
    ("group", "invalid-value", spec::group),
    ("kind", "invalid-value", spec::kind),
    ("namespace", "invalid-name", spec::dns_label),
    ("name", "invalid-name", spec::ref_name),
    ("sectionName", "invalid-name", spec::dns_subdomain),
];

/// Checks the reference fields of `r` named in `fields`, requiring those in `required` (a
/// required `group` may be "", the core group).
pub fn ref_fields(ctx: &mut Ctx, r: &Node, path: Field, fields: &[&str], required: &[&str]) {
    for (key, rule, check) in REF_FIELDS {
        if !fields.contains(&key) {
            continue;
        }
        if required.contains(&key) && ctx.require(r, path, key).is_none() {
            continue;
        }
        ctx.check_str(r, path, key, rule, check);
    }
}

/// An object reference with exactly `fields` (others are unknown), requiring `required`.
pub fn reference(ctx: &mut Ctx, r: &Node, path: Field, fields: &[&str], required: &[&str]) {
    ctx.known_fields(r, path, fields, &[]);
    ref_fields(ctx, r, path, fields, required);
}

/// Fields of a parent or backend reference, checked with the CRD patterns.
fn object_ref(ctx: &mut Ctx, r: &Node, path: Field) {
    ref_fields(
        ctx,
        r,
        path,
        &["group", "kind", "namespace", "name"],
        &["name"],
    );
}

pub fn parent_refs(ctx: &mut Ctx, spec_node: &Node) {
    let refs = ctx.list(
        spec_node,
        Field::new("spec"),
        "parentRefs",
        spec::MAX_PARENT_REFS,
    );
    for (i, r) in refs.iter().enumerate() {
        let path_list = Field::new("spec.parentRefs");
        let path = path_list.at(i);
        ctx.known_fields(
            r,
            path,
            &["group", "kind", "namespace", "name", "sectionName", "port"],
            &[],
        );
        object_ref(ctx, r, path);
        ctx.check_str(r, path, "sectionName", "invalid-name", spec::dns_subdomain);
        ctx.check_int(r, path, "port", spec::port);
    }
    let parent = |r: &Node| {
        (
            r.str_at("group").unwrap_or(spec::GROUP).to_string(),
            r.str_at("kind").unwrap_or("Gateway").to_string(),
            r.str_at("namespace").unwrap_or_default().to_string(),
            r.str_at("name").unwrap_or_default().to_string(),
        )
    };
    // The experimental channel also counts `port` as distinguishing.
    let with_port = ctx.channel == Channel::Experimental;
    distinct_sections(ctx, refs, &SAME_PARENT, parent, with_port);
}

/// How one list of references names its objects, for [`distinct_sections`].
pub struct SectionedRefs {
    pub path: &'static str,
    /// `parentRef`, `targetRef`.
    pub item: &'static str,
    /// `parent`, `target`.
    pub object: &'static str,
    pub rule: &'static str,
    pub hint: &'static str,
}

const SAME_PARENT: SectionedRefs = SectionedRefs {
    path: "spec.parentRefs",
    item: "parentRef",
    object: "parent",
    rule: "parent-ref-needs-section",
    hint: "set sectionName on every parentRef to that parent, each naming a different listener",
};

/// The same object twice needs distinct sections (the CEL rules on `parentRefs` and
/// `targetRefs`): every reference to it sets `sectionName` (or, with `with_port`, `port`), and
/// no two name the same section.
pub fn distinct_sections<K: PartialEq>(
    ctx: &mut Ctx,
    refs: &[Node],
    what: &SectionedRefs,
    object: impl Fn(&Node) -> K,
    with_port: bool,
) {
    let section = |r: &Node| {
        (
            r.str_at("sectionName")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            r.get("port").and_then(Node::as_int).filter(|_| with_port),
        )
    };
    for (i, r) in refs.iter().enumerate() {
        let same: Vec<usize> = (0..refs.len())
            .filter(|&j| j != i && object(&refs[j]) == object(r))
            .collect();
        if same.is_empty() {
            continue;
        }
        let list = Field::new(what.path);
        let path = list.at(i);
        let (item, noun) = (what.item, what.object);
        if section(r) == (None, None) {
            ctx.error(
                what.rule,
                r.line,
                path,
                format!(
                    "`{path}` names the same {noun} as another {item}, so it needs a sectionName"
                ),
            )
            .hint = Some(what.hint.into());
        } else if same
            .iter()
            .any(|&j| j < i && section(&refs[j]) == section(r))
        {
            ctx.error(
                "duplicate-entry",
                r.line,
                path,
                format!("`{path}` repeats the {noun} and sectionName of an earlier {item}"),
            );
        }
    }
}

/// A backend reference (rule backendRefs and mirror targets). `extra` lists the fields the
/// caller checks itself (weight, filters).
pub fn backend_ref(ctx: &mut Ctx, r: &Node, path: Field, extra: &[&str]) {
    let mut known = vec!["group", "kind", "name", "namespace", "port"];
    known.extend_from_slice(extra);
    ctx.known_fields(r, path, &known, &[]);
    object_ref(ctx, r, path);
    ctx.check_int(r, path, "port", spec::port);
    let is_service = r.str_at("group").unwrap_or("").is_empty()
        && r.str_at("kind").unwrap_or("Service") == "Service";
    if is_service && !r.has("port") {
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
    path: Field,
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
        let p_list = path.key("backendRefs");
        let p = p_list.at(i);
        backend_ref(ctx, r, p, &known);
        ctx.check_int(r, p, "weight", spec::weight);
    }
    refs
}

/// Route hostnames, at most `max`; `no_ip` forbids IP addresses (TLSRoute v1).
pub fn hostnames(ctx: &mut Ctx, spec_node: &Node, max: usize, no_ip: bool) {
    let list = ctx.list(spec_node, Field::new("spec"), "hostnames", max);
    for (i, h) in list.iter().enumerate() {
        let path_list = Field::new("spec.hostnames");
        let path = path_list.at(i);
        let Some(s) = h.as_str() else {
            if !h.is_null() {
                ctx.wrong_type(h, path, "a string");
            }
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
                path,
                format!("`{path}` must {must} (it is {s:?})"),
            );
        }
    }
}
