//! `traffic-engineer schema`: the JSON Schema an assistant writes requests against. It must agree
//! with the serde types the tool really reads, in both directions, on every request file we have.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

fn te() -> Command {
    Command::cargo_bin("traffic-engineer").unwrap()
}

fn printed_schema() -> Value {
    let out = te().arg("schema").assert().success().get_output().clone();
    serde_json::from_slice(&out.stdout).expect("schema prints JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&printed_schema()).expect("the schema is a valid JSON Schema")
}

/// Every request file: the examples and the golden cases.
fn request_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("examples/task-api"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    for case in std::fs::read_dir(root.join("tests/cases")).unwrap() {
        let request = case.unwrap().path().join("request.yaml");
        if request.is_file() {
            files.push(request);
        }
    }
    files.sort();
    assert!(files.len() > 10, "request files not found: {files:?}");
    files
}

#[test]
fn the_schema_is_draft_2020_12_and_closed_like_the_types() {
    let schema = printed_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(schema["description"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    // Every request type denies unknown fields, so every object in the schema must be closed.
    assert_eq!(schema["additionalProperties"], false);
    for (name, def) in schema["$defs"].as_object().unwrap() {
        if def["type"] == "object" {
            assert_eq!(def["additionalProperties"], false, "$defs/{name}: {def}");
        }
    }
}

/// The schema accepts exactly the files serde accepts: shape errors (e.g. the unknown-field case)
/// are rejected by both, value errors (bad names, missing values) pass both, since they are the
/// checks' business, not the shape's.
#[test]
fn the_schema_and_serde_agree_on_every_request_file() {
    let validator = validator();
    let mut rejected = Vec::new();
    for file in request_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let label = file.display().to_string();
        let serde_ok = traffic_engineer::request::from_text(&text, &label).is_ok();
        let value: Value = traffic_engineer::yaml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errors.is_empty(),
            serde_ok,
            "{label}: schema errors {errors:?}, serde accepts it: {serde_ok}"
        );
        if !serde_ok {
            rejected.push(label);
        }
    }
    assert!(
        rejected.iter().any(|f| f.contains("error-unknown-field")),
        "the unknown-field case must be among the rejected: {rejected:?}"
    );
}

#[test]
fn a_request_that_breaks_the_schema_is_refused_by_the_tool_too() {
    let validator = validator();
    let bad = [
        json!({"context": "single-dev", "service": "web", "port": 80, "colour": "blue"}),
        json!({"context": "single-dev", "service": "web", "port": "eighty"}),
        json!({"context": "single-dev", "service": "web", "port": 80,
               "routes": [{"rules": [{"backends": [{"name": "web", "wieght": 1}]}]}]}),
        json!({"context": "single-dev", "service": "web", "port": 80,
               "gateway": {"allowedRoutes": {"from": "Everywhere"}}}),
    ];
    for request in bad {
        assert!(!validator.is_valid(&request), "schema accepts {request}");
        let out = te()
            .args([
                "generate",
                "--no-input",
                "--request",
                "-",
                "--output",
                "json",
            ])
            .write_stdin(request.to_string())
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(out.stdout.is_empty(), "{request}");
        let error: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert!(error["error"]["message"].is_string(), "{error}");
    }
}

#[test]
fn a_json_request_on_stdin_generates_like_the_yaml_file() {
    let file = "examples/task-api/canary-split.yaml";
    let text = std::fs::read_to_string(file).unwrap();
    let request: Value = traffic_engineer::yaml::from_str(&text).unwrap();
    assert!(validator().is_valid(&request));
    let from_file = generated(&["--request", file], "");
    let from_stdin = generated(&["--request", "-"], &request.to_string());
    assert_eq!(from_stdin, from_file);
}

/// What `generate --no-input ARGS` prints, given `stdin`.
fn generated(args: &[&str], stdin: &str) -> String {
    let out = te()
        .args(["generate", "--no-input"])
        .args(args)
        .write_stdin(stdin)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}
