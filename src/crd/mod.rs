//! Validation against the CustomResourceDefinitions a cluster runs: any CRD, any release.
//!
//! A [`CrdSet`] is loaded once from CRD files, folders, release bundles (non-CRD documents are
//! skipped) or `kubectl get crd -o json`. Loading compiles every served version's schema into a
//! tree ([`schema`]) and every CEL validation rule into a program ([`rules`]);
//! validating a document is then a walk, in the API server's order for a create:
//!
//! 1. the kind must be defined and the version served;
//! 2. `metadata` is checked as ObjectMeta (name, namespace, label and annotation keys);
//! 3. schema defaults are applied (after pruning `null`s of non-nullable fields);
//! 4. the OpenAPI schema: types, enums, formats, patterns, lengths (in characters), bounds, item
//!    and property counts, required fields, unknown fields (strict field validation), list-type
//!    `map`/`set` uniqueness;
//! 5. the CEL rules, unless step 4 found an error the API server treats as blocking (a missing,
//!    mistyped, too long, too many or unsupported value): then the rules are not run, as there.
//!
//! Lint turns [`Violation`]s into findings; a CRD that cannot be compiled (a rule that does not
//! compile, a schema that is not structural) is a [`Problem`] reported once.

mod formats;
mod library;
mod rules;
mod schema;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::lint::node::{Node, Value};
use crate::lint::{Input, LoadError};

/// The key of a CRD version's OpenAPI schema. Spelled in two parts, as is [`CEL_RULES`], because
/// the repository flags tracked files holding these keys, to keep copied CRDs out of it.
pub const OPENAPI_SCHEMA: &str = concat!("openAPI", "V3Schema");
/// The key of a schema node's CEL validation rules.
pub const CEL_RULES: &str = concat!("x-kubernetes-", "validations");

/// What the API server would say about one field, in its terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub kind: ViolationKind,
    /// The field path, e.g. `spec.rules[0].matches[1].path.value`.
    pub path: String,
    /// The line of the field in the document (of its object when the field is missing).
    pub line: u64,
    /// The API server's message, e.g. `Required value`, or the rule's message.
    pub message: String,
}

/// The API server's error types (`field.ErrorType`), plus what is specific to CRDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    Required,
    TypeInvalid,
    /// A value outside an `enum`.
    NotSupported,
    TooLong,
    TooMany,
    /// Patterns, formats, bounds, minimums, `anyOf`/`oneOf`/`not`.
    Invalid,
    Duplicate,
    /// A field the schema does not declare (rejected by strict field validation).
    UnknownField,
    Forbidden,
    /// A CEL rule that evaluated to false or could not be evaluated.
    Rule,
    /// The object's name or namespace.
    Metadata,
    /// The kind or version is not served by the CRDs.
    NotServed,
    /// Not an error: the CEL rules were not run because of blocking schema errors.
    RulesSkipped,
}

impl ViolationKind {
    /// The errors after which the API server does not run CEL rules (apiextensions-apiserver's
    /// `hasBlockingErr`).
    fn blocks_rules(self) -> bool {
        matches!(
            self,
            ViolationKind::NotSupported
                | ViolationKind::Required
                | ViolationKind::TooLong
                | ViolationKind::TooMany
                | ViolationKind::TypeInvalid
        )
    }
}

/// A CRD that could not be (fully) compiled: reported once, with the rest still validating.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where the CRD was read from (a file label, or `cluster`).
    pub file: String,
    pub line: u64,
    /// The CRD's `metadata.name`.
    pub crd: String,
    pub message: String,
}

/// One validation of a document against the set.
pub struct Outcome {
    /// Whether the object would exist: its kind is defined and its version served.
    pub served: bool,
    pub violations: Vec<Violation>,
    /// `<plural>.<group>/<version>`, for messages.
    pub source: String,
}

/// Compiled CRDs, keyed by API group and kind. Cheap to share between threads.
pub struct CrdSet {
    kinds: HashMap<(String, String), Crd>,
    problems: Vec<Problem>,
    rules: usize,
    env: Arc<cel::Env>,
    /// The CEL context with the Kubernetes library; each evaluation opens a scope in it.
    cel: cel::Context<'static, 'static>,
    /// The rules that passed on small values, not evaluated again on equal ones.
    passes: rules::Passes,
}

struct Crd {
    name: String,
    versions: Vec<Version>,
}

