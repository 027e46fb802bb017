//! Finding the input files and splitting a YAML stream into documents.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::node::{Node, Value};
use crate::yaml::YamlError;

/// A path could not be read: the command's input is wrong (the CLI exits 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}: no such file or folder")]
    NotFound(PathBuf),
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One input: a file, or `-` for standard input.
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    pub fn label(&self) -> String {
        match self {
            // The text `display` gives, without the formatting machinery: 390 instructions a
            // path where formatting took 900.
            Input::File(p) => p.to_string_lossy().into_owned(),
            Input::Stdin => "-".to_string(),
        }
    }

    pub fn read(&self) -> Result<String, LoadError> {
        let result = match self {
            Input::File(p) => read_file(p),
            Input::Stdin => std::io::read_to_string(std::io::stdin()),
        };
        result.map_err(|source| LoadError::Read {
            path: PathBuf::from(self.label()),
            source,
        })
    }
}

/// Reads a whole file in as few system calls as it takes: open, read until the end, close.
/// `std::fs::read_to_string` first asks the file's size and position (`statx`, `lseek`), two of
/// the seven calls a small manifest cost, a tenth of linting a folder of 10,000 of them.
fn read_file(path: &Path) -> std::io::Result<String> {
    /// Most manifests fit: one read fills it, the next finds the end.
    const FIRST: usize = 16 * 1024;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(FIRST);
    // `Take` has no size hint to ask for, so its `read_to_end` reads straight into the buffer.
    file.take(u64::MAX).read_to_end(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        let message = format!("not UTF-8 text: {}", e.utf8_error());
        std::io::Error::new(std::io::ErrorKind::InvalidData, message)
    })
}

/// Expands the command-line paths: files as given, folders recursively to their `*.yaml`/`*.yml`
/// files in sorted order (so reports are stable), `-` as standard input.
pub fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if p.is_dir() {
            let mut files = Vec::new();
            walk(p, &mut files)?;
            out.extend(files.into_iter().map(Input::File));
        } else if p.exists() {
            out.push(Input::File(p.clone()));
        } else {
            return Err(LoadError::NotFound(p.clone()));
        }
    }
    Ok(out)
}

/// Appends the files under `dir` in the order of their paths compared component by component
/// (what sorting the whole list of paths gives): each folder's entries sorted by name, folders
/// entered where they sort. Sorting 10,000 whole paths took a tenth of linting them.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let read_err = |source| LoadError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        // Symlinked folders are not followed (they can loop): the entry's own type.
        entries.push((entry.file_name(), entry.file_type().map_err(read_err)?));
    }
    // A folder's names are unique, so an unstable sort gives the one order.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (name, ty) in entries {
        if ty.is_dir() {
            walk(&dir.join(name), out)?;
        } else if Path::new(&name)
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml")
        {
            let path = dir.join(name);
            // Only a symlink needs a `stat` to tell whether it leads to a file.
            if ty.is_file() || path.is_file() {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// One document of a stream: its first line in the file and its text.
pub struct Chunk<'t> {
    pub first_line: u64,
    pub text: &'t str,
}

/// Splits a stream at `---` lines so one broken document does not hide the others and each
/// document's lines can be offset to file lines. A `---` at column 0 always starts a document
/// (block scalars are indented), so a textual split is exact for manifests.
pub fn documents(text: &str) -> Vec<Chunk<'_>> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let (mut start, mut start_line) = (0, 0);
    // Only lines starting with `---` can be markers: jump from one to the next and count the line
    // breaks in between, rather than looking at every line (a tenth of linting a long stream).
    for newline in memchr::memmem::find_iter(bytes, b"\n---") {
        let line_start = newline + 1;
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i + 1);
        let rest = &text[line_start + 3..line_end];
        if !(rest.trim().is_empty() || rest.starts_with([' ', '\t'])) {
            continue;
        }
        let lines = memchr::memchr_iter(b'\n', &bytes[start..line_start]).count() as u64;
        chunks.push(Chunk {
            first_line: start_line,
            text: &text[start..line_start],
        });
        start = line_start;
        start_line += lines;
    }
    chunks.push(Chunk {
        first_line: start_line,
        text: &text[start..],
    });
    chunks
}

impl Chunk<'_> {
    /// The document, `None` when it is empty (only comments or markers), with file lines.
    pub fn parse(&self) -> Result<Option<Node>, YamlError> {
        // The fast reader numbers lines as in the file; the full parser's are shifted after.
        let node = match super::block::read_at(self.text, self.first_line) {
            Some(node) => node,
            None => {
                let mut node: Node =
                    crate::yaml::from_str_full(self.text).map_err(|mut e: YamlError| {
                        e.line += self.first_line;
                        e
                    })?;
                if self.first_line > 0 {
                    shift(&mut node, self.first_line);
                }
                node
            }
        };
        if node.is_null() {
            return Ok(None);
        }
        Ok(Some(node))
    }
}

