//! `traffic-engineer mcp` driven over stdio with raw JSON-RPC (newline-delimited JSON), the way an
//! MCP client talks to it, plus one run of the official Python SDK as a client not written here.
//! A reader thread collects the server's stdout; every wait has a timeout, so a hung server fails
//! the test instead of hanging it.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_traffic-engineer");
const TIMEOUT: Duration = Duration::from_secs(20);

/// One running server and the messages it wrote.
struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
}

impl Session {
    /// Starts `mcp --root ROOT` and initializes with the given client capabilities.
    fn start(root: &Path, capabilities: Value) -> (Session, Value) {
        Session::start_with(root, capabilities, &[])
    }

    /// Like `start`, with more arguments for `mcp`.
    fn start_with(root: &Path, capabilities: Value, extra: &[&str]) -> (Session, Value) {
        let mut child = Command::new(BIN)
            .args(["mcp", "--root"])
            .arg(root)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start traffic-engineer mcp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut session = Session {
            child,
            stdin,
            lines,
            next_id: 1,
        };
        let init = session.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": capabilities,
                   "clientInfo": {"name": "tests/mcp.rs", "version": "0"}}),
        );
        session.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        (session, init)
    }

    fn send_raw(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: &Value) {
        self.send_raw(&message.to_string());
    }

    /// The next message; stdout must carry nothing but JSON-RPC messages.
    fn receive(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(TIMEOUT)
            .expect("the server did not answer in time");
        let message: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{message}");
        message
    }

    /// Sends a request and returns the whole response (result or error) with the same id.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(id)
    }

    fn response(&self, id: u64) -> Value {
        loop {
            let message = self.receive();
            if message["id"] == json!(id) && message.get("method").is_none() {
                return message;
            }
            assert!(
                message.get("id").is_none() || message.get("method").is_some(),
                "a response to another request: {message}"
            );
        }
    }

    /// Calls a tool and returns its result (the call itself must not be a JSON-RPC error). A
    /// successful result's structuredContent must fit the tool's declared outputSchema, as strict
    /// clients (the Python SDK) check.
    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let response = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        assert!(response.get("error").is_none(), "{response}");
        let result = response["result"].clone();
        // Settings are named for the caller before anything leaves the server (no markers left).
        assert!(!result.to_string().contains('\u{27e8}'), "{result}");
        if result["isError"] != true {
            let tools = self.request("tools/list", json!({}))["result"]["tools"].clone();
            let declared = tools
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == tool)
                .map(|t| t["outputSchema"].clone())
                .unwrap();
            let validator = jsonschema::validator_for(&declared).unwrap();
            let content = &result["structuredContent"];
            let errors: Vec<String> = validator
                .iter_errors(content)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{tool}: {errors:?} in {content}");
        }
        result
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn example_request(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let request = traffic_engineer::request::from_text(&text, name).unwrap();
    serde_json::to_value(request).unwrap()
}

/// What the CLI prints for `generate --request FILE`.
fn cli_yaml(file: &str) -> String {
    let out = Command::new(BIN)
        .args(["generate", "--no-input", "--request", file])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `list[*][key]` as strings.
fn field_of_each<'v>(list: &'v Value, key: &str) -> Vec<&'v str> {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    items
        .iter()
        .map(|item| item[key].as_str().unwrap())
        .collect()
}

