//! The binary's contract: stdout holds data, stderr messages, and the exit code says what happened
//! (0 done, 1 found something, 2 bad input).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn te() -> Command {
    let mut cmd = Command::cargo_bin("traffic-engineer").unwrap();
    cmd.env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The stdout of a successful run.
fn stdout_of<I, S>(args: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    te().args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

const SINGLE_DEV: [&str; 10] = [
    "generate",
    "--context",
    "single-dev",
    "--service",
    "task-api",
    "--namespace",
    "task-api",
    "--port",
    "8000",
    "--path-prefix=/api/",
];

#[test]
fn the_readme_command_prints_a_gateway_and_a_route() {
    let out = stdout_of(SINGLE_DEV);
    let docs: Vec<serde_json::Value> =
        traffic_engineer::yaml::from_str_multiple(std::str::from_utf8(&out).unwrap()).unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Gateway", "HTTPRoute"]);
    assert_eq!(
        docs[1]["spec"]["parentRefs"][0]["name"],
        docs[0]["metadata"]["name"]
    );
    assert_eq!(
        docs[1]["spec"]["rules"][0]["backendRefs"][0],
        serde_json::json!({"name": "task-api", "port": 8000})
    );
}

#[test]
fn bad_input_exits_2_with_nothing_on_stdout() {
    te().args([
        "generate",
        "--context",
        "single-dev",
        "--service",
        "Task_API",
        "--port",
        "8000",
    ])
    .assert()
    .code(2)
    .stdout("")
    .stderr(
        predicate::str::contains("service (--service) = \"Task_API\"")
            .and(predicate::str::contains("hint:")),
    );
    te().args([
        "generate",
        "--context",
        "single-dev",
        "--service",
        "web",
        "--port",
        "80",
        "--backend",
        "web",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("--backend"));
}

/// What the linter would report as an invalid regex, the generator refuses up front.
#[test]
fn a_path_regex_that_does_not_compile_is_refused() {
    te().args([
        "generate",
        "--context",
        "single-dev",
        "--service",
        "web",
        "--port",
        "80",
        "--path-regex",
        "/api/(v1|v2",
    ])
    .assert()
    .code(2)
    .stdout("")
    .stderr(
        predicate::str::contains("RE2 regular expression (unclosed group, at character 6")
            .and(predicate::str::contains("hint:")),
    );
}

#[test]
fn json_errors_name_the_field() {
    let out = te()
        .args(["generate", "--context", "nope", "--output", "json"])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["error"]["field"], "context");
    assert_eq!(
        v["error"]["missing"], false,
        "an unknown context is wrong, not missing"
    );
    assert!(v["error"]["hint"].as_str().unwrap().contains("single-dev"));
}

#[test]
fn json_errors_name_an_unknown_request_field() {
    let out = te()
        .args(["generate", "--request", "-", "--output", "json"])
        .write_stdin("context: single-dev\nservice: web\nport: 80\ncolour: blue\n")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["error"]["field"], "colour");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("line 4"),
        "{v}"
    );
}

#[test]
fn request_on_stdin_and_flags_override_it() {
    let request = std::fs::read_to_string("examples/task-api/minimal.yaml").unwrap();
    let out = te()
        .args([
            "generate",
            "--request",
            "-",
            "--port",
            "9000",
            "--output",
            "json",
        ])
        .write_stdin(request)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["yaml"].as_str().unwrap().contains("port: 9000"));
    assert!(v["command"]
        .as_str()
        .unwrap()
        .starts_with("traffic-engineer generate --context single-dev"));
}

