//! Showing changes: unified diffs and the per-file summary a person reads before writing.

use std::fmt::Write as _;
use std::path::Path;

use console::style;
use similar::TextDiff;

use super::paths::slashed;
use super::{FileChange, Status};

/// A unified diff with `--- a/path` / `+++ b/path` headers (`/dev/null` for a missing file, as
/// git shows it) and 3 lines of context; empty when the texts are equal.
pub(crate) fn unified(rel: &Path, old: Option<&str>, new: Option<&str>) -> String {
    let name = slashed(rel);
    let header = |text: Option<&str>, side: &str| match text {
        Some(_) => format!("{side}/{name}"),
        None => "/dev/null".to_string(),
    };
    TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""))
        .unified_diff()
        .context_radius(3)
        .header(&header(old, "a"), &header(new, "b"))
        .to_string()
}

/// One aligned summary line per file (`new`, `changed`, `stale`, `unchanged`, `format`), then the
/// diffs; coloured when `color` (red `-`, green `+`, cyan `@@`). A stale file's diff is its
/// deletion, shown whether or not it is deleted.
pub fn format_changes(changes: &[FileChange], color: bool) -> String {
    let mut out = String::new();
    for change in changes {
        let label = format!("{:<9}", label(change.status));
        let label = match change.status {
            Status::New => style(label).green(),
            Status::Changed => style(label).yellow(),
            Status::FormattingOnly => style(label).cyan(),
            Status::Stale => style(label).red(),
            Status::Unchanged => style(label).dim(),
        };
        let _ = write!(
            out,
            "{} {}",
            label.force_styling(color),
            slashed(&change.path)
        );
        if let Some(note) = &change.note {
            let _ = write!(out, " ({note})");
        }
        out.push('\n');
    }
    for change in changes.iter().filter(|c| !c.diff.is_empty()) {
        out.push('\n');
        for line in change.diff.split_inclusive('\n') {
            out.push_str(&color_line(line, color));
        }
    }
    out
}

fn label(status: Status) -> &'static str {
    match status {
        Status::New => "new",
        Status::Changed => "changed",
        Status::Unchanged => "unchanged",
        Status::FormattingOnly => "format",
        Status::Stale => "stale",
    }
}

fn color_line(line: &str, color: bool) -> String {
    if !color {
        return line.to_string();
    }
    // Style the text without its newline so the reset code does not spill onto the next line.
    let (text, end) = line.strip_suffix('\n').map_or((line, ""), |t| (t, "\n"));
    let styled = if text.starts_with("---") || text.starts_with("+++") {
        style(text).bold()
    } else if text.starts_with("@@") {
        style(text).cyan()
    } else if text.starts_with('-') {
        style(text).red()
    } else if text.starts_with('+') {
        style(text).green()
    } else {
        style(text)
    };
    format!("{}{end}", styled.force_styling(true))
}

/// Whether to colour output going to a stream: only to a terminal, and never when `NO_COLOR` is
/// set to anything non-empty (<https://no-color.org>).
pub fn color_wanted(stream_is_tty: bool) -> bool {
    color_allowed(std::env::var_os("NO_COLOR").as_deref(), stream_is_tty)
}

// Separate from the environment so tests need not change process-wide variables.
fn color_allowed(no_color: Option<&std::ffi::OsStr>, stream_is_tty: bool) -> bool {
    stream_is_tty && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn change(path: &str, status: Status, old: Option<&str>, new: &str) -> FileChange {
        FileChange {
            path: path.into(),
            status,
            action: crate::files::Action::Write,
            diff: unified(Path::new(path), old, Some(new)),
            content: new.into(),
            old_content: old.map(Into::into),
            note: None,
        }
    }

    #[test]
    fn diff_headers_and_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let diff = unified(Path::new("p/x.yaml"), Some(old), Some(new));
        assert_eq!(
            diff,
            "--- a/p/x.yaml\n+++ b/p/x.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert!(unified(Path::new("n.yaml"), None, Some("k: v\n"))
            .starts_with("--- /dev/null\n+++ b/n.yaml\n@@ -0,0 +1 @@\n+k: v\n"));
        assert!(unified(Path::new("s.yaml"), Some("k: v\n"), None)
            .starts_with("--- a/s.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-k: v\n"));
        assert_eq!(unified(Path::new("x"), Some("same\n"), Some("same\n")), "");
    }

    #[test]
    fn summary_then_diffs_without_color() {
        let changes = [
            change("p/new.yaml", Status::New, None, "a: 1\n"),
            change("p/same.yaml", Status::Unchanged, Some("a: 1\n"), "a: 1\n"),
            change("p/ch.yaml", Status::Changed, Some("a: 1\n"), "a: 2\n"),
        ];
        let text = format_changes(&changes, false);
        assert!(text.starts_with("new       p/new.yaml\nunchanged p/same.yaml\nchanged   p/ch.yaml\n\n--- /dev/null\n"), "{text}");
        assert!(text.contains("-a: 1\n+a: 2\n"));
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn colored_diff_lines() {
        let changes = [change("x.yaml", Status::Changed, Some("a: 1\n"), "a: 2\n")];
        let text = format_changes(&changes, true);
        assert!(text.contains(&format!("{}\n", style("-a: 1").red().force_styling(true))));
        assert!(text.contains(&format!("{}\n", style("+a: 2").green().force_styling(true))));
        assert!(text.contains(&style("@@ -1 +1 @@").cyan().force_styling(true).to_string()));
    }

    #[test]
    fn no_color_and_tty() {
        assert!(color_allowed(None, true));
        assert!(color_allowed(Some(OsStr::new("")), true));
        assert!(!color_allowed(Some(OsStr::new("1")), true));
        assert!(!color_allowed(None, false));
    }
}
