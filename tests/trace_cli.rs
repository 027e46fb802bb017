//! `trace`, `test` and `schema --cases` as a user runs them: output, JSON and exit codes.

use assert_cmd::Command;
use predicates::prelude::*;

fn te() -> Command {
    let mut cmd = Command::cargo_bin("traffic-engineer").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

const SET: &str = "tests/traces/redirect-loop/manifests.yaml";

#[test]
fn trace_prints_the_steps_and_the_outcome_and_exits_0_whatever_it_is() {
    te().args(["trace", SET, "--url", "https://podinfo.home.example.com/x"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "listener \"web-tls\" (HTTPS on port 443, hostname *.home.example.com matches podinfo.home.example.com)",
        ))
        .stdout(predicate::str::contains("route HTTPRoute/default/podinfo rule 0 match 0 wins over 1 other"))
        .stdout(predicate::str::contains("the winner's hostname podinfo.home.example.com is more specific than *.home.example.com"))
        .stdout(predicate::str::ends_with("=> forwarded to default/podinfo:9898\n"));
    te().args(["trace", SET, "--url", "http://other.example.org/"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "=> no listener: no listener takes HTTP on port 80 for host other.example.org",
        ));
}

#[test]
fn trace_json_is_one_object() {
    let out = te()
        .args([
            "trace",
            "-",
            "--url",
            "http://a.home.example.com/",
            "--output",
            "json",
        ])
        .write_stdin(std::fs::read_to_string(SET).unwrap())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["outcome"], "redirected");
    assert_eq!(v["route"], "HTTPRoute/default/force-https");
    assert_eq!(v["redirect"]["location"], "https://a.home.example.com/");
}

#[test]
fn trace_refuses_bad_input_with_exit_2() {
    for args in [
        vec!["trace", SET, "--url", "app.example.com/"],
        vec!["trace", SET, "--url", "http://a/", "-H", "no colon"],
        vec!["trace", "no/such/file.yaml", "--url", "http://a/"],
        vec!["trace", SET, "--url", "http://a/", "--gateway", "nope/gw"],
    ] {
        te().args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with("error: "));
    }
}

#[test]
fn test_reports_each_case_and_exits_1_on_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.yaml");
    std::fs::write(
        &cases,
        "- name: redirect\n  url: http://podinfo.home.example.com/\n  expect: {status: 301, location: \"https://podinfo.home.example.com/\"}\n- name: served\n  url: https://podinfo.home.example.com/\n  expect: {backend: podinfo:9898}\n",
    )
    .unwrap();
    te().args(["test", "--cases", cases.to_str().unwrap(), SET])
        .assert()
        .code(0)
        .stdout("PASS redirect\nPASS served\n2 passed, 0 failed\n");
    std::fs::write(
        &cases,
        "- name: wrong\n  url: https://blog.home.example.com/\n  expect: {backend: podinfo:9898}\n",
    )
    .unwrap();
    te().args(["test", "--cases", cases.to_str().unwrap(), SET])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "FAIL wrong\n  backend: expected podinfo:9898, got none (redirected)\n",
        ))
        .stdout(predicate::str::contains(
            "=> redirected: 301 Location: https://blog.home.example.com/",
        ))
        .stdout(predicate::str::ends_with("0 passed, 1 failed\n"));
    std::fs::write(&cases, "- url: http://a/\n  expect: {stauts: 200}\n").unwrap();
    te().args(["test", "--cases", cases.to_str().unwrap(), SET])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("case 0: unknown field `stauts`"));
}

#[test]
fn schema_cases_describes_the_cases_file() {
    let out = te()
        .args(["schema", "--cases"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["type"], "array");
    let case = &v["$defs"]["Case"];
    assert_eq!(case["additionalProperties"], false, "{v}");
    assert!(
        v["$defs"]["Expect"]["properties"]["location"].is_object(),
        "{v}"
    );
}
