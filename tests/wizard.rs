//! The wizard under a real pseudo-terminal: scripted sessions for each deployment context, whose
//! YAML must be byte-identical to what the printed equivalent command produces; a bad answer asked
//! again with the reason; Ctrl-C and Esc; and `--no-input`, which never asks.
//!
//! In a pty stdout and stderr are one stream, so each session runs as
//! `sh -c 'exec traffic-engineer wizard … > FILE'`: the prompts (stderr) stay on the pty and the
//! YAML lands in FILE.

#[path = "support/screen.rs"]
mod screen;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_traffic-engineer");

/// A running wizard and everything it has shown so far.
struct Wizard {
    session: OsSession,
    shown: Vec<u8>,
    out: PathBuf,
    /// The width of the terminal.
    columns: usize,
    _dir: tempfile::TempDir,
}

/// Wide enough that no line of a session wraps (the equivalent command is read from one row).
const WIDE: usize = 2000;

/// How a session ended.
struct Ended {
    code: i32,
    /// What the terminal showed (prompts, answers, summary, command), as plain text.
    screen: String,
    /// What the wizard wrote on stdout.
    stdout: String,
}

impl Wizard {
    /// Starts `traffic-engineer ARGS` on a pty, with stdout going to a file (or to the pty too
    /// when `merged`, as a person would see it).
    fn start(args: &[&str], merged: bool) -> Wizard {
        Wizard::start_with_env(args, merged, &[], WIDE)
    }

    /// Starts on a terminal `columns` wide.
    fn start_with_env(
        args: &[&str],
        merged: bool,
        env: &[(&str, &Path)],
        columns: usize,
    ) -> Wizard {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.yaml");
        std::fs::write(&out, "").unwrap();
        // The shell waits for a line before it starts the wizard: the terminal's size is set by
        // then (the pty library sets 80 columns in the parent after the child has started).
        let script = if merged {
            r#"read _; exec "$0" "$@""#
        } else {
            r#"read _; exec "$0" "$@" > "$WIZARD_OUT""#
        };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg(BIN)
            .args(args)
            .env("WIZARD_OUT", &out)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm");
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut session = Session::spawn(cmd).expect("spawn on a pty");
        let columns16 = u16::try_from(columns).expect("a terminal width");
        session
            .get_process_mut()
            .set_window_size(columns16, 50)
            .expect("the terminal's size");
        session.send_line("").expect("start");
        // Generous: the machine running the tests may be busy.
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Wizard {
            session,
            shown: Vec::new(),
            out,
            columns,
            _dir: dir,
        }
    }

    /// Waits until `text` is shown.
    fn wait_for(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => self.shown.extend_from_slice(found.as_bytes()),
            Err(e) => panic!(
                "waiting for {text:?}: {e}\nshown so far:\n{}",
                screen::render(&self.shown, self.columns)
            ),
        }
    }

    /// Plays `script`: for each step, waits for its prompt, then sends its keys (text and "\n",
    /// `y`/`n`, arrow keys for a menu).
    fn play(&mut self, script: &[(&str, &str)]) {
        for (prompt, keys) in script {
            self.wait_for(prompt);
            self.session.send(keys).unwrap();
        }
    }

    /// Waits for the end of the session.
    fn end(mut self) -> Ended {
        let rest = self.session.expect(Eof).expect("the wizard ends");
        self.shown.extend_from_slice(rest.as_bytes());
        let code = match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("the wizard did not exit normally: {other:?}"),
        };
        Ended {
            code,
            screen: screen::render(&self.shown, self.columns),
            stdout: std::fs::read_to_string(&self.out).unwrap(),
        }
    }
}

