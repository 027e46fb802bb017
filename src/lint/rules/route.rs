//! Routes: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute (spec, rules, matches).

use super::filters::{self, Flavor};
use super::refs;
use super::Header;
use crate::finding::Condition;
use crate::lint::check::{Ctx, Field};
use crate::lint::node::Node;
use crate::lint::Channel;
use crate::spec;

/// How a route kind (at a version) is shaped.
struct Shape {
    /// HTTP-like routes have matches and filters; L4 routes have neither.
    flavor: Option<Flavor>,
    hostnames: bool,
    hostnames_required: bool,
    max_hostnames: usize,
    /// TLSRoute v1 and v1alpha3 refuse IP addresses as hostnames (a CEL rule v1alpha2 lacks).
    hostnames_not_ip: bool,
    /// L4 routes must list their rules; HTTP and GRPC routes default to a catch-all rule.
    rules_required: bool,
    /// The fewest rules an explicit `rules` list may have (GRPCRoute alone allows none).
    min_rules: usize,
    max_rules: usize,
    /// Rule names must be unique (a CEL rule of the v1alpha2 L4 routes, and of the
    /// experimental HTTPRoute and GRPCRoute).
    unique_rule_names: bool,
}

fn shape(header: &Header, channel: Channel) -> Shape {
    // TLS/TCP/UDPRoute v1 (and TLSRoute v1alpha3) have exactly one rule; the v1alpha2 forms allow
    // 16, with unique names.
    let alpha2 = header.version == "v1alpha2";
    let l4 = |hostnames: bool| Shape {
        flavor: None,
        hostnames,
        hostnames_required: hostnames && !alpha2,
        max_hostnames: spec::MAX_TLS_ROUTE_HOSTNAMES,
        hostnames_not_ip: hostnames && !alpha2,
        rules_required: true,
        min_rules: 1,
        max_rules: if alpha2 { spec::MAX_RULES } else { 1 },
        unique_rule_names: alpha2,
    };
    match header.kind {
        "HTTPRoute" | "GRPCRoute" => Shape {
            flavor: Some(if header.kind == "HTTPRoute" {
                Flavor::Http
            } else {
                Flavor::Grpc
            }),
            hostnames: true,
            hostnames_required: false,
            max_hostnames: spec::MAX_HOSTNAMES,
            hostnames_not_ip: false,
            rules_required: false,
            min_rules: usize::from(header.kind == "HTTPRoute"),
            max_rules: spec::MAX_RULES,
            unique_rule_names: channel == Channel::Experimental,
        },
        "TLSRoute" => l4(true),
        _ => l4(false),
    }
}

pub fn route(ctx: &mut Ctx, spec_node: &Node, header: &Header) {
    let shape = shape(header, ctx.channel);
    let mut known = vec!["parentRefs", "rules"];
    if shape.hostnames {
        known.push("hostnames");
    }
    ctx.known_fields(
        spec_node,
        Field::new("spec"),
        &known,
        &["useDefaultGateways"],
    );
    if ctx.channel == Channel::Experimental {
        ctx.check_enum(
            spec_node,
            Field::new("spec"),
            "useDefaultGateways",
            &["All", "None"],
        );
    }
    refs::parent_refs(ctx, spec_node);
    if shape.hostnames_required {
        ctx.require_list(
            spec_node,
            Field::new("spec"),
            "hostnames",
            1,
            shape.max_hostnames,
        );
    }
    if shape.hostnames {
        refs::hostnames(ctx, spec_node, shape.max_hostnames, shape.hostnames_not_ip);
    }
    let rules = if shape.rules_required || spec_node.has("rules") {
        ctx.require_list(
            spec_node,
            Field::new("spec"),
            "rules",
            shape.min_rules,
            shape.max_rules,
        )
    } else {
        &[]
    };
    for (i, rule) in rules.iter().enumerate() {
        let path_list = Field::new("spec.rules");
        let path = path_list.at(i);
        match shape.flavor {
            Some(flavor) => http_rule(ctx, rule, path, flavor),
            None => {
                ctx.known_fields(rule, path, &["name", "backendRefs"], &[]);
                refs::backend_refs(ctx, rule, path, 1, &[]);
            }
        }
        ctx.check_str(rule, path, "name", "invalid-name", spec::dns_subdomain);
    }
    if shape.unique_rule_names {
        ctx.unique(rules, Field::new("spec.rules"), "name", |r| {
            r.str_at("name")
        });
    }
    if shape.flavor.is_some() {
        let total: usize = rules.iter().map(|r| r.items_at("matches").len()).sum();
        if total > spec::MAX_MATCHES_PER_ROUTE {
            let line = spec_node.line_of("rules");
            ctx.error(
                "too-many-items",
                line,
                "spec.rules",
                format!(
                    "the rules have {total} matches in all; at most {} are allowed per route",
                    spec::MAX_MATCHES_PER_ROUTE
                ),
            );
        }
    }
}

