//! HTTPRoute and GRPCRoute filters: the `type`/field agreement, multiplicity and combination CEL
//! rules, and the content of each filter kind.

use super::refs;
use crate::finding::Severity;
use crate::lint::check::{Ctx, Field, StringItems};
use crate::lint::node::Node;
use crate::lint::Channel;
use crate::spec;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Http,
    Grpc,
}

/// Filter types and the field each one names.
const HTTP_TYPES: [(&str, &str); 8] = [
    ("RequestHeaderModifier", "requestHeaderModifier"),
    ("ResponseHeaderModifier", "responseHeaderModifier"),
    ("RequestMirror", "requestMirror"),
    ("RequestRedirect", "requestRedirect"),
    ("URLRewrite", "urlRewrite"),
    ("ExtensionRef", "extensionRef"),
    ("CORS", "cors"),
    ("ExternalAuth", "externalAuth"),
];
const EXPERIMENTAL_TYPE: &str = "ExternalAuth";
/// Filter types that may appear at most once in one filter list (CEL on `filters`).
const AT_MOST_ONCE: [&str; 5] = [
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestRedirect",
    "URLRewrite",
    "CORS",
];

/// The filter types of a route flavor, with the field each one names.
fn types(flavor: Flavor) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    // GRPCRoute has header modifiers, RequestMirror and ExtensionRef only.
    const GRPC: [&str; 4] = [
        "RequestHeaderModifier",
        "ResponseHeaderModifier",
        "RequestMirror",
        "ExtensionRef",
    ];
    HTTP_TYPES
        .iter()
        .filter(move |(t, _)| flavor == Flavor::Http || GRPC.contains(t))
}

/// The check for header values: the experimental CRDs add a pattern (no CR/LF, no edge spaces)
/// on modifier values and HTTPRoute header-match values.
pub fn header_value_check(channel: Channel) -> crate::lint::check::StrCheck {
    match channel {
        Channel::Experimental => spec::header_value_experimental,
        Channel::Standard => spec::header_value,
    }
}

/// What the rule-level CEL rules need to know about a filter list.
#[derive(Default)]
pub struct Summary {
    /// The path of a RequestRedirect filter, if any.
    pub redirect: Option<(String, u64)>,
    /// The path of a redirect or rewrite using `ReplacePrefixMatch`, if any.
    pub replace_prefix: Option<(String, u64)>,
}

/// Checks the `filters` list of a rule or backendRef at `path`.
pub fn filters(ctx: &mut Ctx, owner: &Node, path: Field, flavor: Flavor) -> Summary {
    let list = ctx.list(owner, path, "filters", spec::MAX_FILTERS);
    let list_path = path.key("filters");
    let mut summary = Summary::default();
    let mut seen: Vec<&str> = Vec::new();
    for (i, f) in list.iter().enumerate() {
        let fpath = list_path.at(i);
        let Some(ty) = filter(ctx, f, fpath, flavor) else {
            continue;
        };
        if AT_MOST_ONCE.contains(&ty) && seen.contains(&ty) {
            ctx.error(
                "duplicate-filter",
                f.line,
                fpath,
                format!("`{fpath}` repeats a {ty} filter; it may appear at most once"),
            )
            .hint = Some(format!("merge the two {ty} filters into one"));
        }
        seen.push(ty);
        let target = match ty {
            "RequestRedirect" => f.get("requestRedirect"),
            "URLRewrite" => f.get("urlRewrite"),
            _ => None,
        };
        if ty == "RequestRedirect" {
            summary.redirect = Some((fpath.to_string(), f.line));
        }
        let prefix = target.and_then(|t| t.get("path")).is_some_and(|p| {
            p.str_at("type") == Some("ReplacePrefixMatch") && p.has("replacePrefixMatch")
        });
        if prefix {
            summary.replace_prefix = Some((fpath.to_string(), f.line));
        }
    }
    if seen.contains(&"RequestRedirect") && seen.contains(&"URLRewrite") {
        let line = owner.line_of("filters");
        ctx.error(
            "redirect-and-rewrite",
            line,
            list_path,
            format!(
                "`{list_path}` has both RequestRedirect and URLRewrite; they cannot be combined"
            ),
        )
        .hint = Some(
            "a redirect answers the client itself: keep either the redirect or the rewrite".into(),
        );
    }
    summary
}

