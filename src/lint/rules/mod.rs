//! Spec rules for one document: what the API server (schema + CEL) would reject, read off the
//! v1.6.1 CRDs and RULES.md. One submodule per kind or shared part.

mod backend_tls;
mod filters;
mod gateway;
mod grant;
mod listeners;
mod refs;
mod route;

use super::check::{Ctx, Field};
use super::node::{Node, Value};
use super::Channel;
use crate::spec;

/// What the document is, once `apiVersion` and `kind` are read.
pub struct Header<'n> {
    pub group: &'n str,
    pub version: &'n str,
    pub kind: &'n str,
}

impl<'n> Header<'n> {
    /// Reads `apiVersion` and `kind`; reports them when missing.
    pub fn read(ctx: &mut Ctx, doc: &'n Node) -> Option<Self> {
        let api_version = ctx.opt_str(doc, Field::TOP, "apiVersion");
        let kind = ctx.opt_str(doc, Field::TOP, "kind");
        let (Some(api_version), Some(kind)) = (api_version, kind) else {
            let missing = if api_version.is_none() {
                "apiVersion"
            } else {
                "kind"
            };
            ctx.error(
                "missing-field",
                doc.line,
                missing,
                format!("`{missing}` is required in every Kubernetes manifest"),
            );
            return None;
        };
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        Some(Header {
            group,
            version,
            kind,
        })
    }

    pub fn is_gateway_api(&self) -> bool {
        self.group == spec::GROUP || self.group == spec::EXPERIMENTAL_GROUP
    }
}

/// Checks a Gateway API document (other groups are facts for the analysis, not linted).
/// Returns whether the channel serves it at all.
pub fn check(ctx: &mut Ctx, doc: &Node, header: &Header) -> bool {
    if !served(ctx, doc, header) {
        return false;
    }
    let pruned;
    let doc = if has_null_field(doc) {
        pruned = without_null_fields(doc);
        &pruned
    } else {
        doc
    };
    ctx.known_fields(
        doc,
        Field::TOP,
        &["apiVersion", "kind", "metadata", "spec", "status"],
        &[],
    );
    metadata(ctx, doc);
    let Some(spec) = ctx.require(doc, Field::TOP, "spec") else {
        return true;
    };
    match header.kind {
        "GatewayClass" => gateway::gateway_class(ctx, spec),
        "Gateway" => gateway::gateway(ctx, spec),
        "ReferenceGrant" => grant::reference_grant(ctx, spec),
        "ListenerSet" => gateway::listener_set(ctx, spec),
        "BackendTLSPolicy" => backend_tls::backend_tls_policy(ctx, spec),
        "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute" => {
            route::route(ctx, spec, header)
        }
        // The experimental X kinds: served-version and metadata checks only.
        _ => {}
    }
    true
}

/// Whether a map below `node` has a field set to null.
fn has_null_field(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .any(|(_, v)| v.is_null() || has_null_field(v)),
        Value::Seq(items) => items.iter().any(has_null_field),
        _ => false,
    }
}

/// `node` without its null fields. The API server prunes them before it defaults and validates
/// (no Gateway API field is nullable), so a field set to null is a field left out. A null list
/// item stays: it is of the wrong type.
fn without_null_fields(node: &Node) -> Node {
    let value = match &node.value {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_null_fields(v)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(without_null_fields).collect()),
        other => other.clone(),
    };
    Node {
        line: node.line,
        value,
    }
}

/// Whether the channel serves this kind at this version; reports it when not.
fn served(ctx: &mut Ctx, doc: &Node, header: &Header) -> bool {
    let line = doc.line_of("apiVersion");
    if header.group == spec::EXPERIMENTAL_GROUP {
        if ctx.channel == Channel::Standard {
            ctx.error(
                "api-version-not-served",
                line,
                "apiVersion",
                format!(
                    "{} ({}) exists only in the experimental channel",
                    header.kind, header.group
                ),
            )
            .hint = Some(format!(
                "install the experimental CRDs and lint with {}, or remove it",
                crate::door::setting_to("channel", "experimental")
            ));
            return false;
        }
        return true;
    }
    let Some(known) = spec::SERVED_KINDS.iter().find(|k| k.kind == header.kind) else {
        ctx.error(
            "unknown-kind",
            doc.line_of("kind"),
            "kind",
            format!(
                "{} is not a kind of {} v{}",
                header.kind,
                spec::GROUP,
                &spec::TARGET_VERSION[1..]
            ),
        )
        .hint = Some(format!(
            "kinds: {}",
            spec::SERVED_KINDS.map(|k| k.kind).join(", ")
        ));
        return false;
    };
    let experimental =
        ctx.channel == Channel::Experimental && known.experimental.contains(&header.version);
    if known.standard.contains(&header.version) || experimental {
        return true;
    }
    let only_experimental = known.experimental.contains(&header.version);
    let message = if only_experimental {
        format!(
            "{}/{} {} is served only by the experimental CRDs",
            header.group, header.version, header.kind
        )
    } else {
        format!(
            "{}/{} is not a served version of {}",
            header.group, header.version, header.kind
        )
    };
    ctx.error("api-version-not-served", line, "apiVersion", message)
        .hint = Some(format!(
        "use apiVersion {}/{}",
        spec::GROUP,
        known.standard[0]
    ));
    false
}

fn metadata(ctx: &mut Ctx, doc: &Node) {
    let Some(meta) = ctx.require(doc, Field::TOP, "metadata") else {
        return;
    };
    ctx.require_str(
        meta,
        Field::new("metadata"),
        "name",
        "invalid-name",
        spec::dns_subdomain,
    );
    ctx.check_str(
        meta,
        Field::new("metadata"),
        "namespace",
        "invalid-name",
        spec::dns_label,
    );
}
