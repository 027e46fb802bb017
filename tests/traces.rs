//! Golden trace cases as data: every `tests/traces/NAME/` holds `manifests.yaml` and `cases.yaml`
//! (the `test --cases` format), expectations written from the spec text named in the manifests'
//! comments. Adding a case is adding a folder, or a case to a `cases.yaml`.

use std::path::{Path, PathBuf};

use traffic_engineer::lint::{load_paths, LintOptions};
use traffic_engineer::traffic::cases::parse_cases;
use traffic_engineer::traffic::{run_cases, Model, Probe};

fn folders() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces");
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/traces")
        .join(name)
}

fn model(folder: &Path) -> Model {
    load_paths(&[folder.join("manifests.yaml")], &LintOptions::default())
        .unwrap()
        .1
}

#[test]
fn golden_trace_cases_pass() {
    let folders = folders();
    assert!(folders.len() >= 7, "the trace cases are missing");
    let mut failures = Vec::new();
    let mut count = 0;
    for folder in &folders {
        let model = model(folder);
        let cases = parse_cases(&std::fs::read_to_string(folder.join("cases.yaml")).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        for report in run_cases(&model, &cases).unwrap() {
            count += 1;
            if !report.passed {
                failures.push(format!(
                    "{}: {}\n  {}\n{}",
                    folder.file_name().unwrap().to_string_lossy(),
                    report.name,
                    report.failures.join("\n  "),
                    report.trace.text()
                ));
            }
        }
    }
    assert!(count >= 40, "only {count} trace cases ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_wrong_expectation_fails_with_what_differs() {
    let model = model(&folder("http-precedence"));
    let cases = parse_cases(
        "- url: http://www.example.com/api/v2/health\n  expect: {backend: api-v2:80, status: 404, route: nope}\n",
    )
    .unwrap();
    let report = &run_cases(&model, &cases).unwrap()[0];
    assert!(!report.passed);
    assert_eq!(
        report.failures,
        [
            "status: expected 404, got 200",
            "backend: expected api-v2:80, got app/health:80",
            "route: expected nope, got paths",
        ]
    );
}

#[test]
fn unknown_keys_name_the_case_and_the_key() {
    let err = parse_cases("- url: http://a/\n  expect: {}\n- name: second\n  url: http://a/\n  expect: {backnd: x:1}\n").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("case 1 (\"second\")"), "{text}");
    assert!(text.contains("backnd"), "{text}");
    assert!(parse_cases("url: x").is_err());
}

#[test]
fn trace_json_has_every_documented_key() {
    let model = model(&folder("http-precedence"));
    let probe = Probe::new("http://www.example.com/api/v2/x?debug=1", None, &[]).unwrap();
    let trace = serde_json::to_value(model.trace(&probe, None).unwrap()).unwrap();
    for key in [
        "outcome",
        "gateway",
        "listener",
        "route",
        "rule",
        "match",
        "backends",
        "request",
        "mirrors",
        "candidates",
    ] {
        assert!(trace.get(key).is_some(), "{key} missing in {trace}");
    }
    assert_eq!(trace["outcome"], "forwarded");
    assert_eq!(trace["gateway"], "infra/gw");
    assert_eq!(trace["route"], "HTTPRoute/app/paths");
    assert_eq!(trace["rule"], 6);
    assert_eq!(
        trace["backends"][0],
        serde_json::json!({"group": "", "kind": "Service", "namespace": "app", "name": "debug", "port": 80, "weight": 1, "share": 1.0})
    );
    // Every other rule that matches is listed with why it lost.
    let losers: Vec<(u64, &str)> = trace["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["rule"].as_u64().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        losers,
        [
            (2, "the winner has more query parameter matches"),
            (1, "the winner has a longer path"),
            (0, "the winner has a longer path"),
        ]
    );
}

#[test]
fn mirrors_carry_their_share() {
    let model = model(&folder("filters"));
    let probe = Probe::new("http://app.example.com:8080/api/x", None, &[]).unwrap();
    let trace = serde_json::to_value(model.trace(&probe, None).unwrap()).unwrap();
    assert_eq!(trace["mirrors"][0]["name"], "shadow");
    assert_eq!(trace["mirrors"][0]["share"], 0.25);
    assert_eq!(
        trace["filters"],
        serde_json::json!(["URLRewrite", "RequestHeaderModifier", "RequestMirror"])
    );
    assert_eq!(trace["request"]["url"], "http://api.internal:8080/x");
}

#[test]
fn redirect_to_a_listener_url_is_written_like_a_location_header() {
    let model = model(&folder("redirect-loop"));
    let probe = Probe::new("https://blog.home.example.com/a?b=c", None, &[]).unwrap();
    let trace = model.trace(&probe, None).unwrap();
    let json = serde_json::to_value(&trace).unwrap();
    assert_eq!(json["outcome"], "redirected");
    assert_eq!(
        json["redirect"],
        serde_json::json!({"status": 301, "location": "https://blog.home.example.com/a?b=c"})
    );
    assert_eq!(json["listener"], "web-tls");
}