/// One filter; returns its type when it is a known one.
fn filter<'n>(ctx: &mut Ctx, f: &'n Node, path: Field, flavor: Flavor) -> Option<&'n str> {
    let table: Vec<&(&str, &str)> = types(flavor).collect();
    let fields: Vec<&str> = table
        .iter()
        .map(|(_, field)| *field)
        .filter(|&fl| fl != "externalAuth")
        .collect();
    let mut known = vec!["type"];
    known.extend(fields);
    let experimental: &[&str] = if flavor == Flavor::Http {
        &["externalAuth"]
    } else {
        &[]
    };
    ctx.known_fields(f, path, &known, experimental);
    let ty = ctx.require_str(f, path, "type", "invalid-value", |_| Ok(()))?;
    let type_path = path.key("type");
    let type_line = f.line_of("type");
    let Some(&&(_, field)) = table.iter().find(|(t, _)| *t == ty) else {
        let names: Vec<&str> = table
            .iter()
            .map(|(t, _)| *t)
            .filter(|t| *t != EXPERIMENTAL_TYPE)
            .collect();
        ctx.error(
            "invalid-value",
            type_line,
            type_path,
            format!(
                "`{type_path}` must be one of {} (it is {ty:?})",
                names.join(", ")
            ),
        );
        return None;
    };
    if ty == EXPERIMENTAL_TYPE && ctx.channel == Channel::Standard {
        ctx.error(
            "experimental-field",
            type_line,
            type_path,
            format!("the {ty} filter exists only in the experimental channel"),
        );
        return None;
    }
    for &&(other_type, other) in &table {
        let fpath = path.key(other);
        if other == field && !f.has(other) {
            ctx.error(
                "filter-field-mismatch",
                f.line,
                fpath,
                format!("a {ty} filter needs `{fpath}`"),
            )
            .hint = Some(format!("add `{other}:` with the filter's settings"));
        } else if other != field && f.has(other) {
            let line = f.line_of(other);
            ctx.error(
                "filter-field-mismatch",
                line,
                fpath,
                format!("`{fpath}` is set but the filter type is {ty}, not {other_type}"),
            )
            .hint = Some(format!("set `type: {other_type}` or remove `{other}`"));
        }
    }
    let Some(body) = f.get(field).filter(|_| f.has(field)) else {
        return Some(ty);
    };
    let bpath = path.key(field);
    match ty {
        "RequestHeaderModifier" | "ResponseHeaderModifier" => header_modifier(ctx, body, bpath),
        "RequestMirror" => mirror(ctx, body, bpath),
        "RequestRedirect" => redirect(ctx, body, bpath),
        "URLRewrite" => rewrite(ctx, body, bpath),
        "ExtensionRef" => extension_ref(ctx, body, bpath),
        "CORS" => cors(ctx, body, bpath),
        _ => external_auth(ctx, body, bpath),
    }
    Some(ty)
}

