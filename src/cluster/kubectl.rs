//! Running the user's `kubectl`: argv only (never a shell, so no value can become a command), stdin
//! closed, a request timeout passed to kubectl and a hard wall-clock limit on top of it.

use serde_json::Value;
use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Passed to kubectl: how long one API request may take.
const REQUEST_TIMEOUT: &str = "--request-timeout=5s";
/// Default wall-clock limit per kubectl run. Above the request timeout because credential plugins
/// (cloud CLIs) run before the request and are not bound by it.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// The kubectl program to run, with the current context of the user's kubeconfig.
#[derive(Debug, Clone)]
pub struct Kubectl {
    program: PathBuf,
    limit: Duration,
}

/// Why a kubectl run gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KubectlError {
    #[error("cannot run {program}: {message}")]
    Spawn { program: String, message: String },
    #[error("kubectl gave no answer within {0:?}")]
    TimedOut(Duration),
    /// The object does not exist (`Error from server (NotFound)`).
    #[error("{0}")]
    NotFound(String),
    /// RBAC refused the read (`Error from server (Forbidden)`).
    #[error("{0}")]
    Forbidden(String),
    /// The API server does not know the resource type: its CRD is not installed.
    #[error("{0}")]
    NoResourceType(String),
    /// Anything else, e.g. the server cannot be reached: kubectl's last line of error output.
    #[error("{0}")]
    Failed(String),
    #[error("kubectl printed output that is not JSON: {0}")]
    BadOutput(String),
}

impl KubectlError {
    /// Whether the error proves an API server answered (as opposed to no cluster at all).
    pub fn server_answered(&self) -> bool {
        matches!(
            self,
            KubectlError::NotFound(_)
                | KubectlError::Forbidden(_)
                | KubectlError::NoResourceType(_)
        )
    }

    fn from_stderr(stderr: &str) -> KubectlError {
        // kubectl logs retries as klog lines before its final message: the last line is the one
        // meant for the user.
        let last = stderr.lines().rfind(|l| !l.trim().is_empty());
        let message = last.unwrap_or("kubectl failed without a message").trim();
        let message = message.to_string();
        if message.contains("(NotFound)") {
            KubectlError::NotFound(message)
        } else if message.contains("(Forbidden)") {
            KubectlError::Forbidden(message)
        } else if message.contains("doesn't have a resource type") {
            KubectlError::NoResourceType(message)
        } else {
            KubectlError::Failed(message)
        }
    }
}

impl Kubectl {
    pub fn new(program: impl Into<PathBuf>) -> Kubectl {
        Kubectl {
            program: program.into(),
            limit: TIME_LIMIT,
        }
    }

    /// `$TE_KUBECTL` when set (tests, wrappers), else `kubectl` from PATH.
    pub fn from_env() -> Kubectl {
        Kubectl::from_var(std::env::var_os("TE_KUBECTL"))
    }

    fn from_var(value: Option<OsString>) -> Kubectl {
        match value {
            Some(program) if !program.is_empty() => Kubectl::new(program),
            _ => Kubectl::new("kubectl"),
        }
    }

    /// The same program with another wall-clock limit per run.
    pub fn with_time_limit(self, limit: Duration) -> Kubectl {
        Kubectl { limit, ..self }
    }

    /// kubectl's current context (read from the kubeconfig, no request).
    pub fn current_context(&self) -> Result<String, KubectlError> {
        Ok(self.run(&["config", "current-context"])?.trim().to_string())
    }

    /// `kubectl get ARGS -o json` with the request timeout, parsed.
    pub fn get_json(&self, args: &[&str]) -> Result<Value, KubectlError> {
        let mut argv = vec!["get"];
        argv.extend_from_slice(args);
        argv.extend(["-o", "json", REQUEST_TIMEOUT]);
        let stdout = self.run(&argv)?;
        // `--ignore-not-found` with nothing found may print nothing at all.
        if stdout.trim().is_empty() {
            return Ok(serde_json::json!({ "items": [] }));
        }
        serde_json::from_str(&stdout).map_err(|e| KubectlError::BadOutput(e.to_string()))
    }

    /// Runs kubectl with `args`, returning its standard output when it exits with 0.
    fn run(&self, args: &[&str]) -> Result<String, KubectlError> {
        let mut child = Command::new(&self.program)
            .args(args)
            // Closed stdin: kubectl must never wait for a password or a plugin prompt.
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| KubectlError::Spawn {
                program: self.program.display().to_string(),
                message: e.to_string(),
            })?;
        // Read both pipes on threads so a full pipe cannot stall kubectl while we wait.
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let deadline = Instant::now() + self.limit;
        let status = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                // The reader threads are left alone: a grandchild may still hold the pipes.
                return Err(KubectlError::TimedOut(self.limit));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = stdout.join().unwrap_or_default();
        if status.success() {
            Ok(stdout)
        } else {
            Err(KubectlError::from_stderr(
                &stderr.join().unwrap_or_default(),
            ))
        }
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn te_kubectl_overrides_the_program() {
        let custom = Kubectl::from_var(Some("/opt/k".into()));
        assert_eq!(custom.program, PathBuf::from("/opt/k"));
        assert_eq!(Kubectl::from_var(None).program, PathBuf::from("kubectl"));
        assert_eq!(
            Kubectl::from_var(Some("".into())).program,
            PathBuf::from("kubectl")
        );
    }

    #[test]
    fn errors_are_told_apart_by_kubectls_last_line() {
        let refused = "E1126 07:03:03.712658 memcache.go:265] couldn't get current server API group list\nThe connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n";
        assert!(
            matches!(KubectlError::from_stderr(refused), KubectlError::Failed(m) if m.starts_with("The connection"))
        );
        let missing =
            r#"Error from server (NotFound): gateways.gateway.networking.k8s.io "web" not found"#;
        assert!(KubectlError::from_stderr(missing).server_answered());
        let forbidden = r#"Error from server (Forbidden): gatewayclasses.gateway.networking.k8s.io is forbidden: User "dev" cannot list resource"#;
        assert!(matches!(
            KubectlError::from_stderr(forbidden),
            KubectlError::Forbidden(_)
        ));
        let no_crd = r#"error: the server doesn't have a resource type "gatewayclasses""#;
        assert!(matches!(
            KubectlError::from_stderr(no_crd),
            KubectlError::NoResourceType(_)
        ));
        assert!(!KubectlError::from_stderr("").server_answered());
    }
}
