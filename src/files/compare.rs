//! Comparing generated files with the output folder, without changing anything on disk.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::diff::unified;
use super::owned::{self, mark};
use super::paths::{check_distinct, clean_relative, existing_file};
use super::{kustomize, Action, FileChange, FilesError, Options, OutFile, Status};
use crate::yaml;

/// What writing the generated `manifests` into `dir` would do: each manifest, marked as the tool's
/// (see [`owned`]), the kustomizations of their folders and of `dir`, then the stale files (marked
/// files an earlier run wrote that are not generated now). Stale files are kept, and stay listed
/// in their kustomization, unless `options.prune`; formatting-only changes are left alone unless
/// `options.reformat`.
pub fn changes(
    dir: &Path,
    manifests: Vec<OutFile>,
    options: &Options,
) -> Result<Vec<FileChange>, FilesError> {
    let manifests: Vec<OutFile> = manifests.into_iter().map(mark).collect();
    let generated: BTreeSet<PathBuf> = manifests
        .iter()
        .map(|f| clean_relative(&f.path))
        .collect::<Result<_, _>>()?;
    let owned = owned::scan(dir)?;
    let stale = owned
        .iter()
        .map(|(path, _)| path.clone())
        .filter(|p| !generated.contains(p) && !kustomize::is_kustomization(p));
    let (pruned, mut kept): (BTreeSet<PathBuf>, Vec<PathBuf>) = match options.prune {
        true => (stale.collect(), Vec::new()),
        false => (BTreeSet::new(), stale.collect()),
    };
    kept.extend(staying_kustomizations(dir, &owned, &pruned));
    let files: Vec<OutFile> = kustomize::with_kustomizations(manifests, &kept)
        .into_iter()
        .map(|f| match generated.contains(&f.path) {
            true => f,
            false => mark(f),
        })
        .collect();
    let written: BTreeSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    let stale: Vec<FileChange> = owned
        .iter()
        .filter(|(path, _)| !written.contains(path.as_path()))
        .map(|(path, text)| stale_change(path, text, options.prune, &pruned))
        .collect();
    // The kustomizations above drop the pruned files, and the folders whose kustomization goes.
    let mut dropped = pruned;
    dropped.extend(
        stale
            .iter()
            .filter(|c| c.action == Action::Delete && kustomize::is_kustomization(&c.path))
            .filter_map(|c| c.path.parent().map(Path::to_path_buf)),
    );
    let mut changes = compare_dropping(dir, &files, &dropped)?;
    for change in &mut changes {
        if change.status == Status::FormattingOnly && options.reformat {
            change.action = Action::Write;
        }
    }
    changes.extend(stale);
    Ok(changes)
}

/// The kustomizations of folders losing `pruned` files that stay, without them, because they list
/// anything else (or are the user's own): the user's resources there must still build.
fn staying_kustomizations(
    dir: &Path,
    owned: &[(PathBuf, String)],
    pruned: &BTreeSet<PathBuf>,
) -> BTreeSet<PathBuf> {
    pruned
        .iter()
        .filter_map(|p| p.parent())
        .map(|folder| folder.join(kustomize::FILE_NAME))
        .filter(
            |kustomization| match owned.iter().find(|(p, _)| p == kustomization) {
                Some((_, text)) => lists_more_than(
                    text,
                    kustomization.parent().unwrap_or(Path::new("")),
                    pruned,
                ),
                None => dir.join(kustomization).is_file(),
            },
        )
        .collect()
}

/// A marked file no longer generated: deleted when pruning, a kustomization only together with
/// everything it lists.
fn stale_change(path: &Path, text: &str, prune: bool, pruned: &BTreeSet<PathBuf>) -> FileChange {
    let folder = path.parent().unwrap_or(Path::new(""));
    let delete =
        prune && (!kustomize::is_kustomization(path) || !lists_more_than(text, folder, pruned));
    FileChange {
        path: path.into(),
        status: Status::Stale,
        action: if delete { Action::Delete } else { Action::Keep },
        diff: unified(path, Some(text), None),
        content: String::new(),
        old_content: Some(text.into()),
        note: None,
    }
}

/// Whether the kustomization `text` in `folder` lists any resource besides the `pruned` files.
fn lists_more_than(text: &str, folder: &Path, pruned: &BTreeSet<PathBuf>) -> bool {
    let Ok(Value::Object(map)) = yaml::from_str::<Value>(text) else {
        return true;
    };
    match map.get("resources").and_then(Value::as_array) {
        Some(list) => list.iter().any(|r| {
            r.as_str()
                .is_none_or(|name| !pruned.contains(&folder.join(name)))
        }),
        None => map.get("resources").is_some(),
    }
}

/// What writing `files` into `dir` would do, file by file, in the order given. A missing `dir` makes
/// every file new. Fails, before looking further, on an unsafe path, a link or folder in the way,
/// or an existing file that is not valid YAML (writing over it could hide the user's mistake).
pub fn compare(dir: &Path, files: &[OutFile]) -> Result<Vec<FileChange>, FilesError> {
    compare_dropping(dir, files, &BTreeSet::new())
}

/// [`compare`], dropping the `pruned` files from the kustomizations that list them.
fn compare_dropping(
    dir: &Path,
    files: &[OutFile],
    pruned: &BTreeSet<PathBuf>,
) -> Result<Vec<FileChange>, FilesError> {
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
            let folder = rel.parent().unwrap_or(Path::new(""));
            let dropped: BTreeSet<String> = pruned
                .iter()
                .filter(|p| p.parent() == Some(folder))
                .filter_map(|p| p.file_name())
                .map(|name| name.to_string_lossy().into_owned())
                .collect();
            compare_one(dir, &rel, old, &file.content, &dropped)
        })
        .collect()
}

fn compare_one(
    dir: &Path,
    rel: &Path,
    old: Option<String>,
    generated: &str,
    dropped: &BTreeSet<String>,
) -> Result<FileChange, FilesError> {
    let Some(old) = old else {
        return Ok(FileChange {
            path: rel.into(),
            status: Status::New,
            action: Action::Write,
            diff: unified(rel, None, Some(generated)),
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
        .then(|| kustomize::merge(&old, &old_docs, generated, dropped))
        .flatten()
    {
        Some((merged, note)) => (merged, note),
        None => (generated.to_string(), None),
    };
    let (status, action) = if content == old {
        (Status::Unchanged, Action::Keep)
    } else if yaml::from_str_multiple::<Value>(&content).is_ok_and(|docs| docs == old_docs) {
        // Map equality ignores key order, so reordered keys count as formatting too.
        (Status::FormattingOnly, Action::Keep)
    } else {
        (Status::Changed, Action::Write)
    };
    Ok(FileChange {
        path: rel.into(),
        status,
        action,
        diff: unified(rel, Some(&old), Some(&content)),
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
