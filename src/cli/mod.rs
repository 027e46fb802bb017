//! The command line: clap definitions and dispatch. Each command builds the same inputs the other
//! doors build and calls the library; this module only reads arguments, prints and picks the exit code.

mod args;
mod convert;
mod flags;
mod generate;
mod lint;
mod trace;

pub use crate::door::flag_for;
pub use args::{shell_line, to_args};
pub use flags::{AllowFrom, RequestFlags};
pub use generate::bundle_json;
use generate::{run_generate, Ask};

use crate::context::Profiles;
use crate::door::Door;
use crate::finding::{Finding, Severity};
use crate::generate::GenerateError;
use crate::request::{self, FieldError, Request, RequestError};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::io::Read;
use std::path::PathBuf;

/// Exit codes: the command worked (0), found something (1), or the input was wrong (2).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FOUND: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
/// Existing files would be replaced or deleted and consent was not given (no `--yes`, or the
/// question was answered no): nothing was written.
pub const EXIT_DECLINED: i32 = 3;
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
  traffic-engineer convert ingress.yaml --context single-dev
Exit codes: 0 done, 1 found something (lint errors, drift under --check), 2 bad input, 3 overwrite declined (nothing written), 130 cancelled."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// How `generate` and `convert` print: the manifests as YAML, or one JSON object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Yaml,
    Json,
}

/// How the commands that report rather than emit manifests (`lint`, `contexts`, `trace`, `test`)
/// print: text for people, or one JSON object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    #[default]
    Text,
    Json,
}

// Each subcommand's arguments are built only when that subcommand is the one run: building the
// whole tree was half of `--version`'s instructions and most of its heap (README, Performance).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
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
        /// text: one paragraph per context; json: one object with the list.
        #[arg(long, value_enum, default_value_t)]
        output: ReportFormat,
    },
    /// Work with the templates the manifests are rendered from.
    #[command(
        subcommand,
        after_help = "Example:\n  traffic-engineer templates export my-templates"
    )]
    Templates(TemplatesCommand),
    /// Convert Ingress (ingress-nginx) and Traefik IngressRoute manifests into Gateway API for a
    /// deployment context; checks that sample requests still go where they went.
    #[command(after_help = convert::CONVERT_EXAMPLES)]
    Convert(Box<convert::ConvertArgs>),
    /// Check Gateway API manifests and predict the status a controller will set.
    #[command(after_help = lint::LINT_EXAMPLES)]
    Lint(lint::LintArgs),
    /// Follow one request through the manifests: listener, route, rule, filters, backends.
    #[command(after_help = trace::TRACE_EXAMPLES)]
    Trace(trace::TraceArgs),
    /// Check where requests go against expected outcomes (routing tests for CI).
    #[command(after_help = trace::TEST_EXAMPLES)]
    Test(trace::TestArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  traffic-engineer completions bash > ~/.local/share/bash-completion/completions/traffic-engineer\n  traffic-engineer completions zsh > ~/.zfunc/_traffic-engineer"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema (draft 2020-12) of a request file (or of a routing test file).
    #[command(
        after_help = "Examples:\n  traffic-engineer schema > request.schema.json\n  traffic-engineer schema --cases > routing-tests.schema.json"
    )]
    Schema {
        /// The schema of a `test --cases` file instead.
        #[arg(long)]
        cases: bool,
    },
    /// Serve the Model Context Protocol on stdin/stdout, for AI assistants (tools: list_contexts,
    /// generate, diff, write, lint, trace, test, convert).
    #[command(after_help = MCP_EXAMPLES)]
    Mcp {
        /// The only folder `diff`, `write` and `lint` may touch (default: the current folder).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Add or replace contexts with the profiles in DIR (*.yaml).
        #[arg(long, value_name = "DIR")]
        profiles: Option<PathBuf>,
        /// Render with the templates in DIR where present (see `templates export`).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
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
  traffic-engineer generate --context single-dev --service task-api --port 8000 --canary task-api-canary:8000=10
  traffic-engineer generate --context single-dev --service task-api --port 8000 --https --tls-secret task-api-tls --https-redirect
  traffic-engineer generate --context single-dev --service task-api --port 8000 --rule 'prefix:/api header:X-API-Version=2 -> task-api-v2:8000'
  traffic-engineer generate --request examples/task-api/cross-namespace.yaml --output json
  traffic-engineer generate --request examples/task-api/cross-namespace.yaml --crds standard-install.yaml";

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
    #[command(flatten)]
    pub out: OutputArgs,
    /// Read facts from the cluster of kubectl's current context: installed Gateway API release
    /// (sets --gateway-api when not given), GatewayClasses, the target Gateway and its listeners;
    /// the output is validated against the installed CRDs.
    #[arg(long, help_heading = "Target")]
    pub cluster: bool,
    /// Validate the output against these CRDs (files, folders or a release bundle such as
    /// standard-install.yaml), schema and CEL rules, and refuse what they reject.
    #[arg(long, value_name = "PATH", help_heading = "Target")]
    pub crds: Vec<PathBuf>,
}