#[test]
fn the_equivalent_command_gives_the_same_output() {
    let out = stdout_of([
        "generate",
        "--request",
        "examples/task-api/canary-split.yaml",
        "--output",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let command = v["command"].as_str().unwrap();
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    assert!(
        !command.contains('\''),
        "this request needs no quoting: {command}"
    );
    let again = stdout_of(&args);
    assert_eq!(
        std::str::from_utf8(&again).unwrap(),
        v["yaml"].as_str().unwrap()
    );
}

/// Flag users read flags in messages; request-file users read the request's field paths.
#[test]
fn messages_name_flags_for_flag_users_and_fields_for_request_files() {
    let stderr = |args: &[&str], stdin: &str| {
        let out = te().args(args).write_stdin(stdin).assert().code(2);
        String::from_utf8(out.get_output().stderr.clone()).unwrap()
    };
    let flags = stderr(
        &[
            "generate",
            "--context",
            "single-dev",
            "--service",
            "web",
            "--no-input",
        ],
        "",
    );
    assert!(
        flags.contains("missing port (--port): is required"),
        "{flags}"
    );
    assert!(flags.contains("hint: use --port PORT"), "{flags}");
    assert!(flags.contains("pass them as flags"), "{flags}");
    let request = "context: single-dev\nservice: web\n";
    let file = stderr(&["generate", "--request", "-", "--no-input"], request);
    assert!(file.contains("missing port: is required"), "{file}");
    assert!(file.contains("hint: use port: PORT"), "{file}");
    assert!(file.contains("add them to the request file"), "{file}");
    assert!(!file.contains("--port"), "{file}");
    let json = stderr(
        &[
            "generate",
            "--request",
            "-",
            "--no-input",
            "--output",
            "json",
        ],
        request,
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["error"]["hint"],
        "use port: PORT (or give the backend its port)"
    );
    // Findings too: a flag in a lint hint, a field path in generate's findings from a file.
    let tls = "context: single-dev\nservice: web\nport: 80\ngateway: {tlsSecret: web-tls}\n";
    let file = stderr(&["generate", "--request", "-", "--no-input"], tls);
    assert!(file.contains("hint: use gateway.https: true"), "{file}");
    assert!(!file.contains('\u{27e8}'), "{file}");
}

/// No message points at a file users do not have (the spec's RULES.md, the repository's
/// implementations/ folder): not the rule docs, not the implementation warnings.
#[test]
fn no_message_points_at_files_users_do_not_have() {
    let rules = String::from_utf8(stdout_of(["lint", "--rules"])).unwrap();
    let mut said = String::new();
    let ids = rules
        .lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next());
    for id in ids {
        said += &String::from_utf8(stdout_of(["lint", "--explain", id])).unwrap();
    }
    let out = te()
        .args(["generate", "--request", "examples/task-api/mirror.yaml"])
        .args(["--implementation", "traefik"])
        .assert()
        .success();
    said += &String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(said.contains("feature-not-claimed"), "{said}");
    for file in ["RULES.md", "implementations/"] {
        assert!(!said.contains(file), "{file} in {said}");
    }
}

/// Whatever rule id generate and convert print in brackets, `lint --explain` documents, naming
/// the command that reports it; `lint --rules` lists it under that command.
#[test]
fn every_rule_id_generate_and_convert_print_can_be_explained() {
    let generate: Vec<&str> = "generate --context single-dev --service web --port 80 --header X-Env=a --header x-env=b --backend web:80=5"
        .split(' ')
        .collect();
    let convert = [
        "convert",
        "examples/convert/traefik.yaml",
        "--context",
        "single-dev",
    ];
    let rules = String::from_utf8(stdout_of(["lint", "--rules"])).unwrap();
    for (args, expected) in [
        (
            &generate[..],
            &["header-match-case", "weights-one-backend"][..],
        ),
        (&convert[..], &["convert-not-equivalent"][..]),
    ] {
        let out = te().args(args).assert().success();
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        // (severity, id) of each finding: `warning[weights-one-backend] ...`.
        let found: Vec<(&str, &str)> = stderr
            .lines()
            .filter_map(|l| {
                let (severity, rest) = l.split_once('[')?;
                let severity = ["error", "warning", "note"]
                    .into_iter()
                    .find(|s| *s == severity)?;
                Some((severity, rest.split_once(']')?.0))
            })
            .collect();
        for id in expected {
            assert!(found.iter().any(|(_, f)| f == id), "{id} not in {stderr}");
        }
        let command = args[0];
        let section = &rules[rules.find(&format!("\n{command}: ")).unwrap()..];
        let listed = section.split("\n\n").next().unwrap();
        for (severity, id) in found {
            let explained = String::from_utf8(stdout_of(["lint", "--explain", id])).unwrap();
            assert!(
                explained.starts_with(&format!("{id} ({severity}, reported by {command})")),
                "{explained}"
            );
            assert!(
                listed.contains(&format!("\n  {id} ")),
                "{id} under {command}"
            );
        }
    }
}

/// A request flags cannot say (two routes) still has its command: the file with the flags given.
#[test]
fn a_request_file_flags_cannot_say_is_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two-routes.yaml");
    let request = "context: single-dev\nservice: web\nport: 80\nroutes:\n- kind: GRPCRoute\n  rules: [{backends: [{name: web}]}]\n- kind: HTTPRoute\n  rules: [{backends: [{name: web}]}]\n";
    std::fs::write(&file, request).unwrap();
    let file = file.to_str().unwrap();
    let out = stdout_of([
        "generate",
        "--request",
        file,
        "--port",
        "9000",
        "--output",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let command = v["command"].as_str().expect("a command");
    assert_eq!(
        command,
        format!("traffic-engineer generate --request {file} --port 9000")
    );
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let again = stdout_of(&args);
    assert_eq!(
        std::str::from_utf8(&again).unwrap(),
        v["yaml"].as_str().unwrap()
    );
}

fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(tree(&path));
        } else {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn out_dir_writes_checks_and_asks_before_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gitops");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "generate",
            "--request",
            "examples/task-api/cross-namespace.yaml",
            "--out-dir",
            out.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    te().args(args(&[]))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "new       databases/referencegrant-allow-httproutes-from-task-api.yaml",
        ));
    assert!(out.join("task-api/kustomization.yaml").exists());
    te().args(args(&["--check"])).assert().code(0);
    let route = out.join("task-api/httproute-task-api.yaml");
    let edited = std::fs::read_to_string(&route)
        .unwrap()
        .replace("5432", "5433");
    std::fs::write(&route, &edited).unwrap();
    let before = tree(&out);
    te().args(args(&["--check"]))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("-      port: 5433"));
    te().args(args(&["--dry-run"])).assert().code(0);
    te().args(args(&[]))
        .assert()
        .code(3)
        .stdout(predicate::str::ends_with(
            "0 new, 1 changed, 0 stale, 4 unchanged, 0 format\n",
        ))
        .stderr(
            predicate::str::contains("nothing was written").and(predicate::str::contains("--yes")),
        );
    assert_eq!(tree(&out), before, "nothing may change without consent");
    te().args(args(&["--yes"])).assert().success();
    assert!(std::fs::read_to_string(&route).unwrap().contains("5432"));
}

