//! `convert`: Ingress and Traefik IngressRoute manifests into Gateway API for a deployment
//! context, printed or written like `generate` output.

use super::args::command_line;
use super::generate::{files_json, output_words, Ask, Emit};
use super::{load_profiles, Failure, GenerateArgs, OutputArgs, OutputFormat, EXIT_FOUND};
use crate::convert::{convert, ConvertError, Options};
use crate::render::Templates;
use crate::wizard::ConvertAnswers;
use clap::Args;
use serde_json::json;
use std::path::PathBuf;

pub const CONVERT_EXAMPLES: &str = "Examples:
  traffic-engineer convert ingress/ --context single-dev
  kubectl get ingress -A -o yaml | traffic-engineer convert - --context platform-team --implementation istio
  traffic-engineer convert traefik/ --context shared-gateway --gateway shared-gateway --gateway-namespace gateway-system --listener https --redirect-listener http
  traffic-engineer convert ingress/ --context single-dev --out-dir gitops --check --strict
  traffic-engineer convert ingress/ --context single-dev --gateway-api v1.4
What is converted: networking.k8s.io/v1 Ingress (IngressClass, ingress-nginx annotations) and Traefik
IngressRoute (traefik.io and traefik.containo.us v1alpha1, with their Middlewares); Services in the
input resolve named ports. TLS sections with different Secrets give each host its own HTTPS
listener; CORS (enable-cors, a headers middleware's accessControl* fields) becomes the CORS filter
from --gateway-api v1.5. Whatever cannot be said in Gateway API is a warning naming the object and
the key, and sample requests of every route are checked to go where the source sends them.
Exit codes: 0 done, 1 with --strict when something was not carried over or routes differently (or
drift under --check), 2 bad input.";

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Files, folders (their *.yaml and *.yml, recursively) or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Deployment context: single-dev or platform-team generate the Gateway(s) (one per
    /// IngressClass, with HTTPS from the TLS sections); shared-gateway attaches to --gateway.
    #[arg(long, help_heading = "Context")]
    pub context: String,
    /// The existing Gateway to attach to (shared-gateway), or the name of the generated one
    /// (default: the IngressClass's name, `traefik` for IngressRoutes).
    #[arg(long, value_name = "NAME", help_heading = "Context")]
    pub gateway: Option<String>,
    #[arg(long, value_name = "NS", help_heading = "Context")]
    pub gateway_namespace: Option<String>,
    /// shared-gateway: the listener routes attach to (its HTTPS listener for hosts that redirect).
    #[arg(long, value_name = "NAME", help_heading = "Context")]
    pub listener: Option<String>,
    /// shared-gateway: the HTTP listener that redirects to HTTPS (ssl-redirect, web entry point).
    #[arg(long, value_name = "NAME", help_heading = "Context")]
    pub redirect_listener: Option<String>,
    /// The Gateway API implementation (sets the GatewayClass and controller).
    #[arg(long, help_heading = "Context")]
    pub implementation: Option<String>,
    /// The Gateway API release the cluster runs, v1.0 to v1.6 [default: v1.6]: what it lacks (the
    /// CORS filter before v1.5) stays a finding.
    #[arg(long, value_name = "VERSION", help_heading = "Context")]
    pub gateway_api: Option<String>,
    /// Exit 1 when anything was not carried over or a sample request routes differently.
    #[arg(long, help_heading = "Output")]
    pub strict: bool,
    /// Add or replace contexts with the profiles in DIR (*.yaml).
    #[arg(long, value_name = "DIR", help_heading = "Customisation")]
    pub profiles: Option<PathBuf>,
    /// Render with the templates in DIR where present (see `templates export`).
    #[arg(long, value_name = "DIR", help_heading = "Customisation")]
    pub templates: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run(args: &ConvertArgs) -> Result<i32, Failure> {
    run_as(args, false)
}

/// The wizard's other start: `convert` with its answers and the output options of the run that
/// started it, then the equivalent command.
pub(super) fn from_wizard(answers: ConvertAnswers, args: &GenerateArgs) -> Result<i32, Failure> {
    let o = answers.options;
    let convert = ConvertArgs {
        paths: answers.paths,
        context: o.context,
        gateway: o.gateway,
        gateway_namespace: o.gateway_namespace,
        listener: o.listener,
        redirect_listener: o.redirect_listener,
        implementation: o.implementation,
        gateway_api: o.gateway_api,
        strict: false,
        profiles: args.profiles.clone(),
        templates: args.templates.clone(),
        out: args.out.clone(),
    };
    let code = run_as(&convert, true)?;
    eprintln!();
    eprintln!("Equivalent command: {}", equivalent_command(&convert));
    Ok(code)
}

/// The `convert` command of `args`, as a shell reads it.
fn equivalent_command(args: &ConvertArgs) -> String {
    let mut words: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    words.extend(["--context".to_string(), args.context.clone()]);
    let options = [
        ("--gateway", &args.gateway),
        ("--gateway-namespace", &args.gateway_namespace),
        ("--listener", &args.listener),
        ("--redirect-listener", &args.redirect_listener),
        ("--implementation", &args.implementation),
        ("--gateway-api", &args.gateway_api),
    ];
    for (flag, value) in options {
        if let Some(value) = value {
            words.extend([flag.to_string(), value.clone()]);
        }
    }
    words.extend(output_words(&args.profiles, &args.templates, &args.out));
    command_line("convert", &words)
}

/// `convert`; `wizard` adds the summary of what was generated before the manifests.
fn run_as(args: &ConvertArgs, wizard: bool) -> Result<i32, Failure> {
    let usage = |e: &dyn std::fmt::Display| Failure::usage(e.to_string());
    let inputs = crate::lint::inputs(&args.paths).map_err(|e| usage(&e))?;
    let mut texts = Vec::new();
    for input in &inputs {
        texts.push((input.label(), input.read().map_err(|e| usage(&e))?));
    }
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    let profiles = load_profiles(args.profiles.as_deref())?;
    let templates = Templates::load(args.templates.as_deref()).map_err(|e| usage(&e))?;
    let opts = Options {
        context: args.context.clone(),
        gateway: args.gateway.clone(),
        gateway_namespace: args.gateway_namespace.clone(),
        listener: args.listener.clone(),
        redirect_listener: args.redirect_listener.clone(),
        implementation: args.implementation.clone(),
        gateway_api: args.gateway_api.clone(),
    };
    let conversion = convert(&sources, &opts, &profiles, &templates).map_err(|e| match e {
        ConvertError::Generate { source, namespace } => {
            let mut failure = Failure::from(source);
            failure.message = format!(
                "the converted routes of namespace {namespace}: {}",
                failure.message
            );
            failure
        }
        other => usage(&other),
    })?;
    let mut conversion = conversion;
    let findings = std::mem::take(&mut conversion.bundle.findings);
    conversion.bundle.findings = crate::door::Door::Flags.findings(findings);
    let bundle = &conversion.bundle;
    if wizard {
        eprint!("{}", crate::wizard::summary(bundle));
    }
    let report = || {
        json!({
            "context": bundle.context,
            "files": files_json(bundle),
            "yaml": bundle.yaml_stream(),
            "findings": bundle.findings,
            "requests": conversion.requests,
        })
    };
    let code = Emit {
        out: &args.out,
        ask: Ask::WhenMissing,
    }
    .run(bundle, report)?;
    if args.strict && conversion.lossy() > 0 {
        if args.out.output == OutputFormat::Yaml {
            eprintln!(
                "--strict: {} finding(s) of the conversion above: not everything was carried over as it was",
                conversion.lossy()
            );
        }
        return Ok(EXIT_FOUND);
    }
    Ok(code)
}
