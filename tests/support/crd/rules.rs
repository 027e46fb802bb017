//! The CRDs' CEL validation rules, evaluated with the `cel` interpreter plus
//! the part of the Kubernetes CEL library these CRDs use.
//!
//! A rule the interpreter cannot compile or evaluate never passes silently: it is reported as an
//! error of the document and recorded, so the oracle's own test can insist there are none.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use cel::extractors::This;
use cel::objects::{Key, Opaque, OptionalValue};
use cel::{Context, Env, ExecutionError, Program, Value as Cel};
use serde_json::Value;

use super::CEL_RULES;

/// What the oracle does with the CEL rules it has loaded.
#[derive(Debug)]
pub struct RuleStats {
    /// Distinct rules (by text) that compiled.
    pub compiled: usize,
    /// Distinct rules evaluated at least once so far.
    pub evaluated: usize,
    /// Rules (compiled or not) not evaluated so far: what the documents seen never reached.
    pub not_evaluated: Vec<String>,
    /// Distinct transition rules (they use `oldSelf`): they only constrain updates, so are skipped.
    pub transition: usize,
    /// Rules that did not compile, or did not evaluate for a reason other than the document.
    pub unsupported: Vec<String>,
}

pub struct Rules {
    env: Arc<Env>,
    /// Compiled rules and message expressions, keyed by their source.
    programs: HashMap<String, Result<Program, String>>,
    /// The sources of the (non-transition) rules, without message expressions.
    rules: BTreeSet<String>,
    transition: BTreeSet<String>,
    runtime_failures: Mutex<BTreeSet<String>>,
    evaluated: Mutex<BTreeSet<String>>,
}

impl Rules {
    pub fn new() -> Rules {
        let mut env = Env::stdlib();
        // `split` and `substring` come from the CEL strings extension, which Kubernetes enables.
        cel::extensions::strings(&mut env).expect("registering the strings extension");
        Rules {
            env: Arc::new(env),
            programs: HashMap::new(),
            rules: BTreeSet::new(),
            transition: BTreeSet::new(),
            runtime_failures: Mutex::default(),
            evaluated: Mutex::default(),
        }
    }

    /// Compiles every rule and message expression found anywhere in `schema`.
    pub fn compile_all(&mut self, schema: &Value) {
        match schema {
            Value::Object(node) => {
                for validation in node
                    .get(CEL_RULES)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let rule = validation["rule"]
                        .as_str()
                        .expect("a validation has a rule");
                    if is_transition_rule(rule) {
                        self.transition.insert(rule.to_string());
                        continue;
                    }
                    self.rules.insert(rule.to_string());
                    self.compile(rule);
                    if let Some(expression) = validation["messageExpression"].as_str() {
                        self.compile(expression);
                    }
                }
                node.values().for_each(|child| self.compile_all(child));
            }
            Value::Array(items) => items.iter().for_each(|item| self.compile_all(item)),
            _ => {}
        }
    }

    fn compile(&mut self, source: &str) {
        if !self.programs.contains_key(source) {
            let program = self.env.compile(source).map_err(|e| e.to_string());
            self.programs.insert(source.to_string(), program);
        }
    }

    pub fn stats(&self) -> RuleStats {
        let compile_failures = self.programs.iter().filter_map(|(source, program)| {
            program.as_ref().err().map(|e| format!("{source} ({e})"))
        });
        let runtime_failures = self.runtime_failures.lock().unwrap().clone();
        let evaluated = self.evaluated.lock().unwrap();
        RuleStats {
            compiled: self
                .rules
                .iter()
                .filter(|r| self.programs[*r].is_ok())
                .count(),
            evaluated: evaluated.len(),
            not_evaluated: self
                .rules
                .iter()
                .filter(|rule| !evaluated.contains(*rule))
                .cloned()
                .collect(),
            transition: self.transition.len(),
            unsupported: compile_failures.chain(runtime_failures).collect(),
        }
    }

    /// The errors the rules of schema node `schema` report for `value`, found at `path`.
    pub fn check(&self, schema: &Value, value: &Value, path: &str) -> Vec<String> {
        let Some(validations) = schema[CEL_RULES].as_array() else {
            return Vec::new();
        };
        let root = kubernetes_context(&self.env);
        let mut scope = root.new_inner_scope();
        scope.add_variable_from_value("self", to_cel(value, schema));
        validations
            .iter()
            .filter_map(|validation| self.check_one(&scope, validation, path))
            .collect()
    }

    fn check_one(&self, scope: &Context, validation: &Value, path: &str) -> Option<String> {
        let rule = validation["rule"].as_str()?;
        if is_transition_rule(rule) {
            return None;
        }
        let program = match &self.programs[rule] {
            Ok(program) => program,
            Err(error) => {
                return Some(format!(
                    "{path}: oracle cannot compile rule {rule:?}: {error}"
                ))
            }
        };
        self.evaluated.lock().unwrap().insert(rule.to_string());
        match program.execute(scope) {
            Ok(Cel::Bool(true)) => None,
            Ok(Cel::Bool(false)) => Some(self.failure(scope, validation, path)),
            // The API server reports reading an absent field as an invalid value, too.
            Err(ExecutionError::NoSuchKey(key)) => Some(format!(
                "{path}: Invalid value: no such key: {key} evaluating rule: {rule}"
            )),
            other => {
                let reason = format!("{rule} ({other:?})");
                self.runtime_failures.lock().unwrap().insert(reason.clone());
                Some(format!("{path}: oracle cannot evaluate rule {reason}"))
            }
        }
    }

    /// The API server's error for a failed rule: its path (plus `fieldPath`), reason and message.
    fn failure(&self, scope: &Context, validation: &Value, path: &str) -> String {
        let field_path = validation["fieldPath"].as_str().unwrap_or_default();
        let reason = match validation["reason"].as_str() {
            Some("FieldValueForbidden") => "Forbidden",
            Some("FieldValueRequired") => "Required value",
            Some("FieldValueDuplicate") => "Duplicate value",
            _ => "Invalid value",
        };
        let rule = validation["rule"].as_str().unwrap_or_default();
        let message = self
            .message_from_expression(scope, validation)
            .or_else(|| validation["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| format!("failed rule: {rule}"));
        format!("{path}{field_path}: {reason}: {message} [rule: {rule}]")
    }

    /// `messageExpression`'s string, if it evaluates to one (the API server falls back to
    /// `message` otherwise).
    fn message_from_expression(&self, scope: &Context, validation: &Value) -> Option<String> {
        let program = self
            .programs
            .get(validation["messageExpression"].as_str()?)?;
        match program.as_ref().ok()?.execute(scope) {
            Ok(Cel::String(message)) => Some(message.to_string()),
            _ => None,
        }
    }
}

/// Transition rules compare with the stored object (`oldSelf`): they never apply to a create.
fn is_transition_rule(rule: &str) -> bool {
    rule.contains("oldSelf")
}

/// A root context with the Kubernetes CEL library functions these CRDs call.
fn kubernetes_context(env: &Arc<Env>) -> Context<'static, 'static> {
    let mut context = Context::with_env(Arc::clone(env));
    context
        .add_function("isIP", |address: Arc<String>| is_ip(&address))
        .expect("registering isIP");
    context
        .add_function("format.dns1123Label", || -> Arc<dyn Opaque> {
            Arc::new(NamedFormat("dns1123Label"))
        })
        .expect("registering format.dns1123Label");
    context
        .add_function("validate", format_validate)
        .expect("registering validate");
    context
}

/// Kubernetes `isIP`: an IPv4 or IPv6 address without zone; IPv4-mapped IPv6 addresses and
/// leading zeros in IPv4 are rejected (Rust's parser rejects zones and leading zeros too).
fn is_ip(address: &str) -> bool {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => true,
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().is_none(),
        Err(_) => false,
    }
}