fn shift(node: &mut Node, by: u64) {
    if node.line > 0 {
        node.line += by;
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, by)),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, n)| shift(n, by)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition: every line is looked at.
    fn documents_line_by_line(text: &str) -> Vec<(u64, &str)> {
        let mut chunks = Vec::new();
        let (mut start, mut start_line, mut offset) = (0, 0, 0);
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let marker = line
                .strip_prefix("---")
                .is_some_and(|rest| rest.trim().is_empty() || rest.starts_with([' ', '\t']));
            if marker && offset > start {
                chunks.push((start_line, &text[start..offset]));
                start = offset;
                start_line = i as u64;
            }
            offset += line.len();
        }
        chunks.push((start_line, &text[start..]));
        chunks
    }

    proptest::proptest! {
        #[test]
        fn markers_are_found_as_a_line_by_line_reading_finds_them(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    "---", "--- ", "---\t# c", "--- {a: 1}", "---x", "----", " ---", "...",
                    "a: 1", "", "\r", "---\r", "--- \u{a0}", "b: ---", "  - x",
                ]),
                0..12,
            ),
            final_break in proptest::bool::ANY,
        ) {
            let mut text = lines.join("\n");
            if final_break {
                text.push('\n');
            }
            let fast: Vec<(u64, &str)> = documents(&text).iter().map(|c| (c.first_line, c.text)).collect();
            proptest::prop_assert_eq!(fast, documents_line_by_line(&text));
        }
    }

    #[test]
    fn splits_documents_with_file_lines() {
        // The fast reader numbers `b`'s lines itself; the full parser's (`d`, and the aliases
        // of `e`/`f`) are shifted.
        let text = "# c\n---\na: 1\n---\n---\nb:\n  c: 2\n--- {d: 3}\n---\ne: &x 1\nf: *x\n";
        let docs: Vec<Node> = documents(text)
            .iter()
            .filter_map(|c| c.parse().unwrap())
            .collect();
        assert_eq!(docs.len(), 4);
        assert_eq!(docs[0].get("a").unwrap().line, 3);
        assert_eq!(docs[1].get("b").unwrap().get("c").unwrap().line, 7);
        assert_eq!(docs[2].get("d").unwrap().line, 8);
        assert_eq!(docs[3].get("f").unwrap().line, 11);
    }

    #[test]
    fn a_broken_document_reports_its_file_line() {
        let text = "a: 1\n---\nb: [\n";
        let chunks = documents(text);
        assert!(chunks[0].parse().is_ok());
        let err = chunks[1].parse().unwrap_err();
        assert!(err.line >= 3, "{err}");
        assert!(!err.message.contains("line"), "{err}");
        let dup = documents("a: 1\na: 2\n")[0].parse().unwrap_err();
        assert_eq!(dup.line, 2, "{dup}");
    }

    #[test]
    fn files_are_read_whole_and_must_be_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join("long.yaml");
        // Longer than the first read, so the buffer grows.
        let text = "a: 1\n".repeat(10_000);
        std::fs::write(&long, &text).unwrap();
        assert_eq!(Input::File(long).read().unwrap(), text);
        let latin1 = dir.path().join("latin1.yaml");
        std::fs::write(&latin1, b"name: caf\xe9\n").unwrap();
        let err = Input::File(latin1.clone()).read().unwrap_err().to_string();
        assert!(err.starts_with(&latin1.display().to_string()), "{err}");
        assert!(err.contains("not UTF-8 text"), "{err}");
        assert!(err.contains("from index 9"), "{err}");
    }

    #[test]
    fn folders_expand_to_sorted_yaml_files_recursively() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["b", "b/c"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        // `b/c/…` sorts before `b/c-d.yaml` component by component, after it byte by byte.
        for f in [
            "z.yaml",
            "a.yml",
            "notes.txt",
            "b/c.yaml",
            "b/c-d.yaml",
            "b/c/e.yaml",
        ] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            // A link to a file is read; a dangling link and a link to a folder are not.
            symlink("z.yaml", dir.path().join("y.yaml")).unwrap();
            symlink("gone.yaml", dir.path().join("x.yaml")).unwrap();
            symlink("b", dir.path().join("w.yaml")).unwrap();
        }
        let found: Vec<String> = inputs(&[dir.path().to_path_buf()])
            .unwrap()
            .iter()
            .map(|i| {
                i.label()
                    .trim_start_matches(&dir.path().display().to_string())
                    .to_string()
            })
            .collect();
        let mut expected = vec![
            "/a.yml",
            "/b/c/e.yaml",
            "/b/c-d.yaml",
            "/b/c.yaml",
            "/z.yaml",
        ];
        if cfg!(unix) {
            expected.insert(4, "/y.yaml");
        }
        assert_eq!(found, expected);
        assert!(matches!(
            inputs(&[PathBuf::from("-")]).unwrap()[..],
            [Input::Stdin]
        ));
    }
}