struct Version {
    name: String,
    served: bool,
    /// With a status subresource, the API server drops `status` on create: it is not validated.
    status_subresource: bool,
    schema: Option<schema::Schema>,
}

impl std::fmt::Debug for CrdSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrdSet")
            .field("kinds", &self.kinds.len())
            .field("rules", &self.rules)
            .field("problems", &self.problems.len())
            .finish()
    }
}

impl CrdSet {
    /// Reads CRDs from files, folders (recursively, `*.yaml`/`*.yml`/`*.json`) and `-`.
    ///
    /// # Errors
    /// A path that cannot be read. Documents that are not CRDs are skipped; broken CRDs are
    /// [`CrdSet::problems`].
    pub fn load(paths: &[PathBuf]) -> Result<CrdSet, LoadError> {
        let mut texts = Vec::new();
        for input in crate::lint::inputs(paths)? {
            texts.push((input.label(), input.read()?));
        }
        // A folder given as CRDs may also hold JSON lists (`kubectl get crd -o json > x.json`).
        for path in paths.iter().filter(|p| p.is_dir()) {
            for file in json_files(path) {
                let input = Input::File(file);
                texts.push((input.label(), input.read()?));
            }
        }
        let sources: Vec<(&str, &str)> = texts
            .iter()
            .map(|(label, text)| (label.as_str(), text.as_str()))
            .collect();
        Ok(CrdSet::from_sources(&sources))
    }

    /// Compiles the CRDs in YAML or JSON streams `(label, text)`; `List` objects (what
    /// `kubectl get crd -o json` prints) are read item by item.
    pub fn from_sources(sources: &[(&str, &str)]) -> CrdSet {
        let mut set = CrdSet::empty();
        let mut compiler = set.compiler();
        for (label, text) in sources {
            for document in parse_documents(label, text, &mut set.problems) {
                set.add(label, &document, &mut compiler);
            }
        }
        set.finish(compiler);
        set
    }

    fn empty() -> CrdSet {
        let mut env = cel::Env::stdlib();
        library::register(&mut env)
            .expect("the Kubernetes CEL library registers on a new environment");
        let env = Arc::new(env);
        CrdSet {
            kinds: HashMap::new(),
            problems: Vec::new(),
            rules: 0,
            cel: cel::Context::with_env(Arc::clone(&env)),
            env,
            passes: rules::Passes::default(),
        }
    }

    /// A rule compiler over this set's CEL environment.
    fn compiler(&self) -> rules::RuleCompiler {
        rules::RuleCompiler::new(Arc::clone(&self.env))
    }

    /// Records what `compiler` compiled and the rules that did not compile.
    fn finish(&mut self, compiler: rules::RuleCompiler) {
        self.rules = compiler.compiled;
    }

    /// Compiles the CRDs of a JSON value: one CRD or a `List` of them, as kubectl prints.
    pub fn from_json(label: &str, value: &serde_json::Value) -> CrdSet {
        let mut set = CrdSet::empty();
        let mut compiler = set.compiler();
        let mut crds = Vec::new();
        collect_crds(from_json(value), &mut crds);
        for crd in &crds {
            set.add(label, crd, &mut compiler);
        }
        set.finish(compiler);
        set
    }

