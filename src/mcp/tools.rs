//! The tools: argument and result types (their JSON Schemas are the tools' input and output
//! schemas) and one thin function per tool over the library.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::{tool, tool_router, Peer, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::missing::{self, MissingValue};
use super::Server;
use std::sync::Arc;

use crate::crd::CrdSet;
use crate::door::Door;
use crate::files::{self, FileChange, Summary, WriteReport};
use crate::finding::{Finding, Severity};
use crate::generate::{generate, Bundle, GenerateError};
use crate::lint::{self, Channel, LintOptions};
use crate::request::{FieldError, Request, RequestError};
use crate::traffic;

// Tools return `Result<Json<T>, CallToolResult>` spelled out: the `#[tool]` macro derives the
// output schema from that exact shape, and a type alias would hide it. The error is the tool
// result (`isError: true`) the assistant reads.

#[derive(Debug, Serialize, JsonSchema)]
pub struct Contexts {
    pub contexts: Vec<ContextInfo>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ContextInfo {
    pub name: String,
    /// One line.
    pub summary: String,
    pub description: String,
    /// The kinds this context generates.
    pub generates: Vec<String>,
}

/// The generated manifests: the same object as `generate --output json`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Generated {
    pub context: String,
    /// One entry per resource, with its path under an output folder.
    pub files: Vec<GeneratedFile>,
    /// All documents as one multi-document stream, ready for `kubectl apply -f -`.
    pub yaml: String,
    pub findings: Vec<Finding>,
    /// A request for each generated match, traced through the generated set: proof that each
    /// reaches the rule it was generated for.
    pub traces: Vec<traffic::SampleTrace>,
    /// The equivalent `traffic-engineer generate` command; null when flags cannot say all of it.
    pub command: Option<String>,
    /// The request as understood, defaults not filled in.
    pub request: Request,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct GeneratedFile {
    pub path: String,
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub content: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffArgs {
    /// What to generate (the same object `generate` takes).
    pub request: Request,
    /// The output folder, relative to the server's root (e.g. `deploy/gateway`).
    pub dir: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteArgs {
    /// What to generate (the same object `generate` takes).
    pub request: Request,
    /// The output folder, relative to the server's root; created when missing.
    pub dir: String,
    /// Replace existing files whose values differ, and delete the stale files `prune` names.
    /// Without it, nothing is written when any file would be replaced or deleted.
    #[serde(default)]
    pub overwrite: bool,
    /// Delete stale files: files an earlier run wrote (they start with the traffic-engineer
    /// marker line) that the request no longer generates. Without it they are reported and kept.
    #[serde(default)]
    pub prune: bool,
}

/// What writing the generated files into `dir` does (or did), file by file.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FilesResult {
    pub context: String,
    pub dir: String,
    /// Whether the folder differs from what is generated: a file new or changed in value, or a
    /// stale file there (what `--check` fails on).
    pub changed: bool,
    /// One entry per file, kustomization.yaml files and stale files included, with a unified diff
    /// and what `write` does with it (`action`).
    pub files: Vec<FileChange>,
    /// How many files have each status.
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// `write` only: what was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<WriteReport>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintArgs {
    /// Manifests as YAML text (one or more documents).
    #[serde(default)]
    pub yaml: Option<String>,
    /// Files or folders (searched for *.yaml and *.yml) under the server's root.
    #[serde(default)]
    pub paths: Vec<String>,
    /// The Gateway API channel of the cluster's CRDs (default standard).
    #[serde(default)]
    pub channel: Channel,
    /// CRD files, folders or release bundles (e.g. standard-install.yaml) under the server's
    /// root: documents of the kinds they define are validated against them (schema and CEL
    /// rules) as the API server would, instead of the built-in v1.6.1 rules.
    #[serde(default)]
    pub crds: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Linted {
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Sources read (the YAML text counts as one).
    pub files: usize,
    pub documents: usize,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceArgs {
    /// Manifests as YAML text (one or more documents).
    #[serde(default)]
    pub yaml: Option<String>,
    /// Files or folders (searched for *.yaml and *.yml) under the server's root.
    #[serde(default)]
    pub paths: Vec<String>,
    /// The request: `http://`, `https://`, `grpc://host/pkg.Service/Method`, `tls://host`,
    /// `tcp://host:port`, `udp://host:port`.
    pub url: String,
    /// The HTTP method (default GET; POST for gRPC).
    #[serde(default)]
    pub method: Option<String>,
    /// Request headers by name (`Host` overrides the URL's host).
    #[serde(default)]
    pub headers: indexmap::IndexMap<String, String>,
    /// The Gateway (`namespace/name`) when several listen on the URL's port.
    #[serde(default)]
    pub gateway: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestArgs {
    /// Manifests as YAML text (one or more documents).
    #[serde(default)]
    pub yaml: Option<String>,
    /// Files or folders (searched for *.yaml and *.yml) under the server's root.
    #[serde(default)]
    pub paths: Vec<String>,
    /// The routing test cases (the same list as a `test --cases` file).
    pub cases: traffic::Cases,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertArgs {
    /// Ingress / IngressRoute manifests as YAML text.
    #[serde(default)]
    pub yaml: Option<String>,
    /// Files or folders (searched for *.yaml and *.yml) under the server's root.
    #[serde(default)]
    pub paths: Vec<String>,
    /// The deployment context and, for a shared Gateway, which one.
    #[serde(flatten)]
    pub options: crate::convert::Options,
}

/// Converted manifests: the same object as `convert --output json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Converted {
    pub context: String,
    pub files: Vec<GeneratedFile>,
    /// All documents as one multi-document stream.
    pub yaml: String,
    /// What could not be carried over, requests that route differently, and lint's findings.
    pub findings: Vec<Finding>,
    /// The Requests the sources became (one per namespace and class).
    pub requests: Vec<Request>,
    /// How many findings `--strict` fails on.
    pub lossy: usize,
}

#[tool_router(router = tool_router, vis = "pub(super)")]
impl Server {
    /// List the deployment contexts: what each is for and which resources it generates. Choose
    /// one with the user before generating.
    #[tool(annotations(
        title = "List deployment contexts",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn list_contexts(&self) -> Json<Contexts> {
        let contexts = self
            .profiles
            .iter()
            .map(|p| ContextInfo {
                name: p.name.clone(),
                summary: p.summary.clone(),
                description: p.description.clone(),
                generates: p.generates().into_iter().map(String::from).collect(),
            })
            .collect();
        Json(Contexts { contexts })
    }

    /// Generate Gateway API manifests for a request; writes nothing. Returns the YAML, one entry
    /// per resource, findings, and the equivalent CLI command. Missing values come back as
    /// questions to ask the user.
    #[tool(annotations(
        title = "Generate manifests",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn generate(
        &self,
        Parameters(request): Parameters<Request>,
        peer: Peer<RoleServer>,
    ) -> Result<Json<Generated>, CallToolResult> {
        let (bundle, request) = self.bundle(request, &peer).await?;
        let report = crate::cli::bundle_json(&bundle, &request);
        serde_json::from_value(report)
            .map(Json)
            .map_err(|e| failure(format!("internal error: {e}"), &[]))
    }

    /// Show what writing the generated files into `dir` would change: per file new, changed,
    /// unchanged, formatting_only (left as it is), or stale (written by an earlier run and no
    /// longer generated; `write` deletes it only with `prune: true`), with a unified diff. Writes
    /// nothing.
    #[tool(annotations(
        title = "Diff against a folder",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn diff(
        &self,
        Parameters(args): Parameters<DiffArgs>,
        peer: Peer<RoleServer>,
    ) -> Result<Json<FilesResult>, CallToolResult> {
        self.files(args.request, &args.dir, None, &peer).await
    }

    /// Write the generated files into `dir` (under the server's root), one per resource in
    /// persona folders with a kustomization.yaml each, and one in `dir` listing the folders.
    /// Atomic and all or nothing; replacing changed files needs `overwrite: true`; stale files are
    /// deleted only with `prune: true` (and `overwrite: true`). Files without the traffic-engineer
    /// marker line are never deleted.
    #[tool(annotations(
        title = "Write manifests",
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn write(
        &self,
        Parameters(args): Parameters<WriteArgs>,
        peer: Peer<RoleServer>,
    ) -> Result<Json<FilesResult>, CallToolResult> {
        let consent = Consent {
            overwrite: args.overwrite,
            prune: args.prune,
        };
        self.files(args.request, &args.dir, Some(consent), &peer)
            .await
    }

    /// Lint Gateway API manifests (YAML text and/or files under the server's root) against the
    /// v1.6.1 rules, predicting the status a controller would set.
    #[tool(annotations(
        title = "Lint manifests",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn lint(
        &self,
        Parameters(args): Parameters<LintArgs>,
    ) -> Result<Json<Linted>, CallToolResult> {
        let (report, _) = self
            .load(args.yaml, &args.paths, args.channel, &args.crds)
            .map_err(|e| failure(e, &[]))?;
        Ok(Json(Linted {
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            notes: report.count(Severity::Note),
            files: report.files,
            documents: report.documents,
            findings: Door::Mcp.findings(report.findings),
        }))
    }

    /// Follow one request through manifests (YAML text and/or files under the server's root):
    /// the listener, the winning route and rule with the candidates it beat, the filters, and
    /// the outcome (forwarded with backend shares, redirected, not-found, error, no-listener).
    /// The same JSON as `traffic-engineer trace --output json`.
    #[tool(annotations(
        title = "Trace a request",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn trace(
        &self,
        Parameters(args): Parameters<TraceArgs>,
    ) -> Result<Json<traffic::Trace>, CallToolResult> {
        let headers: Vec<String> = args
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let probe = traffic::Probe::new(&args.url, args.method.as_deref(), &headers)
            .map_err(|e| failure(e.to_string(), &[]))?;
        let (_, model) = self
            .load(args.yaml, &args.paths, Channel::Standard, &[])
            .map_err(|e| failure(e, &[]))?;
        model
            .trace(&probe, args.gateway.as_deref())
            .map(Json)
            .map_err(|e| failure(e.to_string(), &[]))
    }

    /// Convert Ingress (with ingress-nginx annotations) and Traefik IngressRoute manifests into
    /// Gateway API for a deployment context (`context`; for shared-gateway also `gateway`,
    /// `gatewayNamespace`, `listener`). Writes nothing. Findings name everything that could not
    /// be carried over and any sample request the output routes differently from the source.
    #[tool(annotations(
        title = "Convert Ingress manifests",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn convert(
        &self,
        Parameters(args): Parameters<ConvertArgs>,
    ) -> Result<Json<Converted>, CallToolResult> {
        let sources = self
            .sources(args.yaml, &args.paths)
            .map_err(|e| failure(e, &[]))?;
        let sources: Vec<(&str, &str)> = sources
            .iter()
            .map(|(l, t)| (l.as_str(), t.as_str()))
            .collect();
        let conversion =
            crate::convert::convert(&sources, &args.options, &self.profiles, &self.templates)
                .map_err(|e| failure(e.to_string(), &[]))?;
        let lossy = conversion.lossy();
        let bundle = conversion.bundle;
        let files = bundle
            .documents
            .iter()
            .map(|d| GeneratedFile {
                path: d.path.clone(),
                kind: d.kind.clone(),
                name: d.name.clone(),
                namespace: d.namespace.clone(),
                content: d.yaml.clone(),
            })
            .collect();
        Ok(Json(Converted {
            context: bundle.context.clone(),
            files,
            yaml: bundle.yaml_stream(),
            findings: Door::Mcp.findings(bundle.findings),
            requests: conversion.requests,
            lossy,
        }))
    }

    /// Run routing tests: each case is a request and what must happen to it (backend, backends
    /// with weights, status, location, route, headers the backend sees). The same JSON as
    /// `traffic-engineer test --output json`; a failing case carries the trace that explains it.
    #[tool(annotations(
        title = "Test routing",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn test(
        &self,
        Parameters(args): Parameters<TestArgs>,
    ) -> Result<Json<traffic::TestReport>, CallToolResult> {
        let (_, model) = self
            .load(args.yaml, &args.paths, Channel::Standard, &[])
            .map_err(|e| failure(e, &[]))?;
        traffic::run_cases(&model, &args.cases)
            .map(|cases| Json(traffic::TestReport::new(cases)))
            .map_err(|e| failure(e.to_string(), &[]))
    }
}

impl Server {
    /// Ingress or Traefik IngressRoute sources, read from YAML text and files under the root.
    fn sources(
        &self,
        yaml: Option<String>,
        paths: &[String],
    ) -> Result<Vec<(String, String)>, String> {
        if yaml.is_none() && paths.is_empty() {
            return Err("give `yaml` and/or `paths`".into());
        }
        let mut sources: Vec<(String, String)> = yaml
            .into_iter()
            .map(|text| ("yaml".to_string(), text))
            .collect();
        for path in paths {
            sources.extend(self.read_under_root(path)?);
        }
        Ok(sources)
    }

    /// Lints YAML text and files under the root as one set, keeping its traffic model.
    fn load(
        &self,
        yaml: Option<String>,
        paths: &[String],
        channel: Channel,
        crds: &[String],
    ) -> Result<(lint::Report, traffic::Model), String> {
        let sources = self.sources(yaml, paths)?;
        let crds = match crds {
            [] => None,
            _ => {
                let paths = crds
                    .iter()
                    .map(|p| self.root.resolve(p).map_err(|e| format!("crds: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                let set = CrdSet::load(&paths).map_err(|e| format!("crds: {e}"))?;
                if set.is_empty() {
                    return Err(format!(
                        "crds: no CustomResourceDefinition found in {}",
                        crds.join(", ")
                    ));
                }
                Some(Arc::new(set))
            }
        };
        let sources: Vec<(&str, &str)> = sources
            .iter()
            .map(|(label, text)| (label.as_str(), text.as_str()))
            .collect();
        Ok(lint::load_sources(
            &sources,
            &LintOptions {
                channel,
                implementation: None,
                crds,
            },
        ))
    }

    /// Generates, asking the user for missing values by elicitation when the client can show a
    /// form. Returns the request actually used, answers included.
    async fn bundle(
        &self,
        request: Request,
        peer: &Peer<RoleServer>,
    ) -> Result<(Bundle, Request), CallToolResult> {
        // Findings name settings the way an MCP caller sets them.
        let run = |r: &Request| {
            generate(r, &self.profiles, &self.templates).map(|mut b| {
                b.findings = Door::Mcp.findings(b.findings);
                b
            })
        };
        let first = run(&request);
        let answers = match &first {
            Err(GenerateError::Request(RequestError::Invalid(errors))) => {
                missing::elicit(peer, &missing::questions(errors, &self.profiles)).await
            }
            _ => None,
        };
        let Some(answers) = answers else {
            return first.map(|b| (b, request)).map_err(|e| self.failed(e));
        };
        let filled = missing::fill(&request, &answers)
            .map_err(|e| failure(format!("the answers do not fit the request: {e}"), &[]))?;
        run(&filled)
            .map(|b| (b, filled))
            .map_err(|e| self.failed(e))
    }

    /// `diff` (no consent) and `write`: compare with `dir`, then write when asked.
    async fn files(
        &self,
        request: Request,
        dir: &str,
        write: Option<Consent>,
        peer: &Peer<RoleServer>,
    ) -> Result<Json<FilesResult>, CallToolResult> {
        let path = self
            .root
            .resolve(dir)
            .map_err(|e| failure(e.to_string(), &[]))?;
        let (bundle, _) = self.bundle(request, peer).await?;
        let files_err = |e: files::FilesError| {
            match e {
            files::FilesError::NeedsConsent { .. } => failure(
                format!("{e}; show the diff to the user and, with their consent, call write again with overwrite: true"),
                &[],
            ),
            e => failure(e.to_string(), &[]),
        }
        };
        let options = files::Options {
            prune: write.is_some_and(|c| c.prune),
            reformat: false,
        };
        let changes = files::changes(&path, bundle.out_files(), &options).map_err(files_err)?;
        let written = match write {
            Some(consent) => {
                Some(files::write(&path, &changes, consent.overwrite).map_err(files_err)?)
            }
            None => None,
        };
        Ok(Json(FilesResult {
            context: bundle.context,
            dir: dir.to_string(),
            changed: files::changed(&changes),
            summary: Summary::of(&changes),
            files: changes,
            findings: bundle.findings,
            written,
        }))
    }

    /// The files a lint path names, read, each labelled relative to the root. Files found in a
    /// folder are checked too: a link inside the root may point outside it.
    fn read_under_root(&self, path: &str) -> Result<Vec<(String, String)>, String> {
        let resolved = self.root.resolve(path).map_err(|e| e.to_string())?;
        let inputs = lint::inputs(&[resolved]).map_err(|e| e.to_string())?;
        inputs
            .iter()
            .map(|input| {
                let label = input.label();
                if !self.root.contains(std::path::Path::new(&label)) {
                    return Err(format!(
                        "refusing {label}: it lies outside the server's root"
                    ));
                }
                let text = input.read().map_err(|e| e.to_string())?;
                Ok((self.root.display(&label), text))
            })
            .collect()
    }

    /// The tool result for a request that cannot be generated: the missing values with their
    /// questions when any are missing, otherwise every invalid field.
    fn failed(&self, e: GenerateError) -> CallToolResult {
        let errors = match &e {
            GenerateError::Request(RequestError::Invalid(errors)) => errors,
            GenerateError::Lint(errors) => return failure(e.to_string(), errors),
            _ => return failure(e.to_string(), &[]),
        };
        let missing = missing::questions(errors, &self.profiles);
        if missing.is_empty() {
            return failure(e.to_string(), errors);
        }
        needs_input(&missing, errors)
    }
}

/// What the `write` tool may do to existing files.
#[derive(Debug, Clone, Copy)]
struct Consent {
    overwrite: bool,
    prune: bool,
}

/// A tool error shaped like the CLI's JSON errors: `{"error": {...}, "errors": [...]}`, naming
/// settings as tool parameters.
fn failure(message: impl Into<String>, errors: &[FieldError]) -> CallToolResult {
    let message = Door::Mcp.text(&message.into());
    let list: Vec<Value> = if errors.is_empty() {
        vec![json!({ "message": message })]
    } else {
        errors
            .iter()
            .map(|e| json!(Door::Mcp.field_error(e.clone())))
            .collect()
    };
    with_text(
        json!({"error": list[0], "errors": list}),
        format!("error: {message}"),
    )
}

/// Values are missing: the result names each with the question the assistant should ask.
fn needs_input(missing: &[MissingValue], errors: &[FieldError]) -> CallToolResult {
    let questions: Vec<String> = missing
        .iter()
        .map(|m| format!("- {}: {}", m.field, m.question))
        .collect();
    let text = format!(
        "Values are missing. Ask the user, then call the tool again with the answers in the request:\n{}",
        questions.join("\n")
    );
    let errors: Vec<FieldError> = errors
        .iter()
        .map(|e| Door::Mcp.field_error(e.clone()))
        .collect();
    with_text(
        json!({"missing": missing, "error": {"message": text}, "errors": errors}),
        text,
    )
}

/// An error result with a readable text first, then the same data as JSON.
fn with_text(value: Value, text: String) -> CallToolResult {
    let mut result = CallToolResult::structured_error(value);
    result.content.insert(0, ContentBlock::text(text));
    result
}
