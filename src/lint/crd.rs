//! Lint with the CRDs a cluster runs (`--crds`, `--cluster`): the CRD decides what the API
//! server admits; the built-in rules still add what no schema can say.
//!
//! One document gets one verdict per fault. For a kind the CRDs define, their schema and CEL
//! rules replace the built-in admission checks (errors without a predicted status), which are
//! v1.6.1's and would disagree with another release; the built-in status predictions, warnings
//! and notes stay. Violations are reported under the same rule ids the built-in checks use
//! (`missing-field`, `unknown-field`, …), with `crd-rule` for a CEL rule.

use super::check::Ctx;
use super::node::Node;
use super::rules::{self, Header};
use crate::crd::{CrdSet, ViolationKind};
use crate::finding::{Finding, ResourceId, Severity};

/// Checks `doc` against `crds`, or with the built-in rules when they do not define its kind.
/// Returns whether the object would exist (its kind and version are served).
pub fn check(ctx: &mut Ctx, crds: &CrdSet, doc: &Node, header: &Header, id: &ResourceId) -> bool {
    ctx.resource = Some(id.clone());
    let Some(outcome) = crds.validate(doc, header.group, header.version, header.kind) else {
        if crds.has_group(header.group) {
            ctx.report(
                Severity::Warning,
                "crd-kind-missing",
                doc.line_of("kind"),
                "kind",
                format!(
                    "the CRDs define no kind {} in {}: until its CRD is installed, the API server answers \"no matches for kind\"",
                    header.kind, header.group
                ),
            )
            .hint = Some("install the CRD of this kind (for Gateway API: the channel that has it), or check the kind's spelling".into());
            return false;
        }
        if header.is_gateway_api() {
            return rules::check(ctx, doc, header);
        }
        ctx.resource = None;
        return true;
    };
    for violation in &outcome.violations {
        let (severity, rule) = match violation.kind {
            ViolationKind::Required => (Severity::Error, "missing-field"),
            ViolationKind::TypeInvalid => (Severity::Error, "wrong-type"),
            ViolationKind::NotSupported | ViolationKind::TooLong | ViolationKind::Invalid => {
                (Severity::Error, "invalid-value")
            }
            ViolationKind::TooMany => (Severity::Error, "too-many-items"),
            ViolationKind::Duplicate => (Severity::Error, "duplicate-entry"),
            ViolationKind::UnknownField => (Severity::Error, "unknown-field"),
            ViolationKind::Forbidden | ViolationKind::Rule => (Severity::Error, "crd-rule"),
            ViolationKind::Metadata => (Severity::Error, "invalid-name"),
            ViolationKind::NotServed => (Severity::Error, "api-version-not-served"),
            ViolationKind::RulesSkipped => (Severity::Note, "crd-rule"),
        };
        let field = &violation.path;
        let message = violation.message.clone();
        ctx.report(severity, rule, violation.line, field, message)
            .hint = Some(format!("from the CRD {}", outcome.source));
    }
    if header.is_gateway_api() && outcome.served {
        let mut built_in = Vec::new();
        let mut inner = Ctx {
            file: ctx.file,
            channel: ctx.channel,
            resource: ctx.resource.clone(),
            findings: &mut built_in,
        };
        rules::check(&mut inner, doc, header);
        ctx.findings.extend(
            built_in
                .into_iter()
                .filter(|f| f.severity != Severity::Error || f.condition.is_some()),
        );
    }
    outcome.served
}

/// The CRDs that could not be fully compiled, once each.
pub fn problems(crds: &CrdSet) -> impl Iterator<Item = Finding> + '_ {
    crds.problems().iter().map(|problem| {
        let mut finding = Finding::new(
            Severity::Warning,
            "crd-invalid",
            format!("CRD {}: {}", problem.crd, problem.message),
        )
        .hint("objects are not rejected for what lint cannot check; the rest of the CRD applies");
        if !problem.file.is_empty() {
            finding = finding.at(&problem.file, problem.line);
        }
        finding
    })
}
