//! The command line: clap definitions and dispatch. Each command builds the same inputs the other
//! doors build and calls the library; this module only reads arguments, prints and picks the exit code.

mod flags;
mod lint;

pub use flags::{shell_line, to_args, AllowFrom, RequestFlags};

use crate::cluster;
use crate::context::Profiles;
use crate::files;
use crate::generate::{generate, Bundle, GenerateError};
use crate::render::Templates;
use crate::request::{self, FieldError, Request, RequestError};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

/// Exit codes: the command worked (0), found something (1), or the input was wrong (2).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FOUND: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
/// The user cancelled the wizard (Esc or Ctrl-C): 128 + SIGINT, as shells report it.
pub const EXIT_CANCELLED: i32 = 130;

#[derive(Debug, Parser)]
#[command(
    name = "traffic-engineer",
    version,
    about = "Generate, diff and lint Kubernetes Gateway API manifests for your deployment context.",
    after_help = "Examples:
  traffic-engineer generate          (on a terminal: asks, deployment context first)
  traffic-engineer generate --context single-dev --service task-api --port 8000 --path-prefix /api/
  traffic-engineer lint gitops/
Exit codes: 0 done, 1 found something (lint errors, drift under --check), 2 bad input, 130 cancelled."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Yaml,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate Gateway API manifests for a deployment context.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(Box<GenerateCommand>),
    /// Ask for the values step by step, then generate; ends with the equivalent `generate` command.
    #[command(
        after_help = "Examples:\n  traffic-engineer wizard\n  traffic-engineer wizard --context shared-gateway --gateway shared-gateway"
    )]
    Wizard(Box<GenerateArgs>),
    /// List the deployment contexts and what each generates.
    #[command(
        after_help = "Example:\n  traffic-engineer contexts\n  traffic-engineer contexts --output json"
    )]
    Contexts {
        /// Add or replace contexts with the profiles in DIR (*.yaml).
        #[arg(long, value_name = "DIR")]
        profiles: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        output: OutputFormat,
    },
    /// Work with the templates the manifests are rendered from.
    #[command(
        subcommand,
        after_help = "Example:\n  traffic-engineer templates export my-templates"
    )]
    Templates(TemplatesCommand),
    /// Check Gateway API manifests and predict the status a controller will set.
    #[command(after_help = lint::LINT_EXAMPLES)]
    Lint(lint::LintArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  traffic-engineer completions bash > ~/.local/share/bash-completion/completions/traffic-engineer\n  traffic-engineer completions zsh > ~/.zfunc/_traffic-engineer"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema (draft 2020-12) of a request file.
    #[command(after_help = "Example:\n  traffic-engineer schema > request.schema.json")]
    Schema,
    /// Serve the Model Context Protocol on stdin/stdout, for AI assistants (tools: list_contexts,
    /// generate, diff, write, lint).
    #[command(after_help = MCP_EXAMPLES)]
    Mcp {
        /// The only folder `diff`, `write` and `lint` may touch (default: the current folder).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

const MCP_EXAMPLES: &str = "Examples:
  traffic-engineer mcp
  traffic-engineer mcp --root ~/src/my-app
  claude mcp add traffic-engineer -- traffic-engineer mcp --root .
Client configuration: see examples/ai-assistant/.";

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Write the built-in templates to DIR, to edit and use with --templates DIR.
    #[command(
        after_help = "Example:\n  traffic-engineer templates export my-templates\n  traffic-engineer generate --templates my-templates --context single-dev --service web --port 80"
    )]
    Export {
        /// The folder to write (created if missing; existing template files are not overwritten).
        dir: PathBuf,
    },
}

const GENERATE_EXAMPLES: &str = "Examples:
  traffic-engineer generate --context single-dev --service task-api --namespace task-api --port 8000 --path-prefix /api/
  traffic-engineer generate --context shared-gateway --service task-api --port 8000 --gateway shared-gateway --gateway-namespace gateway-system --listener https
  traffic-engineer generate --context single-dev --service task-api --port 8000 --backend task-api:8000=90 --backend task-api-canary:8000=10
  traffic-engineer generate --request examples/task-api/cross-namespace.yaml --output json";

