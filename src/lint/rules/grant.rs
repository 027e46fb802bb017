//! ReferenceGrant: `from` and `to`, 1 to 16 entries each.

use crate::lint::check::{Ctx, Field};
use crate::lint::node::Node;
use crate::spec;

pub fn reference_grant(ctx: &mut Ctx, spec_node: &Node) {
    ctx.known_fields(spec_node, Field::new("spec"), &["from", "to"], &[]);
    let from = ctx.require_list(
        spec_node,
        Field::new("spec"),
        "from",
        1,
        spec::MAX_GRANT_ENTRIES,
    );
    for (i, f) in from.iter().enumerate() {
        let path_list = Field::new("spec.from");
        let path = path_list.at(i);
        ctx.known_fields(f, path, &["group", "kind", "namespace"], &[]);
        group_kind(ctx, f, path);
        ctx.require_str(f, path, "namespace", "invalid-name", spec::dns_label);
    }
    let to = ctx.require_list(
        spec_node,
        Field::new("spec"),
        "to",
        1,
        spec::MAX_GRANT_ENTRIES,
    );
    for (i, t) in to.iter().enumerate() {
        let path_list = Field::new("spec.to");
        let path = path_list.at(i);
        ctx.known_fields(t, path, &["group", "kind", "name"], &[]);
        group_kind(ctx, t, path);
        ctx.check_str(t, path, "name", "invalid-name", spec::ref_name);
    }
}

/// `group` (required, may be "" for core) and `kind` (required).
fn group_kind(ctx: &mut Ctx, entry: &Node, path: Field) {
    ctx.require(entry, path, "group");
    ctx.check_str(entry, path, "group", "invalid-value", spec::group);
    ctx.require_str(entry, path, "kind", "invalid-value", spec::kind);
}
