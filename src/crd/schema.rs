//! A CRD version's OpenAPI v3 schema, compiled once into a tree that validation only walks.
//!
//! The semantics are the API server's for custom resources (apiextensions-apiserver with
//! kube-openapi's validator), not JSON Schema's: the schema is structural, `nullable` and the
//! `x-kubernetes-*` extensions are honoured, unknown fields are errors (kubectl's default strict
//! field validation), and `anyOf`/`oneOf`/`allOf`/`not` only constrain values, never declare fields.

use indexmap::IndexMap;
use regex::Regex;

use super::rules::{Rule, RuleCompiler};
use super::{Violation, ViolationKind};
use crate::lint::join;
use crate::lint::node::{Node, Text, Value};

/// The JSON type a schema node declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

/// `x-kubernetes-list-type`: which items must be unique, and by what.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ListType {
    #[default]
    Atomic,
    /// Every item unique as a whole.
    Set,
    /// Items unique by these keys.
    Map(Vec<String>),
}

/// One compiled schema node. Absent keywords are `None`/empty and cost nothing to check.
#[derive(Debug, Default)]
pub struct Schema {
    pub ty: Option<Type>,
    pub nullable: bool,
    pub int_or_string: bool,
    pub preserve_unknown: bool,
    /// `x-kubernetes-embedded-resource`: a whole object (apiVersion, kind, metadata) lives here.
    pub embedded: bool,
    pub properties: IndexMap<String, Schema>,
    /// The CEL map key of each property (its escaped name), in the order of `properties`:
    /// made once here rather than at every evaluation.
    pub cel_keys: Vec<String>,
    pub required: Vec<String>,
    /// `additionalProperties` as a schema (a map's values).
    pub additional: Option<Box<Schema>>,
    /// `additionalProperties: true`.
    pub additional_any: bool,
    pub items: Option<Box<Schema>>,
    pub enumeration: Vec<Value>,
    pub pattern: Option<Regex>,
    pub format: Option<String>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub min_properties: Option<usize>,
    pub max_properties: Option<usize>,
    pub minimum: Option<(f64, bool)>,
    pub maximum: Option<(f64, bool)>,
    pub multiple_of: Option<f64>,
    pub list_type: ListType,
    pub default: Option<Node>,
    pub rules: Vec<Rule>,
    pub any_of: Vec<Schema>,
    pub one_of: Vec<Schema>,
    pub all_of: Vec<Schema>,
    pub not: Option<Box<Schema>>,
}

/// Why a schema could not be compiled (the CRD would not be a valid structural schema).
pub type CompileError = String;

impl Schema {
    /// Compiles the schema node `node` (a version's OpenAPI schema or any node below it). `path` names
    /// the node in errors; CEL rules are compiled through `rules`, which collects their failures.
    pub fn compile(
        node: &Node,
        path: &str,
        rules: &mut RuleCompiler,
    ) -> Result<Schema, CompileError> {
        Schema::compile_node(node, path, rules, true)
    }

