//! `generate` and `wizard`: build the request (flags, `--request`, the wizard), generate, then print
//! the manifests or compare and write them under `--out-dir`, with cluster facts under `--cluster`.

use super::{
    load_profiles, read_request, shell_line, to_args, Failure, GenerateArgs, OutputArgs,
    OutputFormat, EXIT_DECLINED, EXIT_FOUND, EXIT_OK,
};
use crate::cluster;
use crate::context::Profiles;
use crate::crd::CrdSet;
use crate::door::Door;
use crate::files;
use crate::finding::{Finding, Severity};
use crate::generate::{generate_against, Bundle, GenerateError};
use crate::render::Templates;
use crate::request::{FieldError, Request, RequestError};
use serde_json::json;
use std::io::IsTerminal;
use std::sync::Arc;

/// When `generate` asks for values with the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ask {
    /// `wizard`: whatever the flags gave.
    Always,
    /// `generate`: when values are missing and stdin and stderr are terminals (the wizard asks
    /// on stderr, so `generate > file` asks as `wizard` does).
    WhenMissing,
    /// `generate --no-input`.
    Never,
}

pub(super) fn run_generate(args: &GenerateArgs, ask: Ask) -> Result<i32, Failure> {
    let given = args
        .request
        .apply(read_request(args.request.request.as_deref())?)?;
    let profiles = load_profiles(args.profiles.as_deref())?;
    let templates =
        Templates::load(args.templates.as_deref()).map_err(|e| Failure::usage(e.to_string()))?;
    let wizard = match ask {
        Ask::Always => true,
        Ask::Never => false,
        Ask::WhenMissing => {
            std::io::stdin().is_terminal()
                && std::io::stderr().is_terminal()
                && misses_values(&given, &profiles)
        }
    };
    let request = if wizard {
        let choices = match args.cluster {
            true => {
                let facts =
                    cluster::read(&cluster::Kubectl::from_env(), &cluster::Query::default());
                let gateways = facts
                    .gateway_names()
                    .into_iter()
                    .map(|(ns, name)| (ns.to_string(), name.to_string()))
                    .collect();
                let classes = facts
                    .class_names()
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                crate::wizard::Choices { classes, gateways }
            }
            false => crate::wizard::Choices::default(),
        };
        match crate::wizard::run(given, &profiles, &choices)? {
            crate::wizard::Start::Generate(request) => *request,
            crate::wizard::Start::Convert(answers) => {
                return super::convert::from_wizard(answers, args)
            }
        }
    } else {
        given
    };
    let mut request = request;
    // Request-file users read field paths in messages; flag and wizard users read flags.
    let door = match (&args.request.request, ask) {
        (Some(_), Ask::WhenMissing | Ask::Never) => Door::RequestFile,
        _ => Door::Flags,
    };
    let not_asked = |e| not_asked(e, door);
    if args.cluster {
        redirect_listeners_from_cluster(&mut request);
    }
    let given_crds = super::lint::load_crds(&args.crds)?;
    let mut bundle =
        generate_against(&request, &profiles, &templates, given_crds.clone()).map_err(not_asked)?;
    let mut cluster_target = None;
    if args.cluster {
        let mut query =
            cluster::Query::for_documents(&bundle.documents, request.gateway.class_name.as_deref());
        let facts = cluster::read(&cluster::Kubectl::from_env(), &query);
        let retarget = match (&request.options.gateway_api, facts.target_version()) {
            (None, Some(version)) => {
                request.options.gateway_api = Some(version.clone());
                cluster_target = Some(version);
                true
            }
            _ => false,
        };
        // `--crds` says what the cluster runs when given; otherwise the installed CRDs do.
        let cluster_crds = match (&given_crds, &facts.crd_objects) {
            (None, Some(objects)) => Some(Arc::new(CrdSet::from_json("cluster", objects)))
                .filter(|crds| !crds.is_empty()),
            _ => None,
        };
        if retarget || cluster_crds.is_some() {
            bundle = generate_against(&request, &profiles, &templates, cluster_crds.or(given_crds))
                .map_err(not_asked)?;
        }
        query.target = request.options.gateway_api.clone();
        bundle.findings.extend(cluster::findings(&facts, &query));
    }
    bundle.findings = door.findings(bundle.findings);
    if wizard {
        eprint!("{}", crate::wizard::summary(&bundle));
    }
    let json = || {
        let mut json = bundle_json(&bundle, &request);
        if json["command"].is_null() {
            json["command"] = json!(request_file_command(args, cluster_target.as_deref()));
        }
        json
    };
    let code = Emit {
        out: &args.out,
        ask,
    }
    .run(&bundle, json)?;
    if wizard {
        eprintln!();
        match equivalent_command(&request, args) {
            Some(line) => eprintln!("Equivalent command: {line}"),
            None => eprintln!("Equivalent command: none (flags cannot say all of this request; use --request FILE)"),
        }
    }
    Ok(code)
}

