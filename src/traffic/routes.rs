//! The routing half of a route, as data: the rules, matches, filters and backends of HTTPRoute,
//! GRPCRoute and the L4 kinds, read from lint's node tree with the API's defaults applied.
//!
//! Only well-formed values are kept (malformed ones were reported by the spec rules and a cluster
//! would reject the object). Regular expressions are compiled here once, anchored, with the `regex`
//! crate (RE2 syntax, what Envoy-based implementations use); one that does not compile never matches.

use std::sync::Arc;

use crate::lint::check::{index, join};
use crate::lint::facts::{reference, Ref};
use crate::lint::node::Node;

/// The rules of one route, by kind.
#[derive(Debug)]
pub enum Rules {
    Http(Box<[HttpRule]>),
    Grpc(Box<[GrpcRule]>),
    /// TLSRoute, TCPRoute, UDPRoute: backends only (v1 has exactly one rule; of the alpha forms'
    /// several rules, implementations use the first).
    L4(Box<[Backend]>),
}

#[derive(Debug)]
pub struct HttpRule {
    /// Never empty: a rule without `matches` is one `PathPrefix /` match.
    pub matches: Box<[HttpMatch]>,
    pub filters: Box<[Filter]>,
    pub backends: Box<[Backend]>,
    pub line: u64,
}