/// A backend that moves into the route's namespace no longer needs its ReferenceGrant: the file
/// written for it is stale until pruned with consent, and `--check` fails on it.
#[test]
fn stale_grant_fails_check_and_goes_only_with_prune_and_yes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gitops");
    let out_dir = out.to_str().unwrap();
    let example = "examples/task-api/cross-namespace.yaml";
    te().args(["generate", "--request", example, "--out-dir", out_dir])
        .assert()
        .success();
    let grant = out.join("databases/referencegrant-allow-httproutes-from-task-api.yaml");
    assert!(grant.exists());
    let local = std::fs::read_to_string(example)
        .unwrap()
        .replace("namespace: databases, ", "")
        .replace("context: cross-namespace", "context: shared-gateway");
    let run = |extra: &[&str]| {
        let mut cmd = te();
        cmd.args(["generate", "--request", "-", "--out-dir", out_dir])
            .args(extra)
            .write_stdin(local.clone());
        cmd.assert()
    };

    run(&["--check"])
        .code(1)
        .stdout(predicate::str::contains(
            "stale     databases/referencegrant-allow-httproutes-from-task-api.yaml\n",
        ))
        .stdout(predicate::str::contains("+++ /dev/null"))
        .stdout(predicate::str::ends_with(
            "0 new, 1 changed, 1 stale, 3 unchanged, 0 format; check: the folder differs\n",
        ));
    let json = run(&["--dry-run", "--output", "json"]).code(0);
    let value: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(value["summary"]["stale"], 1, "{value}");
    assert!(value["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["status"] == "stale" && f["action"] == "keep"));

    run(&["--yes"]).success().stderr(
        predicate::str::contains("note[stale-files]").and(predicate::str::contains("--prune")),
    );
    assert!(grant.exists(), "--yes alone deletes nothing");
    let before = tree(&out);
    run(&["--prune"]).code(3);
    assert_eq!(tree(&out), before, "--prune needs consent");
    run(&["--prune", "--yes"]).success();
    assert!(!out.join("databases").exists());
    run(&["--check"]).code(0).stdout(predicate::str::ends_with(
        "0 new, 0 changed, 0 stale, 3 unchanged, 0 format; check: up to date\n",
    ));
}

/// Commands that print a report offer the formats they print: text and json, not yaml.
#[test]
fn reporting_commands_offer_text_and_json() {
    for command in [&["lint"][..], &["contexts"], &["trace"], &["test"]] {
        let mut args = command.to_vec();
        args.push("--help");
        let help = String::from_utf8(stdout_of(&args)).unwrap();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            help.contains("[default: text] [possible values: text, json]"),
            "{command:?}: {help}"
        );
    }
    te().args(["contexts", "--output", "text"])
        .assert()
        .success();
    te().args(["lint", "--output", "yaml", "x.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values: text, json"));
}

