//! Why the output folder cannot be compared or written. Every message names the path and a fix.

use std::path::PathBuf;

use super::paths::list;

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error(
        "refusing output path {path:?}: {reason}; use a relative path inside the output folder"
    )]
    UnsafePath { path: PathBuf, reason: &'static str },

    #[error("{} is a symbolic link; traffic-engineer does not write through links inside the output folder: replace it with a real folder or choose another output folder", path.display())]
    Symlink { path: PathBuf },

    #[error("{} is a folder where a file must be written: move it away or choose another output folder", path.display())]
    NotAFile { path: PathBuf },

    #[error("{} is not a folder but files must be written inside it: move it away or choose another output folder", path.display())]
    NotAFolder { path: PathBuf },

    #[error("{} appears more than once in the generated files (or both as a file and a folder): this is a bug, please report it", path.display())]
    Duplicate { path: PathBuf },

    #[error("{}: line {line}: {message}; fix or remove that file and run again", path.display())]
    InvalidYaml {
        path: PathBuf,
        line: u64,
        message: String,
    },

    #[error("{} is not UTF-8 text: fix or remove that file and run again", path.display())]
    NotText { path: PathBuf },

    #[error("{} changed on disk since it was compared: run again to see the new differences", path.display())]
    ChangedMeanwhile { path: PathBuf },

    /// Each door says how to give consent (a flag, a question, a tool parameter).
    #[error("nothing was written: {} existing file(s) would be replaced or deleted without consent: {}", paths.len(), list(paths))]
    NeedsConsent { paths: Vec<PathBuf> },

    #[error("cannot {action} {}: {source}; check permissions and free space, nothing was changed", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A rename failed half-way and putting the old files back failed too: the folder is mixed.
    #[error("cannot {action} {}: {source}; restoring the previous files also failed for {}: check them by hand (e.g. with git)", path.display(), list(not_restored))]
    RollbackFailed {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
        not_restored: Vec<PathBuf>,
    },
}

impl FilesError {
    /// An I/O failure while doing `action` on `path`, for `map_err`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| FilesError::Io {
            action,
            path,
            source,
        }
    }
}
