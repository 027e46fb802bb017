//! The per-document context every spec rule reports through, and the generic schema checks
//! (required, type, pattern, range, count, uniqueness, unknown fields) that the kind rules combine.
//!
//! Value formats themselves live in [`crate::spec`]; this module only adds the field path, the line
//! and the wording, so a value the generator accepts is exactly a value the linter accepts.

use super::node::{Node, Value};
use super::Channel;
use crate::finding::{Finding, ResourceId, Severity};

/// A spec check on a string value: `Err` holds what the value must be (see [`crate::spec`]).
pub type StrCheck = fn(&str) -> Result<(), String>;
/// A spec check on an integer value.
pub type IntCheck = fn(i64) -> Result<(), String>;

/// What a list of strings may hold (CORS lists, header names to remove, selector values).
#[derive(Clone, Copy)]
pub struct StringItems {
    pub max: usize,
    pub rule: &'static str,
    pub check: StrCheck,
    /// A list of type `set`: each value at most once.
    pub set: bool,
}

/// What a map of strings may hold (TLS options, infrastructure labels and annotations).
pub struct MapRules {
    pub max: usize,
    pub key: StrCheck,
    pub value: StrCheck,
    /// The rule a key or value breaking its check is reported under.
    pub rule: &'static str,
}

impl MapRules {
    /// Any number of entries, any keys, any string values.
    pub const ANY: MapRules = MapRules {
        max: usize::MAX,
        key: |_| Ok(()),
        value: |_| Ok(()),
        rule: "invalid-value",
    };
}

pub struct Ctx<'a> {
    pub file: &'a str,
    pub channel: Channel,
    pub resource: Option<ResourceId>,
    pub findings: &'a mut Vec<Finding>,
}

/// `parent.key`, or `key` at the top. Paths are built for every node CRD validation visits, so
/// these helpers append to one allocation rather than going through `format!` (a tenth of
/// validating a document).
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        return key.to_string();
    }
    let mut path = String::with_capacity(parent.len() + 1 + key.len());
    path.push_str(parent);
    path.push('.');
    path.push_str(key);
    path
}

/// `parent[i]`: an item of a list.
pub fn index(parent: &str, i: usize) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(i);
    let mut path = String::with_capacity(parent.len() + 2 + digits.len());
    path.push_str(parent);
    path.push('[');
    path.push_str(digits);
    path.push(']');
    path
}

/// `parent[key]`: an entry of a map whose keys are data (additionalProperties).
pub fn keyed(parent: &str, key: &str) -> String {
    let mut path = String::with_capacity(parent.len() + 2 + key.len());
    path.push_str(parent);
    path.push('[');
    path.push_str(key);
    path.push(']');
    path
}

/// A field path such as `spec.rules[0].matches`, written out only when a finding names it: the
/// rules walk every node of every document, and building each path as a string cost more than
/// the checks themselves.
#[derive(Clone, Copy)]
pub struct Field<'a> {
    parent: Option<&'a Field<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    /// A key, joined to a non-empty parent with `.`; at the top, a dotted path written as is.
    Key(&'a str),
    Index(usize),
}