#[test]
fn contexts_lists_the_four() {
    te().args(["contexts"]).assert().success().stdout(
        predicate::str::contains("single-dev").and(predicate::str::contains("cross-namespace")),
    );
    let out = stdout_of(["contexts", "--output", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["contexts"].as_array().unwrap().len(), 4);
}

/// Exporting into a folder that has the templates already writes nothing and says what it kept.
#[test]
fn a_second_export_says_what_it_kept() {
    let dir = tempfile::tempdir().unwrap();
    let export = || {
        let out = te()
            .args(["templates", "export", dir.path().to_str().unwrap()])
            .assert()
            .success()
            .get_output()
            .clone();
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
        (text(&out.stdout), text(&out.stderr))
    };
    let (written, said) = export();
    assert!(written.contains("httproute.yaml.j2"), "{written}");
    assert!(!said.contains("kept"), "{said}");
    let (written, said) = export();
    assert_eq!(written, "");
    assert!(said.contains("note[templates-kept]"), "{said}");
    assert!(said.contains("httproute.yaml.j2"), "{said}");
}

#[test]
fn exported_templates_are_used_when_edited() {
    let dir = tempfile::tempdir().unwrap();
    te().args(["templates", "export", dir.path().to_str().unwrap()])
        .assert()
        .success();
    let path = dir.path().join("httproute.yaml.j2");
    let text = std::fs::read_to_string(&path).unwrap().replace("  namespace: {{ object.metadata.namespace }}\n", "  namespace: {{ object.metadata.namespace }}\n  labels: {{ {\"team\": object.metadata.namespace | upper} }}\n");
    std::fs::write(&path, text).unwrap();
    let mut args: Vec<&str> = SINGLE_DEV.to_vec();
    args.extend(["--templates", dir.path().to_str().unwrap()]);
    te().args(&args)
        .assert()
        .success()
        // An edited template has minijinja's filters, which the built-in ones do without.
        .stdout(predicate::str::contains("labels:\n    team: TASK-API"));
    // Exporting again never overwrites an edited template.
    te().args(["templates", "export", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("httproute.yaml.j2"));
    // A template that tries to rename the object is refused.
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    )
    .unwrap();
    te().args(&args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "must render exactly one HTTPRoute",
        ));
}