fn http_rule(ctx: &mut Ctx, rule: &Node, path: Field, flavor: Flavor) {
    let (known, experimental): (&[&str], &[&str]) = match flavor {
        Flavor::Http => (
            &["name", "matches", "filters", "backendRefs", "timeouts"],
            &["retry", "sessionPersistence"],
        ),
        Flavor::Grpc => (
            &["name", "matches", "filters", "backendRefs"],
            &["sessionPersistence"],
        ),
    };
    ctx.known_fields(rule, path, known, experimental);
    let matches = ctx.list(rule, path, "matches", spec::MAX_MATCHES_PER_RULE);
    for (i, m) in matches.iter().enumerate() {
        let mpath_list = path.key("matches");
        let mpath = mpath_list.at(i);
        match flavor {
            Flavor::Http => http_match(ctx, m, mpath),
            Flavor::Grpc => grpc_match(ctx, m, mpath),
        }
    }
    let summary = filters::filters(ctx, rule, path, flavor);
    let backends = refs::backend_refs(ctx, rule, path, 0, &["filters"]);
    let mut replace_prefix = summary.replace_prefix;
    for (i, b) in backends.iter().enumerate() {
        let bpath_list = path.key("backendRefs");
        let bpath = bpath_list.at(i);
        let s = filters::filters(ctx, b, bpath, flavor);
        replace_prefix = replace_prefix.or(s.replace_prefix);
    }
    if let (Some((fpath, line)), false) = (&summary.redirect, backends.is_empty()) {
        ctx.error("redirect-with-backends", *line, fpath, format!("`{fpath}` is a RequestRedirect, but the rule also has backendRefs"))
            .hint = Some("a redirect answers the client itself: remove the backendRefs, or use URLRewrite to forward".into());
    }
    if let Some((fpath, line)) = replace_prefix {
        if !single_path_prefix(rule) {
            ctx.error("replace-prefix-needs-path-prefix", line, &fpath, format!("`{fpath}` uses ReplacePrefixMatch, which needs exactly one match in the rule, of path type PathPrefix"))
                .hint = Some("split the rule so each has one PathPrefix match, or use ReplaceFullPath".into());
        }
    }
    if let Some(t) = rule.get("timeouts") {
        timeouts(ctx, t, path.key("timeouts"));
    }
}

/// Whether the rule has exactly one match and it is a PathPrefix one, with the API's defaults:
/// absent `matches` is one PathPrefix `/` match and a match without `path` is PathPrefix `/`.
fn single_path_prefix(rule: &Node) -> bool {
    let Some(matches) = rule.get("matches") else {
        return true;
    };
    match matches.items() {
        [only] => {
            only.get("path")
                .and_then(|p| p.str_at("type"))
                .unwrap_or("PathPrefix")
                == "PathPrefix"
        }
        _ => false,
    }
}

fn http_match(ctx: &mut Ctx, m: &Node, path: Field) {
    ctx.known_fields(m, path, &["path", "headers", "queryParams", "method"], &[]);
    if let Some(p) = m.get("path") {
        let ppath = path.key("path");
        ctx.known_fields(p, ppath, &["type", "value"], &[]);
        let ty = ctx
            .check_enum(
                p,
                ppath,
                "type",
                &["Exact", "PathPrefix", "RegularExpression"],
            )
            .unwrap_or("PathPrefix");
        let check: crate::lint::check::StrCheck = match ty {
            "RegularExpression" => |s| spec::at_most(s, spec::MAX_PATH_LEN),
            _ => spec::path,
        };
        ctx.check_str(p, ppath, "value", "invalid-path", check);
        if ty == "RegularExpression" {
            regex(ctx, p, ppath, "value");
        }
    }
    let header_value = filters::header_value_check(ctx.channel);
    name_value_list(ctx, m, path, "headers", header_value);
    name_value_list(ctx, m, path, "queryParams", spec::query_value);
    ctx.check_str(m, path, "method", "invalid-value", spec::http_method);
}

