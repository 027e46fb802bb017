//! Spec conformance: lint accepts every upstream example and rejects every upstream invalid
//! example for the reason the file is about. Reads `../shared/gateway-api/` when present.

mod support;

use std::path::{Path, PathBuf};

use support::yaml_files;

use traffic_engineer::finding::Severity;
use traffic_engineer::lint::{format_human, lint_paths, Channel, LintOptions, Report};

/// Invalid example (relative to `invalid-examples/`) → the rule that must report it.
const EXPECTED: &[(&str, &str)] = &[
    (
        "standard/gateway/duplicate-listeners.yaml",
        "duplicate-entry",
    ),
    (
        "standard/gateway/hostname-tcp.yaml",
        "listener-hostname-forbidden",
    ),
    (
        "standard/gateway/hostname-udp.yaml",
        "listener-hostname-forbidden",
    ),
    ("standard/gateway/invalid-addresses.yaml", "invalid-address"),
    (
        "standard/gateway/invalid-listener-name.yaml",
        "invalid-name",
    ),
    (
        "standard/gateway/invalid-listener-port.yaml",
        "value-out-of-range",
    ),
    (
        "standard/gateway/invalid-tls-mode.yaml",
        "listener-tls-mode",
    ),
    (
        "standard/gateway/tlsconfig-tcp.yaml",
        "listener-tls-forbidden",
    ),
    (
        "standard/gatewayclass/invalid-controller.yaml",
        "invalid-value",
    ),
    (
        "standard/httproute/duplicate-header-match.yaml",
        "duplicate-entry",
    ),
    (
        "standard/httproute/duplicate-query-match.yaml",
        "duplicate-entry",
    ),
    (
        "standard/httproute/httproute-portless-backend.yaml",
        "backend-port-required",
    ),
    (
        "standard/httproute/httproute-portless-service.yaml",
        "backend-port-required",
    ),
    (
        "standard/httproute/invalid-backend-group.yaml",
        "invalid-value",
    ),
    (
        "standard/httproute/invalid-backend-kind.yaml",
        "invalid-value",
    ),
    (
        "standard/httproute/invalid-backend-port.yaml",
        "value-out-of-range",
    ),
    (
        "standard/httproute/invalid-filter-duplicate-header.yaml",
        "duplicate-entry",
    ),
    (
        "standard/httproute/invalid-filter-duplicate.yaml",
        "duplicate-filter",
    ),
    (
        "standard/httproute/invalid-filter-empty.yaml",
        "filter-field-mismatch",
    ),
    (
        "standard/httproute/invalid-filter-wrong-field.yaml",
        "filter-field-mismatch",
    ),
    (
        "standard/httproute/invalid-header-name.yaml",
        "invalid-header",
    ),
    (
        "standard/httproute/invalid-hostname.yaml",
        "invalid-hostname",
    ),
    (
        "standard/httproute/invalid-httpredirect-hostname.yaml",
        "invalid-hostname",
    ),
    ("standard/httproute/invalid-method.yaml", "invalid-value"),
    (
        "standard/httproute/invalid-path-alphanum-specialchars-mix.yaml",
        "invalid-path",
    ),
    (
        "standard/httproute/invalid-path-specialchars.yaml",
        "invalid-path",
    ),
    (
        "standard/httproute/invalid-request-redirect-with-backendref.yaml",
        "redirect-with-backends",
    ),
    ("standard/referencegrant/missing-from.yaml", "missing-field"),
    ("standard/referencegrant/missing-ns.yaml", "missing-field"),
    ("standard/referencegrant/missing-to.yaml", "missing-field"),
    (
        "standard/tlsroute/invalid-hostname.yaml",
        "invalid-hostname",
    ),
    ("standard/tlsroute/no-hostname.yaml", "missing-field"),
    (
        "experimental/httproute/invalid-filter-externalauth-bad-http-path.yaml",
        "invalid-path",
    ),
    (
        "experimental/httproute/invalid-filter-externalauth-empty.yaml",
        "filter-field-mismatch",
    ),
    (
        "experimental/httproute/invalid-filter-externalauth-no-protocol.yaml",
        "missing-field",
    ),
    (
        "experimental/httproute/invalid-header-value.yaml",
        "invalid-header",
    ),
];

fn spec_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/gateway-api");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} is absent, spec conformance not checked",
            dir.display()
        );
        None
    }
}

fn lint(file: &Path, channel: Channel) -> Report {
    lint_paths(
        &[file.to_path_buf()],
        &LintOptions {
            channel,
            ..Default::default()
        },
    )
    .unwrap()
}

fn errors(report: &Report) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule.as_str())
        .collect()
}

fn assert_accepted(dir: &Path, channel: Channel) {
    let files = yaml_files(dir);
    assert!(!files.is_empty());
    let mut failures = String::new();
    for file in files {
        let report = lint(&file, channel);
        if report.has_errors() {
            failures.push_str(&format_human(&report, false));
        }
    }
    assert!(
        failures.is_empty(),
        "examples rejected on {channel:?}:\n{failures}"
    );
}