fn text_of(result: &Value) -> String {
    result["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn initialize_lists_the_tools_with_schemas_and_annotations() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, init) = Session::start(root.path(), json!({}));
    let info = &init["result"];
    assert_eq!(info["serverInfo"]["name"], "traffic-engineer");
    let instructions = info["instructions"].as_str().unwrap();
    assert!(instructions.contains("allowedRoutes"), "{instructions}");
    assert!(instructions.contains("ReferenceGrant"), "{instructions}");

    let tools = s.request("tools/list", json!({}))["result"]["tools"].clone();
    let by_name = |name: &str| -> Value {
        tools
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no tool {name}: {tools}"))
            .clone()
    };
    for (name, read_only) in [
        ("list_contexts", true),
        ("generate", true),
        ("diff", true),
        ("write", false),
        ("lint", true),
    ] {
        let tool = by_name(name);
        let hints = &tool["annotations"];
        assert_eq!(hints["readOnlyHint"], read_only, "{name}: {hints}");
        assert_eq!(hints["destructiveHint"], !read_only, "{name}: {hints}");
        assert_eq!(hints["idempotentHint"], true, "{name}: {hints}");
        assert_eq!(hints["openWorldHint"], false, "{name}: {hints}");
        assert_eq!(tool["inputSchema"]["type"], "object", "{name}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{name}");
        assert!(tool["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // generate takes the request itself: the request's fields, and no others.
    let generate = by_name("generate");
    let input = &generate["inputSchema"];
    assert_eq!(input["additionalProperties"], false, "{input}");
    assert!(input["properties"]["context"].is_object(), "{input}");
    assert!(generate["outputSchema"]["properties"]["yaml"].is_object());
    let write = by_name("write");
    assert!(write["inputSchema"]["properties"]["overwrite"].is_object());
    assert!(write["inputSchema"]["required"]
        .as_array()
        .unwrap()
        .contains(&json!("dir")));

    let contexts = s.call("list_contexts", json!({}));
    assert_eq!(
        field_of_each(&contexts["structuredContent"]["contexts"], "name"),
        [
            "single-dev",
            "shared-gateway",
            "platform-team",
            "cross-namespace"
        ]
    );
}

#[test]
fn generate_gives_the_same_yaml_as_the_cli() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let file = "examples/task-api/canary-split.yaml";
    let result = s.call("generate", example_request(file));
    assert_ne!(result["isError"], true, "{result}");
    let out = &result["structuredContent"];
    assert_eq!(out["yaml"].as_str().unwrap(), cli_yaml(file));
    assert_eq!(out["context"], "single-dev");
    assert_eq!(out["files"].as_array().unwrap().len(), 2, "{out}");
    assert!(out["command"]
        .as_str()
        .unwrap()
        .starts_with("traffic-engineer generate --context single-dev"));
    assert!(out["findings"].is_array());
    // The text block carries the same JSON, for clients that ignore structuredContent.
    let text: Value = serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(&text, out);
}

#[test]
fn a_missing_context_is_asked_for_not_guessed() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let result = s.call("generate", json!({"service": "web", "port": 80}));
    assert_eq!(result["isError"], true, "{result}");
    let missing = result["structuredContent"]["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["field"], "context");
    let question = missing[0]["question"].as_str().unwrap();
    assert!(
        question.starts_with("Which deployment context? one of single-dev ("),
        "{question}"
    );
    assert_eq!(missing[0]["choices"].as_array().unwrap().len(), 4);
    assert!(text_of(&result).contains("Ask the user"), "{result}");

    // A context that needs more: each missing value has its own question.
    let result = s.call(
        "generate",
        json!({"context": "shared-gateway", "service": "web", "port": 80}),
    );
    let fields = field_of_each(&result["structuredContent"]["missing"], "field");
    assert!(fields.contains(&"gateway.name"), "{result}");
}

/// MCP callers read request fields and tool parameters in messages, never the CLI's flags.
#[test]
fn messages_name_fields_and_parameters_not_flags() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let hints = |result: &Value| -> String {
        let errors = result["structuredContent"]["errors"].as_array().unwrap();
        let hints: Vec<&str> = errors.iter().map(|e| e["hint"].as_str().unwrap()).collect();
        hints.join("\n")
    };
    let result = s.call("generate", json!({"service": "web", "port": 80}));
    let said = hints(&result);
    assert!(
        said.starts_with("use context with one of: single-dev"),
        "{said}"
    );
    let result = s.call(
        "generate",
        json!({"context": "single-dev", "service": "web", "port": 80,
               "gateway": {"tlsSecret": "web-tls"}, "options": {"rbacGroups": {"app": "devs"}}}),
    );
    let said = hints(&result);
    assert!(said.contains("use gateway.https: true"), "{said}");
    assert!(said.contains("use options.rbac: true"), "{said}");
    assert!(!said.contains("--"), "{said}");
    // A refusal of the rendered output names the request field, in request terms.
    let result = s.call(
        "generate",
        json!({"context": "platform-team", "service": "task-api", "port": 8000,
               "gateway": {"allowedRoutes": {"from": "Selector", "labels": {"kubernetes.io/metadata.name": "other"}}}}),
    );
    let error = &result["structuredContent"]["errors"][0];
    assert_eq!(error["field"], "gateway.allowedRoutes.labels", "{result}");
    let said = hints(&result);
    assert!(
        said.contains("gateway.allowedRoutes.labels: {kubernetes.io/metadata.name: task-api}"),
        "{said}"
    );
    assert!(!said.contains("--"), "{said}");
    let experimental = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n  rules:\n  - retry: {attempts: 2}\n    backendRefs: [{name: svc, port: 80}]\n";
    let result = s.call("lint", json!({ "yaml": experimental }));
    let finding = &result["structuredContent"]["findings"][0];
    let hint = finding["hint"].as_str().unwrap();
    assert!(hint.contains("lint with channel: experimental"), "{hint}");
}

#[test]
fn missing_values_are_elicited_when_the_client_can_show_a_form() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({"elicitation": {}}));
    s.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call",
        "params": {"name": "generate", "arguments": {"service": "web", "port": 80}}}));
    let ask = s.receive();
    assert_eq!(ask["method"], "elicitation/create", "{ask}");
    let schema = &ask["params"]["requestedSchema"];
    assert_eq!(schema["required"], json!(["context"]), "{schema}");
    assert!(schema["properties"]["context"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("single-dev")));
    s.send(&json!({"jsonrpc": "2.0", "id": ask["id"],
        "result": {"action": "accept", "content": {"context": "single-dev"}}}));
    let result = s.response(99)["result"].clone();
    assert_ne!(result["isError"], true, "{result}");
    assert_eq!(result["structuredContent"]["context"], "single-dev");
    assert_eq!(
        result["structuredContent"]["request"]["context"],
        "single-dev"
    );

    // Declining falls back to the questions for the assistant.
    s.send(&json!({"jsonrpc": "2.0", "id": 100, "method": "tools/call",
        "params": {"name": "generate", "arguments": {"service": "web", "port": 80}}}));
    let ask = s.receive();
    s.send(&json!({"jsonrpc": "2.0", "id": ask["id"], "result": {"action": "decline"}}));
    let result = s.response(100)["result"].clone();
    assert_eq!(result["isError"], true, "{result}");
    assert_eq!(
        result["structuredContent"]["missing"][0]["field"],
        "context"
    );
}