fn header_modifier(ctx: &mut Ctx, m: &Node, path: Field) {
    ctx.known_fields(m, path, &["add", "set", "remove"], &[]);
    let value_check = header_value_check(ctx.channel);
    for key in ["add", "set"] {
        let list = ctx.list(m, path, key, spec::MAX_HEADER_CHANGES);
        let lpath = path.key(key);
        for (i, h) in list.iter().enumerate() {
            let hpath = lpath.at(i);
            ctx.known_fields(h, hpath, &["name", "value"], &[]);
            ctx.require_str(h, hpath, "name", "invalid-header", spec::header_name);
            ctx.require_str(h, hpath, "value", "invalid-header", value_check);
        }
        ctx.unique(list, lpath, "header name", |h| h.str_at("name"));
    }
    // Any strings, each once: the CRD puts no pattern on the names to remove.
    let rpath = path.key("remove");
    let names = StringItems {
        max: spec::MAX_HEADER_CHANGES,
        rule: "invalid-header",
        check: |_| Ok(()),
        set: true,
    };
    ctx.strings(m, path, "remove", &names);
    for (i, h) in m.items_at("remove").iter().enumerate() {
        let Some(Err(must)) = h.as_str().map(spec::header_name) else {
            continue;
        };
        let hpath = rpath.at(i);
        ctx.report(
            Severity::Warning,
            "header-name-not-a-token",
            h.line,
            hpath,
            format!("`{hpath}` removes nothing: a header name must {must}"),
        )
        .hint = Some("write the name of the header as it is sent, e.g. X-Debug".into());
    }
}

fn mirror(ctx: &mut Ctx, m: &Node, path: Field) {
    ctx.known_fields(m, path, &["backendRef", "percent", "fraction"], &[]);
    if let Some(b) = ctx.require(m, path, "backendRef") {
        refs::backend_ref(ctx, b, path.key("backendRef"), &[]);
    }
    ctx.check_int(m, path, "percent", |p| match (0..=100).contains(&p) {
        true => Ok(()),
        false => Err("be between 0 and 100".into()),
    });
    if let Some(fr) = m.get("fraction") {
        let fpath = path.key("fraction");
        ctx.known_fields(fr, fpath, &["numerator", "denominator"], &[]);
        ctx.require(fr, fpath, "numerator");
        let num = ctx.check_int(fr, fpath, "numerator", |n| match n >= 0 {
            true => Ok(()),
            false => Err("be 0 or more".into()),
        });
        let den = ctx.check_int(fr, fpath, "denominator", |d| match d >= 1 {
            true => Ok(()),
            false => Err("be 1 or more".into()),
        });
        if num.is_some_and(|n| n > den.unwrap_or(100)) {
            ctx.error(
                "invalid-mirror-fraction",
                fr.line,
                fpath,
                format!("`{fpath}.numerator` must not exceed the denominator"),
            );
        }
    }
    if m.has("percent") && m.has("fraction") {
        ctx.error(
            "mirror-percent-and-fraction",
            m.line,
            path,
            format!("`{path}` sets both `percent` and `fraction`; use one"),
        );
    }
}

fn redirect(ctx: &mut Ctx, r: &Node, path: Field) {
    ctx.known_fields(
        r,
        path,
        &["scheme", "hostname", "path", "port", "statusCode"],
        &[],
    );
    ctx.check_str(r, path, "scheme", "invalid-value", spec::redirect_scheme);
    ctx.check_str(
        r,
        path,
        "hostname",
        "invalid-hostname",
        spec::precise_hostname,
    );
    ctx.check_int(r, path, "port", spec::port);
    ctx.check_int(r, path, "statusCode", spec::redirect_status);
    path_modifier(ctx, r, path);
}

fn rewrite(ctx: &mut Ctx, r: &Node, path: Field) {
    ctx.known_fields(r, path, &["hostname", "path"], &[]);
    ctx.check_str(
        r,
        path,
        "hostname",
        "invalid-hostname",
        spec::precise_hostname,
    );
    path_modifier(ctx, r, path);
}

/// `path` of a redirect or rewrite: `type` must agree with the one replacement that is set.
fn path_modifier(ctx: &mut Ctx, owner: &Node, owner_path: Field) {
    let Some(m) = owner.get("path") else { return };
    let path = owner_path.key("path");
    ctx.known_fields(
        m,
        path,
        &["type", "replaceFullPath", "replacePrefixMatch"],
        &[],
    );
    ctx.require(m, path, "type");
    let ty = ctx.check_enum(m, path, "type", &["ReplaceFullPath", "ReplacePrefixMatch"]);
    for (want, field) in [
        ("ReplaceFullPath", "replaceFullPath"),
        ("ReplacePrefixMatch", "replacePrefixMatch"),
    ] {
        // Only a length limit: the CRD puts no pattern on replacement paths.
        ctx.check_str(m, path, field, "invalid-path", |s| {
            spec::at_most(s, spec::MAX_PATH_LEN)
        });
        let set = m.has(field);
        if (ty == Some(want)) != set && ty.is_some() {
            let message = match set {
                true => format!("`{path}.{field}` is set, so `{path}.type` must be {want}"),
                false => format!("`{path}.type` is {want}, so `{path}.{field}` is required"),
            };
            ctx.error("path-modifier-mismatch", m.line, path, message);
        }
    }
}

