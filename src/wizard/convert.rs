//! The other start of the wizard: convert existing Ingress manifests (ingress-nginx Ingress,
//! Traefik IngressRoute) instead of describing the routes anew. It asks what `convert` takes (the
//! files, the deployment context, the Gateway) and hands the answers back: the command line runs
//! `convert` with them and prints the equivalent `traffic-engineer convert …` command.

use super::ask::Prompter;
use super::questions::{items, pick_implementation};
use super::WizardError;
use crate::context::Profiles;
use crate::spec;
use std::path::PathBuf;

/// The item of the first menu that starts a conversion.
pub const START: &str =
    "convert existing Ingress manifests (ingress-nginx Ingress, Traefik IngressRoute)";

/// The contexts a conversion can target: the Gateway generated from the IngressClasses, or an
/// existing one.
const CONTEXTS: [&str; 3] = [
    "single-dev",
    "platform-team",
    crate::convert::SHARED_CONTEXT,
];

/// What `convert` is run with.
#[derive(Debug, Clone)]
pub struct ConvertAnswers {
    pub paths: Vec<PathBuf>,
    pub options: crate::convert::Options,
}

/// Asks for the manifests, the context and its Gateway.
pub fn ask(prompter: &Prompter, profiles: &Profiles) -> Result<ConvertAnswers, WizardError> {
    let answer = prompter.text(
        "Manifests to convert (files or folders, comma-separated)",
        None,
        Some(
            "convert reads the Ingress and IngressRoute manifests from these files or folders"
                .into(),
        ),
        |a| readable(&paths(a)),
    )?;
    let mut options = crate::convert::Options {
        context: context(prompter, profiles)?,
        ..crate::convert::Options::default()
    };
    if options.context == crate::convert::SHARED_CONTEXT {
        shared_gateway(prompter, profiles, &mut options)?;
    } else {
        options.implementation = pick_implementation(prompter)?;
        let prompt = "Gateway name (empty: each IngressClass's name, traefik for IngressRoutes)";
        options.gateway = name(prompter, prompt, None)?;
    }
    Ok(ConvertAnswers {
        paths: paths(&answer),
        options,
    })
}

fn paths(answer: &str) -> Vec<PathBuf> {
    items(answer).into_iter().map(PathBuf::from).collect()
}

/// The paths name files or folders that hold something to convert (stdin is the terminal here).
fn readable(paths: &[PathBuf]) -> Result<(), String> {
    if paths.iter().any(|p| p.as_os_str() == "-") {
        return Err("'-' (stdin) is the terminal here: name files or folders".into());
    }
    let inputs = crate::lint::inputs(paths).map_err(|e| e.to_string())?;
    let mut texts = Vec::new();
    for input in &inputs {
        texts.push((input.label(), input.read().map_err(|e| e.to_string())?));
    }
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    crate::convert::check_sources(&sources).map_err(|e| e.to_string())
}

/// The deployment context of the converted routes, with each one's summary.
fn context(prompter: &Prompter, profiles: &Profiles) -> Result<String, WizardError> {
    let width = CONTEXTS.iter().map(|c| c.len()).max().unwrap_or(0);
    let items: Vec<String> = CONTEXTS
        .iter()
        .map(|c| {
            let summary = profiles
                .get(c)
                .map(|p| p.summary.as_str())
                .unwrap_or_default();
            format!("{c:width$}  {summary}")
        })
        .collect();
    let picked = prompter.select("Deployment context of the converted routes", &items, 0)?;
    Ok(CONTEXTS[picked].to_string())
}

/// The existing Gateway the routes attach to, its namespace and listeners.
fn shared_gateway(
    prompter: &Prompter,
    profiles: &Profiles,
    options: &mut crate::convert::Options,
) -> Result<(), WizardError> {
    let why = "shared-gateway attaches the converted routes to an existing Gateway";
    options.gateway = name(prompter, "Name of the existing Gateway", Some(why))?;
    let default = profiles
        .get(crate::convert::SHARED_CONTEXT)
        .map(|p| p.gateway.namespace.clone());
    let namespace = prompter.text(
        "Namespace of the existing Gateway",
        default.clone(),
        None,
        |a| spec::dns_label(a).map_err(|rule| format!("must {rule}")),
    )?;
    // The context's default needs no flag: keep the equivalent command short.
    options.gateway_namespace = (Some(&namespace) != default.as_ref()).then_some(namespace);
    let prompt = "Listener the routes attach to (its HTTPS listener for redirected hosts; empty: every listener)";
    options.listener = name(prompter, prompt, None)?;
    let prompt = "HTTP listener that redirects to HTTPS (empty: none)";
    options.redirect_listener = name(prompter, prompt, None)?;
    Ok(())
}

/// A Gateway or listener name (a DNS subdomain); `required` says why an empty answer is not taken,
/// none takes it as "none".
fn name(
    prompter: &Prompter,
    prompt: &str,
    required: Option<&str>,
) -> Result<Option<String>, WizardError> {
    let answer = prompter.text(prompt, None, required.map(str::to_string), |a| {
        spec::dns_subdomain(a).map_err(|rule| format!("must {rule}"))
    })?;
    Ok((!answer.is_empty()).then_some(answer))
}