fn grpc_match(ctx: &mut Ctx, m: &Node, path: Field) {
    ctx.known_fields(m, path, &["method", "headers"], &[]);
    if let Some(method) = m.get("method") {
        let mpath = path.key("method");
        ctx.known_fields(method, mpath, &["type", "service", "method"], &[]);
        let ty = ctx
            .check_enum(method, mpath, "type", &["Exact", "RegularExpression"])
            .unwrap_or("Exact");
        if !method.has("service") && !method.has("method") {
            ctx.error(
                "grpc-method-match-empty",
                method.line,
                mpath,
                format!("`{mpath}` needs `service`, `method` or both"),
            );
        }
        if ty == "Exact" {
            ctx.check_str(
                method,
                mpath,
                "service",
                "invalid-value",
                spec::grpc_service,
            );
            ctx.check_str(method, mpath, "method", "invalid-value", spec::grpc_method);
        } else if ty == "RegularExpression" {
            regex(ctx, method, mpath, "service");
            regex(ctx, method, mpath, "method");
        }
    }
    name_value_list(ctx, m, path, "headers", spec::header_value);
}

/// `headers` or `queryParams` of a match: at most 16, unique names, name and value formats.
fn name_value_list(
    ctx: &mut Ctx,
    m: &Node,
    path: Field,
    key: &str,
    value_check: crate::lint::check::StrCheck,
) {
    let list = ctx.list(m, path, key, spec::MAX_HEADER_MATCHES);
    let lpath = path.key(key);
    for (i, h) in list.iter().enumerate() {
        let hpath = lpath.at(i);
        ctx.known_fields(h, hpath, &["type", "name", "value"], &[]);
        let ty = ctx.check_enum(h, hpath, "type", &["Exact", "RegularExpression"]);
        ctx.require_str(h, hpath, "name", "invalid-header", spec::header_name);
        ctx.require_str(h, hpath, "value", "invalid-header", value_check);
        if ty == Some("RegularExpression") {
            regex(ctx, h, hpath, "value");
        }
    }
    ctx.unique(list, lpath, "name", |h| h.str_at("name"));
}

/// A RegularExpression value that does not compile. The CRD takes any string, but the controller
/// cannot program the match and rejects the route (Accepted=False, UnsupportedValue).
fn regex(ctx: &mut Ctx, node: &Node, path: Field, key: &str) {
    let Some(value) = node.str_at(key) else {
        return; // absent, or of the wrong type (reported by the schema checks)
    };
    let Err(must) = spec::regex(value) else {
        return;
    };
    let field = path.key(key);
    let f = ctx.error(
        "invalid-regex",
        node.line_of(key),
        field,
        format!("`{field}` must {must} (it is {value:?})"),
    );
    f.condition = Some(Condition::new("Accepted", "False", "UnsupportedValue"));
    f.hint = Some("Envoy-based implementations compile RE2 syntax: no look-around or backreferences, and a literal ( ) [ ] { } . * + ? | ^ $ needs a backslash".into());
}

fn timeouts(ctx: &mut Ctx, t: &Node, path: Field) {
    ctx.known_fields(t, path, &["request", "backendRequest"], &[]);
    let request = ctx.check_str(t, path, "request", "invalid-value", spec::duration);
    let backend = ctx.check_str(t, path, "backendRequest", "invalid-value", spec::duration);
    let (Some(request), Some(backend)) = (
        request.and_then(spec::duration_millis),
        backend.and_then(spec::duration_millis),
    ) else {
        return;
    };
    if request != 0 && backend > request {
        let line = t.line_of("backendRequest");
        ctx.error(
            "timeout-backend-exceeds-request",
            line,
            path.key("backendRequest"),
            format!("`{path}.backendRequest` is longer than `{path}.request`"),
        )
        .hint = Some("the backend timeout must fit inside the whole request's timeout".into());
    }
}