#[test]
fn lint_exits_1_on_errors_and_reports_json() {
    let bad = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: a}\nspec:\n  parentRefs: [{name: gw, namespace: b}]\n  rules:\n  - backendRefs: [{name: svc, namespace: c, port: 80}]\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: b}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n";
    let out = te()
        .args(["lint", "-", "--output", "json"])
        .write_stdin(bad)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"route-not-allowed-by-listener"),
        "{rules:?}"
    );
    assert!(rules.contains(&"backend-ref-not-permitted"), "{rules:?}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "route-not-allowed-by-listener")
        .unwrap();
    assert_eq!(f["condition"]["reason"], "NotAllowedByListeners");
    assert_eq!(f["line"], 5);
    // What the generator emits lints clean.
    let generated = stdout_of(SINGLE_DEV);
    te().args(["lint", "-"])
        .write_stdin(generated)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors"));
}

#[test]
fn lint_usage_errors_exit_2() {
    te().args(["lint", "no/such/file.yaml"])
        .assert()
        .code(2)
        .stdout("");
    te().args(["lint", "--explain", "no-such-rule"])
        .assert()
        .code(2);
    te().args(["lint", "--explain", "redirect-with-backends"])
        .assert()
        .success()
        .stdout(predicate::str::contains("RequestRedirect"));
}

#[test]
fn every_command_help_has_an_example() {
    let commands: [&[&str]; 10] = [
        &[],
        &["generate"],
        &["wizard"],
        &["contexts"],
        &["templates"],
        &["templates", "export"],
        &["schema"],
        &["lint"],
        &["mcp"],
        &["completions"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let out = stdout_of(&args);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("Example"),
            "`{}` has no example:\n{text}",
            args.join(" ")
        );
    }
}

/// Each command's help opens with the description the command list gives it. Subcommands are
/// built only when run (`defer`), and a flattened option group's doc comment would then replace
/// the command's own.
#[test]
fn every_command_help_opens_with_its_description() {
    let top = String::from_utf8(stdout_of(["--help"])).unwrap();
    let list = top
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    let mut commands = Vec::new();
    for line in list.lines() {
        match line.trim_start().split_once("  ") {
            // A wrapped description continues on the next line.
            Some((name, about)) if line.starts_with("  ") && !line.starts_with("   ") => {
                commands.push((name.to_string(), about.trim().to_string()))
            }
            _ => commands.last_mut().unwrap().1 += &format!(" {}", line.trim()),
        }
    }
    assert!(commands.len() > 10, "{list}");
    for (name, about) in commands.iter().filter(|(name, _)| name != "help") {
        let help = String::from_utf8(stdout_of([name.as_str(), "--help"])).unwrap();
        let opening = help.split("\n\n").next().unwrap().split_whitespace();
        assert_eq!(
            opening.collect::<Vec<_>>().join(" "),
            *about,
            "`{name} --help` opens with something else"
        );
    }
}

#[test]
fn lint_warns_about_features_an_implementation_does_not_claim() {
    let generated = stdout_of([
        "generate",
        "--request",
        "tests/cases/mirror-on-traefik/request.yaml",
    ]);
    te().args(["lint", "-", "--implementation", "traefik"])
        .write_stdin(generated.clone())
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("warning[feature-not-claimed]")
                .and(predicate::str::contains("RequestMirror")),
        );
    te().args(["lint", "-", "--implementation", "envoy-gateway"])
        .write_stdin(generated.clone())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("feature-not-claimed").not());
    te().args(["lint", "-", "--implementation", "nope"])
        .write_stdin(generated)
        .assert()
        .code(2);
}