#[derive(Debug, Args)]
pub struct GenerateCommand {
    #[command(flatten)]
    pub args: GenerateArgs,
    /// Never ask for missing values: exit 2 naming each missing flag (also when stdin is not a terminal).
    #[arg(long, help_heading = "Output")]
    pub no_input: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub request: RequestFlags,
    /// Add or replace contexts with the profiles in DIR (*.yaml).
    #[arg(long, value_name = "DIR", help_heading = "Customisation")]
    pub profiles: Option<PathBuf>,
    /// Render with the templates in DIR where present (see `templates export`).
    #[arg(long, value_name = "DIR", help_heading = "Customisation")]
    pub templates: Option<PathBuf>,
    /// yaml: the manifests on stdout; json: one object with files, findings and the equivalent command.
    #[arg(long, value_enum, default_value_t, help_heading = "Output")]
    pub output: OutputFormat,
    /// Write one file per resource into DIR, in persona folders with a kustomization.yaml each.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out_dir: Option<PathBuf>,
    /// Read facts from the cluster of kubectl's current context: installed Gateway API release
    /// (sets --gateway-api when not given), GatewayClasses, the target Gateway and its listeners.
    #[arg(long, help_heading = "Target")]
    pub cluster: bool,
    /// With --out-dir: show what would change, write nothing.
    #[arg(long, requires = "out_dir", help_heading = "Output")]
    pub dry_run: bool,
    /// With --out-dir: write nothing; exit 1 when any file would change (a CI gate).
    #[arg(
        long,
        requires = "out_dir",
        conflicts_with = "dry_run",
        help_heading = "Output"
    )]
    pub check: bool,
    /// With --out-dir: overwrite changed files without asking.
    #[arg(long, short = 'y', requires = "out_dir", help_heading = "Output")]
    pub yes: bool,
}

use clap::Args;

/// A failed command: what to print on stderr and the exit code.
pub struct Failure {
    pub code: i32,
    pub errors: Vec<FieldError>,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_USAGE,
            errors: Vec::new(),
            message: message.into(),
        }
    }
}

impl From<RequestError> for Failure {
    fn from(e: RequestError) -> Failure {
        let errors = match &e {
            RequestError::Invalid(list) => list.clone(),
            RequestError::Parse { .. } => Vec::new(),
        };
        let message = match &e {
            RequestError::Invalid(list) => list.iter().map(describe).collect::<Vec<_>>().join("\n"),
            RequestError::Parse { .. } => e.to_string(),
        };
        Failure {
            code: EXIT_USAGE,
            errors,
            message,
        }
    }
}

/// One field error, with the flag that sets the field when there is one.
fn describe(err: &FieldError) -> String {
    let text = err.to_string();
    let word = if err.is_missing() {
        "missing"
    } else {
        "invalid"
    };
    match flags::flag_for(&err.field) {
        Some(flag) => format!("{word} {} ({flag}){}", err.field, &text[err.field.len()..]),
        None => format!("{word} {text}"),
    }
}

impl From<crate::wizard::WizardError> for Failure {
    fn from(e: crate::wizard::WizardError) -> Failure {
        use crate::wizard::WizardError;
        match e {
            WizardError::Cancelled => Failure {
                code: EXIT_CANCELLED,
                errors: Vec::new(),
                message: e.to_string(),
            },
            WizardError::Request(r) => r.into(),
            other => Failure::usage(other.to_string()),
        }
    }
}

impl From<GenerateError> for Failure {
    fn from(e: GenerateError) -> Failure {
        match e {
            GenerateError::Request(r) => r.into(),
            other => Failure::usage(other.to_string()),
        }
    }
}

/// Parses `std::env::args`, runs the command and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let json = matches!(&cli.command, Command::Generate(c) if c.args.output == OutputFormat::Json)
        || matches!(&cli.command, Command::Wizard(a) if a.output == OutputFormat::Json)
        || matches!(&cli.command, Command::Lint(a) if a.output == OutputFormat::Json)
        || matches!(
            &cli.command,
            Command::Contexts {
                output: OutputFormat::Json,
                ..
            }
        );
    match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            report_failure(&failure, json);
            failure.code
        }
    }
}

fn report_failure(failure: &Failure, json: bool) {
    if !json {
        eprintln!("error: {}", failure.message);
        return;
    }
    let errors: Vec<_> = if failure.errors.is_empty() {
        vec![json!({"message": failure.message})]
    } else {
        failure
            .errors
            .iter()
            .map(|e| json!({"field": e.field, "flag": flags::flag_for(&e.field), "value": e.value, "message": e.message, "hint": e.hint, "missing": e.missing}))
            .collect()
    };
    let first = errors[0].clone();
    eprintln!("{}", json!({"error": first, "errors": errors}));
}