    /// `structural` is false inside `anyOf`/`oneOf`/`allOf`/`not`, whose branches only add value
    /// constraints and need no types.
    fn compile_node(
        node: &Node,
        path: &str,
        rules: &mut RuleCompiler,
        structural: bool,
    ) -> Result<Schema, CompileError> {
        let mut schema = Schema::default();
        let entries = match &node.value {
            Value::Map(entries) => entries,
            _ => return Err(format!("{path}: a schema must be a map")),
        };
        for (key, value) in entries {
            let here = || format!("{path}.{key}");
            match key.as_str() {
                "type" => {
                    schema.ty = Some(match value.as_str() {
                        Some("object") => Type::Object,
                        Some("array") => Type::Array,
                        Some("string") => Type::String,
                        Some("integer") => Type::Integer,
                        Some("number") => Type::Number,
                        Some("boolean") => Type::Boolean,
                        _ => return Err(format!("{}: unknown type {value:?}", here())),
                    })
                }
                "nullable" => schema.nullable = value.value == Value::Bool(true),
                "x-kubernetes-int-or-string" => {
                    schema.int_or_string = value.value == Value::Bool(true)
                }
                "x-kubernetes-preserve-unknown-fields" => {
                    schema.preserve_unknown = value.value == Value::Bool(true)
                }
                "x-kubernetes-embedded-resource" => {
                    schema.embedded = value.value == Value::Bool(true)
                }
                "properties" => {
                    for (name, property) in value.entries() {
                        let compiled = Schema::compile_node(
                            property,
                            &format!("{path}.{name}"),
                            rules,
                            structural,
                        )?;
                        schema.properties.insert(name.to_string(), compiled);
                    }
                }
                "required" => {
                    schema.required = value
                        .items()
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect()
                }
                "additionalProperties" => match &value.value {
                    Value::Bool(any) => schema.additional_any = *any,
                    _ => {
                        schema.additional = Some(Box::new(Schema::compile_node(
                            value,
                            &here(),
                            rules,
                            structural,
                        )?))
                    }
                },
                "items" => {
                    schema.items = Some(Box::new(Schema::compile_node(
                        value,
                        &here(),
                        rules,
                        structural,
                    )?))
                }
                "enum" => {
                    schema.enumeration = value.items().iter().map(|n| n.value.clone()).collect()
                }
                "pattern" => {
                    let text = value.as_str().unwrap_or_default();
                    let regex = match rules.patterns.get(text) {
                        Some(regex) => regex.clone(),
                        None => {
                            let regex = Regex::new(text).map_err(|e| {
                                format!("{}: pattern {text:?} does not compile: {e}", here())
                            })?;
                            rules.patterns.insert(text.to_string(), regex.clone());
                            regex
                        }
                    };
                    schema.pattern = Some(regex);
                }
                "format" => schema.format = value.as_str().map(str::to_string),
                "minLength" => schema.min_length = count(value),
                "maxLength" => schema.max_length = count(value),
                "minItems" => schema.min_items = count(value),
                "maxItems" => schema.max_items = count(value),
                "minProperties" => schema.min_properties = count(value),
                "maxProperties" => schema.max_properties = count(value),
                "minimum" => schema.minimum = number(value).map(|n| (n, false)),
                "maximum" => schema.maximum = number(value).map(|n| (n, false)),
                "multipleOf" => schema.multiple_of = number(value),
                "x-kubernetes-list-type" => {
                    schema.list_type = match value.as_str() {
                        Some("set") => ListType::Set,
                        Some("map") => ListType::Map(Vec::new()),
                        _ => ListType::Atomic,
                    }
                }
                "default" => schema.default = Some(value.clone()),
                key if key == super::CEL_RULES => {
                    schema.rules = rules.compile_all(value, path);
                }
                "anyOf" | "oneOf" | "allOf" => {
                    let branches = value
                        .items()
                        .iter()
                        .enumerate()
                        .map(|(i, branch)| {
                            Schema::compile_node(branch, &format!("{}[{i}]", here()), rules, false)
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    match key.as_str() {
                        "anyOf" => schema.any_of = branches,
                        "oneOf" => schema.one_of = branches,
                        _ => schema.all_of = branches,
                    }
                }
                "not" => {
                    schema.not = Some(Box::new(Schema::compile_node(
                        value,
                        &here(),
                        rules,
                        false,
                    )?))
                }
                _ => {}
            }
        }
        if structural && schema.ty.is_none() && !schema.int_or_string && !schema.preserve_unknown {
            return Err(format!(
                "{path}: no type (a structural schema needs one, or x-kubernetes-int-or-string, or x-kubernetes-preserve-unknown-fields)"
            ));
        }
        schema.cel_keys = schema
            .properties
            .keys()
            .map(|name| super::rules::escape(name))
            .collect();
        // `exclusiveMinimum`/`exclusiveMaximum` are booleans beside their bound in OpenAPI v3.0.
        let exclusive = |key| node.get(key).is_some_and(|n| n.value == Value::Bool(true));
        if let Some((_, ex)) = &mut schema.minimum {
            *ex = exclusive("exclusiveMinimum");
        }
        if let Some((_, ex)) = &mut schema.maximum {
            *ex = exclusive("exclusiveMaximum");
        }
        if let ListType::Map(keys) = &mut schema.list_type {
            *keys = node
                .items_at("x-kubernetes-list-map-keys")
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect();
        }
        Ok(schema)
    }

    /// Whether `value` has the declared type (`int-or-string` and untyped nodes take either).
    fn type_matches(&self, value: &Value) -> bool {
        if self.int_or_string {
            return matches!(value, Value::Int(_) | Value::Str(_));
        }
        match (self.ty, value) {
            (None, _) => true,
            (Some(Type::Object), Value::Map(_))
            | (Some(Type::Array), Value::Seq(_))
            | (Some(Type::String), Value::Str(_))
            | (Some(Type::Integer), Value::Int(_))
            | (Some(Type::Number), Value::Int(_) | Value::Float(_))
            | (Some(Type::Boolean), Value::Bool(_)) => true,
            (Some(Type::Integer), Value::Float(f)) => f.fract() == 0.0,
            _ => false,
        }
    }

    fn type_name(&self) -> &'static str {
        if self.int_or_string {
            return "integer or string";
        }
        match self.ty {
            Some(Type::Object) => "object",
            Some(Type::Array) => "array",
            Some(Type::String) => "string",
            Some(Type::Integer) => "integer",
            Some(Type::Number) => "number",
            Some(Type::Boolean) => "boolean",
            None => "any",
        }
    }

    /// Whether fields not declared under `properties` are allowed here.
    fn allows_unknown(&self) -> bool {
        self.preserve_unknown || self.additional_any || self.additional.is_some()
    }
}

fn count(node: &Node) -> Option<usize> {
    node.as_int().and_then(|i| usize::try_from(i).ok())
}

fn number(node: &Node) -> Option<f64> {
    match node.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// Applies the API server's defaulting to `node`: non-nullable fields set to `null` are pruned,
/// then every absent property with a `default` is set, recursively (into defaults too).
/// Defaulted fields take the line of the object they are added to.
pub fn apply_defaults(schema: &Schema, node: &mut Node) {
    let line = node.line;
    match &mut node.value {
        Value::Map(entries) => {
            if !schema.properties.is_empty() {
                entries.retain(|(name, value)| {
                    !value.is_null()
                        || schema
                            .properties
                            .get(name.as_str())
                            .is_none_or(|p| p.nullable)
                });
                for (name, property) in &schema.properties {
                    if let Some(default) = &property.default {
                        if !entries.iter().any(|(k, _)| k == name) {
                            entries.push((name.as_str().into(), with_line(default, line)));
                        }
                    }
                }
            }
            for (name, value) in entries.iter_mut() {
                if let Some(property) = schema.properties.get(name.as_str()) {
                    apply_defaults(property, value);
                } else if let Some(additional) = &schema.additional {
                    apply_defaults(additional, value);
                }
            }
        }
        Value::Seq(items) => {
            if let Some(item_schema) = &schema.items {
                items
                    .iter_mut()
                    .for_each(|item| apply_defaults(item_schema, item));
            }
        }
        _ => {}
    }
}

/// A copy of `node` with every line set to `line` (a default is written in the CRD, not here).
fn with_line(node: &Node, line: u64) -> Node {
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|n| with_line(n, line)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, n)| (k.clone(), with_line(n, line)))
                .collect(),
        ),
        other => other.clone(),
    };
    Node { line, value }
}

