//! BackendTLSPolicy: the Services it applies to, and how the Gateway validates their
//! certificates (CA source, hostname, subject alternative names).

use super::listeners::TLS_OPTIONS;
use super::refs::{self, SectionedRefs};
use crate::lint::check::{Ctx, Field};
use crate::lint::node::Node;
use crate::spec;

const SAME_TARGET: SectionedRefs = SectionedRefs {
    path: "spec.targetRefs",
    item: "targetRef",
    object: "target",
    rule: "target-ref-needs-section",
    hint: "set sectionName on every targetRef to that object, each naming a different port",
};

pub fn backend_tls_policy(ctx: &mut Ctx, spec_node: &Node) {
    ctx.known_fields(
        spec_node,
        Field::new("spec"),
        &["targetRefs", "validation", "options"],
        &[],
    );
    let targets = ctx.require_list(
        spec_node,
        Field::new("spec"),
        "targetRefs",
        1,
        spec::MAX_TARGET_REFS,
    );
    let fields = ["group", "kind", "name", "sectionName"];
    for (i, t) in targets.iter().enumerate() {
        let path_list = Field::new("spec.targetRefs");
        let path = path_list.at(i);
        refs::reference(ctx, t, path, &fields, &fields[..3]);
    }
    let target = |t: &Node| {
        (
            t.str_at("group").map(str::to_string),
            t.str_at("kind").map(str::to_string),
            t.str_at("name").map(str::to_string),
        )
    };
    refs::distinct_sections(ctx, targets, &SAME_TARGET, target, false);
    if let Some(v) = ctx.require(spec_node, Field::new("spec"), "validation") {
        validation(ctx, v);
    }
    ctx.checked_string_map(spec_node, Field::new("spec"), "options", &TLS_OPTIONS);
}

fn validation(ctx: &mut Ctx, v: &Node) {
    let path = Field::new("spec.validation");
    ctx.known_fields(
        v,
        path,
        &[
            "caCertificateRefs",
            "wellKnownCACertificates",
            "hostname",
            "subjectAltNames",
        ],
        &[],
    );
    let cas = ctx.list(v, path, "caCertificateRefs", spec::MAX_BACKEND_CA_REFS);
    for (i, r) in cas.iter().enumerate() {
        let rpath_list = path.key("caCertificateRefs");
        let rpath = rpath_list.at(i);
        let fields = ["group", "kind", "name"];
        refs::reference(ctx, r, rpath, &fields, &fields);
    }
    let well_known = ctx.check_str(
        v,
        path,
        "wellKnownCACertificates",
        "invalid-value",
        spec::well_known_ca,
    );
    ca_source(
        ctx,
        v,
        !cas.is_empty(),
        well_known.is_some_and(|w| !w.is_empty()),
    );
    ctx.require_str(
        v,
        path,
        "hostname",
        "invalid-hostname",
        spec::precise_hostname,
    );
    let sans = ctx.list(v, path, "subjectAltNames", spec::MAX_SUBJECT_ALT_NAMES);
    for (i, san) in sans.iter().enumerate() {
        let sans_path = path.key("subjectAltNames");
        subject_alt_name(ctx, san, sans_path.at(i));
    }
}

/// Exactly one source of CA certificates: `caCertificateRefs` or `wellKnownCACertificates`.
fn ca_source(ctx: &mut Ctx, v: &Node, refs: bool, well_known: bool) {
    let path = Field::new("spec.validation");
    let (message, hint) = match (refs, well_known) {
        (true, true) => (
            format!("`{path}` sets both caCertificateRefs and wellKnownCACertificates"),
            "keep one: the CA certificates you name, or the well-known set (System)",
        ),
        (false, false) => (
            format!("`{path}` names no CA certificates: set caCertificateRefs or wellKnownCACertificates"),
            "add `caCertificateRefs` naming the ConfigMap that holds the CA bundle, or `wellKnownCACertificates: System`",
        ),
        _ => return,
    };
    ctx.error("backend-tls-ca-source", v.line, path, message)
        .hint = Some(hint.into());
}

/// A subject alternative name: `type` Hostname with `hostname`, or URI with `uri`, and not the
/// other field.
fn subject_alt_name(ctx: &mut Ctx, san: &Node, path: Field) {
    ctx.known_fields(san, path, &["type", "hostname", "uri"], &[]);
    ctx.require(san, path, "type");
    let ty = ctx.check_enum(san, path, "type", &["Hostname", "URI"]);
    ctx.check_str(san, path, "hostname", "invalid-hostname", spec::hostname);
    ctx.check_str(san, path, "uri", "invalid-value", spec::san_uri);
    let Some(ty) = ty.filter(|t| matches!(*t, "Hostname" | "URI")) else {
        return;
    };
    for (want, field) in [("Hostname", "hostname"), ("URI", "uri")] {
        let set = san.str_at(field).is_some_and(|s| !s.is_empty());
        let message = match (ty == want, set) {
            (true, false) => format!("`{path}` is of type {want}, so `{field}` is required"),
            (false, true) => format!("`{path}.{field}` is set, but the type is {ty}, not {want}"),
            _ => continue,
        };
        ctx.error("subject-alt-name-mismatch", san.line, path, message)
            .hint = Some(format!(
            "set `type: {want}` with `{field}`, and nothing else"
        ));
    }
}
