//! `x-kubernetes-validations`: CEL rules compiled once per CRD set and evaluated where the
//! document has a value, with the API server's variable binding, messages and reasons.
//!
//! CEL comes from the `cel` crate with the Kubernetes library of [`super::library`]. Rules that
//! compare with `oldSelf` (transition rules) only constrain updates, so they are skipped: this
//! validates a create. The API server's cost budget is not modelled.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Env, ExecutionError, Program, Value as Cel};

use super::schema::Schema;
use super::{Violation, ViolationKind};
use crate::lint::node::{Node, Value};

/// One compiled `x-kubernetes-validations` entry.
#[derive(Debug)]
pub struct Rule {
    /// Distinct per rule of a set: the key of its passes in [`Passes`].
    id: u32,
    pub source: Arc<str>,
    /// `None` when the rule did not compile (reported once as a problem of the CRD).
    program: Option<Arc<Program>>,
    message: Option<String>,
    message_expression: Option<Arc<Program>>,
    field_path: Option<String>,
    reason: Option<String>,
}

/// A rule (or message expression) that does not compile.
#[derive(Debug)]
pub struct CompileFailure {
    /// The schema path of the rule, e.g. `v1.spec.rules`.
    pub path: String,
    /// The line of the rule in the CRD file.
    pub line: u64,
    pub rule: String,
    pub error: String,
}

/// Compiles rules with one CEL environment, sharing programs between CRD versions that repeat a
/// rule, and keeps what did not compile.
pub struct RuleCompiler {
    env: Arc<Env>,
    programs: HashMap<String, Result<Arc<Program>, String>>,
    /// Every rule or message expression that did not compile, until taken by the CRD's loader.
    pub failures: Vec<CompileFailure>,
    /// Distinct rules that compiled.
    pub compiled: usize,
    /// Rules made, for their ids.
    rules: u32,
    /// The schemas' `pattern`s, compiled once each: the CRDs repeat a few dozen many times.
    pub patterns: HashMap<String, regex::Regex>,
}

impl RuleCompiler {
    pub fn new(env: Arc<Env>) -> RuleCompiler {
        RuleCompiler {
            env,
            programs: HashMap::new(),
            failures: Vec::new(),
            compiled: 0,
            rules: 0,
            patterns: HashMap::new(),
        }
    }

    /// The rules of one `x-kubernetes-validations` list at schema path `path`.
    pub fn compile_all(&mut self, validations: &Node, path: &str) -> Vec<Rule> {
        validations
            .items()
            .iter()
            .filter_map(|validation| {
                let source = validation.str_at("rule")?;
                let optional_old_self = validation
                    .get("optionalOldSelf")
                    .is_some_and(|n| n.value == Value::Bool(true));
                // A transition rule never runs on create, unless it opts in with optionalOldSelf,
                // where `oldSelf` is then unset; neither can fail on create in practice.
                if source.contains("oldSelf") || optional_old_self {
                    return None;
                }
                let line = validation.line_of("rule");
                let program = self.compile(source, path, line);
                let message_expression = validation
                    .str_at("messageExpression")
                    .and_then(|expression| self.compile(expression, path, line));
                self.rules += 1;
                Some(Rule {
                    id: self.rules,
                    source: source.into(),
                    program,
                    message: validation.str_at("message").map(str::to_string),
                    message_expression,
                    field_path: validation.str_at("fieldPath").map(str::to_string),
                    reason: validation.str_at("reason").map(str::to_string),
                })
            })
            .collect()
    }

    fn compile(&mut self, source: &str, path: &str, line: u64) -> Option<Arc<Program>> {
        if let Some(known) = self.programs.get(source) {
            return known.as_ref().ok().cloned();
        }
        let compiled = self
            .env
            .compile(source)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        match &compiled {
            Ok(_) => self.compiled += 1,
            Err(error) => self.failures.push(CompileFailure {
                path: path.to_string(),
                line,
                rule: source.to_string(),
                error: error.clone(),
            }),
        }
        self.programs.insert(source.to_string(), compiled.clone());
        compiled.ok()
    }
}

/// The rules that passed on a value, by rule and value, for documents that repeat small values
/// (parentRefs, backendRefs, header matches): a rule's result depends on its value alone (transition
/// rules are skipped), so a rule that passed on a value passes on it again. Values up to
/// [`Passes::MAX_VALUE`] bytes written out, up to [`Passes::MAX`] passes; failures are not kept.
#[derive(Default)]
pub struct Passes(RwLock<HashSet<Box<[u8]>>>);

impl Passes {
    const MAX: usize = 4_096;
    const MAX_VALUE: usize = 256;

