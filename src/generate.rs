//! The whole generator: request → plan → rendered documents (+ findings). Every door calls this.

use crate::context::Profiles;
use crate::finding::Finding;
use crate::plan::plan;
use crate::render::{Document, RenderError, Templates};
use crate::request::{Request, RequestError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// The rendered documents of one request, in apply order, and what was found about them.
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub context: String,
    pub documents: Vec<Document>,
    pub findings: Vec<Finding>,
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

pub fn generate(
    request: &Request,
    profiles: &Profiles,
    templates: &Templates,
) -> Result<Bundle, GenerateError> {
    let plan = plan(request, profiles)?;
    let documents = plan
        .resources
        .iter()
        .map(|r| templates.render(r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Bundle {
        context: plan.context,
        documents,
        findings: plan.notes,
    })
}
