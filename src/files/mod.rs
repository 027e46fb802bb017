//! Output files: compare them with what is already in the output folder, show the differences,
//! and write them atomically, all or nothing, never outside that folder.
//!
//! The usual sequence is [`changes`] (the generated files, their kustomizations and the stale
//! files an earlier run wrote) → [`format_changes`] and [`Summary`] (or JSON) → [`changed`] for
//! `--check`, or [`write`] to apply. [`compare`] alone compares any set of files.

mod compare;
mod diff;
mod error;
mod kustomize;
mod owned;
mod paths;
mod write;

use std::path::PathBuf;

use serde::Serialize;

pub use compare::{changes, compare};
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
    /// comments). Left as it is unless reformatting is asked for.
    FormattingOnly,
    /// Written by an earlier run (it carries the marker) and no longer generated. Deleted only
    /// when pruning is asked for.
    Stale,
}

/// What [`write`] does with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Writes `content` (a new or changed file, or a reformatted one).
    Write,
    /// Deletes the file (a stale file, when pruning).
    Delete,
    /// Leaves the file as it is.
    Keep,
}

/// What the caller asks of files beyond writing the generated ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Delete stale files (and drop them from their folder's kustomization).
    pub prune: bool,
    /// Rewrite files whose text differs only in formatting or comments.
    pub reformat: bool,
}

/// What writing one generated file would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileChange {
    /// Relative to the output folder.
    #[serde(serialize_with = "paths::serialize_slashed")]
    #[schemars(with = "String")]
    pub path: PathBuf,
    pub status: Status,
    pub action: Action,
    /// Unified diff from the file on disk (`/dev/null` for a new file, or as the new side of a
    /// stale one); empty when unchanged.
    pub diff: String,
    /// What would be written; empty for a stale file.
    pub content: String,
    /// The file as it is on disk now; `write` checks it is still so before replacing it.
    #[serde(skip)]
    pub old_content: Option<String>,
    /// Why the content is not exactly what was generated, e.g. resources a user added to a
    /// `kustomization.yaml` that are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// True when the folder is not what was generated (`--check` exits 1 then): a file is new or
/// changed in value, a stale file is there, or a file is to be reformatted. Formatting-only
/// differences left alone do not count: the cluster would see the same objects.
pub fn changed(changes: &[FileChange]) -> bool {
    changes
        .iter()
        .any(|c| c.status == Status::Stale || c.action != Action::Keep)
}

/// How many files have each status: the one line that ends a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub new: usize,
    pub changed: usize,
    pub stale: usize,
    pub unchanged: usize,
    pub format: usize,
}

impl Summary {
    pub fn of(changes: &[FileChange]) -> Summary {
        let mut summary = Summary::default();
        for change in changes {
            *match change.status {
                Status::New => &mut summary.new,
                Status::Changed => &mut summary.changed,
                Status::Stale => &mut summary.stale,
                Status::Unchanged => &mut summary.unchanged,
                Status::FormattingOnly => &mut summary.format,
            } += 1;
        }
        summary
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Summary {
            new,
            changed,
            stale,
            unchanged,
            format,
        } = self;
        write!(
            f,
            "{new} new, {changed} changed, {stale} stale, {unchanged} unchanged, {format} format"
        )
    }
}