#[test]
fn diff_then_write_then_diff_shows_unchanged() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let request = example_request("examples/task-api/canary-split.yaml");
    let args = json!({"request": request, "dir": "deploy"});

    let diff = s.call("diff", args.clone());
    assert_ne!(diff["isError"], true, "{diff}");
    let out = &diff["structuredContent"];
    assert_eq!(out["changed"], true);
    let files = out["files"].as_array().unwrap();
    assert!(files.iter().all(|f| f["status"] == "new"), "{out}");
    assert!(files[0]["diff"].as_str().unwrap().contains("+kind:"));
    assert!(!root.path().join("deploy").exists(), "diff wrote something");

    let mut write_args = args.clone();
    write_args["overwrite"] = json!(false);
    let written = s.call("write", write_args);
    assert_ne!(written["isError"], true, "{written}");
    let report = &written["structuredContent"]["written"];
    assert_eq!(report["written"].as_array().unwrap().len(), files.len());
    for f in files {
        let path = root.path().join("deploy").join(f["path"].as_str().unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            f["content"].as_str().unwrap()
        );
    }

    let again = s.call("diff", args.clone());
    let out = &again["structuredContent"];
    assert_eq!(out["changed"], false, "{out}");
    assert!(out["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "unchanged"));
    // Writing the same again is harmless (idempotent).
    assert_ne!(s.call("write", args)["isError"], true);
}

#[test]
fn write_needs_overwrite_to_replace_a_changed_file() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let request = json!({"context": "single-dev", "service": "web", "port": 80});
    assert_ne!(
        s.call("write", json!({"request": request, "dir": "out"}))["isError"],
        true
    );
    let mut changed = request.clone();
    changed["port"] = json!(8080);
    let refused = s.call("write", json!({"request": changed, "dir": "out"}));
    assert_eq!(refused["isError"], true, "{refused}");
    let text = text_of(&refused);
    assert!(
        text.contains("overwrite: true") && !text.contains("--yes"),
        "{refused}"
    );
    let done = s.call(
        "write",
        json!({"request": changed, "dir": "out", "overwrite": true}),
    );
    assert_ne!(done["isError"], true, "{done}");
    let route = std::fs::read_to_string(root.path().join("out/web/httproute-web.yaml")).unwrap();
    assert!(route.contains("port: 8080"), "{route}");
}

