//! `traffic-engineer trace` and `traffic-engineer test`: where requests go, through the traffic
//! model of the manifests.

use super::{Failure, ReportFormat, EXIT_FOUND, EXIT_OK};
use crate::lint::{self, LintOptions};
use crate::traffic::{self, Model, Probe};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;

pub const TRACE_EXAMPLES: &str = "Examples:
  traffic-engineer trace gitops/ --url https://app.example.com/api/users
  traffic-engineer trace gitops/ --url http://app.example.com/ -H 'X-Env: canary' --method POST
  traffic-engineer trace gitops/ --url grpc://grpc.example.com/com.example.User/Login
  traffic-engineer generate --context single-dev --service web --port 80 | traffic-engineer trace - --url http://web.example.com/
Exit codes: 0 traced (whatever the outcome), 2 bad input.";

pub const TEST_EXAMPLES: &str = "Examples:
  traffic-engineer test --cases routing-tests.yaml gitops/
  traffic-engineer schema --cases > routing-tests.schema.json

A cases file:
  - name: api goes to v2 with the header
    url: https://app.example.com/api/users
    headers: {X-API-Version: \"2\"}
    expect: {backend: task-api-v2:8000, headers: {x-api-version: \"2\"}}
  - url: http://app.example.com/
    expect: {status: 301, location: https://app.example.com/}
Exit codes: 0 every case passed, 1 a case failed, 2 bad input.";

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Manifest files, folders (searched for *.yaml and *.yml) or - for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The request: http://, https://, grpc://HOST/pkg.Service/Method, tls://HOST, tcp://HOST:PORT, udp://HOST:PORT.
    #[arg(long)]
    pub url: String,
    /// The HTTP method (default GET; POST for gRPC).
    #[arg(long, short = 'X')]
    pub method: Option<String>,
    /// A request header, `Name: value` (repeatable; `Host:` overrides the URL's host).
    #[arg(long = "header", short = 'H', value_name = "HEADER")]
    pub headers: Vec<String>,
    /// The Gateway (`namespace/name`) when several listen on the URL's port.
    #[arg(long)]
    pub gateway: Option<String>,
    /// text: the path of the request for people; json: the trace as one object.
    #[arg(long, value_enum, default_value_t)]
    pub output: ReportFormat,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The routing test cases (YAML or JSON list; `schema --cases` prints its schema).
    #[arg(long, value_name = "FILE")]
    pub cases: PathBuf,
    /// Manifest files, folders or - for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// text: one line per case and a summary; json: one object with every case.
    #[arg(long, value_enum, default_value_t)]
    pub output: ReportFormat,
}

fn load(paths: &[PathBuf]) -> Result<Model, Failure> {
    let (_, model) = lint::load_paths(paths, &LintOptions::default())
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok(model)
}

pub fn run_trace(args: &TraceArgs) -> Result<i32, Failure> {
    let probe = Probe::new(&args.url, args.method.as_deref(), &args.headers)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let model = load(&args.paths)?;
    let trace = model
        .trace(&probe, args.gateway.as_deref())
        .map_err(|e| Failure::usage(e.to_string()))?;
    match args.output {
        ReportFormat::Json => println!("{}", json!(trace)),
        ReportFormat::Text => print!("{} {}\n{}", probe.method, probe.url(), trace.text()),
    }
    Ok(EXIT_OK)
}

pub fn run_test(args: &TestArgs) -> Result<i32, Failure> {
    let text = std::fs::read_to_string(&args.cases).map_err(|e| {
        Failure::usage(format!("cannot read --cases {}: {e}", args.cases.display()))
    })?;
    let cases = traffic::cases::parse_cases(&text)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.cases.display())))?;
    let model = load(&args.paths)?;
    let reports = traffic::run_cases(&model, &cases).map_err(|e| Failure::usage(e.to_string()))?;
    let report = traffic::TestReport::new(reports);
    let failed = report.failed;
    match args.output {
        ReportFormat::Json => println!("{}", json!(report)),
        ReportFormat::Text => {
            for r in &report.cases {
                if r.passed {
                    println!("PASS {}", r.name);
                } else {
                    println!("FAIL {}", r.name);
                    for f in &r.failures {
                        println!("  {f}");
                    }
                    for line in r.trace.text().lines() {
                        println!("  {line}");
                    }
                }
            }
            println!("{} passed, {failed} failed", report.passed);
        }
    }
    Ok(if failed > 0 { EXIT_FOUND } else { EXIT_OK })
}