fn run(cli: Cli) -> Result<i32, Failure> {
    match cli.command {
        Command::Generate(c) if c.no_input => run_generate(&c.args, Ask::Never),
        Command::Generate(c) => run_generate(&c.args, Ask::WhenMissing),
        Command::Wizard(args) => run_generate(&args, Ask::Always),
        Command::Contexts { profiles, output } => {
            let profiles = load_profiles(profiles.as_deref())?;
            print!("{}", contexts_text(&profiles, output));
            Ok(EXIT_OK)
        }
        Command::Templates(TemplatesCommand::Export { dir }) => {
            let written = crate::render::export(&dir).map_err(|e| Failure::usage(e.to_string()))?;
            for path in written {
                println!("{path}");
            }
            Ok(EXIT_OK)
        }
        Command::Lint(args) => lint::run(&args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(
                shell,
                &mut command,
                "traffic-engineer",
                &mut std::io::stdout(),
            );
            Ok(EXIT_OK)
        }
        Command::Mcp { root } => {
            crate::mcp::serve(root.as_deref().unwrap_or(std::path::Path::new(".")))
                .map_err(Failure::usage)?;
            Ok(EXIT_OK)
        }
        Command::Schema => {
            let schema = schemars::schema_for!(Request);
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).expect("a schema serializes")
            );
            Ok(EXIT_OK)
        }
    }
}

fn load_profiles(dir: Option<&std::path::Path>) -> Result<Profiles, Failure> {
    Profiles::load(dir).map_err(|e| Failure::usage(e.to_string()))
}

/// Reads `--request` (a path, or `-` for stdin) into a request; none gives the empty request.
pub fn read_request(path: Option<&std::path::Path>) -> Result<Request, Failure> {
    let Some(path) = path else {
        return Ok(Request::default());
    };
    let (origin, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("stdin: {e}")))?;
        ("stdin".to_string(), text)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("--request {}: {e}", path.display())))?;
        (path.display().to_string(), text)
    };
    Ok(request::from_text(&text, &origin)?)
}

/// When `generate` asks for values with the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// `wizard`: whatever the flags gave.
    Always,
    /// `generate`: when values are missing and stdin and stdout are terminals.
    WhenMissing,
    /// `generate --no-input`.
    Never,
}

fn run_generate(args: &GenerateArgs, ask: Ask) -> Result<i32, Failure> {
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
                && std::io::stdout().is_terminal()
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
        crate::wizard::run(given, &profiles, &choices)?
    } else {
        given
    };
    let mut request = request;
    let mut bundle = generate(&request, &profiles, &templates).map_err(not_asked)?;
    if args.cluster {
        let query = cluster_query(&bundle, &request);
        let facts = cluster::read(&cluster::Kubectl::from_env(), &query);
        if let (None, Some(version)) = (&request.options.gateway_api, facts.target_version()) {
            request.options.gateway_api = Some(version);
            bundle = generate(&request, &profiles, &templates).map_err(not_asked)?;
        }
        bundle.findings.extend(cluster::findings(&facts, &query));
    }
    if wizard {
        eprint!("{}", crate::wizard::summary(&bundle));
    }
    let code = match &args.out_dir {
        Some(dir) => write_out(args, dir, &bundle, &request, ask)?,
        None => {
            match args.output {
                OutputFormat::Yaml => {
                    print!("{}", bundle.yaml_stream());
                    print_findings(&bundle);
                }
                OutputFormat::Json => println!("{}", bundle_json(&bundle, &request)),
            }
            EXIT_OK
        }
    };
    if wizard {
        eprintln!();
        match equivalent_command(&request, args) {
            Some(line) => eprintln!("Equivalent command: {line}"),
            None => eprintln!("Equivalent command: none (flags cannot say all of this request; use --request FILE)"),
        }
    }
    Ok(code)
}

/// What to ask the cluster about: the Gateway the first route attaches to, its listener, the
/// routes' namespace and the GatewayClass.
fn cluster_query(bundle: &Bundle, request: &Request) -> cluster::Query {
    let route = bundle.documents.iter().find(|d| d.kind.ends_with("Route"));
    let parent = route.map(|d| &d.value["spec"]["parentRefs"][0]);
    let namespace = route.and_then(|d| d.namespace.clone());
    let gateway = parent.and_then(|p| {
        let name = p["name"].as_str()?.to_string();
        let ns = p["namespace"]
            .as_str()
            .map(str::to_string)
            .or_else(|| namespace.clone())?;
        Some((ns, name))
    });
    let generated_class = bundle
        .documents
        .iter()
        .find(|d| d.kind == "Gateway")
        .and_then(|d| {
            d.value["spec"]["gatewayClassName"]
                .as_str()
                .map(str::to_string)
        });
    cluster::Query {
        gateway,
        listener: parent.and_then(|p| p["sectionName"].as_str().map(str::to_string)),
        namespace,
        class: generated_class.or_else(|| request.gateway.class_name.clone()),
    }
}

