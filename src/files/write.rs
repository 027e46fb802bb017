//! Writing the compared files: atomically per file (temp file in the same folder, fsync, rename)
//! and all or nothing across the set. Every temp file is written before the first rename, so a
//! full disk or a refused folder changes nothing; a rename failing half-way puts back the files
//! already replaced from the old content kept in memory. A deleted file is first renamed aside,
//! so that it can be put back the same way, and removed once every rename has succeeded.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use super::compare::read_text;
use super::paths::{check_distinct, clean_relative, existing_file, folders, slashed};
use super::{Action, FileChange, FilesError, Status};

/// What `write` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WriteReport {
    #[schemars(with = "String")]
    pub dir: PathBuf,
    /// `dir` did not exist and was created.
    pub created_dir: bool,
    /// Relative to `dir`, in the order written.
    #[serde(serialize_with = "serialize_all_slashed")]
    #[schemars(with = "Vec<String>")]
    pub written: Vec<PathBuf>,
    /// Relative to `dir`; stale files deleted.
    #[serde(serialize_with = "serialize_all_slashed")]
    #[schemars(with = "Vec<String>")]
    pub deleted: Vec<PathBuf>,
    /// Relative to `dir`; left as they were (unchanged, formatting-only, stale files kept).
    #[serde(serialize_with = "serialize_all_slashed")]
    #[schemars(with = "Vec<String>")]
    pub unchanged: Vec<PathBuf>,
}

impl std::fmt::Display for WriteReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.created_dir {
            writeln!(f, "created {}", self.dir.display())?;
        }
        write!(
            f,
            "wrote {} file(s) in {}, deleted {}, left {} as they were",
            self.written.len(),
            self.dir.display(),
            self.deleted.len(),
            self.unchanged.len()
        )
    }
}

fn serialize_all_slashed<S: serde::Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| slashed(p)))
}

/// Does what each of `changes` (from [`changes`](super::changes) or [`compare`](super::compare))
/// says in `dir`: writes, deletes or keeps the file, creating `dir` and folders as needed.
/// Replacing a file whose values change, or deleting one, needs `overwrite` (a formatting-only
/// file is rewritten only when reformatting was asked for, which is consent enough); without it
/// nothing at all is written. A file that changed on disk since it was compared stops the write
/// too. On any error the folder is left as it was.
pub fn write(
    dir: &Path,
    changes: &[FileChange],
    overwrite: bool,
) -> Result<WriteReport, FilesError> {
    let rels = changes
        .iter()
        .map(|c| clean_relative(&c.path))
        .collect::<Result<Vec<_>, _>>()?;
    check_distinct(rels.iter().map(|p| p.as_path()))?;
    let (todo, unchanged): (Vec<_>, Vec<_>) = changes
        .iter()
        .zip(rels)
        .partition(|(c, _)| c.action != Action::Keep);
    if !overwrite {
        let existing: Vec<PathBuf> = todo
            .iter()
            .filter(|(c, _)| matches!(c.status, Status::Changed | Status::Stale))
            .map(|(_, rel)| rel.clone())
            .collect();
        if !existing.is_empty() {
            return Err(FilesError::NeedsConsent { paths: existing });
        }
    }

    let mut tx = Transaction::default();
    let created_dir = !todo.is_empty() && !dir.exists();
    // Nothing to write creates nothing, not even `dir`.
    let staged = if todo.is_empty() {
        Ok(())
    } else {
        tx.create_dir_all(dir).and_then(|()| {
            todo.iter()
                .try_for_each(|(change, rel)| tx.stage(dir, rel, change))
        })
    };
    if let Err(e) = staged {
        tx.discard(0);
        return Err(e);
    }
    tx.commit()?;
    let (deleted, written): (Vec<_>, Vec<_>) = todo
        .into_iter()
        .partition(|(c, _)| c.action == Action::Delete);
    let paths = |list: Vec<(&FileChange, PathBuf)>| list.into_iter().map(|(_, rel)| rel).collect();
    Ok(WriteReport {
        dir: dir.into(),
        created_dir,
        written: paths(written),
        deleted: paths(deleted),
        unchanged: paths(unchanged),
    })
}

/// A temp file ready to be renamed over `target`, and what `target` held before (for undo); or,
/// for a deletion, the name `target` is renamed aside to.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
    old: Option<String>,
    delete: bool,
}

/// Everything created so far, so that it can be removed again.
#[derive(Default)]
struct Transaction {
    /// Outermost first.
    created_folders: Vec<PathBuf>,
    staged: Vec<Staged>,
}

impl Transaction {
    fn create_dir_all(&mut self, dir: &Path) -> Result<(), FilesError> {
        let mut missing: Vec<&Path> = dir
            .ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .take_while(|p| fs::symlink_metadata(p).is_err())
            .collect();
        missing.reverse();
        missing.into_iter().try_for_each(|p| self.create_folder(p))
    }

    fn create_folder(&mut self, path: &Path) -> Result<(), FilesError> {
        match fs::create_dir(path) {
            Ok(()) => {
                self.created_folders.push(path.into());
                Ok(())
            }
            // `existing_file` has checked it is a real folder, not a link, before this is called.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(FilesError::io("create folder", path)(e)),
        }
    }