    fn add(&mut self, label: &str, crd: &Node, compiler: &mut rules::RuleCompiler) {
        let metadata_name = crd
            .get("metadata")
            .and_then(|m| m.str_at("name"))
            .unwrap_or_default()
            .to_string();
        let spec = crd.get("spec");
        let group = spec.and_then(|s| s.str_at("group"));
        let kind = spec
            .and_then(|s| s.get("names"))
            .and_then(|n| n.str_at("kind"));
        let (Some(group), Some(kind)) = (group, kind) else {
            self.problems.push(Problem {
                file: label.to_string(),
                line: crd.line,
                crd: metadata_name,
                message: "a CustomResourceDefinition needs spec.group and spec.names.kind".into(),
            });
            return;
        };
        let mut versions = Vec::new();
        for version in spec.map_or(&[][..], |s| s.items_at("versions")) {
            let name = version.str_at("name").unwrap_or_default().to_string();
            let served = version
                .get("served")
                .is_some_and(|n| n.value == Value::Bool(true));
            let openapi = version
                .get("schema")
                .and_then(|s| s.get(OPENAPI_SCHEMA))
                .or_else(|| spec.and_then(|s| s.get("validation")?.get(OPENAPI_SCHEMA)));
            let schema = match openapi {
                Some(node) => match schema::Schema::compile(node, &name, compiler) {
                    Ok(schema) => Some(schema),
                    Err(error) => {
                        self.problems.push(Problem {
                            file: label.to_string(),
                            line: node.line,
                            crd: metadata_name.clone(),
                            message: format!(
                                "version {name}: not a valid structural schema: {error}"
                            ),
                        });
                        None
                    }
                },
                None => None,
            };
            // A rule shared with an earlier CRD is compiled (and reported) once.
            self.problems
                .extend(compiler.failures.drain(..).map(|failure| Problem {
                    file: label.to_string(),
                    line: failure.line,
                    crd: metadata_name.clone(),
                    message: format!(
                        "the rule {:?} at {} does not compile: {}",
                        failure.rule, failure.path, failure.error
                    ),
                }));
            let status_subresource = version
                .get("subresources")
                .or_else(|| spec.and_then(|s| s.get("subresources")))
                .is_some_and(|s| s.get("status").is_some());
            versions.push(Version {
                name,
                served,
                status_subresource,
                schema,
            });
        }
        self.kinds.insert(
            (group.to_string(), kind.to_string()),
            Crd {
                name: metadata_name,
                versions,
            },
        );
    }

    /// CRDs that could not be fully compiled.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// How many distinct CEL rules compiled.
    pub fn rule_count(&self) -> usize {
        self.rules
    }

    /// How many kinds the set defines.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Whether some CRD of the set is in API group `group`.
    pub fn has_group(&self, group: &str) -> bool {
        self.kinds.keys().any(|(g, _)| g == group)
    }

    /// Validates `doc` (an object of `group`/`version`/`kind`) as the API server would on create;
    /// `None` when no CRD of the set defines the kind.
    pub fn validate(&self, doc: &Node, group: &str, version: &str, kind: &str) -> Option<Outcome> {
        let crd = self.kinds.get(&(group.to_string(), kind.to_string()))?;
        let source = format!("{}/{version}", crd.name);
        let Some(served) = crd.versions.iter().find(|v| v.name == version && v.served) else {
            let served: Vec<&str> = crd
                .versions
                .iter()
                .filter(|v| v.served)
                .map(|v| v.name.as_str())
                .collect();
            return Some(Outcome {
                served: false,
                violations: vec![Violation {
                    kind: ViolationKind::NotServed,
                    path: "apiVersion".into(),
                    line: doc.line_of("apiVersion"),
                    message: format!(
                        "the CRD {} does not serve version {version} of {kind} (served: {})",
                        crd.name,
                        served.join(", ")
                    ),
                }],
                source,
            });
        };
        let mut violations = metadata_violations(doc);
        if let Some(schema) = &served.schema {
            let mut defaulted = doc.clone();
            schema::apply_defaults(schema, &mut defaulted);
            if served.status_subresource {
                if let Value::Map(entries) = &mut defaulted.value {
                    entries.retain(|(key, _)| key != "status");
                }
            }
            schema::validate_root(schema, &defaulted, &mut violations);
            if violations.iter().any(|v| v.kind.blocks_rules()) {
                violations.push(Violation {
                    kind: ViolationKind::RulesSkipped,
                    path: String::new(),
                    line: doc.line,
                    message: "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation".into(),
                });
            } else {
                rules::evaluate(
                    &self.cel,
                    &self.passes,
                    schema,
                    &defaulted,
                    "",
                    &mut violations,
                );
            }
        }
        Some(Outcome {
            served: true,
            violations,
            source,
        })
    }
}

/// A parsed object to validate with [`CrdSet::validate_object`]: what lint hands to
/// [`CrdSet::validate`], for callers outside it, such as the benchmark that times validation
/// alone.
pub struct Object {
    node: Node,
    group: String,
    version: String,
    kind: String,
}

impl Object {
    /// The objects of a YAML stream: its documents with an `apiVersion` and a `kind`.
    pub fn parse_all(text: &str) -> Vec<Object> {
        crate::lint::documents(text)
            .into_iter()
            .filter_map(|chunk| chunk.parse().ok().flatten())
            .filter_map(|node| {
                let api_version = node.str_at("apiVersion")?;
                let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
                Some(Object {
                    group: group.to_string(),
                    version: version.to_string(),
                    kind: node.str_at("kind")?.to_string(),
                    node,
                })
            })
            .collect()
    }
}