#[derive(Debug)]
pub struct GrpcRule {
    /// Never empty: a rule without `matches` matches every gRPC request.
    pub matches: Box<[GrpcMatch]>,
    pub filters: Box<[Filter]>,
    pub backends: Box<[Backend]>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpMatch {
    pub path: PathMatch,
    pub headers: Box<[NameMatch]>,
    pub query: Box<[NameMatch]>,
    pub method: Option<String>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GrpcMatch {
    /// `None` matches any service (or any method).
    pub service: Option<StrMatch>,
    pub method: Option<StrMatch>,
    pub headers: Box<[NameMatch]>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathMatch {
    Exact(String),
    /// Stored without a trailing `/` (except `/` itself): the API ignores it.
    Prefix(String),
    Regex(Pattern),
}

/// A header or query parameter match. Header names compare case-insensitively (stored lowercase);
/// query parameter names exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    pub name: String,
    pub value: StrMatch,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrMatch {
    Exact(String),
    Regex(Pattern),
}

/// A regular expression as written, and compiled to match the whole value.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    compiled: Option<regex::Regex>,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Pattern {
    fn new(source: &str) -> Pattern {
        Pattern {
            source: source.to_string(),
            compiled: regex::Regex::new(&format!("^(?:{source})$")).ok(),
        }
    }

    /// Whether the pattern matches all of `value`; a pattern that does not compile matches nothing.
    pub fn is_match(&self, value: &str) -> bool {
        self.compiled.as_ref().is_some_and(|r| r.is_match(value))
    }
}

impl StrMatch {
    pub fn is_match(&self, value: &str) -> bool {
        match self {
            StrMatch::Exact(v) => v == value,
            StrMatch::Regex(p) => p.is_match(value),
        }
    }

    pub fn text(&self) -> &str {
        match self {
            StrMatch::Exact(v) => v,
            StrMatch::Regex(p) => &p.source,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Filter {
    RequestHeaders(HeaderChanges),
    Redirect(Redirect),
    Rewrite {
        hostname: Option<String>,
        path: Option<PathModifier>,
    },
    Mirror {
        backend: Box<Backend>,
        /// Share of requests mirrored, 0 to 100 (the default is all of them).
        percent: f64,
    },
    Cors(Cors),
    /// Filters that do not change where the request goes or what the backend sees of it
    /// (ResponseHeaderModifier, ExtensionRef, …), by type, so a trace can name them.
    Other(String),
}

/// `set`, `add` and `remove` of a RequestHeaderModifier; names as written.
#[derive(Debug, Clone, Default)]
pub struct HeaderChanges {
    pub set: Vec<(String, String)>,
    pub add: Vec<(String, String)>,
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Redirect {
    pub scheme: Option<String>,
    pub hostname: Option<String>,
    pub path: Option<PathModifier>,
    pub port: Option<u16>,
    /// The API's default is 302.
    pub status: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathModifier {
    Full(String),
    Prefix(String),
}

#[derive(Debug, Clone, Default)]
pub struct Cors {
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub allow_credentials: bool,
    pub max_age: Option<i64>,
}

/// A backendRef with its weight (default 1) and the reference the analysis resolves.
#[derive(Debug, Clone)]
pub struct Backend {
    /// The reference, with its `port`.
    pub reference: Ref,
    pub weight: i64,
    /// Header changes of the backendRef's own filters, seen by this backend only.
    pub headers: Option<HeaderChanges>,
    /// Mirror targets of the backendRef's own filters.
    pub mirrors: Vec<Backend>,
}

/// Reads the rules of a route `spec` of `kind`.
pub fn read(file: &Arc<str>, kind: &str, spec: &Node) -> Rules {
    let rules = spec.items_at("rules");
    let each = || {
        rules
            .iter()
            .enumerate()
            .map(|(i, r)| (index("spec.rules", i), r))
    };
    match kind {
        "HTTPRoute" if spec.get("rules").is_none() => Rules::Http(Box::new([HttpRule {
            matches: Box::new([HttpMatch::everything(spec.line)]),
            filters: Box::new([]),
            backends: Box::new([]),
            line: spec.line,
        }])),
        "HTTPRoute" => Rules::Http(each().map(|(p, r)| http_rule(file, r, &p)).collect()),
        "GRPCRoute" => Rules::Grpc(each().map(|(p, r)| grpc_rule(file, r, &p)).collect()),
        _ => Rules::L4(
            each()
                .next()
                .map(|(p, r)| backends(file, r, &p))
                .unwrap_or_default(),
        ),
    }
}

impl Rules {
    /// Calls `f` with every backendRef and mirror target, in document order (a callback: the
    /// analysis asks this of every route, and a list per route was an allocation each).
    pub fn each_reference<'r>(&'r self, mut f: impl FnMut(&'r Ref)) {
        let mut rule = |filters: &'r [Filter], backends: &'r [Backend]| {
            for b in backends {
                f(&b.reference);
                b.mirrors.iter().for_each(|m| f(&m.reference));
            }
            for filter in filters {
                if let Filter::Mirror { backend, .. } = filter {
                    f(&backend.reference);
                }
            }
        };
        match self {
            Rules::Http(rules) => rules.iter().for_each(|r| rule(&r.filters, &r.backends)),
            Rules::Grpc(rules) => rules.iter().for_each(|r| rule(&r.filters, &r.backends)),
            Rules::L4(backends) => rule(&[], backends),
        }
    }
}

impl HttpMatch {
    fn everything(line: u64) -> HttpMatch {
        HttpMatch {
            path: PathMatch::Prefix("/".into()),
            headers: Box::new([]),
            query: Box::new([]),
            method: None,
            line,
        }
    }
}

fn http_rule(file: &Arc<str>, rule: &Node, path: &str) -> HttpRule {
    let mut matches: Vec<HttpMatch> = rule
        .items_at("matches")
        .iter()
        .map(|m| HttpMatch {
            path: m.get("path").map_or(PathMatch::Prefix("/".into()), |p| {
                let value = p.str_at("value").unwrap_or("/");
                match p.str_at("type").unwrap_or("PathPrefix") {
                    "Exact" => PathMatch::Exact(value.to_string()),
                    "RegularExpression" => PathMatch::Regex(Pattern::new(value)),
                    _ => PathMatch::Prefix(trim_prefix(value)),
                }
            }),
            headers: name_matches(m, "headers", true),
            query: name_matches(m, "queryParams", false),
            method: m.str_at("method").map(str::to_string),
            line: m.line,
        })
        .collect();
    if matches.is_empty() {
        matches.push(HttpMatch::everything(rule.line));
    }
    HttpRule {
        matches: matches.into(),
        filters: filters(file, rule, path),
        backends: backends(file, rule, path),
        line: rule.line,
    }
}

fn grpc_rule(file: &Arc<str>, rule: &Node, path: &str) -> GrpcRule {
    let mut matches: Vec<GrpcMatch> = rule
        .items_at("matches")
        .iter()
        .map(|m| {
            let method = m.get("method");
            let regex = method.and_then(|n| n.str_at("type")) == Some("RegularExpression");
            let part = |key: &str| {
                let v = method?.str_at(key)?;
                Some(if regex {
                    StrMatch::Regex(Pattern::new(v))
                } else {
                    StrMatch::Exact(v.to_string())
                })
            };
            GrpcMatch {
                service: part("service"),
                method: part("method"),
                headers: name_matches(m, "headers", true),
                line: m.line,
            }
        })
        .collect();
    if matches.is_empty() {
        matches.push(GrpcMatch {
            service: None,
            method: None,
            headers: Box::new([]),
            line: rule.line,
        });
    }
    GrpcRule {
        matches: matches.into(),
        filters: filters(file, rule, path),
        backends: backends(file, rule, path),
        line: rule.line,
    }
}

/// The API ignores a trailing `/` of a PathPrefix: `/api/` matches what `/api` matches.
fn trim_prefix(value: &str) -> String {
    match value.trim_end_matches('/') {
        "" => "/".to_string(),
        v => v.to_string(),
    }
}

/// The header or query parameter matches of `m`. Of entries with equivalent names (header names
/// in any case) only the first counts: the spec has the others ignored.
fn name_matches(m: &Node, key: &str, fold_case: bool) -> Box<[NameMatch]> {
    let mut out: Vec<NameMatch> = Vec::new();
    for h in m.items_at(key) {
        let (Some(name), Some(value)) = (h.str_at("name"), h.str_at("value")) else {
            continue;
        };
        let name = match fold_case {
            true => name.to_ascii_lowercase(),
            false => name.to_string(),
        };
        if out.iter().any(|n| n.name == name) {
            continue;
        }
        let value = match h.str_at("type") {
            Some("RegularExpression") => StrMatch::Regex(Pattern::new(value)),
            _ => StrMatch::Exact(value.to_string()),
        };
        out.push(NameMatch { name, value });
    }
    out.into()
}

fn backends(file: &Arc<str>, rule: &Node, path: &str) -> Box<[Backend]> {
    let list = join(path, "backendRefs");
    rule.items_at("backendRefs")
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let bpath = index(&list, i);
            let mut backend = backend(file, b, &bpath)?;
            backend.weight = b.get("weight").and_then(Node::as_int).unwrap_or(1);
            for f in filters(file, b, &bpath).into_vec() {
                match f {
                    Filter::RequestHeaders(h) => backend.headers = Some(h),
                    Filter::Mirror { backend: m, .. } => backend.mirrors.push(*m),
                    _ => {}
                }
            }
            Some(backend)
        })
        .collect()
}

/// A backend reference: a Service in the core group unless written otherwise.
fn backend(file: &Arc<str>, b: &Node, path: &str) -> Option<Backend> {
    Some(Backend {
        reference: reference(file, b, path, "Service")?,
        weight: 1,
        headers: None,
        mirrors: Vec::new(),
    })
}

fn filters(file: &Arc<str>, rule: &Node, path: &str) -> Box<[Filter]> {
    rule.items_at("filters")
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let ty = f.str_at("type")?;
            Some(match ty {
                "RequestHeaderModifier" => {
                    Filter::RequestHeaders(header_changes(f.get("requestHeaderModifier")?)?)
                }
                "RequestRedirect" => Filter::Redirect(redirect(f.get("requestRedirect")?)),
                "URLRewrite" => {
                    let r = f.get("urlRewrite")?;
                    Filter::Rewrite {
                        hostname: r.str_at("hostname").map(str::to_string),
                        path: r.get("path").and_then(path_modifier),
                    }
                }
                "RequestMirror" => {
                    let m = f.get("requestMirror")?;
                    let bpath = format!("{path}.filters[{i}].requestMirror.backendRef");
                    let percent = match (m.get("percent"), m.get("fraction")) {
                        (Some(p), _) => p.as_int()? as f64,
                        (None, Some(fr)) => {
                            let num = fr.get("numerator").and_then(Node::as_int)? as f64;
                            let den =
                                fr.get("denominator").and_then(Node::as_int).unwrap_or(100) as f64;
                            100.0 * num / den.max(1.0)
                        }
                        (None, None) => 100.0,
                    };
                    Filter::Mirror {
                        backend: Box::new(backend(file, m.get("backendRef")?, &bpath)?),
                        percent,
                    }
                }
                "CORS" => Filter::Cors(cors(f.get("cors")?)),
                other => Filter::Other(other.to_string()),
            })
        })
        .collect()
}

fn header_changes(m: &Node) -> Option<HeaderChanges> {
    let pairs = |key: &str| -> Vec<(String, String)> {
        m.items_at(key)
            .iter()
            .filter_map(|h| {
                Some((
                    h.str_at("name")?.to_string(),
                    h.str_at("value")?.to_string(),
                ))
            })
            .collect()
    };
    Some(HeaderChanges {
        set: pairs("set"),
        add: pairs("add"),
        remove: strings(m, "remove"),
    })
}

fn strings(m: &Node, key: &str) -> Vec<String> {
    m.items_at(key)
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn redirect(r: &Node) -> Redirect {
    Redirect {
        scheme: r.str_at("scheme").map(str::to_string),
        hostname: r.str_at("hostname").map(str::to_string),
        path: r.get("path").and_then(path_modifier),
        port: r
            .get("port")
            .and_then(Node::as_int)
            .and_then(|p| u16::try_from(p).ok()),
        status: r
            .get("statusCode")
            .and_then(Node::as_int)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(302),
    }
}

fn path_modifier(p: &Node) -> Option<PathModifier> {
    match p.str_at("type")? {
        "ReplaceFullPath" => Some(PathModifier::Full(p.str_at("replaceFullPath")?.to_string())),
        "ReplacePrefixMatch" => Some(PathModifier::Prefix(
            p.str_at("replacePrefixMatch")?.to_string(),
        )),
        _ => None,
    }
}

fn cors(c: &Node) -> Cors {
    Cors {
        allow_origins: strings(c, "allowOrigins"),
        allow_methods: strings(c, "allowMethods"),
        allow_headers: strings(c, "allowHeaders"),
        allow_credentials: matches!(
            c.get("allowCredentials").map(|n| &n.value),
            Some(crate::lint::node::Value::Bool(true))
        ),
        max_age: c.get("maxAge").and_then(Node::as_int),
    }
}