    fn stage(&mut self, dir: &Path, rel: &Path, change: &FileChange) -> Result<(), FilesError> {
        let target = dir.join(rel);
        let old = if existing_file(dir, rel)? {
            Some(read_text(&target)?)
        } else {
            None
        };
        if old != change.old_content {
            return Err(FilesError::ChangedMeanwhile { path: target });
        }
        if change.action == Action::Delete {
            let temp = temp_name(&target, "deleted");
            self.staged.push(Staged {
                temp,
                target,
                old,
                delete: true,
            });
            return Ok(());
        }
        for folder in folders(rel) {
            self.create_folder(&dir.join(folder))?;
        }
        let temp = write_temp(&target, &change.content)
            .map_err(FilesError::io("write a temporary file next to", &target))?;
        self.staged.push(Staged {
            temp,
            target,
            old,
            delete: false,
        });
        Ok(())
    }

    fn commit(self) -> Result<(), FilesError> {
        for (i, staged) in self.staged.iter().enumerate() {
            let (from, to, action) = match staged.delete {
                true => (&staged.target, &staged.temp, "delete"),
                false => (&staged.temp, &staged.target, "replace"),
            };
            if let Err(source) = fs::rename(from, to) {
                let not_restored = self.undo(i);
                let path = staged.target.clone();
                return Err(if not_restored.is_empty() {
                    FilesError::Io {
                        action,
                        path,
                        source,
                    }
                } else {
                    FilesError::RollbackFailed {
                        action,
                        path,
                        source,
                        not_restored,
                    }
                });
            }
        }
        for staged in self.staged.iter().filter(|s| s.delete) {
            // Best effort: the file is out of the way already; a folder emptied by it goes too.
            let _ = fs::remove_file(&staged.temp);
            if let Some(folder) = staged.target.parent() {
                let _ = fs::remove_dir(folder);
            }
        }
        self.sync_folders();
        Ok(())
    }

    /// Puts back the first `renamed` targets and removes everything else this transaction
    /// created. Returns the targets that could not be put back.
    fn undo(&self, renamed: usize) -> Vec<PathBuf> {
        let mut not_restored = Vec::new();
        for staged in self.staged[..renamed].iter().rev() {
            let restored = match &staged.old {
                Some(_) if staged.delete => fs::rename(&staged.temp, &staged.target),
                Some(old) => write_temp(&staged.target, old).and_then(|temp| {
                    fs::rename(&temp, &staged.target).inspect_err(|_| {
                        let _ = fs::remove_file(&temp);
                    })
                }),
                None => fs::remove_file(&staged.target),
            };
            if restored.is_err() {
                not_restored.push(staged.target.clone());
            }
        }
        self.discard(renamed);
        not_restored
    }

    /// Removes the temp files from `staged[from..]` and the folders created (if empty by now).
    /// Best effort: this runs while another error is being reported.
    fn discard(&self, from: usize) {
        for staged in self.staged[from..].iter().filter(|s| !s.delete) {
            let _ = fs::remove_file(&staged.temp);
        }
        for folder in self.created_folders.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }

    /// Makes the renames and new folders durable. Best effort: the files are in place already,
    /// and some systems cannot open or sync a folder.
    fn sync_folders(&self) {
        let mut parents: Vec<&Path> = self
            .staged
            .iter()
            .map(|s| s.target.as_path())
            .chain(self.created_folders.iter().map(PathBuf::as_path))
            .filter_map(Path::parent)
            .collect();
        parents.sort();
        parents.dedup();
        for parent in parents {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            if let Ok(folder) = File::open(parent) {
                let _ = folder.sync_all();
            }
        }
    }
}

/// Writes `content` to a new, uniquely named temp file beside `target` and syncs it; keeps the
/// permissions of an existing `target`. Removes the temp file again if any step fails.
fn write_temp(target: &Path, content: &str) -> std::io::Result<PathBuf> {
    let temp = temp_name(target, "tmp");
    // `create_new` never follows or replaces anything already at that name.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    let written = file
        .write_all(content.as_bytes())
        .and_then(|()| match fs::metadata(target) {
            Ok(meta) => file.set_permissions(meta.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| file.sync_all());
    match written {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A hidden name beside `target`, unique to this process and call.
fn temp_name(target: &Path, suffix: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}.{n}.{suffix}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rename failing after others succeeded must put the replaced and new files back.
    #[test]
    fn failed_rename_rolls_back_earlier_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(dir.join("a.yaml"), "old: 1\n").unwrap();
        let change = |path: &str, old: Option<&str>| FileChange {
            path: path.into(),
            status: if old.is_some() {
                Status::Changed
            } else {
                Status::New
            },
            action: Action::Write,
            diff: String::new(),
            content: "new: 1\n".into(),
            old_content: old.map(Into::into),
            note: None,
        };
        let mut tx = Transaction::default();
        tx.stage(
            dir,
            Path::new("a.yaml"),
            &change("a.yaml", Some("old: 1\n")),
        )
        .unwrap();
        tx.stage(dir, Path::new("sub/b.yaml"), &change("sub/b.yaml", None))
            .unwrap();
        tx.stage(dir, Path::new("c.yaml"), &change("c.yaml", None))
            .unwrap();
        // Something appears where the last file goes after staging: its rename must fail.
        fs::create_dir(dir.join("c.yaml")).unwrap();
        fs::write(dir.join("c.yaml/keep"), "").unwrap();

        let err = tx.commit().unwrap_err();
        assert!(
            matches!(
                err,
                FilesError::Io {
                    action: "replace",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), "old: 1\n");
        let mut left: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["a.yaml", "c.yaml"],
            "temp files and the new folder are gone"
        );
    }
}