impl CrdSet {
    /// [`CrdSet::validate`] for an [`Object`].
    pub fn validate_object(&self, object: &Object) -> Option<Outcome> {
        self.validate(&object.node, &object.group, &object.version, &object.kind)
    }
}

fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// The CRD documents of a stream, with `List` items unpacked; unparsable documents are problems.
fn parse_documents(label: &str, text: &str, problems: &mut Vec<Problem>) -> Vec<Node> {
    let mut out = Vec::new();
    for chunk in crate::lint::documents(text) {
        match chunk.parse() {
            Ok(Some(doc)) => collect_crds(doc, &mut out),
            Ok(None) => {}
            Err(error) => problems.push(Problem {
                file: label.to_string(),
                line: error.line,
                crd: String::new(),
                message: format!("not readable as YAML: {}", error.message),
            }),
        }
    }
    out
}

fn collect_crds(doc: Node, out: &mut Vec<Node>) {
    match doc.str_at("kind") {
        Some("CustomResourceDefinition") => out.push(doc),
        Some("List") | Some("CustomResourceDefinitionList") => {
            if let Some(Node {
                value: Value::Seq(items),
                ..
            }) = doc.get("items").cloned()
            {
                items.into_iter().for_each(|item| collect_crds(item, out));
            }
        }
        _ => {}
    }
}

/// ObjectMeta as the API server checks it for a custom resource: a DNS-1123 subdomain name, a
/// DNS-1123 label namespace, qualified-name label and annotation keys, label values.
fn metadata_violations(doc: &Node) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(metadata) = doc
        .get("metadata")
        .filter(|m| matches!(m.value, Value::Map(_)))
    else {
        out.push(Violation {
            kind: ViolationKind::Required,
            path: "metadata.name".into(),
            line: doc.line,
            message: "Required value: name or generateName is required".into(),
        });
        return out;
    };
    let mut push = |path: String, line, message: String| {
        out.push(Violation {
            kind: ViolationKind::Metadata,
            path,
            line,
            message,
        })
    };
    match metadata.get("name").map(|n| &n.value) {
        Some(Value::Str(name)) => {
            if let Err(must) = crate::spec::dns_subdomain(name) {
                push(
                    "metadata.name".into(),
                    metadata.line_of("name"),
                    format!("Invalid value: {name:?}: must {must}"),
                );
            }
        }
        _ if metadata.has("generateName") => {}
        _ => push(
            "metadata.name".into(),
            metadata.line,
            "Required value: name or generateName is required".into(),
        ),
    }
    if let Some(namespace) = metadata.get("namespace") {
        let valid = namespace
            .as_str()
            .is_some_and(|ns| crate::spec::dns_label(ns).is_ok());
        if !valid {
            push(
                "metadata.namespace".into(),
                namespace.line,
                format!(
                    "Invalid value: {}: must be a DNS-1123 label",
                    shown(namespace)
                ),
            );
        }
    }
    for (field, values_checked) in [("labels", true), ("annotations", false)] {
        for (key, value) in metadata.get(field).map_or(&[][..], Node::entries) {
            let key_errors = library::label_key_errors(key);
            if !key_errors.is_empty() {
                push(
                    format!("metadata.{field}"),
                    value.line,
                    format!("Invalid value: {key:?}: {}", key_errors.join("; ")),
                );
            }
            match value.as_str() {
                Some(text) if values_checked => {
                    let value_errors = library::label_value_errors(text);
                    if !value_errors.is_empty() {
                        push(
                            format!("metadata.{field}"),
                            value.line,
                            format!("Invalid value: {text:?}: {}", value_errors.join("; ")),
                        );
                    }
                }
                Some(_) => {}
                None => push(
                    format!("metadata.{field}.{key}"),
                    value.line,
                    format!("Invalid value: {}: must be a string", shown(value)),
                ),
            }
        }
    }
    out
}

fn shown(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    }
}

/// A JSON value as a node tree without lines (kubectl's JSON has none worth pointing at).
fn from_json(value: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    let value = match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN))),
        J::String(s) => Value::Str(s.as_str().into()),
        J::Array(items) => Value::Seq(items.iter().map(from_json).collect()),
        J::Object(fields) => Value::Map(
            fields
                .iter()
                .map(|(k, v)| (k.as_str().into(), from_json(v)))
                .collect(),
        ),
    };
    Node { line: 0, value }
}
