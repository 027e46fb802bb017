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
use expectrl::{ControlCode, Eof, Expect, Session};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_traffic-engineer");
const DOWN: &str = "\x1b[B";

/// A running wizard and everything it has shown so far.
struct Wizard {
    session: OsSession,
    shown: Vec<u8>,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

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
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.yaml");
        std::fs::write(&out, "").unwrap();
        let script = if merged {
            r#"exec "$0" "$@""#
        } else {
            r#"exec "$0" "$@" > "$WIZARD_OUT""#
        };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg(BIN)
            .args(args)
            .env("WIZARD_OUT", &out)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm");
        let mut session = Session::spawn(cmd).expect("spawn on a pty");
        // Generous: the machine running the tests may be busy.
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Wizard {
            session,
            shown: Vec::new(),
            out,
            _dir: dir,
        }
    }

    /// Waits until `text` is shown.
    fn wait_for(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => self.shown.extend_from_slice(found.as_bytes()),
            Err(e) => panic!(
                "waiting for {text:?}: {e}\nshown so far:\n{}",
                screen::render(&self.shown)
            ),
        }
    }

    /// Waits for the prompt `prompt`, then sends `keys` (e.g. arrow keys for a menu).
    fn keys(&mut self, prompt: &str, keys: &str) {
        self.wait_for(prompt);
        self.session.send(keys).unwrap();
    }

    /// Waits for the prompt `prompt`, then types `reply` and Enter.
    fn answer(&mut self, prompt: &str, reply: &str) {
        self.wait_for(prompt);
        self.session.send_line(reply).unwrap();
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
            screen: screen::render(&self.shown),
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

    /// The session succeeded, and its YAML is exactly what the equivalent command prints.
    fn assert_reproducible(&self) {
        assert_eq!(self.code, 0, "{}", self.screen);
        assert!(self.stdout.contains("kind: HTTPRoute"), "{}", self.stdout);
        assert_eq!(
            self.stdout,
            self.run_equivalent_command(),
            "{}",
            self.screen
        );
    }
}

#[test]
fn single_dev_session_with_a_traffic_split() {
    let mut w = Wizard::start(&["wizard"], false);
    w.keys("Deployment context", "\n");
    w.answer("Service name", "task-api");
    w.answer("Namespace", "");
    w.answer("Service port", "8000");
    w.answer("Path prefix", "/api/");
    w.answer("Route hostnames", "api.example.com");
    w.answer("GatewayClass name", "");
    w.keys("Add more routing rules?", "y");
    w.answer("Match headers", "X-Canary=yes");
    w.answer("Match query parameters", "");
    w.keys("Matching requests are", &format!("{DOWN}\n"));
    w.answer("Backends", "");
    w.answer("Mirror", "");
    w.answer("Rewrite the path prefix", "/");
    w.answer("Rewrite the Host header", "");
    w.answer("Set request headers", "X-Route=wizard");
    w.answer("Remove request headers", "");
    let ended = w.end();
    ended.assert_reproducible();
    for expected in [
        "task-api-canary",
        "weight: 90",
        "X-Canary",
        "ReplacePrefixMatch",
    ] {
        assert!(
            ended.stdout.contains(expected),
            "{expected}:\n{}",
            ended.stdout
        );
    }
    assert!(ended
        .screen
        .contains("--context single-dev --service task-api"));
}

#[test]
fn shared_gateway_session_asks_for_the_existing_gateway() {
    let mut w = Wizard::start(&["wizard"], false);
    w.keys("Deployment context", &format!("{DOWN}\n"));
    w.answer("Service name", "task-api");
    w.answer("Namespace", "apps");
    w.answer("Service port", "8000");
    w.answer("Name of the existing Gateway", "shared-gateway");
    w.answer("Namespace of the existing Gateway", "");
    w.answer("Listener to attach to", "https");
    w.answer("Path prefix", "");
    w.answer("Route hostnames", "");
    w.keys("Add more routing rules?", "\n");
    let ended = w.end();
    ended.assert_reproducible();
    assert!(
        ended.stdout.contains("sectionName: https"),
        "{}",
        ended.stdout
    );
    assert!(
        !ended.stdout.contains("kind: Gateway\n"),
        "{}",
        ended.stdout
    );
}

#[test]
fn platform_team_session_asks_for_listeners_and_allowed_namespaces() {
    let mut w = Wizard::start(&["wizard"], false);
    w.keys("Deployment context", &format!("{DOWN}{DOWN}\n"));
    w.answer("Gateway name", "");
    w.answer("Gateway namespace", "");
    w.answer("GatewayClass name", "");
    w.answer("Listener hostname", "*.example.com");
    w.keys("Add an HTTPS listener", "y");
    w.answer("TLS certificate Secret", "wildcard-cert");
    w.keys("Which namespaces may attach routes?", "\n");
    w.answer("Namespace labels", "gateway-access=true");
    w.answer("Service name", "task-api");
    w.answer("Namespace", "");
    w.answer("Service port", "8000");
    w.answer("Path prefix", "");
    w.answer("Route hostnames", "api.example.com");
    w.keys("Add more routing rules?", "n");
    let ended = w.end();
    ended.assert_reproducible();
    for expected in [
        "gateway-access: \"true\"",
        "protocol: HTTPS",
        "wildcard-cert",
    ] {
        assert!(
            ended.stdout.contains(expected),
            "{expected}:\n{}",
            ended.stdout
        );
    }
}