/// `--out-dir`: compare with what is there, show it, then check, stop, or write with consent.
fn write_out(
    args: &GenerateArgs,
    dir: &std::path::Path,
    bundle: &Bundle,
    request: &Request,
    ask: Ask,
) -> Result<i32, Failure> {
    let files_err = |e: files::FilesError| Failure::usage(e.to_string());
    let changes =
        files::compare(dir, &files::with_kustomizations(bundle.out_files())).map_err(files_err)?;
    let drift = files::changed(&changes);
    let write_now = !args.dry_run && !args.check;
    let report = if write_now {
        let mut result = files::write(dir, &changes, args.yes);
        if matches!(result, Err(files::FilesError::NeedsConsent { .. }))
            && ask != Ask::Never
            && confirm_overwrite(&changes)?
        {
            result = files::write(dir, &changes, true);
        }
        Some(result.map_err(files_err)?)
    } else {
        None
    };
    match args.output {
        OutputFormat::Json => {
            let mut value = bundle_json(bundle, request);
            value["files"] = json!(changes);
            value["written"] = json!(report);
            println!("{value}");
        }
        OutputFormat::Yaml => {
            print!(
                "{}",
                files::format_changes(
                    &changes,
                    files::color_wanted(std::io::stdout().is_terminal())
                )
            );
            if let Some(report) = &report {
                eprintln!("{report}");
            }
            print_findings(bundle);
        }
    }
    Ok(if args.check && drift {
        EXIT_FOUND
    } else {
        EXIT_OK
    })
}

/// Asks before overwriting, on a terminal only: scripts must say `--yes`.
fn confirm_overwrite(changes: &[files::FileChange]) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    eprint!(
        "{}",
        files::format_changes(changes, files::color_wanted(true))
    );
    dialoguer::Confirm::new()
        .with_prompt("Overwrite the changed files shown above?")
        .default(false)
        .interact()
        .map_err(|e| Failure::usage(format!("cancelled: {e}")))
}

/// The failure of a request the wizard did not complete: it says why nothing was asked.
fn not_asked(e: GenerateError) -> Failure {
    let mut failure = Failure::from(e);
    if failure.errors.iter().any(FieldError::is_missing) {
        failure.message = format!("values are missing, and nothing was asked (--no-input, or not a terminal); pass them as flags:\n{}", failure.message);
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
    for (flag, dir) in [
        ("--profiles", &args.profiles),
        ("--templates", &args.templates),
        ("--out-dir", &args.out_dir),
    ] {
        if let Some(dir) = dir {
            words.extend([flag.to_string(), dir.display().to_string()]);
        }
    }
    if args.output == OutputFormat::Json {
        words.extend(["--output".to_string(), "json".to_string()]);
    }
    Some(shell_line(&words))
}

fn print_findings(bundle: &Bundle) {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    for f in &bundle.findings {
        let severity = format!("{:?}", f.severity).to_lowercase();
        let severity = if color {
            console::style(severity).yellow().to_string()
        } else {
            severity
        };
        eprintln!("{severity}[{}]: {}", f.rule, f.message);
    }
}

/// The JSON report of a generated bundle: one object an AI assistant or a script can read.
pub fn bundle_json(bundle: &Bundle, request: &Request) -> serde_json::Value {
    let files: Vec<_> = bundle
        .documents
        .iter()
        .map(|d| json!({"path": d.path, "kind": d.kind, "name": d.name, "namespace": d.namespace, "content": d.yaml}))
        .collect();
    json!({
        "context": bundle.context,
        "files": files,
        "yaml": bundle.yaml_stream(),
        "findings": bundle.findings,
        "command": to_args(request).map(|a| shell_line(&a)),
        "request": request,
    })
}

fn contexts_text(profiles: &Profiles, output: OutputFormat) -> String {
    match output {
        OutputFormat::Json => {
            let list: Vec<_> = profiles
                .iter()
                .map(|p| json!({"name": p.name, "summary": p.summary, "description": p.description, "generates": p.generates()}))
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json!({ "contexts": list })).expect("json")
            )
        }
        OutputFormat::Yaml => profiles
            .iter()
            .map(|p| {
                format!(
                    "{}\n  {}\n  {}\n  generates: {}\n\n",
                    p.name,
                    p.summary,
                    p.description,
                    p.generates().join(", ")
                )
            })
            .collect(),
    }
}
