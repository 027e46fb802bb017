//! Routing tests: a YAML list of requests and where each must go, checked against the model (in
//! the spirit of Envoy's route table check tool). `schema --cases` prints the file's JSON Schema.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::probe::{Probe, ProbeError};
use super::{Model, Outcome, Trace};

/// A routing test file: a list of cases.
pub type Cases = Vec<Case>;

/// One request and what must happen to it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "traffic-engineer routing test case")]
pub struct Case {
    /// A name for the report (default: the method and URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The request URL: `http://`, `https://`, `grpc://host/pkg.Service/Method`, `tls://`,
    /// `tcp://host:port`, `udp://host:port`.
    pub url: String,
    /// The HTTP method (default GET; POST for gRPC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Request headers by name (a `Host` header overrides the URL's host).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// The Gateway (`namespace/name`) when several listen on the URL's port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    pub expect: Expect,
}

/// What must happen; every key given is checked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `forwarded`, `redirected`, `not-found`, `error`, `no-listener` or `answered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// `[namespace/]name:port`: the only backend, or the one with the largest share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// Every backend with its weight (order does not matter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backends: Option<Vec<ExpectBackend>>,
    /// The status the client gets: 200 when forwarded, the redirect's status, 404, 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The redirect's Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The winning route, `[namespace/]name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Headers the backend must receive with these values (names in any case).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectBackend {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// The backendRef's weight (default 1).
    #[serde(default = "one")]
    pub weight: i64,
}

fn one() -> i64 {
    1
}

/// The results of a cases file: the JSON of `test --output json` and of the MCP `test` tool.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TestReport {
    pub cases: Vec<CaseReport>,
    pub passed: usize,
    pub failed: usize,
}

impl TestReport {
    pub fn new(cases: Vec<CaseReport>) -> TestReport {
        let failed = cases.iter().filter(|c| !c.passed).count();
        TestReport {
            passed: cases.len() - failed,
            failed,
            cases,
        }
    }
}

/// The result of one case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseReport {
    pub name: String,
    pub passed: bool,
    /// What differed from `expect`, one line each.
    pub failures: Vec<String>,
    pub trace: Trace,
}

/// Reads a cases file: a YAML (or JSON) list. Errors name the case and the key.
pub fn parse_cases(text: &str) -> Result<Cases, ProbeError> {
    let value: serde_json::Value =
        crate::yaml::from_str(text).map_err(|e| ProbeError(format!("cases file: {e}")))?;
    let serde_json::Value::Array(items) = value else {
        return Err(ProbeError(
            "cases file: must be a list of cases (- url: ... expect: ...)".into(),
        ));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let label = match item.get("name").and_then(|n| n.as_str()) {
                Some(n) => format!("case {i} ({n:?})"),
                None => format!("case {i}"),
            };
            serde_json::from_value::<Case>(item).map_err(|e| ProbeError(format!("{label}: {e}")))
        })
        .collect()
}

/// Runs every case; a case whose request cannot be built or traced is an input error.
pub fn run_cases(model: &Model, cases: &[Case]) -> Result<Vec<CaseReport>, ProbeError> {
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let headers: Vec<String> = case
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            let name = case.name.clone().unwrap_or_else(|| {
                format!("{} {}", case.method.as_deref().unwrap_or("GET"), case.url)
            });
            let label = |e: ProbeError| ProbeError(format!("case {i} ({name:?}): {e}"));
            let probe = Probe::new(&case.url, case.method.as_deref(), &headers).map_err(label)?;
            let trace = model
                .trace(&probe, case.gateway.as_deref())
                .map_err(label)?;
            let failures = check(&case.expect, &trace);
            Ok(CaseReport {
                name,
                passed: failures.is_empty(),
                failures,
                trace,
            })
        })
        .collect()
}

fn differ(out: &mut Vec<String>, what: &str, want: &str, got: &str) {
    if want != got {
        out.push(format!("{what}: expected {want}, got {got}"));
    }
}

/// The differences between what a case expects and what the trace found.
fn check(expect: &Expect, t: &Trace) -> Vec<String> {
    let mut out = Vec::new();
    let outcome = serde_json::to_value(t.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    if let Some(want) = &expect.outcome {
        differ(&mut out, "outcome", want, &outcome);
    }
    if let Some(want) = expect.status {
        let got = match (t.outcome, t.status) {
            (Outcome::Forwarded, _) => "200".to_string(),
            (_, Some(s)) => s.to_string(),
            (_, None) => outcome.clone(),
        };
        differ(&mut out, "status", &want.to_string(), &got);
    }
    if let Some(want) = &expect.backend {
        let got = t
            .main_backend()
            .unwrap_or_else(|| format!("none ({outcome})"));
        let matches = if want.contains('/') {
            *want == got
        } else {
            got.split_once('/').is_some_and(|(_, rest)| rest == want)
        };
        if !matches {
            differ(&mut out, "backend", want, &got);
        }
    }
    if let Some(want) = &expect.backends {
        let mut left: Vec<&super::BackendShare> = t.backends.iter().collect();
        let same = want.len() == left.len()
            && want.iter().all(|w| {
                let found = left.iter().position(|b| {
                    b.name == w.name
                        && w.namespace.as_ref().is_none_or(|n| *n == b.namespace)
                        && w.port.is_none_or(|p| b.port == Some(p))
                        && b.weight == w.weight
                });
                found.map(|i| left.remove(i)).is_some()
            });
        if !same {
            let want: Vec<String> = want
                .iter()
                .map(|b| {
                    let ns = b.namespace.as_ref().map(|n| format!("{n}/"));
                    let port = b.port.map_or("*".into(), |p| p.to_string());
                    format!("{}{}:{port}={}", ns.unwrap_or_default(), b.name, b.weight)
                })
                .collect();
            let got: Vec<String> = t
                .backends
                .iter()
                .map(|b| {
                    format!(
                        "{}/{}:{}={}",
                        b.namespace,
                        b.name,
                        b.port.unwrap_or(0),
                        b.weight
                    )
                })
                .collect();
            out.push(format!(
                "backends: expected {}, got {}",
                want.join(", "),
                if got.is_empty() {
                    "none".to_string()
                } else {
                    got.join(", ")
                }
            ));
        }
    }
    if let Some(want) = &expect.location {
        let got = t
            .redirect
            .as_ref()
            .map_or(format!("no redirect ({outcome})"), |r| r.location.clone());
        differ(&mut out, "location", want, &got);
    }
    if let Some(want) = &expect.route {
        let got = t.route.as_deref().map_or(String::new(), |r| {
            let rest = r.split_once('/').map_or(r, |(_, rest)| rest);
            if want.contains('/') {
                rest.to_string()
            } else {
                rest.split_once('/').map_or(rest, |(_, n)| n).to_string()
            }
        });
        differ(
            &mut out,
            "route",
            want,
            if got.is_empty() { "none" } else { &got },
        );
    }
    for (name, want) in &expect.headers {
        let got = t.request.as_ref().and_then(|r| {
            r.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        });
        differ(
            &mut out,
            &format!("header {name}"),
            want,
            got.as_deref().unwrap_or("(absent)"),
        );
    }
    out
}
