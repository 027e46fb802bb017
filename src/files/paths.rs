//! Which output paths are safe: relative, inside the output folder, and not through a link.
//!
//! The output folder itself may be a link (the user chose it); nothing below it may be, even a
//! link pointing back inside, because following links is how a write escapes a folder.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use super::FilesError;

/// `path` reduced to its plain names (`./a/b` → `a/b`), or why it may not be written.
pub(crate) fn clean_relative(path: &Path) -> Result<PathBuf, FilesError> {
    let refuse = |reason| FilesError::UnsafePath {
        path: path.to_path_buf(),
        reason,
    };
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(name) => clean.push(name),
            Component::CurDir => {}
            Component::ParentDir => return Err(refuse("it contains `..`")),
            Component::RootDir | Component::Prefix(_) => return Err(refuse("it is absolute")),
        }
    }
    if clean.as_os_str().is_empty() {
        return Err(refuse("it names no file"));
    }
    Ok(clean)
}

/// The folders `rel` lies in, outermost first: `a/b/c.yaml` → `a`, `a/b`.
pub(crate) fn folders(rel: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = rel
        .ancestors()
        .skip(1)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .collect();
    folders.reverse();
    folders
}

/// Refuses a set in which a path repeats or is both a file and a folder, since one of the two
/// writes would silently lose.
pub(crate) fn check_distinct<'a>(
    rels: impl IntoIterator<Item = &'a Path>,
) -> Result<(), FilesError> {
    let mut files = BTreeSet::new();
    let mut all_folders = BTreeSet::new();
    for rel in rels {
        if !files.insert(rel) {
            return Err(FilesError::Duplicate { path: rel.into() });
        }
        all_folders.extend(folders(rel));
    }
    match files.iter().find(|f| all_folders.contains(**f)) {
        Some(both) => Err(FilesError::Duplicate {
            path: both.to_path_buf(),
        }),
        None => Ok(()),
    }
}

/// Whether `dir/rel` holds a regular file now, after checking that every folder on the way is a
/// real folder (or missing) and the target is not a link, folder or special file.
pub(crate) fn existing_file(dir: &Path, rel: &Path) -> Result<bool, FilesError> {
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => return Err(FilesError::NotAFolder { path: dir.into() }),
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(FilesError::io("inspect", dir)(e)),
    }
    for folder in folders(rel) {
        let path = dir.join(folder);
        match kind(&path)? {
            Kind::Missing => return Ok(false),
            Kind::Link => return Err(FilesError::Symlink { path }),
            Kind::Folder => {}
            Kind::File | Kind::Special => return Err(FilesError::NotAFolder { path }),
        }
    }
    let path = dir.join(rel);
    match kind(&path)? {
        Kind::Missing => Ok(false),
        Kind::File => Ok(true),
        Kind::Link => Err(FilesError::Symlink { path }),
        Kind::Folder | Kind::Special => Err(FilesError::NotAFile { path }),
    }
}

enum Kind {
    Missing,
    Link,
    Folder,
    File,
    Special,
}

fn kind(path: &Path) -> Result<Kind, FilesError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Ok(Kind::Link),
        Ok(meta) if meta.is_dir() => Ok(Kind::Folder),
        Ok(meta) if meta.is_file() => Ok(Kind::File),
        Ok(_) => Ok(Kind::Special),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Kind::Missing),
        Err(e) => Err(FilesError::io("inspect", path)(e)),
    }
}

/// A relative path with `/` separators on every platform, as manifests and diffs show it.
pub(crate) fn slashed(path: &Path) -> String {
    let names: Vec<_> = path.iter().map(|n| n.to_string_lossy()).collect();
    names.join("/")
}

pub(crate) fn serialize_slashed<S: serde::Serializer>(
    path: &Path,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&slashed(path))
}

/// `a, b, c` for error messages.
pub(crate) fn list(paths: &[PathBuf]) -> String {
    let names: Vec<_> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_relative_keeps_plain_names_only() {
        assert_eq!(
            clean_relative(Path::new("./a/./b.yaml")).unwrap(),
            Path::new("a/b.yaml")
        );
        for bad in ["", ".", "/etc/passwd", "a/../../b", "..", "a/.."] {
            assert!(clean_relative(Path::new(bad)).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn folders_are_outermost_first() {
        assert_eq!(
            folders(Path::new("a/b/c.yaml")),
            [Path::new("a"), Path::new("a/b")]
        );
        assert!(folders(Path::new("c.yaml")).is_empty());
    }

    #[test]
    fn a_path_may_not_be_both_file_and_folder() {
        let paths = [Path::new("a"), Path::new("a/b.yaml")];
        assert!(matches!(
            check_distinct(paths),
            Err(FilesError::Duplicate { .. })
        ));
        let paths = [Path::new("a/x.yaml"), Path::new("a/x.yaml")];
        assert!(matches!(
            check_distinct(paths),
            Err(FilesError::Duplicate { .. })
        ));
        assert!(check_distinct([Path::new("a/x.yaml"), Path::new("a/y.yaml")]).is_ok());
    }
}
