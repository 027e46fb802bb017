//! Hostile input: mutated manifests (lines deleted, duplicated, re-indented, values replaced by
//! YAML oddities) must never crash lint, and every finding must be documented and point at a
//! line of the input.

use std::path::Path;

use proptest::prelude::*;
use traffic_engineer::lint::{explain, lint_str, Channel, LintOptions};

/// The inputs of the data-driven lint cases: every kind, valid and invalid.
fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint-cases");
    let mut texts: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|case| case.is_dir())
        .map(|case| std::fs::read_to_string(case.join("input.yaml")).unwrap())
        .collect();
    texts.sort();
    texts
}

const ODD_VALUES: [&str; 16] = [
    "",
    "~",
    "[",
    "{a: [",
    "0755",
    "yes",
    "-1",
    "1e999",
    "*nowhere",
    "&a x",
    "!!binary aGk=",
    "\"\\x00\"",
    "99999999999999999999999",
    "[1, {b: c}]",
    "'*.'",
    "- a",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Duplicate,
    Indent,
    Dedent,
    Value(usize),
}

fn mutate(text: &str, line: usize, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let i = line % lines.len();
    match m {
        Mutation::Delete => {
            lines.remove(i);
        }
        Mutation::Duplicate => lines.insert(i, lines[i].clone()),
        Mutation::Indent => lines[i].insert_str(0, "  "),
        Mutation::Dedent => lines[i] = lines[i].trim_start().to_string(),
        Mutation::Value(v) => {
            if let Some((key, _)) = lines[i].split_once(": ") {
                lines[i] = format!("{key}: {}", ODD_VALUES[v % ODD_VALUES.len()]);
            }
        }
    }
    lines.join("\n")
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Delete),
        Just(Mutation::Duplicate),
        Just(Mutation::Indent),
        Just(Mutation::Dedent),
        any::<usize>().prop_map(Mutation::Value),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_manifests_never_crash(case in any::<usize>(), edits in prop::collection::vec((any::<usize>(), mutation()), 1..4), experimental in any::<bool>()) {
        let corpus = corpus();
        let mut text = corpus[case % corpus.len()].clone();
        for (line, m) in &edits {
            text = mutate(&text, *line, m);
        }
        let channel = if experimental { Channel::Experimental } else { Channel::Standard };
        let report = lint_str(&text, "input.yaml", &LintOptions { channel, ..Default::default() });
        let lines = text.lines().count() as u64 + 1;
        for f in &report.findings {
            prop_assert!(explain(&f.rule).is_some(), "undocumented rule {}", f.rule);
            prop_assert!(f.line.is_none_or(|l| l >= 1 && l <= lines), "line {:?} outside the input: {f:?}\n{text}", f.line);
        }
    }
}
