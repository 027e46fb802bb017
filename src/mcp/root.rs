//! The folder the MCP server may touch. An assistant passes paths it chose (or was tricked into
//! choosing), so every `dir` and lint path is resolved against the root and refused when it would
//! reach outside: absolute paths elsewhere, `..`, or links whose target lies outside.

use std::io;
use std::path::{Component, Path, PathBuf};

/// The server's root folder, canonical (no links, absolute).
#[derive(Debug)]
pub struct Root {
    dir: PathBuf,
}

/// Why a path was refused; the message names the path and the root.
#[derive(Debug, thiserror::Error)]
#[error("refusing {path:?}: {reason}; use a path inside {root}, the folder the server serves")]
pub struct OutsideRoot {
    path: String,
    reason: String,
    root: String,
}

impl Root {
    pub fn new(dir: &Path) -> io::Result<Root> {
        Ok(Root {
            dir: dir.canonicalize()?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// `path` (relative to the root, or absolute inside it) as an absolute path inside the root.
    /// The path need not exist: `write` creates its folder. The part that exists is resolved
    /// through its links and must stay inside; the part that does not exist cannot hold a link.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, OutsideRoot> {
        let refuse = |reason: &str| OutsideRoot {
            path: path.to_string(),
            reason: reason.to_string(),
            root: self.dir.display().to_string(),
        };
        let given = Path::new(path);
        // `..` is refused outright rather than normalised: through a link it would mean another folder.
        if given.components().any(|c| c == Component::ParentDir) {
            return Err(refuse("it contains `..`"));
        }
        let joined = self.dir.join(given);
        let (existing, rest) = split_existing(&joined);
        let real = existing
            .canonicalize()
            .map_err(|e| refuse(&format!("cannot resolve it: {e}")))?;
        if !real.starts_with(&self.dir) {
            return Err(refuse("it lies outside the server's root"));
        }
        Ok(rest.iter().fold(real, |p, name| p.join(name)))
    }

    /// Whether an existing file (e.g. one found while walking a folder) really lies inside the
    /// root once its links are followed.
    pub fn contains(&self, path: &Path) -> bool {
        path.canonicalize()
            .is_ok_and(|real| real.starts_with(&self.dir))
    }

    /// `path` as the assistant would write it: relative to the root when inside it.
    pub fn display(&self, path: &str) -> String {
        Path::new(path)
            .strip_prefix(&self.dir)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.to_string())
    }
}

/// The longest prefix of `path` that exists (following links), and the names after it.
fn split_existing(path: &Path) -> (&Path, Vec<&std::ffi::OsStr>) {
    let mut existing = path;
    let mut rest = Vec::new();
    while existing.symlink_metadata().is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => break,
        }
    }
    rest.reverse();
    (existing, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_leaves_the_root_and_accepts_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let root_dir = tmp.path().join("root");
        std::fs::create_dir_all(root_dir.join("inside")).unwrap();
        let root = Root::new(&root_dir).unwrap();
        let real = root.path().to_path_buf();

        assert_eq!(root.resolve("out").unwrap(), real.join("out"));
        assert_eq!(root.resolve("inside/a/b").unwrap(), real.join("inside/a/b"));
        assert_eq!(root.resolve(".").unwrap(), real);
        let absolute_inside = real.join("inside").display().to_string();
        assert_eq!(root.resolve(&absolute_inside).unwrap(), real.join("inside"));

        assert!(root.resolve("../x").is_err());
        assert!(root.resolve("inside/../../x").is_err());
        assert!(root.resolve("/tmp").is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path(), root_dir.join("link-out")).unwrap();
            std::os::unix::fs::symlink(root_dir.join("inside"), root_dir.join("link-in")).unwrap();
            assert!(root.resolve("link-out").is_err());
            assert!(root.resolve("link-out/new/folder").is_err());
            assert_eq!(root.resolve("link-in/x").unwrap(), real.join("inside/x"));
        }
    }
}