/// Each persona folder is a kustomization `kubectl kustomize` takes as is, giving back its documents.
#[test]
fn persona_folders_build_with_kubectl_kustomize() {
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("skipped: kubectl not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gitops");
    stdout_of([
        "generate",
        "--request",
        "examples/task-api/platform-team.yaml",
        "--rbac",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    let mut folders = 0;
    let mut everything: Vec<serde_json::Value> = Vec::new();
    let key = |v: &serde_json::Value| format!("{}/{}", v["kind"], v["metadata"]["name"]);
    for folder in std::fs::read_dir(&out).unwrap() {
        let folder = folder.unwrap().path();
        if folder.is_file() {
            continue;
        }
        let mut got = kustomize(&folder);
        let mut want: Vec<serde_json::Value> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|p| p.file_name().unwrap() != "kustomization.yaml")
            .flat_map(|p| {
                traffic_engineer::yaml::from_str_multiple::<serde_json::Value>(
                    &std::fs::read_to_string(p).unwrap(),
                )
                .unwrap()
            })
            .collect();
        got.sort_by_key(key);
        want.sort_by_key(key);
        assert_eq!(got, want, "{}", folder.display());
        everything.extend(want);
        folders += 1;
    }
    assert_eq!(folders, 3);
    // The output folder's own kustomization builds the whole set.
    let mut got = kustomize(&out);
    got.sort_by_key(key);
    everything.sort_by_key(key);
    assert_eq!(got, everything);
}

/// The documents `kubectl kustomize DIR` builds.
fn kustomize(dir: &Path) -> Vec<serde_json::Value> {
    let built = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}: {}",
        dir.display(),
        String::from_utf8_lossy(&built.stderr)
    );
    traffic_engineer::yaml::from_str_multiple(std::str::from_utf8(&built.stdout).unwrap()).unwrap()
}

#[test]
fn completions_know_the_flags() {
    let script = String::from_utf8(stdout_of(["completions", "bash"])).unwrap();
    assert!(script.contains("--path-prefix") && script.contains("--allow-routes-from"));
}

/// Every command whose stdout is closed before it writes ends as other Unix tools do: killed by
/// SIGPIPE, quietly, or with its usual exit code when it had nothing to print; never a panic.
#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let manifests = dir.path().join("manifests.yaml");
    std::fs::write(&manifests, stdout_of(SINGLE_DEV)).unwrap();
    let cases = dir.path().join("cases.yaml");
    std::fs::write(
        &cases,
        "- url: http://x.example.com/api/\n  expect: {backend: task-api:8000}\n",
    )
    .unwrap();
    let m = manifests.to_str().unwrap();
    let out_dir = dir.path().join("out");
    let exported = dir.path().join("templates");
    let commands: Vec<Vec<&str>> = vec![
        SINGLE_DEV.to_vec(),
        [&SINGLE_DEV[..], &["--output", "json"]].concat(),
        [&SINGLE_DEV[..], &["--out-dir", out_dir.to_str().unwrap()]].concat(),
        vec!["wizard", "--context", "single-dev"],
        vec!["contexts"],
        vec!["templates", "export", exported.to_str().unwrap()],
        vec!["lint", m],
        vec!["lint", "--rules"],
        vec!["trace", m, "--url", "http://x.example.com/api/"],
        vec!["test", "--cases", cases.to_str().unwrap(), m],
        vec![
            "convert",
            "examples/convert/ingress-nginx.yaml",
            "--context",
            "single-dev",
        ],
        vec!["completions", "bash"],
        vec!["schema"],
        vec!["mcp"],
        vec!["--help"],
        vec!["--version"],
    ];
    let every = <traffic_engineer::cli::Cli as clap::CommandFactory>::command();
    let covered: std::collections::BTreeSet<&str> = commands.iter().map(|c| c[0]).collect();
    for sub in every.get_subcommands() {
        assert!(
            covered.contains(sub.get_name()),
            "{} is not tried",
            sub.get_name()
        );
    }
    for args in commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("traffic-engineer"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                let mut stdin = child.stdin.take().unwrap();
                let _ = stdin.write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
                drop(stdin);
                child.wait_with_output()
            })
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let quiet =
            output.status.signal() == Some(SIGPIPE) || matches!(output.status.code(), Some(0..=3));
        assert!(quiet, "{args:?}: {:?} {stderr}", output.status);
    }
}

/// The signal number of SIGPIPE on Linux and macOS.
const SIGPIPE: i32 = 13;