/// A file an earlier `write` made and the request no longer generates is reported as stale by
/// `diff` and `write`, and deleted only with `prune: true`.
#[test]
fn stale_files_are_reported_and_pruned_only_with_prune() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let request = example_request("examples/task-api/cross-namespace.yaml");
    let first = s.call("write", json!({"request": request, "dir": "out"}));
    assert_ne!(first["isError"], true, "{first}");
    let grant = root
        .path()
        .join("out/databases/referencegrant-allow-httproutes-from-task-api.yaml");
    assert!(grant.exists());
    let mut local = request.clone();
    local["context"] = json!("shared-gateway");
    local["routes"][0]["rules"][0]["backends"][0]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    let stale = |result: &Value| -> Vec<String> {
        result["structuredContent"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "stale")
            .map(|f| {
                format!(
                    "{} {}",
                    f["path"].as_str().unwrap(),
                    f["action"].as_str().unwrap()
                )
            })
            .collect()
    };

    let diff = s.call("diff", json!({"request": local, "dir": "out"}));
    assert_eq!(
        stale(&diff),
        ["databases/referencegrant-allow-httproutes-from-task-api.yaml keep"],
        "{diff}"
    );
    assert_eq!(diff["structuredContent"]["summary"]["stale"], 1);
    assert_eq!(diff["structuredContent"]["changed"], true);
    let kept = s.call(
        "write",
        json!({"request": local, "dir": "out", "overwrite": true}),
    );
    assert_ne!(kept["isError"], true, "{kept}");
    assert!(grant.exists(), "no prune, no deletion");
    let pruned = s.call(
        "write",
        json!({"request": local, "dir": "out", "overwrite": true, "prune": true}),
    );
    assert_ne!(pruned["isError"], true, "{pruned}");
    assert!(!grant.exists());
    assert_eq!(
        pruned["structuredContent"]["written"]["deleted"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{pruned}"
    );
}

#[test]
fn paths_outside_the_root_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(tmp.path().join("secret.yaml"), "kind: Secret\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path(), root.join("out-link")).unwrap();
    let (mut s, _) = Session::start(&root, json!({}));
    let request = json!({"context": "single-dev", "service": "web", "port": 80});
    let outside = tmp.path().join("elsewhere").display().to_string();
    let mut dirs = vec!["../escape", "sub/../../escape", outside.as_str()];
    if cfg!(unix) {
        dirs.push("out-link/escape");
    }
    for dir in dirs {
        for tool in ["diff", "write"] {
            let result = s.call(tool, json!({"request": request, "dir": dir}));
            assert_eq!(result["isError"], true, "{tool} {dir}: {result}");
            assert!(text_of(&result).contains("refusing"), "{result}");
        }
    }
    assert!(!tmp.path().join("escape").exists());
    assert!(!tmp.path().join("elsewhere").exists());
    let secret = tmp.path().join("secret.yaml").display().to_string();
    for path in ["../secret.yaml", secret.as_str()] {
        let result = s.call("lint", json!({"paths": [path]}));
        assert_eq!(result["isError"], true, "{path}: {result}");
    }
    // A folder inside the root holding a link to a file outside: the file is refused too.
    #[cfg(unix)]
    {
        std::fs::create_dir(root.join("manifests")).unwrap();
        std::os::unix::fs::symlink(
            tmp.path().join("secret.yaml"),
            root.join("manifests/link.yaml"),
        )
        .unwrap();
        let result = s.call("lint", json!({"paths": ["manifests"]}));
        assert_eq!(result["isError"], true, "{result}");
    }
}

