//! Output files: compare them with what is already in the output folder, show the differences,
//! and write them atomically, all or nothing, never outside that folder.
//!
//! The usual sequence is [`with_kustomizations`] → [`compare`] → [`format_changes`] (or JSON) →
//! [`changed`] for `--check`, or [`write`] to apply.

mod compare;
mod diff;
mod error;
mod kustomize;
mod paths;
mod write;

use std::path::PathBuf;

use serde::Serialize;

pub use compare::compare;
pub use diff::{color_wanted, format_changes};
pub use error::FilesError;
pub use kustomize::with_kustomizations;
pub use write::{write, WriteReport};

/// One generated file, its path relative to the output folder (e.g. `platform/gateway-shared.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: PathBuf,
    pub content: String,
}

/// How a generated file relates to the file already on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No file there yet.
    New,
    /// The YAML values differ.
    Changed,
    /// Byte for byte the same.
    Unchanged,
    /// The text differs but every document has the same YAML value (key order, quoting, indentation,
    /// comments).
    FormattingOnly,
}

/// What writing one generated file would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileChange {
    /// Relative to the output folder.
    #[serde(serialize_with = "paths::serialize_slashed")]
    #[schemars(with = "String")]
    pub path: PathBuf,
    pub status: Status,
    /// Unified diff from the file on disk (`/dev/null` for a new file); empty when unchanged.
    pub diff: String,
    /// What would be written.
    pub content: String,
    /// The file as it is on disk now; `write` checks it is still so before replacing it.
    #[serde(skip)]
    pub old_content: Option<String>,
    /// Why the content is not exactly what was generated, e.g. resources a user added to a
    /// `kustomization.yaml` that are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// True when writing would change the value of at least one file (`--check` exits 1 then).
/// Formatting-only differences do not count: the cluster would see the same objects.
pub fn changed(changes: &[FileChange]) -> bool {
    changes
        .iter()
        .any(|c| matches!(c.status, Status::New | Status::Changed))
}
