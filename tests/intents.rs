//! The generator's intents from flags, checked by tracing requests through what it emits: the
//! redirect pair redirects HTTP and serves HTTPS, a header rule reaches v2 and the rest v1, a
//! canary gets its share; and the flag combinations that cannot be right are refused.

use assert_cmd::Command;
use predicates::prelude::*;
use traffic_engineer::lint::{load_sources, LintOptions};
use traffic_engineer::traffic::{Outcome, Probe, Trace};

/// `generate` for task-api in single-dev with `args`.
fn te(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("traffic-engineer").unwrap();
    cmd.args(["generate", "--no-input", "--context", "single-dev"])
        .args(["--service", "task-api", "--port", "8000"])
        .args(args);
    cmd
}

fn generate(args: &[&str]) -> String {
    let out = te(args).assert().code(0).get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn trace(yaml: &str, url: &str, headers: &[&str]) -> Trace {
    let (report, model) = load_sources(&[("out.yaml", yaml)], &LintOptions::default());
    assert!(!report.has_errors(), "{:?}", report.findings);
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    model
        .trace(&Probe::new(url, None, &headers).unwrap(), None)
        .unwrap()
}

#[test]
fn https_redirect_redirects_http_and_serves_https() {
    let yaml = generate(&[
        "--https",
        "--tls-secret",
        "tls",
        "--https-redirect",
        "--hostname",
        "app.example.com",
    ]);
    let http = trace(&yaml, "http://app.example.com/x?y=1", &[]);
    assert_eq!(http.outcome, Outcome::Redirected);
    let redirect = http.redirect.unwrap();
    assert_eq!(
        (redirect.status, redirect.location.as_str()),
        (301, "https://app.example.com/x?y=1")
    );
    let https = trace(&yaml, "https://app.example.com/x", &[]);
    assert_eq!(
        https.main_backend().as_deref(),
        Some("task-api/task-api:8000")
    );
}

#[test]
fn a_header_rule_reaches_v2_and_the_rest_the_service() {
    let yaml = generate(&[
        "--header",
        "X-API-Version=2",
        "--backend",
        "task-api-v2:8000",
    ]);
    let v2 = trace(&yaml, "http://any.example.com/a", &["X-API-Version: 2"]);
    assert_eq!(
        v2.main_backend().as_deref(),
        Some("task-api/task-api-v2:8000")
    );
    let rest = trace(&yaml, "http://any.example.com/a", &[]);
    assert_eq!(
        rest.main_backend().as_deref(),
        Some("task-api/task-api:8000")
    );
    let none = generate(&[
        "--header",
        "X-API-Version=2",
        "--backend",
        "task-api-v2:8000",
        "--no-default-rule",
    ]);
    assert_eq!(
        trace(&none, "http://any.example.com/a", &[]).outcome,
        Outcome::NotFound
    );
}

#[test]
fn rules_keep_their_order_and_the_canary_gets_its_share() {
    let yaml = generate(&[
        "--rule",
        "prefix:/api method:POST -> writer:8000",
        "--rule",
        "prefix:/api -> reader:8000=3 reader-b:8000=1",
        "--canary",
        "task-api-canary:8000=10",
    ]);
    let post = Probe::new("http://x.example.com/api/items", Some("POST"), &[]).unwrap();
    let (_, model) = load_sources(&[("out.yaml", &yaml)], &LintOptions::default());
    assert_eq!(
        model.trace(&post, None).unwrap().main_backend().as_deref(),
        Some("task-api/writer:8000")
    );
    let read = trace(&yaml, "http://x.example.com/api/items", &[]);
    let shares: Vec<(String, f64)> = read
        .backends
        .iter()
        .map(|b| (b.name.clone(), b.share))
        .collect();
    assert_eq!(
        shares,
        [("reader".to_string(), 0.75), ("reader-b".to_string(), 0.25)]
    );
    let rest = trace(&yaml, "http://x.example.com/", &[]);
    let shares: Vec<(String, f64)> = rest
        .backends
        .iter()
        .map(|b| (b.name.clone(), b.share))
        .collect();
    assert_eq!(
        shares,
        [
            ("task-api".to_string(), 0.9),
            ("task-api-canary".to_string(), 0.1)
        ]
    );
}

#[test]
fn combinations_that_cannot_be_right_are_refused() {
    for (args, says) in [
        (
            &[
                "--https",
                "--tls-secret",
                "tls",
                "--redirect-scheme",
                "https",
            ][..],
            "--https-redirect",
        ),
        (&["--https-redirect"][..], "--https and --tls-secret"),
        (
            &["--rule", "prefix:/a -> x:1", "--header", "a=b"][..],
            "cannot be combined",
        ),
        (&["--rule", "prefix:/a x:1"][..], "no '->'"),
        (&["--rule", "path:/a -> x:1"][..], "'path' is not prefix"),
        (&["--canary", "c:8000"][..], "=PERCENT from 1 to 99"),
        (
            &["--canary", "c:8000=10", "--backend", "b:8000"][..],
            "already names its backends",
        ),
    ] {
        te(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn a_lone_weighted_backend_is_warned_about() {
    te(&["--backend", "task-api-canary:8000=10"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("takes 100 % of the traffic"));
}

#[test]
fn flags_over_a_request_file_change_only_their_part() {
    let out = Command::cargo_bin("traffic-engineer")
        .unwrap()
        .args([
            "generate",
            "--no-input",
            "--request",
            "examples/task-api/header-routing.yaml",
            "--path-prefix",
            "/v2/",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let yaml = String::from_utf8(out).unwrap();
    // Rule 0 keeps its header match with the new path; rule 1 is untouched.
    let v2 = trace(&yaml, "http://api.example.com/v2/x", &["X-API-Version: 2"]);
    assert_eq!(
        v2.main_backend().as_deref(),
        Some("task-api/task-api-v2:8000")
    );
    let v1 = trace(&yaml, "http://api.example.com/api/x", &[]);
    assert_eq!(
        v1.main_backend().as_deref(),
        Some("task-api/task-api-v1:8000")
    );
}
