//! The whole generator: request → plan → rendered documents (+ findings). Every door calls this.

mod docs;

use std::sync::Arc;

use crate::context::Profiles;
use crate::crd::CrdSet;
use crate::finding::{Finding, Severity};
use crate::lint::{Channel, LintOptions};
use crate::plan::plan;
use crate::render::{Document, RenderError, Templates};
use crate::request::{FieldError, Request, RequestError};
use serde::Serialize;

pub use docs::RULES;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The rendered manifests break a rule the request checks did not catch: refused rather than
    /// emitted, each problem naming the request field it comes from.
    #[error("{LINT_REFUSAL}\n{}", RequestError::Invalid(.0.clone()))]
    Lint(Vec<FieldError>),
    /// A request derived from the output does not reach the rule it was derived from: the
    /// output would route differently from what was asked (a bug of the tool; please report it).
    #[error("the generated manifests would not route as asked; nothing was emitted:\n{}", .0.iter().map(|w| format!("  {w}")).collect::<Vec<_>>().join("\n"))]
    Routing(Vec<String>),
}

/// What a refusal of the rendered output says first.
pub const LINT_REFUSAL: &str =
    "the generated manifests would be rejected or would not route as asked; nothing was emitted:";

/// The rendered documents of one request, in apply order, and what was found about them.
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub context: String,
    pub documents: Vec<Document>,
    pub findings: Vec<Finding>,
    /// A request for each generated match, traced through the generated set: the proof that
    /// the output sends it where the request asked (empty when the Gateway is not generated).
    pub traces: Vec<crate::traffic::SampleTrace>,
}

impl Bundle {
    /// All documents as one multi-document YAML stream, ready for `kubectl apply -f -`.
    pub fn yaml_stream(&self) -> String {
        let docs: Vec<&str> = self.documents.iter().map(|d| d.yaml.as_str()).collect();
        docs.join("---\n")
    }

    /// One output file per document, at its path under `--out-dir` (kustomizations not added).
    pub fn out_files(&self) -> Vec<crate::files::OutFile> {
        self.documents
            .iter()
            .map(|d| crate::files::OutFile {
                path: d.path.clone().into(),
                content: d.yaml.clone(),
            })
            .collect()
    }
}

/// Plans, renders and checks `request`: lint over the whole output (refused on any error) and
/// a trace of every generated match.
///
/// # Errors
/// The request is invalid, a template fails, or the output would be rejected or misroute.
pub fn generate(
    request: &Request,
    profiles: &Profiles,
    templates: &Templates,
) -> Result<Bundle, GenerateError> {
    generate_against(request, profiles, templates, None)
}

/// Like [`generate`], and the output must also pass `crds` (the cluster's, or `--crds`): what
/// they reject is refused with their messages.
pub fn generate_against(
    request: &Request,
    profiles: &Profiles,
    templates: &Templates,
    crds: Option<Arc<CrdSet>>,
) -> Result<Bundle, GenerateError> {
    let plan = plan(request, profiles)?;
    let documents = plan
        .resources
        .iter()
        .map(|r| templates.render(r))
        .collect::<Result<Vec<_>, _>>()?;
    let values: Vec<serde_json::Value> = documents.iter().map(|d| d.value.clone()).collect();
    let mut findings = plan.notes;
    findings.extend(crate::implementation::warnings(
        &plan.implementation,
        &values,
    ));
    // The same lint as `traffic-engineer lint`, over the whole set. Its notes about objects outside
    // the set (the shared Gateway, Services) restate the context's notes, so only problems count.
    let sources: Vec<(&str, &str)> = documents
        .iter()
        .map(|d| (d.path.as_str(), d.yaml.as_str()))
        .collect();
    let channel = if plan.experimental {
        Channel::Experimental
    } else {
        Channel::Standard
    };
    let (report, model) = crate::lint::load_sources(
        &sources,
        &LintOptions {
            channel,
            implementation: None,
            crds,
        },
    );
    let (errors, rest): (Vec<Finding>, Vec<Finding>) = report
        .findings
        .into_iter()
        .partition(|f| f.severity == Severity::Error);
    if !errors.is_empty() {
        let fields = errors
            .iter()
            .map(|f| crate::plan::output_field_error(request, f))
            .collect();
        return Err(GenerateError::Lint(fields));
    }
    findings.extend(rest.into_iter().filter(|f| f.severity == Severity::Warning));
    let (traces, wrong) = model.samples();
    if !wrong.is_empty() {
        return Err(GenerateError::Routing(wrong));
    }
    Ok(Bundle {
        context: plan.context,
        documents,
        findings,
        traces,
    })
}