// The output options `generate` and `convert` share. (A plain comment: with deferred subcommands,
// clap would take a doc comment here as the about text of every command that flattens this.)
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// yaml: the manifests on stdout; json: one object with files, findings and the request(s).
    #[arg(long, value_enum, default_value_t, help_heading = "Output")]
    pub output: OutputFormat,
    /// Write one file per resource into DIR, in persona folders with a kustomization.yaml each.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out_dir: Option<PathBuf>,
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
    /// With --out-dir: overwrite changed files (and, with --prune, delete stale ones) without asking.
    #[arg(long, short = 'y', requires = "out_dir", help_heading = "Output")]
    pub yes: bool,
    /// With --out-dir: delete stale files (written by an earlier run, no longer generated); needs
    /// --yes or a yes on the terminal.
    #[arg(long, requires = "out_dir", help_heading = "Output")]
    pub prune: bool,
    /// With --out-dir: rewrite files whose text differs only in formatting or comments (left as
    /// they are otherwise, and not counted by --check).
    #[arg(long, requires = "out_dir", help_heading = "Output")]
    pub reformat: bool,
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
            // The field a parse error is about, when serde names one ("unknown field `routs`").
            RequestError::Parse { origin, source } => {
                let field = source
                    .message
                    .split('`')
                    .nth(1)
                    .filter(|_| source.message.starts_with("unknown field"));
                let message = format!(
                    "{origin}: line {} column {}: {}",
                    source.line, source.column, source.message
                );
                vec![FieldError::new(
                    field.unwrap_or_default(),
                    "",
                    message,
                    "check the request against `traffic-engineer schema`",
                )]
            }
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

/// One field error, with the flag that sets the field when there is one (for flag users: the
/// door renders the note).
fn describe(err: &FieldError) -> String {
    let text = err.to_string();
    let word = if err.is_missing() {
        "missing"
    } else {
        "invalid"
    };
    let note = crate::door::flag_note(&err.field);
    format!("{word} {}{note}{}", err.field, &text[err.field.len()..])
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
            GenerateError::Lint(errors) => {
                let mut failure = Failure::from(RequestError::Invalid(errors));
                failure.message = format!("{}\n{}", crate::generate::LINT_REFUSAL, failure.message);
                failure
            }
            other => Failure::usage(other.to_string()),
        }
    }
}

/// Parses `std::env::args`, runs the command and returns the process exit code.
pub fn main() -> i32 {
    end_quietly_on_closed_pipe();
    let cli = Cli::parse();
    let json = matches!(&cli.command, Command::Generate(c) if c.args.out.output == OutputFormat::Json)
        || matches!(&cli.command, Command::Wizard(a) if a.out.output == OutputFormat::Json)
        || matches!(&cli.command, Command::Lint(a) if a.output == ReportFormat::Json)
        || matches!(&cli.command, Command::Convert(a) if a.out.output == OutputFormat::Json)
        || matches!(&cli.command, Command::Trace(a) if a.output == ReportFormat::Json)
        || matches!(&cli.command, Command::Test(a) if a.output == ReportFormat::Json)
        || matches!(
            &cli.command,
            Command::Contexts {
                output: ReportFormat::Json,
                ..
            }
        );
    // A generate run from a request file reads field paths; every other run reads flags.
    let door = match &cli.command {
        Command::Generate(c) if c.args.request.request.is_some() => Door::RequestFile,
        _ => Door::Flags,
    };
    match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            report_failure(&failure, json, door);
            failure.code
        }
    }
}

/// Writing to a closed pipe (`traffic-engineer lint gitops/ | head -1`) ends the program quietly,
/// as it ends other Unix tools: Rust ignores SIGPIPE, which turns every later print into a panic
/// with a backtrace. Child processes (kubectl) get the default back anyway.
fn end_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn report_failure(failure: &Failure, json: bool, door: Door) {
    let message = door.text(&failure.message);
    if !json {
        eprintln!("error: {message}");
        return;
    }
    let errors: Vec<_> = if failure.errors.is_empty() {
        vec![json!({"message": message})]
    } else {
        failure
            .errors
            .iter()
            .map(|e| door.field_error(e.clone()))
            .map(|e| json!({"field": e.field, "flag": flag_for(&e.field), "value": e.value, "message": e.message, "hint": e.hint, "missing": e.missing}))
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
            let exported =
                crate::render::export(&dir).map_err(|e| Failure::usage(e.to_string()))?;
            for path in &exported.written {
                println!("{path}");
            }
            if !exported.kept.is_empty() {
                let message = format!(
                    "{} template(s) already in {} are the built-in ones and were kept as they are: {}",
                    exported.kept.len(),
                    dir.display(),
                    exported.kept.join(", ")
                );
                let note = Finding::new(Severity::Note, "templates-kept", message);
                generate::eprint_findings(&[note]);
            }
            Ok(EXIT_OK)
        }
        Command::Lint(args) => lint::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Trace(args) => trace::run_trace(&args),
        Command::Test(args) => trace::run_test(&args),
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
        Command::Mcp {
            root,
            profiles,
            templates,
        } => {
            let profiles = load_profiles(profiles.as_deref())?;
            let templates = crate::render::Templates::load(templates.as_deref())
                .map_err(|e| Failure::usage(e.to_string()))?;
            let root = root.as_deref().unwrap_or(std::path::Path::new("."));
            crate::mcp::serve(root, profiles, templates).map_err(Failure::usage)?;
            Ok(EXIT_OK)
        }
        Command::Schema { cases } => {
            let schema = if cases {
                schemars::schema_for!(crate::traffic::Cases)
            } else {
                schemars::schema_for!(Request)
            };
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

fn contexts_text(profiles: &Profiles, output: ReportFormat) -> String {
    match output {
        ReportFormat::Json => {
            let list: Vec<_> = profiles
                .iter()
                .map(|p| json!({"name": p.name, "summary": p.summary, "description": p.description, "generates": p.generates()}))
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json!({ "contexts": list })).expect("json")
            )
        }
        ReportFormat::Text => profiles
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