/// Validates a whole object against its version's schema, appending what the API server would
/// report, in its order, to `out`. `apiVersion` and `kind` were matched to find the schema and
/// `metadata` is ObjectMeta, checked on its own; everything else is walked, unknown fields
/// included.
pub fn validate_root(schema: &Schema, doc: &Node, out: &mut Vec<Violation>) {
    let mut walk = Walk {
        structural: true,
        out,
    };
    let Value::Map(entries) = &doc.value else {
        return;
    };
    for name in &schema.required {
        if !matches!(&**name, "apiVersion" | "kind" | "metadata")
            && !entries.iter().any(|(k, v)| k == name && !v.is_null())
        {
            walk.push(ViolationKind::Required, doc, name, "Required value".into());
        }
    }
    for (name, value) in entries {
        match (name.as_str(), schema.properties.get(name.as_str())) {
            // ObjectMeta is checked on its own; a CRD may still constrain the name.
            ("metadata", Some(metadata)) => {
                let mut values = Walk {
                    structural: false,
                    out: &mut *walk.out,
                };
                for (field, value) in value.entries() {
                    if let Some(property) = metadata.properties.get(field.as_str()) {
                        values.node(property, value, &join("metadata", field));
                    }
                }
            }
            ("apiVersion" | "kind" | "metadata", _) => {}
            (_, Some(property)) => walk.node(property, value, name),
            (_, None) if schema.allows_unknown() => {}
            (_, None) => walk.push(
                ViolationKind::UnknownField,
                value,
                name,
                format!("field not declared in schema: {name}"),
            ),
        }
    }
}

