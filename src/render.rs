//! Templates → YAML documents.
//!
//! One minijinja template per kind, embedded from `templates/` and overridable from a directory.
//! Every `{{ value }}` goes through [`yaml_safe`], which writes it as a JSON scalar or flow
//! collection (JSON is YAML), so no input can change a document's structure whatever a template
//! does. Each rendered document is then parsed back, checked to be the object the plan asked for,
//! and written out again in one canonical YAML layout.

use crate::plan::Resource;
use minijinja::{Environment, Error as TemplateError, Output, State, UndefinedBehavior, Value};
use serde::Serialize;
use std::path::Path;

/// The embedded templates: (file name, source).
pub const TEMPLATES: [(&str, &str); 12] = [
    (
        "gatewayclass.yaml.j2",
        include_str!("../templates/gatewayclass.yaml.j2"),
    ),
    (
        "gateway.yaml.j2",
        include_str!("../templates/gateway.yaml.j2"),
    ),
    (
        "httproute.yaml.j2",
        include_str!("../templates/httproute.yaml.j2"),
    ),
    (
        "grpcroute.yaml.j2",
        include_str!("../templates/grpcroute.yaml.j2"),
    ),
    (
        "tlsroute.yaml.j2",
        include_str!("../templates/tlsroute.yaml.j2"),
    ),
    (
        "tcproute.yaml.j2",
        include_str!("../templates/tcproute.yaml.j2"),
    ),
    (
        "udproute.yaml.j2",
        include_str!("../templates/udproute.yaml.j2"),
    ),
    (
        "referencegrant.yaml.j2",
        include_str!("../templates/referencegrant.yaml.j2"),
    ),
    (
        "clusterrole.yaml.j2",
        include_str!("../templates/clusterrole.yaml.j2"),
    ),
    (
        "clusterrolebinding.yaml.j2",
        include_str!("../templates/clusterrolebinding.yaml.j2"),
    ),
    ("role.yaml.j2", include_str!("../templates/role.yaml.j2")),
    (
        "rolebinding.yaml.j2",
        include_str!("../templates/rolebinding.yaml.j2"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {source}\n  hint: check the template syntax; `traffic-engineer templates export DIR` writes the defaults to compare with")]
    Template { name: String, source: TemplateError },
    #[error("template {name} rendered text that is not YAML: {source}\n  hint: interpolate whole values (`{{{{ value }}}}`), not parts of a scalar; join strings inside the expression with `~`")]
    NotYaml {
        name: String,
        source: crate::yaml::YamlError,
    },
    #[error("template {name} must render exactly one {kind} named {expected}, got {got}\n  hint: keep apiVersion, kind, metadata.name and metadata.namespace as the default template has them")]
    WrongObject {
        name: String,
        kind: String,
        expected: String,
        got: String,
    },
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Export(String),
    #[error("these files differ from the built-in templates and would be overwritten: {}\n  hint: export into an empty folder, or move them away first", .0.join(", "))]
    WouldOverwrite(Vec<String>),
}

/// A rendered object: where it goes, what it is, and its canonical YAML.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// Path under `--out-dir`: `<persona folder>/<kind>-<name>.yaml`.
    pub path: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The document as YAML (one document, no `---`).
    pub yaml: String,
    #[serde(skip)]
    pub value: serde_json::Value,
}

pub struct Templates {
    env: Environment<'static>,
}

/// The output formatter: every interpolated value as a JSON scalar or flow collection.
fn yaml_safe(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), TemplateError> {
    let text = serde_json::to_string(value).map_err(|e| {
        TemplateError::new(
            minijinja::ErrorKind::BadSerialization,
            "a value cannot be written as YAML",
        )
        .with_source(e)
    })?;
    out.write_str(&escape_unprintable(&text))
        .map_err(TemplateError::from)
}

/// JSON text with the characters YAML may not hold raw written as `\uXXXX`, which JSON and YAML
/// double-quoted strings both read back as the same character. JSON escapes only those below
/// U+0020; YAML's printable set also leaves out DEL, the C1 controls (NEL too, a line break to
/// YAML 1.1 readers) and the noncharacters U+FFFE and U+FFFF. Outside strings JSON text has none.
fn escape_unprintable(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(c, '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}') {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl Templates {
    /// The embedded templates, with any file of the same name in `dir` taking their place.
    pub fn load(dir: Option<&Path>) -> Result<Templates, RenderError> {
        // Overrides are read now, so a missing or unreadable file is reported before anything
        // renders; every template is compiled when first used (a run needs two or three of twelve).
        let mut overrides = std::collections::HashMap::new();
        for (name, _) in TEMPLATES {
            if let Some(path) = dir.map(|d| d.join(name)).filter(|p| p.exists()) {
                let text = std::fs::read_to_string(&path).map_err(|source| RenderError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                overrides.insert(name, text);
            }
        }
        // The built-in templates use no filters, tests or globals; an edited one may use any of
        // minijinja's. Registering them took a twentieth of a `generate`.
        let mut env = match overrides.is_empty() {
            true => Environment::empty(),
            false => Environment::new(),
        };
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build();
        env.set_syntax(syntax.expect("the default delimiters are valid"));
        env.set_formatter(yaml_safe);
        env.set_loader(move |name| {
            let embedded = TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| text.to_string());
            Ok(overrides.get(name).cloned().or(embedded))
        });
        Ok(Templates { env })
    }

    /// Renders one planned resource to a checked, canonical document.
    pub fn render(&self, resource: &Resource) -> Result<Document, RenderError> {
        let object = &resource.object;
        let name = format!("{}.yaml.j2", object.kind.to_lowercase());
        let template_err = |source| RenderError::Template {
            name: name.clone(),
            source,
        };
        let text = self
            .env
            .get_template(&name)
            .and_then(|t| {
                t.render(
                    minijinja::context! { object => Value::from(minijinja::value::Serde(object)) },
                )
            })
            .map_err(template_err)?;
        let docs: Vec<serde_json::Value> =
            crate::yaml::from_str_multiple(&text).map_err(|source| RenderError::NotYaml {
                name: name.clone(),
                source,
            })?;
        let expected = serde_json::json!([
            object.api_version,
            object.kind,
            object.metadata.name,
            object.metadata.namespace
        ]);
        let identity = |v: &serde_json::Value| {
            serde_json::json!([
                v["apiVersion"],
                v["kind"],
                v["metadata"]["name"],
                v["metadata"]["namespace"]
            ])
        };
        let value = match docs.as_slice() {
            [one] if identity(one) == expected => one.clone(),
            other => {
                return Err(RenderError::WrongObject {
                    name,
                    kind: object.kind.clone(),
                    expected: expected.to_string(),
                    got: other
                        .iter()
                        .map(|v| identity(v).to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        };
        Ok(Document {
            path: resource.path(),
            kind: object.kind.clone(),
            name: object.metadata.name.clone(),
            namespace: object.metadata.namespace.clone(),
            yaml: crate::yaml::to_string(&value),
            value,
        })
    }
}

/// Writes the embedded templates into `dir` (created if missing), for editing and `--templates`.
/// Files already there are never overwritten: identical ones are left alone, and different ones
/// (edited templates) make the export refuse before writing anything. Returns what it wrote and kept.
pub fn export(dir: &Path) -> Result<Exported, RenderError> {
    let edited: Vec<String> = TEMPLATES
        .iter()
        .map(|(name, source)| (dir.join(name), source))
        .filter(|(path, source)| std::fs::read_to_string(path).is_ok_and(|text| text != **source))
        .map(|(path, _)| path.display().to_string())
        .collect();
    if !edited.is_empty() {
        return Err(RenderError::WouldOverwrite(edited));
    }
    // Only missing files are written, all at once and atomically, like generated manifests.
    let (present, missing): (Vec<_>, Vec<_>) = TEMPLATES
        .iter()
        .partition(|(name, _)| dir.join(name).exists());
    let missing: Vec<crate::files::OutFile> = missing
        .into_iter()
        .map(|(name, source)| crate::files::OutFile {
            path: name.into(),
            content: source.to_string(),
        })
        .collect();
    let export_err = |e: crate::files::FilesError| RenderError::Export(e.to_string());
    let changes = crate::files::compare(dir, &missing).map_err(export_err)?;
    let report = crate::files::write(dir, &changes, false).map_err(export_err)?;
    let path = |name: &str| dir.join(name).display().to_string();
    Ok(Exported {
        written: report
            .written
            .iter()
            .map(|p| dir.join(p).display().to_string())
            .collect(),
        kept: present.into_iter().map(|(name, _)| path(name)).collect(),
    })
}

/// What `templates export` did: the templates it wrote, and those already there (identical to the
/// built-in ones) that it kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub written: Vec<String>,
    pub kept: Vec<String>,
}