    fn contains(&self, key: &[u8]) -> bool {
        self.0.read().is_ok_and(|set| set.contains(key))
    }

    fn insert(&self, key: &[u8]) {
        if let Ok(mut set) = self.0.write() {
            if set.len() < Passes::MAX {
                set.insert(key.into());
            }
        }
    }
}

/// What one evaluation carries down the tree: the shared passes, and each value written out in
/// `written` (children after their parent's opening byte, so a node's is the tail it wrote).
struct Memo<'p> {
    passes: &'p Passes,
    written: Vec<u8>,
    key: Vec<u8>,
}

/// Evaluates the CEL rules of every schema node that has a value in `node`, a node's own rules
/// reported before its children's, as the API server's CEL validator walks.
pub fn evaluate(
    root: &Context<'static, 'static>,
    passes: &Passes,
    schema: &Schema,
    node: &Node,
    path: &str,
    out: &mut Vec<Violation>,
) {
    let mut memo = Memo {
        passes,
        written: Vec::new(),
        key: Vec::new(),
    };
    walk(root, Some(schema), node, path, false, &mut memo, out);
}

/// `self` for one node's rules: its CEL value, lent to the scope rather than copied into it.
struct SelfValue<'a>(&'a (dyn Val + 'a));

impl VariableResolver for SelfValue<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        (variable == "self").then_some(CowVal::Borrowed(self.0))
    }
}

/// Evaluates the rules in `node` and, when a rule binds it (`bound`: a rule above, or its own),
/// returns its CEL value, the one the API server binds: fields of objects with declared
/// properties under their escaped names (`namespace` is `__namespace__`), maps and untyped
/// objects under their own keys. Built bottom-up from borrowed strings, so each value is made
/// once and lent to every rule above it; values no rule sees are not made.
fn walk<'a>(
    root: &Context,
    schema: Option<&'a Schema>,
    node: &'a Node,
    path: &str,
    bound: bool,
    memo: &mut Memo,
    out: &mut Vec<Violation>,
) -> Option<Box<dyn Val + 'a>> {
    let rules = schema.map_or(&[][..], |s| &s.rules[..]);
    let needed = bound || !rules.is_empty();
    let mut below = Vec::new();
    let start = memo.written.len();
    if needed {
        write_value(&node.value, &mut memo.written);
    }
    let value: Option<Box<dyn Val + 'a>> = match &node.value {
        Value::Null => return needed.then(|| Box::new(CelNull) as Box<dyn Val>),
        Value::Bool(b) => needed.then(|| Box::new(CelBool::from(*b)) as Box<dyn Val>),
        Value::Int(i) => needed.then(|| Box::new(CelInt::from(*i)) as Box<dyn Val>),
        Value::Float(f) => needed.then(|| Box::new(CelDouble::from(*f)) as Box<dyn Val>),
        Value::Str(s) => needed.then(|| Box::new(CelString::from(s.as_str())) as Box<dyn Val>),
        Value::Seq(items) => {
            let item_schema = schema.and_then(|s| s.items.as_deref());
            let items = items.iter().enumerate().map(|(i, item)| {
                walk(
                    root,
                    item_schema,
                    item,
                    &crate::lint::index(path, i),
                    needed,
                    memo,
                    &mut below,
                )
            });
            if needed {
                Some(Box::new(CelList::from(items.flatten().collect::<Vec<_>>())))
            } else {
                items.for_each(drop);
                None
            }
        }
        Value::Map(entries) => {
            let typed = schema.filter(|s| !s.properties.is_empty());
            let fields = entries.iter().map(|(name, value)| {
                if needed {
                    write_str(b'k', name, &mut memo.written);
                }
                match typed {
                    Some(s) => {
                        let property = s.properties.get_full(name.as_str());
                        let child = walk(
                            root,
                            property.map(|(_, _, p)| p),
                            value,
                            &crate::lint::join(path, name),
                            needed,
                            memo,
                            &mut below,
                        );
                        let key = match property {
                            Some((i, _, _)) => CelMapKey::from(s.cel_keys[i].as_str()),
                            None => CelMapKey::from(escape(name)),
                        };
                        (key, child)
                    }
                    None => {
                        let additional = schema.and_then(|s| s.additional.as_deref());
                        let child = walk(
                            root,
                            additional,
                            value,
                            &crate::lint::keyed(path, name),
                            needed,
                            memo,
                            &mut below,
                        );
                        (CelMapKey::from(name.as_str()), child)
                    }
                }
            });
            if needed {
                let map: HashMap<CelMapKey, Box<dyn Val>> = fields
                    .filter_map(|(key, child)| Some((key, child?)))
                    .collect();
                Some(Box::new(CelMap::from(map)))
            } else {
                fields.for_each(drop);
                None
            }
        }
    };
    if let Some(value) = value.as_deref().filter(|_| !rules.is_empty()) {
        if needed {
            close_value(&node.value, &mut memo.written);
        }
        let written = &memo.written[start..];
        let remembered = written.len() <= Passes::MAX_VALUE;
        let binding = SelfValue(value);
        let mut scope = None;
        for rule in rules {
            if remembered {
                memo.key.clear();
                memo.key.extend_from_slice(&rule.id.to_le_bytes());
                memo.key.extend_from_slice(written);
                if memo.passes.contains(&memo.key) {
                    continue;
                }
            }
            let scope = scope.get_or_insert_with(|| {
                let mut scope = root.new_inner_scope();
                scope.set_variable_resolver(&binding);
                scope
            });
            match check(scope, rule, node, path) {
                Some(violation) => out.push(violation),
                None if remembered => memo.passes.insert(&memo.key),
                None => {}
            }
        }
    } else if needed {
        close_value(&node.value, &mut memo.written);
    } else {
        memo.written.truncate(start);
    }
    out.append(&mut below);
    value
}