#[test]
fn lint_finds_errors_in_text_and_in_files_under_the_root() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let invalid = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: app\nspec:\n  parentRefs:\n  - name: gw\n  rules:\n  - backendRefs:\n    - name: svc\n      port: 99999\n";
    let result = s.call("lint", json!({"yaml": invalid}));
    assert_ne!(result["isError"], true, "{result}");
    let out = &result["structuredContent"];
    assert!(out["errors"].as_u64().unwrap() >= 1, "{out}");
    let findings = out["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["severity"] == "error" && f["file"] == "yaml"),
        "{out}"
    );

    std::fs::create_dir(root.path().join("m")).unwrap();
    std::fs::write(root.path().join("m/route.yaml"), invalid).unwrap();
    let from_files = s.call("lint", json!({"paths": ["m"], "channel": "experimental"}));
    let out = &from_files["structuredContent"];
    assert_eq!(out["files"], 1, "{out}");
    assert!(out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == "m/route.yaml" && f["severity"] == "error"));

    let nothing = s.call("lint", json!({}));
    assert_eq!(nothing["isError"], true, "{nothing}");
}

#[test]
fn lint_validates_against_crds_under_the_root() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/gateway-api/crds/standard");
    if !shared.is_dir() {
        eprintln!("skipped: {} not found", shared.display());
        return;
    }
    let root = tempfile::tempdir().unwrap();
    // The CRDs are copied into the temp root only: the server reads nothing outside it.
    std::fs::create_dir(root.path().join("crds")).unwrap();
    for entry in std::fs::read_dir(&shared).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            root.path().join("crds").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    let (mut s, _) = Session::start(root.path(), json!({}));
    let route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n  rules:\n  - timeouts: {request: 1s, backendRequest: 2s}\n";
    let result = s.call("lint", json!({"yaml": route, "crds": ["crds"]}));
    let findings = result["structuredContent"]["findings"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        findings.iter().any(|f| f["rule"] == "crd-rule"
            && f["field"] == "spec.rules[0].timeouts"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("backendRequest timeout cannot be longer than request timeout")),
        "{findings:#?}"
    );
    let outside = s.call("lint", json!({"yaml": route, "crds": ["../crds"]}));
    assert_eq!(outside["isError"], true, "{outside}");
}

#[test]
fn trace_and_test_give_the_cli_json() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let set = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces/redirect-loop/manifests.yaml"),
    )
    .unwrap();
    let traced = s.call(
        "trace",
        json!({"yaml": set, "url": "https://podinfo.home.example.com/", "headers": {"X-Env": "a"}}),
    );
    let out = &traced["structuredContent"];
    assert_eq!(out["outcome"], "forwarded", "{traced}");
    assert_eq!(out["route"], "HTTPRoute/default/podinfo");
    assert_eq!(out["request"]["headers"]["X-Env"], "a");

    let tested = s.call(
        "test",
        json!({"yaml": set, "cases": [
            {"url": "http://podinfo.home.example.com/", "expect": {"status": 301}},
            {"url": "https://blog.home.example.com/", "expect": {"backend": "podinfo:9898"}},
        ]}),
    );
    let out = &tested["structuredContent"];
    assert_eq!(
        (out["passed"].as_u64(), out["failed"].as_u64()),
        (Some(1), Some(1)),
        "{out}"
    );
    assert_eq!(out["cases"][1]["trace"]["outcome"], "redirected");

    let bad = s.call("trace", json!({"yaml": set, "url": "podinfo"}));
    assert_eq!(bad["isError"], true, "{bad}");
}

#[test]
fn convert_turns_an_ingress_into_gateway_api() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));
    let ingress = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/convert/ingress-nginx.yaml"),
    )
    .unwrap();
    let result = s.call("convert", json!({"yaml": ingress, "context": "single-dev"}));
    assert_ne!(result["isError"], true, "{result}");
    let out = &result["structuredContent"];
    let kinds: Vec<&str> = out["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"Gateway") && kinds.contains(&"HTTPRoute"),
        "{out}"
    );
    assert!(out["yaml"].as_str().unwrap().contains("kind: HTTPRoute"));
    let nothing = s.call("convert", json!({"context": "single-dev"}));
    assert_eq!(nothing["isError"], true, "{nothing}");
}