/// The output options `generate` and `convert` share: the manifests on stdout (YAML or JSON), or
/// compared with `--out-dir` and written with consent.
pub(super) struct Emit<'a> {
    pub out: &'a OutputArgs,
    pub ask: Ask,
}

impl Emit<'_> {
    /// Prints or writes `bundle`; `json` makes its report, for `--output json` only (it took a
    /// twentieth of a `generate` that prints YAML).
    pub(super) fn run(
        &self,
        bundle: &Bundle,
        json: impl FnOnce() -> serde_json::Value,
    ) -> Result<i32, Failure> {
        match self.out.out_dir.as_deref() {
            Some(dir) => self.write_out(dir, bundle, json),
            None => {
                match self.out.output {
                    OutputFormat::Yaml => {
                        print!("{}", bundle.yaml_stream());
                        eprint_findings(&bundle.findings);
                    }
                    OutputFormat::Json => println!("{}", json()),
                }
                Ok(EXIT_OK)
            }
        }
    }

    /// `--out-dir`: compare with what is there, show it, then check, stop, or write with consent.
    fn write_out(
        &self,
        dir: &std::path::Path,
        bundle: &Bundle,
        json: impl FnOnce() -> serde_json::Value,
    ) -> Result<i32, Failure> {
        let args = self.out;
        let files_err = |e: files::FilesError| Failure::usage(e.to_string());
        let options = files::Options {
            prune: args.prune,
            reformat: args.reformat,
        };
        let changes = files::changes(dir, bundle.out_files(), &options).map_err(files_err)?;
        let summary = files::Summary::of(&changes);
        let mut declined = None;
        let report = if !args.dry_run && !args.check {
            let mut result = files::write(dir, &changes, args.yes);
            if matches!(result, Err(files::FilesError::NeedsConsent { .. }))
                && self.ask != Ask::Never
                && confirm_overwrite(&changes)?
            {
                result = files::write(dir, &changes, true);
            }
            match result {
                Ok(report) => Some(report),
                Err(e @ files::FilesError::NeedsConsent { .. }) => {
                    declined = Some(e);
                    None
                }
                Err(e) => return Err(files_err(e)),
            }
        } else {
            None
        };
        match args.output {
            OutputFormat::Json => {
                let mut json = json();
                json["files"] = json!(changes);
                json["summary"] = json!(summary);
                json["written"] = json!(report);
                println!("{json}");
            }
            OutputFormat::Yaml => {
                print!(
                    "{}",
                    files::format_changes(
                        &changes,
                        files::color_wanted(std::io::stdout().is_terminal())
                    )
                );
                let mode = match (args.dry_run, args.check, files::changed(&changes)) {
                    (true, _, _) => "; dry run: nothing written",
                    (_, true, true) => "; check: the folder differs",
                    (_, true, false) => "; check: up to date",
                    _ => "",
                };
                println!("{summary}{mode}");
                if let Some(report) = &report {
                    eprintln!("{report}");
                }
                print_file_notes(&changes, args);
                eprint_findings(&bundle.findings);
            }
        }
        if let Some(e) = declined {
            return Err(Failure {
                code: EXIT_DECLINED,
                errors: Vec::new(),
                message: format!("{e}; confirm on a terminal, or pass --yes"),
            });
        }
        Ok(if args.check && files::changed(&changes) {
            EXIT_FOUND
        } else {
            EXIT_OK
        })
    }
}

/// What a person may want to do about stale and formatting-only files that are left as they are.
fn print_file_notes(changes: &[files::FileChange], args: &OutputArgs) {
    let kept = |status| {
        changes
            .iter()
            .filter(|c| c.status == status && c.action == files::Action::Keep)
            .count()
    };
    let mut notes = Vec::new();
    let stale = kept(files::Status::Stale);
    if stale > 0 {
        notes.push(Finding::new(Severity::Note, "stale-files", format!("{stale} file(s) written by an earlier run are no longer generated and were left in place; --prune with --yes deletes them (remove their first line to keep them as your own)")));
    }
    let format = kept(files::Status::FormattingOnly);
    if format > 0 && !args.reformat {
        notes.push(Finding::new(Severity::Note, "format-only", format!("{format} file(s) differ only in formatting or comments and were left as they are; --reformat rewrites them")));
    }
    eprint_findings(&notes);
}