#[test]
fn cross_namespace_session_asks_for_the_backend_namespace() {
    let mut w = Wizard::start(&["wizard"], false);
    w.keys("Deployment context", &format!("{DOWN}{DOWN}{DOWN}\n"));
    w.answer("Service name", "postgres-proxy");
    w.answer("Namespace of the Service", "databases");
    w.answer("Service port", "5432");
    w.answer("Namespace", "task-api");
    w.answer("Name of the existing Gateway", "shared-gateway");
    w.answer("Namespace of the existing Gateway", "");
    w.answer("Listener to attach to", "");
    w.answer("Path prefix", "/db/");
    w.answer("Route hostnames", "");
    w.keys("Add more routing rules?", "\n");
    let ended = w.end();
    ended.assert_reproducible();
    assert!(
        ended.stdout.contains("kind: ReferenceGrant"),
        "{}",
        ended.stdout
    );
}

#[test]
fn values_given_as_flags_are_not_asked_and_a_bad_answer_is_asked_again() {
    let mut w = Wizard::start(
        &[
            "wizard",
            "--context",
            "single-dev",
            "--port",
            "8000",
            "--gateway-class",
            "eg",
        ],
        false,
    );
    w.answer("Service name", "Bad_Name");
    w.wait_for("DNS-1123 label");
    w.answer("Service name", "web");
    w.answer("Namespace", "");
    w.answer("Path prefix", "");
    w.answer("Route hostnames", "");
    w.keys("Add more routing rules?", "\n");
    let ended = w.end();
    ended.assert_reproducible();
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
    let mut w = Wizard::start(&["wizard", "--context", "platform-team"], false);
    w.answer("Gateway name", "");
    w.answer("Gateway namespace", "");
    w.answer("GatewayClass name", "");
    w.answer("Listener hostname", "");
    w.keys("Add an HTTPS listener", "n");
    // Selector without labels needs the app's namespace, which there is none of without a service.
    w.keys("Which namespaces may attach routes?", "\n");
    w.answer("Namespace labels", "");
    w.answer("Service name", "");
    w.wait_for("do not work together");
    w.wait_for("gateway.allowedRoutes.labels");
    w.keys("Which namespaces may attach routes?", "\x1b[A\n");
    let ended = w.end();
    assert_eq!(ended.code, 0, "{}", ended.screen);
    assert!(ended.stdout.contains("from: All"), "{}", ended.stdout);
    assert_eq!(ended.stdout, ended.run_equivalent_command());
}

#[test]
fn an_unknown_question_in_a_custom_profile_is_named() {
    let profiles = tempfile::tempdir().unwrap();
    let profile = "name: odd\nsummary: s\ndescription: d\ngateway: {create: true, namespace: x}\nroutes: required\nquestions: [service, colour]\n";
    std::fs::write(profiles.path().join("odd.yaml"), profile).unwrap();
    let dir = profiles.path().to_str().unwrap();
    let w = Wizard::start(&["wizard", "--profiles", dir, "--context", "odd"], false);
    let ended = w.end();
    assert_eq!(ended.code, 2, "{}", ended.screen);
    assert!(
        ended.screen.contains("unknown question \"colour\""),
        "{}",
        ended.screen
    );
}

#[test]
fn ctrl_c_at_a_prompt_cancels_with_130_and_writes_nothing() {
    let mut w = Wizard::start(&["wizard", "--context", "single-dev"], false);
    w.wait_for("Service name");
    w.session.send(ControlCode::EndOfText).unwrap();
    let ended = w.end();
    assert_eq!(ended.code, 130, "{}", ended.screen);
    assert_eq!(ended.stdout, "");
    assert!(ended.screen.contains("cancelled"), "{}", ended.screen);
}

#[test]
fn esc_in_a_menu_cancels_with_130() {
    let mut w = Wizard::start(&["wizard"], false);
    w.keys("Deployment context", "\x1b");
    let ended = w.end();
    assert_eq!(ended.code, 130, "{}", ended.screen);
    assert_eq!(ended.stdout, "");
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
            stderr.contains(&format!("pass {flag} ")),
            "{flag}:\n{stderr}"
        );
    }
}

#[test]
fn generate_on_a_terminal_starts_the_wizard_for_missing_values() {
    // stdout on the pty too, as a person sees it; WIZARD_TRANSCRIPT=FILE keeps the screen.
    let mut w = Wizard::start(&["generate"], true);
    w.keys("Deployment context", "\n");
    w.answer("Service name", "task-api");
    w.answer("Namespace", "");
    w.answer("Service port", "8000");
    w.answer("Path prefix", "/api/");
    w.answer("Route hostnames", "api.example.com");
    w.answer("GatewayClass name", "");
    w.keys("Add more routing rules?", "\n");
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
