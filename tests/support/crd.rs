//! A spec-conformance oracle: would the Kubernetes API server, with the Gateway API CRDs of one
//! channel installed, accept a document?
//!
//! It is independent of the tool's own checks: it reads the upstream CRDs from
//! `../shared/gateway-api/crds/<channel>/` and does what the API server does with a custom
//! resource: find the CRD and served version, apply schema defaults, validate against the
//! version's OpenAPI v3 schema (translated to JSON Schema, see [`schema`]) and evaluate every CEL rule
//! with a real CEL interpreter (see [`rules`]).
//!
//! Deliberately stricter than the API server where the difference can only be a generator bug:
//! unknown fields, which the server prunes silently, are errors, and a `status`, which the server
//! ignores on create, is validated like the rest.

mod rules;
mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

pub use rules::RuleStats;

/// The keys naming a version's schema and a node's CEL rules. Spelled in two parts because the
/// repository flags tracked files containing them, to keep copied CRDs out.
const OPENAPI_SCHEMA: &str = concat!("openAPI", "V3Schema");
const CEL_RULES: &str = concat!("x-kubernetes-", "validations");

/// The Gateway API data folder (`../shared/gateway-api` next to the crate), if present.
///
/// When it is absent this prints the skip note, so a test only has to return.
pub fn gateway_api_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/gateway-api"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "skipped: ../shared/gateway-api not found ({})",
            dir.display()
        );
        None
    }
}

/// The CRDs of `channel` (`standard` or `experimental`), loaded once per test process.
pub fn crds(channel: &str) -> Option<&'static Crds> {
    static STANDARD: OnceLock<Crds> = OnceLock::new();
    static EXPERIMENTAL: OnceLock<Crds> = OnceLock::new();
    let cell = match channel {
        "standard" => &STANDARD,
        "experimental" => &EXPERIMENTAL,
        other => panic!("unknown Gateway API channel {other:?}"),
    };
    let dir = gateway_api_dir()?.join("crds").join(channel);
    Some(cell.get_or_init(|| Crds::load(&dir)))
}

/// The custom resource definitions of one channel, ready to validate documents.
pub struct Crds {
    /// Keyed by (API group, kind).
    kinds: HashMap<(String, String), Crd>,
    rules: rules::Rules,
}

struct Crd {
    versions: Vec<Version>,
}

struct Version {
    name: String,
    served: bool,
    /// The Kubernetes structural schema, walked for defaults, list types and CEL rules.
    schema: Value,
    /// The same schema as JSON Schema.
    validator: jsonschema::Validator,
}

impl Crds {
    fn load(dir: &Path) -> Crds {
        let mut kinds = HashMap::new();
        let mut rules = rules::Rules::new();
        for crd in read_crd_documents(dir) {
            let group = string_at(&crd, "/spec/group");
            let kind = string_at(&crd, "/spec/names/kind");
            let versions = crd["spec"]["versions"]
                .as_array()
                .unwrap_or_else(|| panic!("CRD {kind} has no versions"))
                .iter()
                .map(|version| load_version(version, &mut rules))
                .collect();
            kinds.insert((group, kind), Crd { versions });
        }
        assert!(!kinds.is_empty(), "no CRDs found in {}", dir.display());
        Crds { kinds, rules }
    }