fn extension_ref(ctx: &mut Ctx, r: &Node, path: Field) {
    ctx.known_fields(r, path, &["group", "kind", "name"], &[]);
    ctx.require(r, path, "group");
    ctx.check_str(r, path, "group", "invalid-value", spec::group);
    ctx.require_str(r, path, "kind", "invalid-value", spec::kind);
    ctx.require_str(r, path, "name", "invalid-name", spec::ref_name);
}

/// The CORS filter: origins, methods and header names, each list a set, '*' alone where the
/// CRD allows it; `maxAge` at least 1 second.
fn cors(ctx: &mut Ctx, c: &Node, path: Field) {
    ctx.known_fields(
        c,
        path,
        &[
            "allowOrigins",
            "allowCredentials",
            "allowMethods",
            "allowHeaders",
            "exposeHeaders",
            "maxAge",
        ],
        &[],
    );
    let header_names = StringItems {
        max: spec::MAX_CORS_ITEMS,
        rule: "invalid-header",
        check: spec::header_name,
        set: true,
    };
    let lists = [
        (
            "allowOrigins",
            StringItems {
                rule: "invalid-value",
                check: spec::cors_origin,
                ..header_names
            },
        ),
        (
            "allowMethods",
            StringItems {
                max: spec::HTTP_METHODS.len(),
                rule: "invalid-value",
                check: spec::cors_method,
                ..header_names
            },
        ),
        ("allowHeaders", header_names),
        ("exposeHeaders", header_names),
    ];
    for (key, items) in &lists {
        let values = ctx.strings(c, path, key, items);
        // exposeHeaders has no such rule: '*' there is a header name like any other.
        if *key != "exposeHeaders" && values.len() > 1 && values.contains(&"*") {
            let field = path.key(key);
            ctx.error(
                "cors-wildcard-mixed",
                c.line_of(key),
                field,
                format!("`{field}` contains '*' alongside other values"),
            )
            .hint = Some(
                "'*' already allows everything: keep it alone, or list the values without it"
                    .into(),
            );
        }
    }
    ctx.check_bool(c, path, "allowCredentials");
    ctx.check_int(c, path, "maxAge", |s| match s >= 1 {
        true => Ok(()),
        false => Err("be at least 1 (seconds a browser may cache the answer)".into()),
    });
}

fn external_auth(ctx: &mut Ctx, a: &Node, path: Field) {
    ctx.known_fields(
        a,
        path,
        &["protocol", "backendRef", "grpc", "http", "forwardBody"],
        &[],
    );
    ctx.require(a, path, "protocol");
    let protocol = ctx.check_enum(a, path, "protocol", &["HTTP", "GRPC"]);
    if let Some(b) = ctx.require(a, path, "backendRef") {
        refs::backend_ref(ctx, b, path.key("backendRef"), &[]);
    }
    if let Some(http) = a.get("http") {
        ctx.check_str(http, path.key("http"), "path", "invalid-path", spec::path);
    }
    for (proto, field) in [("HTTP", "http"), ("GRPC", "grpc")] {
        if protocol.is_some() && (protocol == Some(proto)) != a.has(field) {
            ctx.error(
                "filter-field-mismatch",
                a.line,
                path.key(field),
                format!("`{path}.{field}` must be set exactly when `protocol` is {proto}"),
            );
        }
    }
}