#[test]
fn bad_messages_get_errors_and_the_server_keeps_answering() {
    let root = tempfile::tempdir().unwrap();
    let (mut s, _) = Session::start(root.path(), json!({}));

    // Not JSON: a JSON-RPC parse error (id null) for each line, and the session goes on.
    s.send_raw("this is not json");
    s.send_raw("{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": ");
    for _ in 0..2 {
        let parse_error = s.receive();
        assert_eq!(parse_error["error"]["code"], -32700, "{parse_error}");
        assert!(parse_error["id"].is_null(), "{parse_error}");
    }
    let next = s.request("tools/list", json!({}));
    assert!(next["result"]["tools"].is_array(), "{next}");

    let unknown = s.request("tools/call", json!({"name": "nope", "arguments": {}}));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");

    let no_name = s.request("tools/call", json!({"arguments": {}}));
    assert!(no_name["error"]["code"].is_i64(), "{no_name}");

    let no_method = s.request("no/such/method", json!({}));
    assert_eq!(no_method["error"]["code"], -32601, "{no_method}");

    // Arguments that do not fit the request type: the serde error names the field, as a tool
    // error the assistant can correct (MCP 2025-11-25: input validation errors are tool errors).
    let bad = s.call(
        "generate",
        json!({"context": "single-dev", "service": "web", "port": 80, "routs": []}),
    );
    assert_eq!(bad["isError"], true, "{bad}");
    assert!(text_of(&bad).contains("unknown field `routs`"), "{bad}");
    let wrong_type = s.call(
        "generate",
        json!({"context": "single-dev", "port": "eighty"}),
    );
    assert_eq!(wrong_type["isError"], true, "{wrong_type}");
    let extra = s.call("diff", json!({"request": {}, "dir": "x", "force": true}));
    assert!(text_of(&extra).contains("unknown field `force`"), "{extra}");

    // Invalid values get the library's field errors.
    let invalid = s.call(
        "generate",
        json!({"context": "single-dev", "service": "Web_App", "port": 80}),
    );
    assert_eq!(invalid["isError"], true, "{invalid}");
    assert_eq!(
        invalid["structuredContent"]["errors"][0]["field"],
        "service"
    );

    let still = s.call("list_contexts", json!({}));
    assert!(still["structuredContent"]["contexts"].is_array());
}

/// The official MCP Python SDK (`mcp` from PyPI) as the client. `.ci/run` provides it through
/// `TE_MCP_PYTHON`; without it the test says it skipped.
#[test]
fn the_official_python_sdk_gets_the_same_yaml() {
    let Some(python) = std::env::var_os("TE_MCP_PYTHON") else {
        eprintln!("skipped: TE_MCP_PYTHON is not set (see .ci/run)");
        return;
    };
    let file = "examples/task-api/canary-split.yaml";
    let root = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client.py");
    let out = Command::new(python)
        .arg(script)
        .arg(BIN)
        .arg(root.path())
        .arg(example_request(file).to_string())
        .output()
        .expect("run the Python client");
    if out.status.code() == Some(3) {
        eprintln!(
            "skipped: {}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
        return;
    }
    assert!(out.status.success(), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["server"], "traffic-engineer");
    assert_eq!(report["instructions"], true);
    assert_eq!(
        report["tools"],
        json!([
            "convert",
            "diff",
            "generate",
            "lint",
            "list_contexts",
            "test",
            "trace",
            "write"
        ])
    );
    assert_eq!(report["is_error"], false, "{report}");
    assert_eq!(report["yaml"].as_str().unwrap(), cli_yaml(file));
}

/// `mcp --profiles DIR` serves the contexts of DIR too, as `generate --profiles` does.
#[test]
fn custom_profiles_are_served() {
    let root = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let single_dev = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/single-dev.yaml"),
    )
    .unwrap();
    std::fs::write(
        profiles.path().join("kind-local.yaml"),
        single_dev.replace("name: single-dev", "name: kind-local"),
    )
    .unwrap();
    let (mut s, _) = Session::start_with(
        root.path(),
        json!({}),
        &["--profiles", profiles.path().to_str().unwrap()],
    );
    let listed = s.call("list_contexts", json!({}));
    assert!(listed.to_string().contains("kind-local"), "{listed}");
    let generated = s.call(
        "generate",
        json!({"context": "kind-local", "service": "web", "port": 80}),
    );
    assert_ne!(generated["isError"], true, "{generated}");
}