/// A format of the Kubernetes format library (`format.dns1123Label()`).
#[derive(Debug, PartialEq, Eq)]
struct NamedFormat(&'static str);

impl Opaque for NamedFormat {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.NamedFormat"
    }
}

/// `<format>.validate(string)`: like Kubernetes, `optional.none()` when valid, else an optional
/// list of errors. Note that, as in cel-go, an optional never equals `null`, so the XBackend rule
/// `format.dns1123Label().validate(self) == null` rejects every non-empty value on a real API
/// server too.
fn format_validate(
    This(format): This<Arc<dyn Opaque>>,
    value: Arc<String>,
) -> Result<Cel, ExecutionError> {
    let format = format
        .downcast_ref::<NamedFormat>()
        .ok_or_else(|| ExecutionError::function_error("validate", "not a format"))?;
    let valid = match format.0 {
        "dns1123Label" => super::is_dns1123_label(&value),
        other => {
            return Err(ExecutionError::function_error(
                "validate",
                format!("unknown format {other}"),
            ))
        }
    };
    let optional = if valid {
        OptionalValue::none()
    } else {
        OptionalValue::of(Cel::List(Arc::new(vec![Cel::from(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
        )])))
    };
    Ok(Cel::Opaque(Arc::new(optional)))
}

/// `value` as the CEL value the API server binds: integers as `int`, and the fields of objects
/// with declared properties under their escaped names (`namespace` is `__namespace__`).
fn to_cel(value: &Value, schema: &Value) -> Cel {
    match value {
        Value::Null => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(Cel::Int)
            .or_else(|| n.as_u64().map(Cel::UInt))
            .unwrap_or_else(|| Cel::Float(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => Cel::from(s.as_str()),
        Value::Array(items) => Cel::List(Arc::new(
            items
                .iter()
                .map(|item| to_cel(item, &schema["items"]))
                .collect(),
        )),
        Value::Object(fields) => {
            let typed = schema.get("properties").is_some();
            let map: HashMap<Key, Cel> = fields
                .iter()
                .map(|(name, field)| {
                    if typed {
                        (
                            Key::from(escape(name)),
                            to_cel(field, &schema["properties"][name]),
                        )
                    } else {
                        (
                            Key::from(name.as_str()),
                            to_cel(field, &schema["additionalProperties"]),
                        )
                    }
                })
                .collect();
            Cel::from(map)
        }
    }
}

/// Property names as Kubernetes exposes them to CEL: reserved words wrapped in `__`, and `__`,
/// `.`, `-`, `/` spelled out.
fn escape(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    if RESERVED.contains(&name) {
        return format!("__{name}__");
    }
    name.replace("__", "__underscores__")
        .replace('.', "__dot__")
        .replace('-', "__dash__")
        .replace('/', "__slash__")
}