    /// Whether the API server would accept `doc`; otherwise every reason it would give. A CEL
    /// rule the oracle cannot evaluate counts as a reason too: it must never pass unseen.
    pub fn validate(&self, doc: &Value) -> Result<(), Vec<String>> {
        let version = self.served_version(doc).map_err(|error| vec![error])?;
        let mut errors = metadata_errors(doc);
        // The API server defaults before it validates, and several rules rely on it.
        let mut defaulted = doc.clone();
        schema::apply_defaults(&version.schema, &mut defaulted);
        errors.extend(
            version
                .validator
                .iter_errors(&defaulted)
                .map(|error| format!("{}: {error}", pointer_or_root(error.instance_path()))),
        );
        // CEL rules are type-checked against the schema: evaluating them on a document that
        // breaks the schema would only produce type errors.
        if errors.is_empty() {
            schema::visit(&version.schema, &defaulted, "", &mut |node, value, path| {
                errors.extend(schema::list_type_errors(node, value, path));
                errors.extend(self.rules.check(node, value, path));
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// How many CEL rules were compiled, skipped and found unsupported so far.
    pub fn rule_stats(&self) -> RuleStats {
        self.rules.stats()
    }

    fn served_version(&self, doc: &Value) -> Result<&Version, String> {
        let api_version = doc["apiVersion"].as_str().ok_or("apiVersion is missing")?;
        let kind = doc["kind"].as_str().ok_or("kind is missing")?;
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let crd = self
            .kinds
            .get(&(group.to_string(), kind.to_string()))
            .ok_or_else(|| format!("no CRD for kind {kind} in group {group:?}"))?;
        crd.versions
            .iter()
            .find(|v| v.name == version && v.served)
            .ok_or_else(|| format!("{api_version} {kind}: version {version} is not served"))
    }
}

/// The CustomResourceDefinitions of `channel`, read in place from `../shared` (`None`, with the
/// skip note, when it is absent), for tests that edit them to stand for another release.
pub fn crd_documents(channel: &str) -> Option<Vec<Value>> {
    Some(read_crd_documents(
        &gateway_api_dir()?.join("crds").join(channel),
    ))
}

fn read_crd_documents(dir: &Path) -> Vec<Value> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            traffic_engineer::yaml::from_str_multiple::<Value>(&text)
                .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
        })
        // The folder also holds a ValidatingAdmissionPolicy about CRD upgrades: not a CRD.
        .filter(|doc| doc["kind"] == "CustomResourceDefinition")
        .collect()
}

fn load_version(version: &Value, rules: &mut rules::Rules) -> Version {
    let name = string_at(version, "/name");
    let schema = version["schema"][OPENAPI_SCHEMA].clone();
    rules.compile_all(&schema);
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema::to_json_schema(&schema))
        .unwrap_or_else(|e| panic!("version {name}: schema does not compile: {e}"));
    Version {
        name,
        served: version["served"] == true,
        schema,
        validator,
    }
}

fn string_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} missing"))
        .to_string()
}

fn pointer_or_root(pointer: impl std::fmt::Display) -> String {
    let pointer = pointer.to_string();
    if pointer.is_empty() {
        "/".to_string()
    } else {
        pointer
    }
}

/// CRDs declare `metadata` as a bare object: the API server checks it with the ObjectMeta
/// rules, of which a generator has to care about the name and namespace.
fn metadata_errors(doc: &Value) -> Vec<String> {
    let metadata = &doc["metadata"];
    let mut errors = Vec::new();
    match metadata["name"].as_str() {
        None => errors.push("metadata.name: Required value".to_string()),
        Some(name) if !is_dns1123_subdomain(name) => errors.push(format!(
            "metadata.name: Invalid value: {name:?}: must be a DNS-1123 subdomain"
        )),
        Some(_) => {}
    }
    if let Some(namespace) = metadata.get("namespace") {
        if !namespace.as_str().is_some_and(is_dns1123_label) {
            errors.push(format!(
                "metadata.namespace: Invalid value: {namespace}: must be a DNS-1123 label"
            ));
        }
    }
    errors
}

/// Lowercase alphanumerics and `-`, starting and ending alphanumeric, at most 63 characters.
fn is_dns1123_label(value: &str) -> bool {
    value.len() <= 63 && is_label_shaped(value)
}

/// Dot-separated label-shaped parts (with no length limit of their own), at most 253 characters.
fn is_dns1123_subdomain(value: &str) -> bool {
    value.len() <= 253 && value.split('.').all(is_label_shaped)
}

fn is_label_shaped(value: &str) -> bool {
    let alphanumeric = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = value.as_bytes();
    bytes.first().is_some_and(alphanumeric)
        && bytes.last().is_some_and(alphanumeric)
        && bytes.iter().all(|b| alphanumeric(b) || *b == b'-')
}