/// Every folder under `dir` (itself included) that holds YAML files, with those files.
fn folders(dir: &Path) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let mut sets: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for file in yaml_files(dir) {
        let folder = file.parent().unwrap().to_path_buf();
        match sets.iter_mut().find(|(f, _)| *f == folder) {
            Some((_, files)) => files.push(file),
            None => sets.push((folder, vec![file])),
        }
    }
    sets
}

/// The one error of a folder set, and a true one: `http-redirect-path.yaml` redirects every
/// path of `my-filter.example.com` to `/foo` on the same listener, and `/foo` again; alone its
/// Gateway is missing, with `http-redirect.yaml` (which defines the Gateway) the loop shows.
fn known_loop(f: &traffic_engineer::finding::Finding) -> bool {
    f.rule == "redirect-loop"
        && f.file
            .as_deref()
            .is_some_and(|file| file.ends_with("standard/http-redirect-path.yaml"))
}

/// Each folder's files linted together, as one set (its Gateways, routes, grants and
/// namespaces meet in the cross-resource analysis), and the whole tree as one set, have no
/// errors either but the known loop. Returns how many sets report the known loop.
fn assert_folders_accepted(dir: &Path, channel: Channel) -> usize {
    let mut failures = String::new();
    let mut sets = folders(dir);
    assert!(sets.len() > 5, "{sets:?}");
    sets.push((dir.to_path_buf(), yaml_files(dir)));
    let mut loops = 0;
    for (_, files) in &sets {
        let report = lint_paths(
            files,
            &LintOptions {
                channel,
                ..Default::default()
            },
        )
        .unwrap();
        let errors = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error);
        let (known, other): (Vec<_>, Vec<_>) = errors.partition(|f| known_loop(f));
        loops += known.len();
        if !other.is_empty() {
            failures.push_str(&format_human(&report, false));
        }
    }
    assert!(
        failures.is_empty(),
        "example folders rejected on {channel:?}:\n{failures}"
    );
    loops
}

#[test]
fn example_folders_pass_as_sets() {
    let Some(dir) = spec_dir() else { return };
    // The loop shows in the folder of both files and in the whole tree, once each.
    let standard = assert_folders_accepted(&dir.join("examples/standard"), Channel::Standard);
    assert_eq!(standard, 2);
    assert_folders_accepted(&dir.join("examples"), Channel::Experimental);
}

#[test]
fn standard_examples_pass_on_standard() {
    let Some(dir) = spec_dir() else { return };
    assert_accepted(&dir.join("examples/standard"), Channel::Standard);
}

#[test]
fn all_examples_pass_on_experimental() {
    let Some(dir) = spec_dir() else { return };
    assert_accepted(&dir.join("examples"), Channel::Experimental);
}

#[test]
fn experimental_examples_are_not_all_accepted_on_standard() {
    let Some(dir) = spec_dir() else { return };
    // The v1alpha2/v1alpha3 TLSRoutes are not served on standard.
    let report = lint(
        &dir.join("examples/experimental/v1alpha2/tls-routing/tls-route.yaml"),
        Channel::Standard,
    );
    assert_eq!(errors(&report), ["api-version-not-served"]);
}

#[test]
fn invalid_examples_are_rejected_for_their_reason() {
    let Some(dir) = spec_dir() else { return };
    let root = dir.join("invalid-examples");
    let files = yaml_files(&root);
    let mut failures = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let expected = EXPECTED.iter().find(|(f, _)| *f == rel).map(|(_, r)| *r);
        let Some(expected) = expected else {
            failures.push(format!("{rel}: no expected rule in the table"));
            continue;
        };
        // Standard invalid examples are invalid on both channels; experimental ones on experimental.
        let channels: &[Channel] = if rel.starts_with("standard/") {
            &[Channel::Standard, Channel::Experimental]
        } else {
            &[Channel::Experimental]
        };
        for &channel in channels {
            let report = lint(file, channel);
            if !errors(&report).contains(&expected) {
                failures.push(format!(
                    "{rel} on {channel:?}: expected {expected}, got:\n{}",
                    format_human(&report, false)
                ));
            }
        }
    }
    assert_eq!(files.len(), EXPECTED.len(), "table and folder differ");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn header_value_pattern_is_experimental_only() {
    let Some(dir) = spec_dir() else { return };
    let file = dir.join("invalid-examples/experimental/httproute/invalid-header-value.yaml");
    assert!(!lint(&file, Channel::Standard).has_errors());
    // The ExternalAuth examples fail on standard too, for a different reason.
    let file =
        dir.join("invalid-examples/experimental/httproute/invalid-filter-externalauth-empty.yaml");
    assert_eq!(
        errors(&lint(&file, Channel::Standard)),
        ["experimental-field"]
    );
}
