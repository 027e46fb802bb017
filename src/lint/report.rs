//! The result of a lint run and its human-readable form.

use std::fmt::Write;

use serde::Serialize;

use crate::finding::{Finding, Severity};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Files (or sources) read.
    pub files: usize,
    /// Non-empty YAML documents read.
    pub documents: usize,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Orders findings by file, line, rule (then the rest, so equal keys stay deterministic).
    pub(super) fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.file, a.line, &a.rule, &a.field, &a.message)
                .cmp(&(&b.file, b.line, &b.rule, &b.field, &b.message))
        });
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `file:line: severity[rule] resource field: message` lines grouped by file, each followed by
/// its hint, then a summary line. `color` adds ANSI colours (the caller decides: TTY, NO_COLOR).
pub fn format_human(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for f in &report.findings {
        let file = f.file.as_deref().unwrap_or("-");
        if current != Some(file) {
            if current.is_some() {
                out.push('\n');
            }
            current = Some(file);
        }
        let location = match f.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        };
        let _ = write!(out, "{location}: {}", f.human(color));
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}, {}, {} in {}",
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.count(Severity::Note), "note"),
        plural(report.files, "file"),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::ResourceId;

    #[test]
    fn groups_by_file_with_hints_and_summary() {
        let f = |file: &str, line, sev, rule: &str| {
            Finding::new(sev, rule, "msg")
                .at(file, line)
                .on(Some(ResourceId {
                    kind: "HTTPRoute".into(),
                    namespace: Some("ns".into()),
                    name: "r".into(),
                }))
                .field("spec.rules[0]")
                .hint("do this")
        };
        let mut report = Report {
            findings: vec![
                f("b.yaml", 3, Severity::Warning, "shadowed-match"),
                f("a.yaml", 9, Severity::Error, "missing-field"),
                f("a.yaml", 2, Severity::Note, "unused-reference-grant"),
            ],
            files: 5,
            documents: 7,
        };
        report.sort();
        let text = format_human(&report, false);
        let expected = "a.yaml:2: note[unused-reference-grant] HTTPRoute ns/r spec.rules[0]: msg\n  hint: do this\n\
                        a.yaml:9: error[missing-field] HTTPRoute ns/r spec.rules[0]: msg\n  hint: do this\n\n\
                        b.yaml:3: warning[shadowed-match] HTTPRoute ns/r spec.rules[0]: msg\n  hint: do this\n\n\
                        1 error, 1 warning, 1 note in 5 files\n";
        assert_eq!(text, expected);
        assert!(format_human(&report, true).contains("\u{1b}["));
    }
}