struct Walk<'o> {
    /// False inside `anyOf`/`oneOf`/`allOf`/`not`, where `properties` only constrain values.
    structural: bool,
    out: &'o mut Vec<Violation>,
}

impl Walk<'_> {
    fn push(&mut self, kind: ViolationKind, node: &Node, path: &str, message: String) {
        self.out.push(Violation {
            kind,
            path: path.to_string(),
            line: node.line,
            message,
        });
    }

    fn node(&mut self, schema: &Schema, node: &Node, path: &str) {
        if node.is_null() {
            if !schema.nullable && (schema.ty.is_some() || schema.int_or_string) {
                let expected = schema.type_name();
                self.push(
                    ViolationKind::TypeInvalid,
                    node,
                    path,
                    format!("Invalid value: \"null\": {path} in body must be of type {expected}: \"null\""),
                );
            }
            return;
        }
        if !schema.type_matches(&node.value) {
            let (expected, actual) = (schema.type_name(), json_type(&node.value));
            self.push(
                ViolationKind::TypeInvalid,
                node,
                path,
                format!("Invalid value: \"{actual}\": {path} in body must be of type {expected}: \"{actual}\""),
            );
            return;
        }
        if !schema.enumeration.is_empty() && !schema.enumeration.contains(&node.value) {
            let supported: Vec<String> = schema.enumeration.iter().map(scalar_text).collect();
            self.push(
                ViolationKind::NotSupported,
                node,
                path,
                format!(
                    "Unsupported value: {}: supported values: {}",
                    scalar_text(&node.value),
                    supported.join(", ")
                ),
            );
        }
        match &node.value {
            Value::Str(s) => self.string(schema, node, s, path),
            Value::Int(i) => self.number(schema, node, *i as f64, path),
            Value::Float(f) => self.number(schema, node, *f, path),
            Value::Seq(items) => self.array(schema, node, items, path),
            Value::Map(entries) => self.object(schema, node, entries, path),
            Value::Bool(_) | Value::Null => {}
        }
        self.junctions(schema, node, path);
    }

    fn string(&mut self, schema: &Schema, node: &Node, s: &str, path: &str) {
        // Lengths count characters (Unicode code points), as Go's validator does.
        let length = || s.chars().count();
        if let Some(max) = schema.max_length.filter(|max| length() > *max) {
            self.push(
                ViolationKind::TooLong,
                node,
                path,
                format!("Too long: may not be more than {max} bytes"),
            );
        }
        if let Some(min) = schema.min_length.filter(|min| length() < *min) {
            self.push(
                ViolationKind::Invalid,
                node,
                path,
                format!("Invalid value: {s:?}: {path} in body should be at least {min} chars long"),
            );
        }
        if let Some(pattern) = schema.pattern.as_ref().filter(|p| !p.is_match(s)) {
            self.push(
                ViolationKind::Invalid,
                node,
                path,
                format!(
                    "Invalid value: {s:?}: {path} in body should match '{}'",
                    pattern.as_str()
                ),
            );
        }
        if let Some(format) = &schema.format {
            if !super::formats::is_valid(format, s) {
                self.push(
                    ViolationKind::Invalid,
                    node,
                    path,
                    format!("Invalid value: {s:?}: {path} in body must be of type {format}: {s:?}"),
                );
            }
        }
    }

    fn number(&mut self, schema: &Schema, node: &Node, n: f64, path: &str) {
        let shown = scalar_text(&node.value);
        if let Some((min, exclusive)) = schema.minimum {
            if n < min || (exclusive && n == min) {
                let relation = if exclusive {
                    "greater than"
                } else {
                    "greater than or equal to"
                };
                self.push(
                    ViolationKind::Invalid,
                    node,
                    path,
                    format!("Invalid value: {shown}: {path} in body should be {relation} {min}"),
                );
            }
        }
        if let Some((max, exclusive)) = schema.maximum {
            if n > max || (exclusive && n == max) {
                let relation = if exclusive {
                    "less than"
                } else {
                    "less than or equal to"
                };
                self.push(
                    ViolationKind::Invalid,
                    node,
                    path,
                    format!("Invalid value: {shown}: {path} in body should be {relation} {max}"),
                );
            }
        }
        if let Some(factor) = schema
            .multiple_of
            .filter(|f| *f != 0.0 && (n / f).fract() != 0.0)
        {
            self.push(
                ViolationKind::Invalid,
                node,
                path,
                format!("Invalid value: {shown}: {path} in body should be a multiple of {factor}"),
            );
        }
    }

    fn array(&mut self, schema: &Schema, node: &Node, items: &[Node], path: &str) {
        if let Some(max) = schema.max_items.filter(|max| items.len() > *max) {
            self.push(
                ViolationKind::TooMany,
                node,
                path,
                format!("Too many: {}: must have at most {max} items", items.len()),
            );
        }
        if let Some(min) = schema.min_items.filter(|min| items.len() < *min) {
            self.push(
                ViolationKind::Invalid,
                node,
                path,
                format!(
                    "Invalid value: {}: {path} in body should have at least {min} items",
                    items.len()
                ),
            );
        }
        if let Some(item_schema) = &schema.items {
            for (i, item) in items.iter().enumerate() {
                self.node(item_schema, item, &crate::lint::index(path, i));
            }
        }
        if self.structural {
            self.list_type(schema, items, path);
        }
    }

    /// `x-kubernetes-list-type` uniqueness, checked after the items themselves (the API server
    /// runs it as a separate pass after schema validation).
    fn list_type(&mut self, schema: &Schema, items: &[Node], path: &str) {
        let identity = |item: &Node| -> Vec<Value> {
            match &schema.list_type {
                ListType::Map(keys) => keys
                    .iter()
                    .map(|key| item.get(key).map_or(Value::Null, |n| n.value.clone()))
                    .collect(),
                _ => vec![strip_lines(item)],
            }
        };
        if schema.list_type == ListType::Atomic {
            return;
        }
        let ids: Vec<Vec<Value>> = items.iter().map(identity).collect();
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                let shown = match &schema.list_type {
                    ListType::Map(keys) => keys
                        .iter()
                        .zip(id)
                        .map(|(k, v)| format!("\"{k}\":{}", scalar_text(v)))
                        .collect::<Vec<_>>()
                        .join(","),
                    _ => scalar_text(&id[0]),
                };
                self.push(
                    ViolationKind::Duplicate,
                    &items[i],
                    &crate::lint::index(path, i),
                    format!("Duplicate value: {{{shown}}}"),
                );
            }
        }
    }

    fn object(&mut self, schema: &Schema, node: &Node, entries: &[(Text, Node)], path: &str) {
        if let Some(max) = schema.max_properties.filter(|max| entries.len() > *max) {
            self.push(
                ViolationKind::TooMany,
                node,
                path,
                format!("Too many: {}: must have at most {max} items", entries.len()),
            );
        }
        if let Some(min) = schema.min_properties.filter(|min| entries.len() < *min) {
            self.push(
                ViolationKind::Invalid,
                node,
                path,
                format!(
                    "Invalid value: {}: {path} in body should have at least {min} properties",
                    entries.len()
                ),
            );
        }
        for name in &schema.required {
            if !entries.iter().any(|(k, v)| k == name && !v.is_null()) {
                let field = join(path, name);
                self.push(
                    ViolationKind::Required,
                    node,
                    &field,
                    "Required value".to_string(),
                );
            }
        }
        for (name, value) in entries {
            let field = join(path, name);
            if let Some(property) = schema.properties.get(name.as_str()) {
                self.node(property, value, &field);
            } else if let Some(additional) = &schema.additional {
                self.node(additional, value, &crate::lint::keyed(path, name));
            } else if self.structural
                && !schema.allows_unknown()
                && !(schema.embedded && matches!(&**name, "apiVersion" | "kind" | "metadata"))
            {
                self.push(
                    ViolationKind::UnknownField,
                    value,
                    &field,
                    format!("field not declared in schema: {field}"),
                );
            }
        }
    }

    /// `anyOf`, `oneOf`, `allOf` and `not`: value constraints checked on a scratch list, reported
    /// as one invalid value when they fail (the branches' own errors are noise).
    fn junctions(&mut self, schema: &Schema, node: &Node, path: &str) {
        if schema.any_of.is_empty()
            && schema.one_of.is_empty()
            && schema.all_of.is_empty()
            && schema.not.is_none()
        {
            return;
        }
        let passes = |branch: &Schema| {
            let mut scratch = Vec::new();
            Walk {
                structural: false,
                out: &mut scratch,
            }
            .node(branch, node, path);
            scratch.is_empty()
        };
        for branch in &schema.all_of {
            let mut scratch = Vec::new();
            Walk {
                structural: false,
                out: &mut scratch,
            }
            .node(branch, node, path);
            self.out.append(&mut scratch);
        }
        if !schema.any_of.is_empty() && !schema.any_of.iter().any(passes) {
            self.push(
                ViolationKind::Invalid,
                node,
                path,
                format!(
                    "Invalid value: {}: {path} in body must validate at least one schema (anyOf)",
                    shown(node)
                ),
            );
        }
        if !schema.one_of.is_empty() {
            let matching = schema.one_of.iter().filter(|b| passes(b)).count();
            if matching != 1 {
                self.push(
                    ViolationKind::Invalid,
                    node,
                    path,
                    format!("Invalid value: {}: {path} in body must validate one and only one schema (oneOf), but {matching} validated", shown(node)),
                );
            }
        }
        if schema.not.as_deref().is_some_and(passes) {
            self.push(
                ViolationKind::Invalid,
                node,
                path,
                format!(
                    "Invalid value: {}: {path} in body must not validate the schema (not)",
                    shown(node)
                ),
            );
        }
    }
}

/// A value as the API server quotes it in messages: strings quoted, containers by type.
fn shown(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => "\"object\"".into(),
        Value::Seq(_) => "\"array\"".into(),
        other => scalar_text(other),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => format!("{s:?}"),
        Value::Seq(_) => "array".into(),
        Value::Map(_) => "object".into(),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Float(_) => "number",
        Value::Str(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// `node`'s value with every line zeroed, so two equal values compare equal wherever written.
fn strip_lines(node: &Node) -> Value {
    with_line(node, 0).value
}