/// Writes the start of a value for [`Passes`]: scalars whole, a collection's opening byte (its
/// items follow, written by the walk, then [`close_value`]). Every string is length-prefixed, so
/// two values are written alike only when they are equal.
fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(b'n'),
        Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Value::Int(i) => {
            out.push(b'i');
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(f) => {
            out.push(b'd');
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Str(s) => write_str(b's', s, out),
        Value::Seq(_) => out.push(b'['),
        Value::Map(_) => out.push(b'{'),
    }
}

fn write_str(tag: u8, s: &str, out: &mut Vec<u8>) {
    out.push(tag);
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn close_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Seq(_) => out.push(b']'),
        Value::Map(_) => out.push(b'}'),
        _ => {}
    }
}

fn check(scope: &Context, rule: &Rule, node: &Node, path: &str) -> Option<Violation> {
    // A rule that did not compile is reported once with its CRD, not on every document.
    let program = rule.program.as_ref()?;
    let failed = |kind, message| Violation {
        kind,
        path: format!("{path}{}", rule.field_path.as_deref().unwrap_or_default()),
        line: node.line,
        message,
    };
    match program.execute(scope) {
        Ok(Cel::Bool(true)) => None,
        Ok(Cel::Bool(false)) => {
            let message = rule
                .message_expression
                .as_ref()
                .and_then(|expression| match expression.execute(scope) {
                    Ok(Cel::String(message)) => Some(message.to_string()),
                    _ => None,
                })
                .or_else(|| rule.message.clone())
                .unwrap_or_else(|| format!("failed rule: {}", rule.source));
            let (kind, label) = match rule.reason.as_deref() {
                Some("FieldValueForbidden") => (ViolationKind::Forbidden, "Forbidden"),
                Some("FieldValueRequired") => (ViolationKind::Required, "Required value"),
                Some("FieldValueDuplicate") => (ViolationKind::Duplicate, "Duplicate value"),
                _ => (ViolationKind::Rule, "Invalid value"),
            };
            let shown = match &node.value {
                Value::Map(_) => "\"object\"".to_string(),
                Value::Seq(_) => "\"array\"".to_string(),
                Value::Str(s) => format!("{s:?}"),
                other => format!("{other:?}"),
            };
            let text = if label == "Invalid value" {
                format!("{label}: {shown}: {message}")
            } else {
                format!("{label}: {message}")
            };
            Some(failed(kind, text))
        }
        Ok(other) => Some(failed(
            ViolationKind::Rule,
            format!(
                "Invalid value: rule evaluated to {other:?}, not a boolean: {}",
                rule.source
            ),
        )),
        Err(error) => Some(failed(
            ViolationKind::Rule,
            format!(
                "Invalid value: {} evaluating rule: {}",
                runtime_error(&error),
                rule.source
            ),
        )),
    }
}

fn runtime_error(error: &ExecutionError) -> String {
    match error {
        ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        other => other.to_string(),
    }
}

/// Property names as Kubernetes exposes them to CEL: reserved words wrapped in `__`, and `__`,
/// `.`, `-`, `/` spelled out (k8s.io/apiserver/pkg/cel: `Escape`).
pub(super) fn escape(name: &str) -> String {
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
    if !name.contains(['_', '.', '-', '/']) {
        return name.to_string();
    }
    name.replace("__", "__underscores__")
        .replace('.', "__dot__")
        .replace('-', "__dash__")
        .replace('/', "__slash__")
}
