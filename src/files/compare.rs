//! Comparing generated files with the output folder, without changing anything on disk.

use std::path::Path;

use serde_json::Value;

use super::diff::unified;
use super::paths::{check_distinct, clean_relative, existing_file};
use super::{kustomize, FileChange, FilesError, OutFile, Status};
use crate::yaml;

/// What writing `files` into `dir` would do, file by file, in the order given. A missing `dir` makes
/// every file new. Fails, before looking further, on an unsafe path, a link or folder in the way,
/// or an existing file that is not valid YAML (writing over it could hide the user's mistake).
pub fn compare(dir: &Path, files: &[OutFile]) -> Result<Vec<FileChange>, FilesError> {
    let rels = files
        .iter()
        .map(|f| clean_relative(&f.path))
        .collect::<Result<Vec<_>, _>>()?;
    check_distinct(rels.iter().map(|p| p.as_path()))?;
    files
        .iter()
        .zip(rels)
        .map(|(file, rel)| {
            let old = if existing_file(dir, &rel)? {
                Some(read_text(&dir.join(&rel))?)
            } else {
                None
            };
            compare_one(dir, &rel, old, &file.content)
        })
        .collect()
}

fn compare_one(
    dir: &Path,
    rel: &Path,
    old: Option<String>,
    generated: &str,
) -> Result<FileChange, FilesError> {
    let Some(old) = old else {
        return Ok(FileChange {
            path: rel.into(),
            status: Status::New,
            diff: unified(rel, None, generated),
            content: generated.into(),
            old_content: None,
            note: None,
        });
    };
    let old_docs: Vec<Value> =
        yaml::from_str_multiple(&old).map_err(|e| FilesError::InvalidYaml {
            path: dir.join(rel),
            line: e.line,
            message: e.message,
        })?;
    let (content, note) = match kustomize::is_kustomization(rel)
        .then(|| kustomize::merge(&old, &old_docs, generated))
        .flatten()
    {
        Some((merged, note)) => (merged, note),
        None => (generated.to_string(), None),
    };
    let status = if content == old {
        Status::Unchanged
    } else if yaml::from_str_multiple::<Value>(&content).is_ok_and(|docs| docs == old_docs) {
        // Map equality ignores key order, so reordered keys count as formatting too.
        Status::FormattingOnly
    } else {
        Status::Changed
    };
    Ok(FileChange {
        path: rel.into(),
        status,
        diff: unified(rel, Some(&old), &content),
        content,
        old_content: Some(old),
        note,
    })
}

/// The file's text; `write` uses the same reading to check nothing changed since `compare`.
pub(crate) fn read_text(path: &Path) -> Result<String, FilesError> {
    let bytes = std::fs::read(path).map_err(FilesError::io("read", path))?;
    String::from_utf8(bytes).map_err(|_| FilesError::NotText { path: path.into() })
}
