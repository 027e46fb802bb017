//! Conversion fixtures: each `tests/convert/NAME/` holds `input.yaml` (Ingress or IngressRoute
//! manifests written from the Ingress, ingress-nginx and Traefik documentation), `options.yaml`
//! (the context), and `expected.snap` (the output and its findings, reviewed with `cargo insta
//! review`). Every output must be accepted by the CRDs, lint clean, and route the sample requests
//! where the source did, except the differences a fixture lists in `known-differences.txt`.

mod support;

use predicates::prelude::PredicateBooleanExt;
use std::path::{Path, PathBuf};
use traffic_engineer::context::Profiles;
use traffic_engineer::convert::{convert, Conversion, Options};
use traffic_engineer::finding::Severity;
use traffic_engineer::lint::{lint_sources, LintOptions};
use traffic_engineer::render::Templates;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/convert");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn run(dir: &Path) -> Conversion {
    let input = std::fs::read_to_string(dir.join("input.yaml")).unwrap();
    let opts: Options = traffic_engineer::yaml::from_str(
        &std::fs::read_to_string(dir.join("options.yaml")).unwrap(),
    )
    .unwrap();
    convert(
        &[("input.yaml", &input)],
        &opts,
        &Profiles::built_in(),
        &Templates::load(None).unwrap(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

/// What a user sees: the manifests, then the findings.
fn shown(c: &Conversion) -> String {
    let mut out = c.bundle.yaml_stream();
    for f in &c.bundle.findings {
        let on = f
            .resource
            .as_ref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        let field = f
            .field
            .as_ref()
            .map(|x| format!(" ({x})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "# {:?}[{}]{on}{field}: {}\n",
            f.severity, f.rule, f.message
        ));
    }
    out
}

#[test]
fn fixtures_convert_to_their_reviewed_output() {
    let dirs = cases();
    assert!(dirs.len() >= 7, "the conversion fixtures were not found");
    for dir in dirs {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(format!("convert/{}", name(&dir)));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(dir.join("input.yaml"));
        settings.bind(|| insta::assert_snapshot!("expected", shown(&run(&dir))));
    }
}

#[test]
fn fixtures_route_sample_requests_as_their_source_did() {
    for dir in cases() {
        let known = std::fs::read_to_string(dir.join("known-differences.txt")).unwrap_or_default();
        let known: Vec<&str> = known.lines().filter(|l| !l.trim().is_empty()).collect();
        let conversion = run(&dir);
        for f in conversion
            .bundle
            .findings
            .iter()
            .filter(|f| f.rule == "convert-not-equivalent")
        {
            assert!(
                known.iter().any(|k| f.message.contains(k)),
                "{}: {}",
                name(&dir),
                f.message
            );
        }
    }
}

#[test]
fn fixture_outputs_are_lint_clean() {
    for dir in cases() {
        let conversion = run(&dir);
        let docs: Vec<(&str, &str)> = conversion
            .bundle
            .documents
            .iter()
            .map(|d| (d.path.as_str(), d.yaml.as_str()))
            .collect();
        let report = lint_sources(&docs, &LintOptions::default());
        let problems: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            // A shared Gateway is not part of the output by design.
            .filter(|f| f.rule != "parent-not-in-set")
            .collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", name(&dir));
    }
}

#[test]
fn fixture_outputs_are_accepted_by_the_crds() {
    let Some(crds) = support::crd::crds("standard") else {
        return;
    };
    let mut checked = 0;
    for dir in cases() {
        for doc in &run(&dir).bundle.documents {
            if let Err(errors) = crds.validate(&doc.value) {
                panic!(
                    "{}: {} rejected:\n{}\n{}",
                    name(&dir),
                    doc.path,
                    errors.join("\n"),
                    doc.yaml
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} documents were checked");
}

fn cli() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("traffic-engineer").unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/convert")
        .join(name)
        .join("input.yaml")
}

/// `--strict` fails on what was not carried over; without it the same input converts (exit 0).
#[test]
fn strict_exits_1_when_something_is_not_carried_over() {
    let input = fixture("nginx-annotations");
    cli()
        .args(["convert", "--context", "single-dev"])
        .arg(&input)
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "warning[convert-annotation-unsupported]",
        ));
    cli()
        .args(["convert", "--context", "single-dev", "--strict"])
        .arg(&input)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--strict: 1 finding(s)"));
    cli()
        .args(["convert", "--context", "single-dev", "--strict"])
        .arg(fixture("nginx-tls-redirect-canary"))
        .assert()
        .code(0);
}

/// stdin like lint, JSON like generate, and `--out-dir --check` as the CI gate.
#[test]
fn reads_stdin_and_shares_generates_outputs() {
    let text = std::fs::read_to_string(fixture("traefik-rules-old-api")).unwrap();
    let out = cli()
        .args([
            "convert",
            "-",
            "--context",
            "single-dev",
            "--output",
            "json",
        ])
        .write_stdin(text.clone())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["requests"].as_array().unwrap().len(), 1);
    assert!(json["yaml"].as_str().unwrap().contains("kind: HTTPRoute"));
    let dir = tempfile::tempdir().unwrap();
    let convert_into = |extra: &[&str]| {
        cli()
            .args(["convert", "-", "--context", "single-dev", "--out-dir"])
            .arg(dir.path())
            .args(extra)
            .write_stdin(text.clone())
            .assert()
    };
    convert_into(&["--check"]).code(1);
    convert_into(&["--yes"]).code(0);
    convert_into(&["--check"]).code(0);
    assert!(dir.path().join("store/httproute-store.yaml").exists());
}

#[test]
fn input_without_sources_is_a_usage_error() {
    cli()
        .args(["convert", "-", "--context", "single-dev"])
        .write_stdin("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nothing to convert"));
    cli()
        .args(["convert", "/no/such/file.yaml", "--context", "single-dev"])
        .assert()
        .code(2);
}

/// `--gateway-api` reaches the conversion: CORS on a release without the filter is not carried
/// over (exit 1 under `--strict`), and a release that does not exist is bad input (exit 2).
#[test]
fn gateway_api_decides_what_is_carried_over() {
    let input = fixture("nginx-cors-defaults");
    cli()
        .args(["convert", "--context", "single-dev", "--strict"])
        .arg(&input)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("type: CORS"));
    cli()
        .args(["convert", "--context", "single-dev", "--strict"])
        .args(["--gateway-api", "v1.4"])
        .arg(&input)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("CORS").not())
        .stderr(predicates::str::contains(
            "warning[convert-cors-not-converted]",
        ));
    cli()
        .args([
            "convert",
            "--context",
            "single-dev",
            "--gateway-api",
            "v1.9",
        ])
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("(--gateway-api) = \"v1.9\""));
}