impl Ended {
    /// The printed equivalent command, run without a terminal: its stdout.
    fn run_equivalent_command(&self) -> String {
        let line = self
            .screen
            .lines()
            .find_map(|l| l.strip_prefix("Equivalent command: "))
            .unwrap_or_else(|| panic!("no equivalent command in:\n{}", self.screen));
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = std::env::join_paths(
            std::iter::once(bin_dir.to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        let output = Command::new("sh")
            .arg("-c")
            .arg(line)
            .env("PATH", path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{line}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// The session succeeded, its YAML holds each of `expected`, and it is exactly what the
    /// equivalent command prints.
    fn assert_reproducible(&self, expected: &[&str]) {
        assert_eq!(self.code, 0, "{}", self.screen);
        for text in expected {
            assert!(self.stdout.contains(text), "{text}:\n{}", self.stdout);
        }
        assert_eq!(
            self.stdout,
            self.run_equivalent_command(),
            "{}",
            self.screen
        );
    }
}

/// The first answers of a single-dev session from scratch, up to the advanced steps.
const SINGLE_DEV: [(&str, &str); 8] = [
    ("Deployment context", "\n"),
    ("Service name", "task-api\n"),
    ("Namespace", "\n"),
    ("Service port", "8000\n"),
    ("Path prefix", "/api/\n"),
    ("Route hostnames", "api.example.com\n"),
    ("Gateway API implementation", "\n"),
    ("GatewayClass name", "\n"),
];

/// Runs `traffic-engineer ARGS` (stdout to a file) through `script` to its end.
fn session(args: &[&str], script: &[(&str, &str)]) -> Ended {
    let mut w = Wizard::start(args, false);
    w.play(script);
    w.end()
}

#[test]
fn single_dev_session_with_a_traffic_split() {
    let ended = session(
        &["wizard"],
        &[
            &SINGLE_DEV[..],
            &[
                ("Add more routing rules?", "y"),
                ("Match headers", "X-Canary=yes\n"),
                ("Match query parameters", "\n"),
                ("Matching requests are", "\x1b[B\n"),
                ("Backends", "\n"),
                ("Mirror", "\n"),
                ("Rewrite the path prefix", "/\n"),
                ("Rewrite the Host header", "\n"),
                ("Set request headers", "X-Route=wizard\n"),
                ("Remove request headers", "\n"),
            ],
        ]
        .concat(),
    );
    ended.assert_reproducible(&[
        "kind: Gateway\n",
        "task-api-canary",
        "weight: 90",
        "X-Canary",
        "ReplacePrefixMatch",
    ]);
    assert!(ended
        .screen
        .contains("--context single-dev --service task-api"));
}

#[test]
fn single_dev_session_adds_rules_after_the_first() {
    let ended = session(
        &["wizard"],
        &[
            &SINGLE_DEV[..],
            &[
                ("Add more routing rules?", "y"),
                ("Match headers", "X-API-Version=2\n"),
                ("Match query parameters", "\n"),
                ("Matching requests are", "\x1b[B\n"),
                ("Backends", "task-api-v2:8000\n"),
                ("Mirror", "\n"),
                ("Rewrite the path prefix", "\n"),
                ("Rewrite the Host header", "\n"),
                ("Set request headers", "\n"),
                ("Remove request headers", "\n"),
                ("Add another rule?", "y"),
                ("Rule 1: path prefix", "/api/\n"),
                ("Rule 1: match headers", "\n"),
                ("Rule 1: method", "\n"),
                (
                    "Rule 1: backends",
                    "task-api:8000=90, task-api-canary:8000=10\n",
                ),
                ("1. path /api/ -> task-api (90), task-api-canary (10)", ""),
                ("Add another rule?", "n"),
            ],
        ]
        .concat(),
    );
    ended.assert_reproducible(&["name: task-api-v2", "weight: 90", "X-API-Version"]);
    assert!(ended.screen.contains("--rule"), "{}", ended.screen);
}

#[test]
fn shared_gateway_session_asks_for_the_existing_gateway_and_redirects() {
    let ended = session(
        &["wizard"],
        &[
            ("Deployment context", "\x1b[B\n"),
            ("Service name", "task-api\n"),
            ("Namespace", "apps\n"),
            ("Service port", "8000\n"),
            ("Name of the existing Gateway", "shared-gateway\n"),
            ("Namespace of the existing Gateway", "\n"),
            ("Listener to attach to", "https\n"),
            ("Path prefix", "\n"),
            ("Route hostnames", "\n"),
            ("Add more routing rules?", "y"),
            ("Match headers", "\n"),
            ("Match query parameters", "\n"),
            ("Matching requests are", "\x1b[B\x1b[B\n"),
            ("Redirect to scheme", "https\n"),
            ("Redirect to hostname", "\n"),
            ("Redirect status code", "301\n"),
            ("Set request headers", "\n"),
            ("Remove request headers", "X-Debug\n"),
        ],
    );
    ended.assert_reproducible(&[
        "kind: HTTPRoute",
        "namespace: gateway-system",
        "sectionName: https",
        "statusCode: 301",
        "- X-Debug",
    ]);
    assert!(
        !ended.stdout.contains("kind: Gateway\n"),
        "{}",
        ended.stdout
    );
}

#[test]
fn platform_team_session_asks_for_listeners_and_allowed_namespaces() {
    let ended = session(
        &["wizard"],
        &[
            ("Deployment context", "\x1b[B\x1b[B\n"),
            ("Gateway name", "\n"),
            ("Gateway namespace", "\n"),
            // One down from the default (envoy-gateway): istio, whose class becomes the default.
            ("Gateway API implementation", "\x1b[B\n"),
            ("GatewayClass name", "\n"),
            ("Listener hostname", "*.example.com\n"),
            ("Add an HTTPS listener", "y"),
            ("TLS certificate Secret", "wildcard-cert\n"),
            ("Redirect HTTP to HTTPS", "y"),
            ("Which namespaces may attach routes?", "\n"),
            ("Namespace labels", "gateway-access=true\n"),
            ("Service name", "task-api\n"),
            ("Namespace", "\n"),
            ("Service port", "8000\n"),
            ("Path prefix", "\n"),
            ("Route hostnames", "api.example.com\n"),
            ("Add more routing rules?", "n"),
        ],
    );
    let label = "gateway-access: \"true\"";
    ended.assert_reproducible(&[
        "kind: HTTPRoute",
        label,
        "protocol: HTTPS",
        "wildcard-cert",
        "gatewayClassName: istio",
        // The redirect pair: the app on the HTTPS listener, a 301 on the HTTP one.
        "name: task-api-https-redirect",
        "sectionName: http\n",
        "sectionName: https\n",
    ]);
    assert!(
        ended.screen.contains("--https-redirect"),
        "{}",
        ended.screen
    );
}

#[test]
fn cross_namespace_session_asks_for_the_backend_namespace() {
    let ended = session(
        &["wizard"],
        &[
            ("Deployment context", "\x1b[B\x1b[B\x1b[B\n"),
            ("Service name", "postgres-proxy\n"),
            ("Namespace of the Service", "databases\n"),
            ("Service port", "5432\n"),
            ("Namespace", "task-api\n"),
            ("Name of the existing Gateway", "shared-gateway\n"),
            ("Namespace of the existing Gateway", "\n"),
            ("Listener to attach to", "\n"),
            ("Path prefix", "/db/\n"),
            ("Route hostnames", "\n"),
            ("Add more routing rules?", "\n"),
        ],
    );
    ended.assert_reproducible(&[
        "kind: HTTPRoute",
        "kind: ReferenceGrant",
        "namespace: databases",
    ]);
}

#[test]
fn values_given_as_flags_are_not_asked_and_a_bad_answer_is_asked_again() {
    let flags = [
        "--context",
        "single-dev",
        "--port",
        "8000",
        "--gateway-class",
        "eg",
    ];
    let ended = session(
        &[&["wizard"], &flags[..]].concat(),
        &[
            ("Service name", "Bad_Name\n"),
            ("must be a DNS-1123 label", ""),
            ("Service name", "web\n"),
            ("Namespace", "\n"),
            ("Path prefix", "\n"),
            ("Route hostnames", "\n"),
            ("Add more routing rules?", "\n"),
        ],
    );
    ended.assert_reproducible(&["kind: HTTPRoute"]);
    for not_asked in ["Deployment context", "Service port", "GatewayClass name"] {
        assert!(
            !ended.screen.contains(not_asked),
            "{not_asked}:\n{}",
            ended.screen
        );
    }
}

#[test]
fn answers_the_plan_rejects_are_shown_and_asked_again() {
    let ended = session(
        &["wizard", "--context", "platform-team"],
        &[
            ("Gateway name", "\n"),
            ("Gateway namespace", "\n"),
            // One down from the default (envoy-gateway): istio, whose class becomes the default.
            ("Gateway API implementation", "\x1b[B\n"),
            ("GatewayClass name", "\n"),
            ("Listener hostname", "\n"),
            ("Add an HTTPS listener", "n"),
            // Selector without labels needs the app's namespace: there is none without a service.
            ("Which namespaces may attach routes?", "\n"),
            ("Namespace labels", "\n"),
            ("Service name", "\n"),
            ("do not work together", ""),
            ("gateway.allowedRoutes.labels", ""),
            ("Which namespaces may attach routes?", "\x1b[A\n"),
        ],
    );
    ended.assert_reproducible(&["kind: Gateway\n", "from: All"]);
}

#[test]
fn an_unknown_question_in_a_custom_profile_is_named() {
    let profiles = tempfile::tempdir().unwrap();
    let profile = "name: odd\nsummary: s\ndescription: d\ngateway: {create: true, namespace: x}\nroutes: required\nquestions: [service, colour]\n";
    std::fs::write(profiles.path().join("odd.yaml"), profile).unwrap();
    let dir = profiles.path().to_str().unwrap();
    let ended = session(&["wizard", "--profiles", dir, "--context", "odd"], &[]);
    assert_eq!(ended.code, 2, "{}", ended.screen);
    assert!(
        ended.screen.contains("unknown question \"colour\""),
        "{}",
        ended.screen
    );
}

#[test]
fn ctrl_c_at_a_prompt_cancels_with_130_and_writes_nothing() {
    let ended = session(
        &["wizard", "--context", "single-dev"],
        &[("Service name", "\x03")],
    );
    assert_eq!(ended.code, 130, "{}", ended.screen);
    assert_eq!(ended.stdout, "");
    assert!(ended.screen.contains("cancelled"), "{}", ended.screen);
}

#[test]
fn esc_in_a_menu_cancels_with_130() {
    let ended = session(&["wizard"], &[("Deployment context", "\x1b")]);
    assert_eq!(ended.code, 130, "{}", ended.screen);
    assert_eq!(ended.stdout, "");
}

#[test]
fn esc_at_a_text_prompt_cancels_with_130() {
    let ended = session(
        &["wizard", "--context", "single-dev"],
        &[("Service name", "web"), ("web", "\x1b")],
    );
    assert_eq!(ended.code, 130, "{}", ended.screen);
    assert_eq!(ended.stdout, "");
    assert!(ended.screen.contains("cancelled"), "{}", ended.screen);
}

/// A reason longer than the terminal is wide takes several rows; once an answer is taken, no row
/// of it is left on the screen.
#[test]
fn a_reason_wider_than_the_terminal_is_cleared_whole() {
    let mut w = Wizard::start_with_env(
        &["wizard", "--context", "single-dev", "--port", "8000"],
        false,
        &[],
        60,
    );
    w.play(&[
        ("Service name", "Bad_Name\n"),
        ("starting and ending with a letter or digit", ""),
        ("Service name", "web\n"),
        ("Namespace", "\n"),
        ("Path prefix", "\n"),
        ("Route hostnames", "\n"),
        ("Gateway API implementation", "\n"),
        ("GatewayClass name", "\n"),
        ("Add more routing rules?", "\n"),
    ]);
    let ended = w.end();
    assert_eq!(ended.code, 0, "{}", ended.screen);
    let rows: Vec<&str> = ended.screen.lines().collect();
    for part in ["DNS-1123", "letter or digit", "e.g. task-api"] {
        assert!(
            !rows.iter().any(|r| r.contains(part)),
            "{part} left on the screen:\n{}",
            ended.screen
        );
    }
    assert!(rows.contains(&"✔ Service name · web"), "{}", ended.screen);
}

#[test]
fn an_empty_required_answer_says_why_it_is_asked_again() {
    let ended = session(
        &["wizard", "--context", "cross-namespace", "--service", "db"],
        &[
            ("Namespace of the Service", "\n"),
            ("an answer is needed: serviceNamespace (--service-namespace) is required for context cross-namespace: its backends live in another namespace than the routes", ""),
            ("Namespace of the Service", "databases\n"),
            ("Service port", "\n"),
            ("an answer is needed: port (--port) is required", ""),
            ("Service port", "5432\n"),
            ("Namespace", "apps\n"),
            ("Name of the existing Gateway", "shared\n"),
            ("Namespace of the existing Gateway", "\n"),
            ("Listener to attach to", "\n"),
            ("Path prefix", "\n"),
            ("Route hostnames", "\n"),
            ("Add more routing rules?", "\n"),
        ],
    );
    ended.assert_reproducible(&["kind: ReferenceGrant", "namespace: databases"]);
}

/// `generate > file` on a terminal: stdout is not one, but the questions are asked on the terminal
/// (stderr), as `wizard` does, and the YAML goes to the file.
#[test]
fn generate_into_a_file_asks_on_the_terminal() {
    let ended = session(
        &["generate"],
        &[&SINGLE_DEV[..], &[("Add more routing rules?", "\n")]].concat(),
    );
    ended.assert_reproducible(&["kind: Gateway\n", "kind: HTTPRoute"]);
    assert!(
        !ended.screen.contains("kind: HTTPRoute"),
        "{}",
        ended.screen
    );
}

/// A `wizard` session that picks the conversion (the last item of the first menu, after the
/// contexts) of `examples/convert/FILE`, then plays `rest`; and the path of that file.
fn convert_session(file: &str, rest: &[(&str, &str)]) -> (Ended, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/convert")
        .join(file)
        .display()
        .to_string();
    let menu = "Deployment context (or convert existing manifests)";
    let answer = format!("{path}\n");
    let start = [
        (menu, "\x1b[A\n"),
        ("Manifests to convert", answer.as_str()),
    ];
    (session(&["wizard"], &[&start[..], rest].concat()), path)
}

/// With nothing given, the first menu also offers to convert existing Ingress manifests: the
/// wizard asks what `convert` takes (files that hold something to convert) and ends with the
/// `traffic-engineer convert` command.
#[test]
fn converting_existing_ingress_manifests_is_a_start() {
    let (ended, path) = convert_session(
        "ingress-nginx.yaml",
        &[
            ("Deployment context of the converted routes", "\n"),
            ("Gateway API implementation", "\n"),
            ("Gateway name", "\n"),
        ],
    );
    ended.assert_reproducible(&["kind: Gateway\n", "shop-api-canary", "statusCode: 308"]);
    let command =
        format!("Equivalent command: traffic-engineer convert {path} --context single-dev");
    assert!(ended.screen.contains(&command), "{}", ended.screen);
    assert!(ended.screen.contains("Generated "), "{}", ended.screen);
    // A file that is not there is named, and asked again.
    let mut w = Wizard::start(&["wizard"], false);
    w.play(&[
        (
            "Deployment context (or convert existing manifests)",
            "\x1b[A\n",
        ),
        ("Manifests to convert", "nowhere.yaml\n"),
        ("nowhere.yaml", ""),
        ("Manifests to convert", "\x1b"),
    ]);
    assert_eq!(w.end().code, 130);
}

/// The conversion attached to an existing Gateway asks for it (saying why when left empty) and
/// its listeners.
#[test]
fn converting_onto_a_shared_gateway_asks_for_it() {
    let (ended, _) = convert_session(
        "traefik.yaml",
        &[
            (
                "Deployment context of the converted routes",
                "\x1b[B\x1b[B\n",
            ),
            ("Name of the existing Gateway", "\n"),
            (
                "an answer is needed: shared-gateway attaches the converted routes",
                "",
            ),
            ("Name of the existing Gateway", "shared-gateway\n"),
            ("Namespace of the existing Gateway", "\n"),
            ("Listener the routes attach to", "https\n"),
            ("HTTP listener that redirects to HTTPS", "\n"),
        ],
    );
    ended.assert_reproducible(&["namespace: gateway-system", "sectionName: https"]);
    let flags = "--context shared-gateway --gateway shared-gateway --listener https";
    assert!(ended.screen.contains(flags), "{}", ended.screen);
}

#[test]
fn no_input_names_every_missing_flag_and_asks_nothing() {
    let output = Command::new(BIN)
        .args(["generate", "--no-input", "--context", "cross-namespace"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    for flag in ["--service", "--port", "--gateway", "--service-namespace"] {
        assert!(
            stderr.contains(&format!("use {flag} ")),
            "{flag}:\n{stderr}"
        );
    }
}

#[test]
fn generate_on_a_terminal_starts_the_wizard_for_missing_values() {
    // stdout on the pty too, as a person sees it; WIZARD_TRANSCRIPT=FILE keeps the screen.
    let mut w = Wizard::start(&["generate"], true);
    w.play(&SINGLE_DEV);
    w.play(&[("Add more routing rules?", "\n")]);
    let ended = w.end();
    assert_eq!(ended.code, 0, "{}", ended.screen);
    assert!(ended.screen.contains("kind: HTTPRoute"), "{}", ended.screen);
    let command =
        "Equivalent command: traffic-engineer generate --context single-dev --service task-api";
    assert!(ended.screen.contains(command), "{}", ended.screen);
    if let Some(path) = std::env::var_os("WIZARD_TRANSCRIPT") {
        std::fs::write(
            path,
            format!("$ traffic-engineer generate\n{}", ended.screen),
        )
        .unwrap();
    }
}

/// With `--cluster`, the GatewayClasses and Gateways the cluster has are offered as choices.
#[test]
fn cluster_gateways_and_classes_are_offered_as_choices() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster");
    let dir = tempfile::tempdir().unwrap();
    let answers = [
        ("config current-context", "context.txt"),
        (
            "get customresourcedefinitions*",
            "crds-v1.6.1-standard.json",
        ),
        ("get gatewayclasses*", "gatewayclasses.json"),
        ("get gateways*", "gateways.json"),
        ("get namespace*", "namespace-web.json"),
    ];
    let table: String = answers
        .iter()
        .map(|(glob, file)| format!("{glob}\tfile\t{}\n", fixtures.join(file).display()))
        .collect();
    std::fs::write(dir.path().join("answers"), table).unwrap();
    std::os::unix::fs::symlink(
        fixtures.join("kubectl-stand-in"),
        dir.path().join("kubectl"),
    )
    .unwrap();
    let kubectl = dir.path().join("kubectl");
    let mut w = Wizard::start_with_env(
        &[
            "wizard",
            "--context",
            "shared-gateway",
            "--service",
            "web",
            "--port",
            "80",
            "--cluster",
        ],
        false,
        &[("TE_KUBECTL", &kubectl)],
        WIDE,
    );
    w.play(&[
        ("Namespace", "\n"),
        // infra/internal, infra/selective, infra/shared: take the third.
        ("Existing Gateway (from the cluster)", "\x1b[B\x1b[B\n"),
        ("Listener to attach to", "\n"),
        ("Path prefix", "\n"),
        ("Route hostnames", "\n"),
        ("Add more routing rules?", "n"),
    ]);
    let ended = w.end();
    assert_eq!(ended.code, 0, "{}", ended.screen);
    assert!(
        ended
            .stdout
            .contains("- name: shared\n    namespace: infra\n"),
        "{}",
        ended.stdout
    );
}

/// For a layer-4 route the wizard asks no path, hostname or HTTP rules.
#[test]
fn a_tcp_route_session_skips_http_questions() {
    let ended = session(
        &["wizard", "--context", "single-dev", "--kind", "TCPRoute"],
        &[
            ("Service name", "postgres\n"),
            ("Namespace", "\n"),
            ("Service port", "5432\n"),
            ("Gateway API implementation", "\n"),
            ("GatewayClass name", "\n"),
        ],
    );
    assert!(!ended.screen.contains("Path prefix"), "{}", ended.screen);
    ended.assert_reproducible(&["kind: TCPRoute", "protocol: TCP", "sectionName: tcp"]);
}