/// platform-team's default selector admits the app's namespace by its name only: a note says
/// which label other teams would put on their namespace, and the flag that selects it.
#[test]
fn the_default_selector_says_how_other_teams_attach() {
    let stderr = |extra: &[&str]| {
        let out = te()
            .args([
                "generate",
                "--context",
                "platform-team",
                "--service",
                "task-api",
            ])
            .args(["--port", "8000", "--no-input"])
            .args(extra)
            .assert()
            .success();
        String::from_utf8(out.get_output().stderr.clone()).unwrap()
    };
    let default = stderr(&[]);
    for text in [
        "note[one-namespace-admitted]: the Gateway admits routes from namespace task-api only",
        "--allow-label gateway-access=true",
        "kubectl label namespace NAMESPACE gateway-access=true",
    ] {
        assert!(default.contains(text), "{text}: {default}");
    }
    // Labels of one's own choosing need no such note.
    let chosen = stderr(&["--allow-label", "gateway-access=true"]);
    assert!(!chosen.contains("one-namespace-admitted"), "{chosen}");
}

/// A refusal that comes from checking the rendered output names the request setting to change:
/// the flag for flag users (in text and JSON), the field for request files.
#[test]
fn an_output_refusal_names_the_setting_to_change() {
    let flags = [
        "generate",
        "--context",
        "platform-team",
        "--service",
        "task-api",
        "--port",
        "8000",
        "--allow-label",
        "kubernetes.io/metadata.name=other",
    ];
    let out = te().args(flags).assert().code(2);
    assert!(out.get_output().stdout.is_empty());
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for text in [
        "invalid gateway.allowedRoutes.labels (--allow-label) = \"kubernetes.io/metadata.name=other\": selects namespace other by its name",
        "(route-not-allowed-by-listener)",
        "hint: use --allow-label kubernetes.io/metadata.name=task-api",
    ] {
        assert!(stderr.contains(text), "{text}:\n{stderr}");
    }
    let out = te().args(flags).args(["--output", "json"]).assert().code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["error"]["field"], "gateway.allowedRoutes.labels");
    assert_eq!(v["error"]["flag"], "--allow-label");
}

/// `build.rs` links the executable at a fixed address on Linux/glibc, so it starts without
/// applying ~50,000 relocations (README, Performance); `TRAFFIC_ENGINEER_PIE=1` keeps a PIE.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_executable_is_linked_at_a_fixed_address_unless_asked_for_a_pie() {
    let elf = std::fs::read(env!("CARGO_BIN_EXE_traffic-engineer")).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    // e_type: 2 is a fixed-address executable, 3 a position-independent one.
    let e_type = u16::from_le_bytes([elf[16], elf[17]]);
    let pie_asked =
        option_env!("TRAFFIC_ENGINEER_PIE").is_some_and(|v| matches!(v, "1" | "true" | "yes"));
    assert_eq!(e_type, if pie_asked { 3 } else { 2 });
}

/// A standard descriptor that is closed when the tool starts is held by `/dev/null` (as Rust's
/// start-up did; the C entry point does it itself), so no file the tool opens takes its number
/// and receives its output. Seen from inside: with stdout closed, the tool's own descriptor 1
/// reads as an empty file, where it would not exist.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_standard_descriptor_is_held_by_dev_null() {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" lint /proc/self/fd/1 >&-")
        .arg(assert_cmd::cargo::cargo_bin("traffic-engineer"))
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
}

/// A command that allocates little runs on glibc's malloc, chosen in the C `main` before the
/// first allocation (src/alloc.rs); `lint` runs on mimalloc. mimalloc, asked to be verbose, says
/// when it reserves its arena, which it does at its first allocation only.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn generate_allocates_with_glibc_and_lint_with_mimalloc() {
    let reserves = |args: &[&str]| {
        let out = te()
            .env("MIMALLOC_VERBOSE", "1")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).contains("mimalloc: reserved")
    };
    assert!(
        reserves(&["lint", "/dev/null"]),
        "lint allocates with mimalloc"
    );
    for command in [
        "--version",
        "generate --context single-dev --service web --port 80",
    ] {
        let args: Vec<&str> = command.split(' ').collect();
        assert!(!reserves(&args), "{command} allocates with glibc's malloc");
    }
}
