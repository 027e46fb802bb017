//! Data-driven lint cases: every `tests/lint-cases/NAME/` holds `input.yaml` and `expected.txt`,
//! one line per expected finding: `severity rule resource field` (`-` when there is no field).
//! Lines starting with `#` are comments. A case runs on the standard channel unless its folder has
//! a file `experimental`. A case may also hold `human.txt`, the whole human-readable report
//! (messages, lines, hints). Adding a case is adding a folder; `BLESS=1 cargo test --test
//! lint_cases` writes the actual findings (and existing `human.txt` files) for review.

use std::path::Path;

use traffic_engineer::door::Door;
use traffic_engineer::finding::{Finding, Severity};
use traffic_engineer::lint::{explain, format_human, lint_str, Channel, LintOptions, Report};

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

fn lint_case(name: &str) -> Report {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lint-cases")
        .join(name);
    let input = std::fs::read_to_string(case.join("input.yaml"))
        .unwrap_or_else(|e| panic!("lint case {name}: {e}"));
    let channel = if case.join("experimental").exists() {
        Channel::Experimental
    } else {
        Channel::Standard
    };
    let options = LintOptions {
        channel,
        ..Default::default()
    };
    lint_str(&input, "input.yaml", &options)
}

/// Each predictable reason of `tests/lint-cases/REASONS.txt` is printed with its condition, on
/// the object that carries it, with the severity the prediction calls for (what makes an object
/// not accepted, not resolved or conflicted is an error), and its near miss does not predict it.
#[test]
fn every_predictable_reason_has_a_near_miss_pair() {
    let table = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint-cases/REASONS.txt");
    let table = std::fs::read_to_string(table).unwrap();
    let rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(rows.len() >= 30, "REASONS.txt lost rows");
    let mut failures = Vec::new();
    for row in rows {
        let [kind, condition, reason, broken, fixed] = row[..] else {
            panic!("REASONS.txt: malformed row {row:?}");
        };
        let (type_, status) = condition.split_once('=').unwrap();
        let predicts = |f: &Finding| {
            f.resource.as_ref().is_some_and(|r| r.kind == kind)
                && f.condition
                    .as_ref()
                    .is_some_and(|c| c.type_ == type_ && c.status == status && c.reason == reason)
        };
        let severity = match (type_, status) {
            ("Accepted" | "ResolvedRefs", "False") | ("Conflicted", "True") => Severity::Error,
            ("Accepted", "Unknown") => Severity::Note,
            _ => Severity::Warning,
        };
        let said = lint_case(broken).findings;
        match said.iter().find(|f| predicts(f)) {
            None => failures.push(format!(
                "{broken}: no {kind} finding predicts {type_}={status} ({reason})"
            )),
            Some(f) if f.severity != severity => failures.push(format!(
                "{broken}: {reason} is a {:?}, not a {severity:?}",
                f.severity
            )),
            Some(_) => {}
        }
        if let Some(f) = lint_case(fixed).findings.iter().find(|f| predicts(f)) {
            failures.push(format!(
                "{fixed} (near miss of {broken}) still predicts {reason}: {}",
                f.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The cases rebuilt from field reports (`../shared/field-cases`, copied in whole) say on their
/// first line what a controller does with the set: `# expect: clean` (no failure condition), or
/// the reasons it sets. Lint predicts exactly that: each reason, and no failure for a clean set.
#[test]
fn field_cases_get_the_status_their_report_describes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint-cases");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let case = entry.unwrap().path();
        let Ok(input) = std::fs::read_to_string(case.join("input.yaml")) else {
            continue;
        };
        let Some(expect) = input
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
        else {
            continue;
        };
        seen += 1;
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let failures: Vec<String> = lint_case(&name)
            .findings
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .filter_map(|f| f.condition.map(|c| c.reason))
            .collect();
        match expect.trim() {
            "clean" => assert!(
                failures.is_empty(),
                "{name}: expected clean, predicted {failures:?}"
            ),
            reasons => {
                for reason in reasons.split(',').map(str::trim) {
                    assert!(
                        failures.iter().any(|r| r == reason),
                        "{name}: {reason} not predicted ({failures:?})"
                    );
                }
            }
        }
    }
    assert!(
        seen >= 3,
        "the field cases are missing from tests/lint-cases"
    );
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
        let report = lint_case(&name);
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