impl<'a> Field<'a> {
    /// The document itself (an empty path).
    pub const TOP: Field<'static> = Field {
        parent: None,
        segment: Segment::Key(""),
    };

    /// A path given whole, like `"spec.rules"`.
    pub const fn new(path: &'a str) -> Field<'a> {
        Field {
            parent: None,
            segment: Segment::Key(path),
        }
    }

    /// `self.key` (`key` at the top), as [`join`] writes it.
    pub fn key(&'a self, key: &'a str) -> Field<'a> {
        Field {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// `self[i]`.
    pub fn at(&'a self, i: usize) -> Field<'a> {
        Field {
            parent: Some(self),
            segment: Segment::Index(i),
        }
    }

    /// Whether the path is written as the empty string.
    pub fn is_empty(&self) -> bool {
        match self.segment {
            Segment::Key(k) => k.is_empty() && self.parent.is_none_or(Field::is_empty),
            Segment::Index(_) => false,
        }
    }
}

impl std::fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let parent = self.parent.unwrap_or(&Field::TOP);
        if self.parent.is_some() {
            parent.fmt(f)?;
        }
        match self.segment {
            Segment::Key(k) if parent.is_empty() => f.write_str(k),
            Segment::Key(k) => write!(f, ".{k}"),
            Segment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

impl Ctx<'_> {
    /// Records a finding about `field`, written on `line`.
    pub fn report(
        &mut self,
        severity: Severity,
        rule: &'static str,
        line: u64,
        field: impl std::fmt::Display,
        message: String,
    ) -> &mut Finding {
        let mut f = Finding::new(severity, rule, message)
            .at(self.file, line)
            .on(self.resource.clone());
        let field = field.to_string();
        if !field.is_empty() {
            f = f.field(field);
        }
        self.findings.push(f);
        self.findings.last_mut().expect("just pushed")
    }

    pub fn error(
        &mut self,
        rule: &'static str,
        line: u64,
        field: impl std::fmt::Display,
        message: String,
    ) -> &mut Finding {
        self.report(Severity::Error, rule, line, field, message)
    }

    /// The value at `key`, reporting `missing-field` when it is absent or null.
    pub fn require<'n>(&mut self, node: &'n Node, path: Field, key: &str) -> Option<&'n Node> {
        match node.get(key) {
            Some(v) if !v.is_null() => Some(v),
            _ => {
                let field = path.key(key);
                self.error(
                    "missing-field",
                    node.line,
                    field,
                    format!("`{field}` is required"),
                );
                None
            }
        }
    }

    pub fn wrong_type(&mut self, node: &Node, field: Field, expected: &str) {
        self.error(
            "wrong-type",
            node.line,
            field,
            format!("`{field}` must be {expected}, not {}", node.type_name()),
        );
    }

    /// A string at `key` when present, reporting a non-string value.
    pub fn opt_str<'n>(&mut self, node: &'n Node, path: Field, key: &str) -> Option<&'n str> {
        let v = node.get(key)?;
        if let Some(s) = v.as_str() {
            return Some(s);
        }
        if !v.is_null() {
            self.wrong_type(v, path.key(key), "a string");
        }
        None
    }

    /// The map at `key` (when present) whose values must all be strings (labels, selectors).
    pub fn string_map(&mut self, node: &Node, path: Field, key: &str) {
        self.checked_string_map(node, path, key, &MapRules::ANY);
    }

    /// The map at `key` (when present) of string values, held to `rules`: how many entries, and
    /// the format of each key and value.
    pub fn checked_string_map(&mut self, node: &Node, path: Field, key: &str, rules: &MapRules) {
        let Some(map) = node.get(key) else { return };
        let field = path.key(key);
        match &map.value {
            Value::Map(entries) => {
                if entries.len() > rules.max {
                    self.error(
                        "too-many-items",
                        map.line,
                        field,
                        format!(
                            "`{field}` has {} entries; at most {} are allowed",
                            entries.len(),
                            rules.max
                        ),
                    );
                }
                for (name, value) in entries {
                    let entry = field.key(name);
                    if let Err(must) = (rules.key)(name) {
                        self.error(
                            rules.rule,
                            value.line,
                            entry,
                            format!("the key {name:?} of `{field}` must {must}"),
                        );
                    }
                    match value.as_str() {
                        None => self.wrong_type(value, entry, "a string"),
                        Some(s) => self.check_value(s, rules.value, rules.rule, value.line, entry),
                    }
                }
            }
            Value::Null => {}
            _ => self.wrong_type(map, field, "a map of names to string values"),
        }
    }

    /// Reports `s`, the value of `field`, under `rule` when `check` refuses it.
    fn check_value(
        &mut self,
        s: &str,
        check: StrCheck,
        rule: &'static str,
        line: u64,
        field: Field,
    ) {
        if let Err(must) = check(s) {
            self.error(
                rule,
                line,
                field,
                format!("`{field}` must {must} (it is {s:?})"),
            );
        }
    }

    /// Checks that the value at `key` (when present) is `true` or `false`.
    pub fn check_bool(&mut self, node: &Node, path: Field, key: &str) {
        let Some(v) = node.get(key) else { return };
        if !matches!(v.value, Value::Bool(_) | Value::Null) {
            self.wrong_type(v, path.key(key), "true or false");
        }
    }

    /// The list of strings at `key` (when present), held to `rules`: at most `max`, each a
    /// string passing `check` (else a `rule` finding) and, for a set, each once.
    pub fn strings<'n>(
        &mut self,
        node: &'n Node,
        path: Field,
        key: &str,
        rules: &StringItems,
    ) -> Vec<&'n str> {
        let items = self.list(node, path, key, rules.max);
        let field = path.key(key);
        let mut strings = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ipath = field.at(i);
            let Some(s) = item.as_str() else {
                if !item.is_null() {
                    self.wrong_type(item, ipath, "a string");
                }
                continue;
            };
            self.check_value(s, rules.check, rules.rule, item.line, ipath);
            strings.push(s);
        }
        if rules.set {
            self.unique(items, field, "value", Node::as_str);
        }
        strings
    }

    /// Checks the string at `key` (when present) with a [`crate::spec`] check.
    pub fn check_str<'n>(
        &mut self,
        node: &'n Node,
        path: Field,
        key: &str,
        rule: &'static str,
        check: StrCheck,
    ) -> Option<&'n str> {
        let s = self.opt_str(node, path, key)?;
        self.check_value(s, check, rule, node.line_of(key), path.key(key));
        Some(s)
    }

    /// Like [`Ctx::check_str`] for a string that must be present.
    pub fn require_str<'n>(
        &mut self,
        node: &'n Node,
        path: Field,
        key: &str,
        rule: &'static str,
        check: StrCheck,
    ) -> Option<&'n str> {
        self.require(node, path, key)?;
        self.check_str(node, path, key, rule, check)
    }

    /// Checks that the string at `key` is one of `allowed`.
    pub fn check_enum<'n>(
        &mut self,
        node: &'n Node,
        path: Field,
        key: &str,
        allowed: &[&str],
    ) -> Option<&'n str> {
        let s = self.opt_str(node, path, key)?;
        if !allowed.contains(&s) {
            let field = path.key(key);
            let line = node.line_of(key);
            self.error(
                "invalid-value",
                line,
                field,
                format!(
                    "`{field}` must be one of {} (it is {s:?})",
                    allowed.join(", ")
                ),
            );
        }
        Some(s)
    }

    /// Checks the integer at `key` (when present) with a [`crate::spec`] check.
    pub fn check_int(
        &mut self,
        node: &Node,
        path: Field,
        key: &str,
        check: IntCheck,
    ) -> Option<i64> {
        let v = node.get(key)?;
        let field = path.key(key);
        let Some(i) = v.as_int() else {
            if !v.is_null() {
                self.wrong_type(v, field, "an integer");
            }
            return None;
        };
        if let Err(must) = check(i) {
            self.error(
                "value-out-of-range",
                v.line,
                field,
                format!("`{field}` must {must} (it is {i})"),
            );
        }
        Some(i)
    }

    /// The list at `key` (empty when absent), reporting a non-list value, more than `max` items
    /// and null items (no Gateway API list takes them).
    pub fn list<'n>(&mut self, node: &'n Node, path: Field, key: &str, max: usize) -> &'n [Node] {
        let Some(v) = node.get(key) else { return &[] };
        let field = path.key(key);
        match &v.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.is_null() {
                        let ipath = field.at(i);
                        self.error(
                            "wrong-type",
                            item.line,
                            ipath,
                            format!("`{ipath}` must not be null"),
                        );
                    }
                }
                if items.len() > max {
                    self.error(
                        "too-many-items",
                        v.line,
                        field,
                        format!(
                            "`{field}` has {} items; at most {max} are allowed",
                            items.len()
                        ),
                    );
                }
                items
            }
            Value::Null => &[],
            _ => {
                self.wrong_type(v, field, "a list");
                &[]
            }
        }
    }

    /// Like [`Ctx::list`] for a list that must be present with at least `min` items.
    pub fn require_list<'n>(
        &mut self,
        node: &'n Node,
        path: Field,
        key: &str,
        min: usize,
        max: usize,
    ) -> &'n [Node] {
        if self.require(node, path, key).is_none() {
            return &[];
        }
        let items = self.list(node, path, key, max);
        if items.len() < min && matches!(node.get(key).map(|n| &n.value), Some(Value::Seq(_))) {
            let field = path.key(key);
            let line = node.line_of(key);
            self.error(
                "too-few-items",
                line,
                field,
                format!("`{field}` needs at least {min} item(s)"),
            );
        }
        items
    }

    /// Reports every item of `items` whose `key_of` equals an earlier item's, as `what` duplicates.
    pub fn unique<'n, K: PartialEq>(
        &mut self,
        items: &'n [Node],
        path: Field,
        what: &str,
        key_of: impl Fn(&'n Node) -> Option<K>,
    ) {
        let keys: Vec<Option<K>> = items.iter().map(&key_of).collect();
        for (i, k) in keys.iter().enumerate() {
            let Some(k) = k else { continue };
            if let Some(first) = keys[..i].iter().position(|e| e.as_ref() == Some(k)) {
                let field = path.at(i);
                self.error(
                    "duplicate-entry",
                    items[i].line,
                    field,
                    format!(
                        "`{field}` repeats the {what} of `{}`; each must be unique",
                        path.at(first)
                    ),
                );
            }
        }
    }

    /// Reports map keys of `node` that are not in `known` (unknown fields are dropped or rejected by
    /// the API server) and, on the standard channel, those in `experimental`.
    pub fn known_fields(
        &mut self,
        node: &Node,
        path: Field,
        known: &[&str],
        experimental: &[&str],
    ) {
        if !matches!(node.value, Value::Map(_)) {
            if !node.is_null() {
                self.wrong_type(
                    node,
                    if path.is_empty() {
                        Field::new("document")
                    } else {
                        path
                    },
                    "a map",
                );
            }
            return;
        }
        for (key, v) in node.entries() {
            let field = path.key(key);
            if experimental.contains(&key.as_str()) {
                if self.channel == Channel::Standard {
                    self.error(
                        "experimental-field",
                        v.line,
                        field,
                        format!("`{field}` exists only in the experimental channel"),
                    )
                    .hint = Some(format!(
                        "remove it, or lint with {} if the cluster runs the experimental CRDs",
                        crate::door::setting_to("channel", "experimental")
                    ));
                }
            } else if !known.contains(&key.as_str()) {
                self.error(
                    "unknown-field",
                    v.line,
                    field,
                    format!("`{field}` is not a field of this object"),
                )
                .hint = Some(format!("known fields here: {}", known.join(", ")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_strings_join_keys_items_and_data_keys() {
        assert_eq!(join("", "spec"), "spec");
        assert_eq!(join("spec", "rules"), "spec.rules");
        assert_eq!(index("spec.rules", 0), "spec.rules[0]");
        assert_eq!(index("a", 1234567), "a[1234567]");
        assert_eq!(
            keyed("metadata.labels", "app.kubernetes.io/name"),
            "metadata.labels[app.kubernetes.io/name]"
        );
    }

    #[test]
    fn fields_are_written_as_joined_paths() {
        let top = Field::TOP;
        let spec = top.key("spec");
        let rules = spec.key("rules");
        let rule = rules.at(2);
        assert_eq!(rule.key("matches").to_string(), "spec.rules[2].matches");
        assert_eq!(top.at(0).to_string(), "[0]");
        let given = Field::new("spec.listeners");
        assert_eq!(given.at(1).key("tls").to_string(), "spec.listeners[1].tls");
        // An empty key is joined as `join` joins it.
        let empty = top.key("");
        assert!(empty.is_empty() && top.is_empty() && !spec.is_empty());
        assert_eq!(empty.key("a").to_string(), join(&join("", ""), "a"));
        assert_eq!(
            spec.key("").key("a").to_string(),
            join(&join("spec", ""), "a")
        );
    }
}
