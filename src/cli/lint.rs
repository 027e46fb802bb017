//! `traffic-engineer lint`: check manifests, print the findings, exit 1 when any is an error.

use super::{Failure, ReportFormat, EXIT_FOUND, EXIT_OK, EXIT_USAGE};
use crate::crd::CrdSet;
use crate::finding::Severity;
use crate::implementation::Implementations;
use crate::lint::{self, Channel, LintOptions};
use clap::Args;
use serde_json::json;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

pub const LINT_EXAMPLES: &str = "Examples:
  traffic-engineer lint gitops/
  traffic-engineer generate --context single-dev --service web --port 80 | traffic-engineer lint -
  traffic-engineer lint --channel experimental manifests/ --output json
  traffic-engineer lint --implementation traefik gitops/
  traffic-engineer lint --crds standard-install.yaml gitops/
  traffic-engineer lint --cluster gitops/
  traffic-engineer lint --explain route-not-allowed-by-listener
  traffic-engineer lint --explain convert-not-equivalent   # any id in brackets, of generate and convert too";

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, folders (searched for *.yaml and *.yml) or - for stdin.
    #[arg(value_name = "PATH", required_unless_present_any = ["explain", "rules"])]
    pub paths: Vec<PathBuf>,
    /// The CRD channel the cluster runs: decides the served apiVersions and fields.
    #[arg(long, value_enum, default_value_t)]
    pub channel: Channel,
    /// Also warn about features this implementation does not claim in its conformance report
    /// (envoy-gateway, istio, cilium, traefik, kong, nginx, contour, gke, agentgateway,
    /// airlock-microgateway, aws-load-balancer-controller, gravitee, higress, kgateway,
    /// kong-operator).
    #[arg(long, value_name = "NAME")]
    pub implementation: Option<String>,
    /// Validate against these CRDs (files, folders or release bundles such as
    /// standard-install.yaml) as the API server would: schema, defaults and CEL rules.
    #[arg(long, value_name = "PATH")]
    pub crds: Vec<PathBuf>,
    /// Validate against the CRDs installed in the cluster of kubectl's current context (read
    /// with `kubectl get customresourcedefinitions`; nothing is written).
    #[arg(long, conflicts_with = "crds")]
    pub cluster: bool,
    /// Print the documentation of a rule id (of lint, generate or convert: the id in brackets of
    /// any finding) and exit.
    #[arg(long, value_name = "RULE", conflicts_with = "rules")]
    pub explain: Option<String>,
    /// List every rule id lint, generate and convert report, by command, with its severity and
    /// summary, and exit.
    #[arg(long)]
    pub rules: bool,
    /// text: the findings for people, with a summary line; json: one object with the findings
    /// and their counts.
    #[arg(long, value_enum, default_value_t)]
    pub output: ReportFormat,
}

pub fn run(args: &LintArgs) -> Result<i32, Failure> {
    if args.rules {
        for (i, table) in lint::rule_tables().iter().enumerate() {
            if i > 0 {
                println!();
            }
            println!("{}: {}", table.command, table.about);
            for doc in table.rules {
                println!(
                    "  {:<36} {:<7} {}",
                    doc.id,
                    format!("{:?}", doc.severity).to_lowercase(),
                    doc.summary
                );
            }
        }
        return Ok(EXIT_OK);
    }
    if let Some(rule) = &args.explain {
        let Some((command, doc)) = lint::lookup(rule) else {
            let message =
                format!("no rule {rule:?}\n  hint: `traffic-engineer lint --rules` lists them");
            return Err(Failure {
                code: EXIT_USAGE,
                errors: Vec::new(),
                message,
            });
        };
        match args.output {
            ReportFormat::Json => {
                let mut explained = json!(doc);
                explained["command"] = json!(command);
                println!("{explained}");
            }
            ReportFormat::Text => println!(
                "{} ({}, reported by {command})\n\n{}\n\n{}\n\nFix:\n{}",
                doc.id,
                format!("{:?}", doc.severity).to_lowercase(),
                doc.summary,
                doc.explanation,
                doc.example_fix
            ),
        }
        return Ok(EXIT_OK);
    }
    let implementation = match &args.implementation {
        Some(name) => {
            let presets = Implementations::built_in();
            let found = presets.get(name).cloned().ok_or_else(|| {
                Failure::usage(format!(
                    "--implementation {name:?} is not known\n  hint: use one of: {}",
                    presets.names().join(", ")
                ))
            })?;
            Some(found)
        }
        None => None,
    };
    let opts = LintOptions {
        channel: args.channel,
        implementation,
        crds: match args.cluster {
            true => Some(cluster_crds()?),
            false => load_crds(&args.crds)?,
        },
    };
    let mut report =
        lint::lint_paths(&args.paths, &opts).map_err(|e| Failure::usage(e.to_string()))?;
    report.findings = crate::door::Door::Flags.findings(std::mem::take(&mut report.findings));
    match args.output {
        ReportFormat::Json => {
            let counts = json!({
                "errors": report.count(Severity::Error),
                "warnings": report.count(Severity::Warning),
                "notes": report.count(Severity::Note),
            });
            let value = json!({"findings": report.findings, "files": report.files, "documents": report.documents, "counts": counts});
            println!("{value}");
        }
        ReportFormat::Text => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            print!("{}", lint::format_human(&report, color));
        }
    }
    Ok(if report.has_errors() {
        EXIT_FOUND
    } else {
        EXIT_OK
    })
}

/// The CRDs of the cluster (`lint --cluster`); a cluster that does not answer is bad input.
fn cluster_crds() -> Result<Arc<CrdSet>, Failure> {
    let crds = crate::cluster::read_crds(&crate::cluster::Kubectl::from_env()).map_err(|e| {
        Failure::usage(format!(
            "--cluster: the cluster's CRDs could not be read: {e}\n  hint: check `kubectl get customresourcedefinitions`, or give the CRDs with --crds PATH"
        ))
    })?;
    Ok(Arc::new(crds))
}

/// The CRDs of `--crds`, compiled once for the whole run; `None` when none are given.
pub(super) fn load_crds(paths: &[PathBuf]) -> Result<Option<Arc<CrdSet>>, Failure> {
    if paths.is_empty() {
        return Ok(None);
    }
    let crds = CrdSet::load(paths).map_err(|e| Failure::usage(format!("--crds: {e}")))?;
    if crds.is_empty() {
        return Err(Failure::usage(format!(
            "--crds: no CustomResourceDefinition found in {}\n  hint: give CRD files, a folder of them, or a release bundle such as standard-install.yaml",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(Some(Arc::new(crds)))
}