/// Asks before overwriting or deleting, on a terminal only: scripts must say `--yes`.
fn confirm_overwrite(changes: &[files::FileChange]) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    eprint!(
        "{}",
        files::format_changes(changes, files::color_wanted(true))
    );
    let deletes = changes.iter().any(|c| c.action == files::Action::Delete);
    let prompt = match deletes {
        true => "Overwrite the changed files and delete the stale files shown above?",
        false => "Overwrite the changed files shown above?",
    };
    dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact()
        .map_err(|e| Failure::usage(format!("cancelled: {e}")))
}

/// `--https-redirect` on an existing Gateway without `--listener`/`--redirect-listener`: the
/// Gateway's HTTPS and HTTP listeners, read from the cluster when it has one of each.
fn redirect_listeners_from_cluster(request: &mut Request) {
    let g = &request.gateway;
    let (Some(name), Some(namespace)) = (&g.name, &g.namespace) else {
        return;
    };
    if !g.https_redirect || (g.listener.is_some() && g.redirect_listener.is_some()) {
        return;
    }
    let query = cluster::Query {
        gateway: Some((namespace.clone(), name.clone())),
        ..cluster::Query::default()
    };
    let facts = cluster::read(&cluster::Kubectl::from_env(), &query);
    if let Some((https, http)) = facts.redirect_listeners(namespace, name) {
        let g = &mut request.gateway;
        g.listener.get_or_insert(https);
        g.redirect_listener.get_or_insert(http);
    }
}

/// The failure of a request the wizard did not complete: it says why nothing was asked.
fn not_asked(e: GenerateError, door: Door) -> Failure {
    let mut failure = Failure::from(e);
    if failure.errors.iter().any(FieldError::is_missing) {
        let how = match door {
            Door::Flags => "pass them as flags",
            _ => "add them to the request file",
        };
        failure.message = format!(
            "values are missing, and nothing was asked (--no-input, or not a terminal); {how}:\n{}",
            failure.message
        );
    }
    failure
}

fn misses_values(request: &Request, profiles: &Profiles) -> bool {
    match crate::plan::plan(request, profiles) {
        Err(RequestError::Invalid(errors)) => errors.iter().any(FieldError::is_missing),
        _ => false,
    }
}

/// The `generate` command that gives the same output without questions: the request as flags,
/// plus the options that shape the output.
fn equivalent_command(request: &Request, args: &GenerateArgs) -> Option<String> {
    let mut words = to_args(request)?;
    words.extend(output_words(&args.profiles, &args.templates, &args.out));
    Some(shell_line(&words))
}

/// The flags of the options that shape the output, as the words of a command.
pub(super) fn output_words(
    profiles: &Option<std::path::PathBuf>,
    templates: &Option<std::path::PathBuf>,
    out: &OutputArgs,
) -> Vec<String> {
    let mut words = Vec::new();
    for (flag, dir) in [
        ("--profiles", profiles),
        ("--templates", templates),
        ("--out-dir", &out.out_dir),
    ] {
        if let Some(dir) = dir {
            words.extend([flag.to_string(), dir.display().to_string()]);
        }
    }
    if out.output == OutputFormat::Json {
        words.extend(["--output".to_string(), "json".to_string()]);
    }
    words
}

/// For a run from a request file that flags cannot say: `--request FILE` with the flags given on
/// top of it (and the release `--cluster` chose). `None` without a request file.
fn request_file_command(args: &GenerateArgs, cluster_target: Option<&str>) -> Option<String> {
    let file = args.request.request.as_ref()?;
    let mut words = vec!["--request".to_string(), file.display().to_string()];
    let mut given = args.request.apply(Request::default()).ok()?;
    if let Some(version) = cluster_target {
        given.options.gateway_api = Some(version.to_string());
    }
    words.extend(to_args(&given)?);
    Some(shell_line(&words))
}

/// The findings on stderr, as `--output json` carries them: rule, resource and field, message,
/// predicted condition and hint.
/// Findings for a person, on stderr.
pub(super) fn eprint_findings(findings: &[Finding]) {
    let color = files::color_wanted(std::io::stderr().is_terminal());
    for f in findings {
        eprint!("{}", f.human(color));
    }
}

/// The JSON report of a generated bundle: one object an AI assistant or a script can read.
pub fn bundle_json(bundle: &Bundle, request: &Request) -> serde_json::Value {
    json!({
        "context": bundle.context,
        "files": files_json(bundle),
        "yaml": bundle.yaml_stream(),
        "findings": bundle.findings,
        "traces": bundle.traces,
        "command": to_args(request).map(|a| shell_line(&a)),
        "request": request,
    })
}

/// The documents of a bundle as the `files` of a JSON report.
pub(super) fn files_json(bundle: &Bundle) -> serde_json::Value {
    bundle
        .documents
        .iter()
        .map(|d| json!({"path": d.path, "kind": d.kind, "name": d.name, "namespace": d.namespace, "content": d.yaml}))
        .collect()
}
