//! Data-driven lint cases: every `tests/lint-cases/NAME/` holds `input.yaml` and `expected.txt`,
//! one line per expected finding: `severity rule resource field` (`-` when there is no field).
//! Lines starting with `#` are comments. A case runs on the standard channel unless its folder has
//! a file `experimental`. A case may also hold `human.txt`, the whole human-readable report
//! (messages, lines, hints). Adding a case is adding a folder; `BLESS=1 cargo test --test
//! lint_cases` writes the actual findings (and existing `human.txt` files) for review.

use std::path::Path;

use traffic_engineer::door::Door;
use traffic_engineer::finding::Finding;
use traffic_engineer::lint::{explain, format_human, lint_str, Channel, LintOptions};

fn line(f: &Finding) -> String {
    let resource = f
        .resource
        .as_ref()
        .map_or("-".to_string(), ToString::to_string);
    let severity = serde_json::to_value(f.severity).unwrap();
    format!(
        "{} {} {resource} {}",
        severity.as_str().unwrap(),
        f.rule,
        f.field.as_deref().unwrap_or("-")
    )
}

#[test]
fn lint_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint-cases");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let input = std::fs::read_to_string(case.join("input.yaml")).unwrap();
        let channel = if case.join("experimental").exists() {
            Channel::Experimental
        } else {
            Channel::Standard
        };
        let report = lint_str(
            &input,
            "input.yaml",
            &LintOptions {
                channel,
                ..Default::default()
            },
        );
        for f in &report.findings {
            assert!(
                explain(&f.rule).is_some(),
                "{name}: rule {} has no documentation",
                f.rule
            );
        }
        let actual: String = report.findings.iter().map(|f| line(f) + "\n").collect();
        let expected_path = case.join("expected.txt");
        let human_path = case.join("human.txt");
        // As `traffic-engineer lint` prints it: settings named as flags.
        let human = Door::Flags.text(&format_human(&report, false));
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            if human_path.exists() {
                std::fs::write(&human_path, &human).unwrap();
            }
            continue;
        }
        if let Ok(expected_human) = std::fs::read_to_string(&human_path) {
            if human != expected_human {
                let diff = similar::TextDiff::from_lines(&expected_human, &human);
                failures.push(format!(
                    "case {name}, human.txt (- expected, + actual):\n{}",
                    diff.unified_diff()
                ));
            }
        }
        let expected_text = std::fs::read_to_string(&expected_path).unwrap_or_default();
        let expected: String = expected_text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        if actual != expected {
            let diff = similar::TextDiff::from_lines(&expected, &actual);
            failures.push(format!(
                "case {name} (- expected, + actual):\n{}",
                diff.unified_diff()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
