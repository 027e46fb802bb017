//! Hostile input: any string in any field is either rejected with an error naming that field, or
//! rendered to YAML that parses back to exactly that value, with the document's shape unchanged.

mod support;

use proptest::prelude::*;
use serde_json::Value;
use traffic_engineer::context::Profiles;
use traffic_engineer::finding::Finding;
use traffic_engineer::generate::{generate, GenerateError};
use traffic_engineer::render::Templates;
use traffic_engineer::request::{self, Request, RequestError};

/// A request with every field the table below sets present, so each lands in a known place.
const BASE: &str = r#"
context: platform-team
service: web
namespace: web
port: 80
gateway:
  hostname: "*.example.com"
  allowedRoutes: { from: Selector, labels: { team: web } }
routes:
  - hostnames: [www.example.com]
    rules:
      - matches:
          - path: { type: RegularExpression, value: "^/x" }
            headers: [{ name: X-A, value: a }, { name: X-C, value: d }]
            queryParams: [{ name: q, value: b }]
        requestHeaders:
          add: [{ name: X-B, value: c }]
          set: [{ name: X-D, value: e }]
        rewrite: { hostname: internal.example.com, path: /internal }
"#;

/// (request field path, JSON pointer into the request, output kind, JSON pointer into that document)
const FIELDS: &[(&str, &str, &str, &str)] = &[
    (
        "routes[0].rules[0].matches[0].headers[0].value",
        "/routes/0/rules/0/matches/0/headers/0/value",
        "HTTPRoute",
        "/spec/rules/0/matches/0/headers/0/value",
    ),
    (
        "routes[0].rules[0].matches[0].queryParams[0].value",
        "/routes/0/rules/0/matches/0/queryParams/0/value",
        "HTTPRoute",
        "/spec/rules/0/matches/0/queryParams/0/value",
    ),
    (
        "routes[0].rules[0].matches[0].path.value",
        "/routes/0/rules/0/matches/0/path/value",
        "HTTPRoute",
        "/spec/rules/0/matches/0/path/value",
    ),
    (
        "routes[0].rules[0].requestHeaders.add[0].value",
        "/routes/0/rules/0/requestHeaders/add/0/value",
        "HTTPRoute",
        "/spec/rules/0/filters/0/requestHeaderModifier/add/0/value",
    ),
    (
        "routes[0].rules[0].requestHeaders.add[0].name",
        "/routes/0/rules/0/requestHeaders/add/0/name",
        "HTTPRoute",
        "/spec/rules/0/filters/0/requestHeaderModifier/add/0/name",
    ),
    (
        "routes[0].rules[0].rewrite.hostname",
        "/routes/0/rules/0/rewrite/hostname",
        "HTTPRoute",
        "/spec/rules/0/filters/1/urlRewrite/hostname",
    ),
    (
        "routes[0].rules[0].rewrite.path",
        "/routes/0/rules/0/rewrite/path",
        "HTTPRoute",
        "/spec/rules/0/filters/1/urlRewrite/path/replaceFullPath",
    ),
    (
        "routes[0].rules[0].matches[0].headers[1].name",
        "/routes/0/rules/0/matches/0/headers/1/name",
        "HTTPRoute",
        "/spec/rules/0/matches/0/headers/1/name",
    ),
    (
        "routes[0].rules[0].requestHeaders.set[0].name",
        "/routes/0/rules/0/requestHeaders/set/0/name",
        "HTTPRoute",
        "/spec/rules/0/filters/0/requestHeaderModifier/set/0/name",
    ),
    (
        "routes[0].hostnames[0]",
        "/routes/0/hostnames/0",
        "HTTPRoute",
        "/spec/hostnames/0",
    ),
    (
        "service",
        "/service",
        "HTTPRoute",
        "/spec/rules/0/backendRefs/0/name",
    ),
    (
        "namespace",
        "/namespace",
        "HTTPRoute",
        "/metadata/namespace",
    ),
    (
        "gateway.hostname",
        "/gateway/hostname",
        "Gateway",
        "/spec/listeners/0/hostname",
    ),
    (
        "gateway.allowedRoutes.labels",
        "/gateway/allowedRoutes/labels/team",
        "Gateway",
        "/spec/listeners/0/allowedRoutes/namespaces/selector/matchLabels/team",
    ),
];

fn run(request: &Value) -> Result<Vec<Value>, GenerateError> {
    run_with_findings(request).map(|(docs, _)| docs)
}

/// The documents as kubectl would read them back, and the findings (warnings included).
fn run_with_findings(request: &Value) -> Result<(Vec<Value>, Vec<Finding>), GenerateError> {
    let request: Request =
        serde_json::from_value(request.clone()).expect("the base request deserializes");
    let bundle = generate(
        &request,
        &Profiles::built_in(),
        &Templates::load(None).unwrap(),
    )?;
    // Parse the emitted stream back, as kubectl would.
    let docs = traffic_engineer::yaml::from_str_multiple(&bundle.yaml_stream())
        .expect("generated YAML parses");
    Ok((docs, bundle.findings))
}

/// The warning a value the API accepts but may not do what was meant must get: a header name
/// another entry of its list (or of add and set) has in other case; a replacement path with
/// characters a path match would refuse.
fn risky_rule(field: &str, text: &str, base: &Value) -> Option<&'static str> {
    let other = |pointer: &str| base.pointer(pointer).and_then(Value::as_str).unwrap_or("");
    let case_twin = |name: &str| name != text && name.eq_ignore_ascii_case(text);
    match field {
        "routes[0].rules[0].matches[0].headers[1].name" => {
            case_twin(other("/routes/0/rules/0/matches/0/headers/0/name"))
                .then_some("header-match-case")
        }
        // In add and set, the same name is risky too.
        "routes[0].rules[0].requestHeaders.set[0].name" => {
            other("/routes/0/rules/0/requestHeaders/add/0/name")
                .eq_ignore_ascii_case(text)
                .then_some("header-changed-twice")
        }
        "routes[0].rules[0].rewrite.path" => {
            let spec = |check: fn(&str) -> Result<(), String>| check(text).is_ok();
            (spec(traffic_engineer::spec::path_shape)
                && !spec(traffic_engineer::spec::path_characters))
            .then_some("replacement-path-characters")
        }
        _ => None,
    }
}

/// The shape of a document: every pointer to a leaf, without the values.
fn shape(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| shape(v, format!("{at}/{k}"), out)),
        Value::Array(list) => list
            .iter()
            .enumerate()
            .for_each(|(i, v)| shape(v, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

fn shapes(docs: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    docs.iter().for_each(|d| shape(d, String::new(), &mut out));
    out
}

/// Every document is accepted by the CRDs (what the generator accepts, the cluster accepts), and
/// `text` is the value at `pointer` of the `kind` document.
fn landed_exactly(
    docs: &[Value],
    kind: &str,
    pointer: &str,
    text: &str,
) -> Result<(), TestCaseError> {
    if let Some(crds) = support::crd::crds("standard") {
        for d in docs {
            prop_assert!(
                crds.validate(d).is_ok(),
                "{text:?} rejected: {:?}",
                crds.validate(d)
            );
        }
    }
    let doc = docs
        .iter()
        .find(|d| d["kind"] == kind)
        .expect("the kind is emitted");
    prop_assert_eq!(doc.pointer(pointer), Some(&Value::String(text.to_string())));
    Ok(())
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9.*:#&!|>{}\\[\\]'\" \n\t-]{0,40}",
        // Paths with characters a path match refuses but a replacement path may hold.
        "/[a-zA-Z0-9 ?#%<>\"{}|\\\\^`é~!$&'()*+,;=:@./-]{0,30}",
        // Header names: tokens, and the base's names in other case.
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}",
        prop::sample::select(vec![
            "X-A", "x-a", "X-a", "x-b", "X-b", "X-C", "x-c", "X-D", "x-d"
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec![
            "on",
            "yes",
            "NO",
            "null",
            "~",
            "0755",
            "1e3",
            "true",
            "a: b # c",
            "x\nevil: 1",
            "- item",
            "&anchor",
            "*alias",
            "!!str",
            "---",
            "...",
            "%TAG",
            "",
            "\u{7f}",
            "a\u{80}b",
            "\u{85}",
            "\u{9f}",
            "\u{fffe}",
            "x\u{ffff}",
            "\u{a0}é\u{10ffff}",
        ])
        .prop_map(str::to_string),
    ]
}

/// `text` in the field `FIELDS[field]`: rejected naming the field (unless the API accepts it and
/// it is only risky), or generated exactly there, shape unchanged, the risky with a warning.
fn any_string_in(field: usize, text: &str) -> Result<(), TestCaseError> {
    let (name, request_ptr, kind, output_ptr) = FIELDS[field];
    let base: Value = traffic_engineer::yaml::from_str(BASE).unwrap();
    let baseline = run(&base).expect("the base request generates");
    let mut request = base.clone();
    *request.pointer_mut(request_ptr).unwrap() = Value::String(text.to_string());
    // The service and namespace also name other objects; the label key is the field itself.
    let namespace_like = name == "namespace" || name == "service";
    let risky = risky_rule(name, text, &base);
    match run_with_findings(&request) {
        Ok((docs, findings)) => {
            // What the generator accepts, the cluster accepts.
            landed_exactly(&docs, kind, output_ptr, text)?;
            if !namespace_like {
                prop_assert_eq!(shapes(&docs), shapes(&baseline));
            }
            // What the API accepts but is risky is generated with a warning naming the field.
            if let Some(rule) = risky {
                let warned = |f: &Finding| f.rule == rule && f.message.starts_with(name);
                prop_assert!(
                    findings.iter().any(warned),
                    "no {} for {:?}: {:?}",
                    rule,
                    text,
                    findings
                );
            }
        }
        Err(GenerateError::Request(RequestError::Invalid(errors))) => {
            prop_assert!(
                risky.is_none(),
                "{:?} in {}: the API accepts it, but it was refused: {:?}",
                text,
                name,
                errors
            );
            // An error is about the field itself, a field holding it, or names it in a conflict.
            let names = |e: &request::FieldError| {
                e.field == name
                    || name.starts_with(&format!("{}[", e.field))
                    || e.message.contains(name)
            };
            prop_assert!(
                errors.iter().any(names),
                "errors {:?} do not name {}",
                errors,
                name
            );
            prop_assert!(errors
                .iter()
                .all(|e| !e.message.is_empty() && !e.hint.is_empty()));
        }
        Err(other) => prop_assert!(false, "unexpected error for {name}: {other}"),
    }
    Ok(())
}

/// The indices in `FIELDS` of the fields whose values may be risky rather than wrong (see
/// `risky_rule`).
fn risky_fields() -> Vec<usize> {
    let names = [
        "routes[0].rules[0].rewrite.path",
        "routes[0].rules[0].matches[0].headers[1].name",
        "routes[0].rules[0].requestHeaders.set[0].name",
    ];
    let found: Vec<usize> = names
        .iter()
        .filter_map(|n| FIELDS.iter().position(|f| f.0 == *n))
        .collect();
    assert_eq!(found.len(), names.len(), "a risky field is not in FIELDS");
    found
}

/// Values of the risky classes: paths with characters a path match refuses, header names in
/// another case than the base's.
fn risky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "/[a-zA-Z0-9 ?#%<>\"{}|\\\\^`é~!$&'()*+,;=:@./-]{0,30}",
        "[xX]-[aAbBcCdD]",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_string_in_any_field(field in 0..FIELDS.len(), text in hostile_string()) {
        any_string_in(field, &text)?;
    }

    /// The risky classes in the fields where they are risky: never refused when the API accepts
    /// them, always warned about.
    #[test]
    fn risky_values_are_generated_with_a_warning(field in prop::sample::select(risky_fields()), text in risky_string()) {
        any_string_in(field, &text)?;
    }

    /// Request files are hostile too: any text is read into a request or rejected with a located error.
    #[test]
    fn any_request_text(text in "[a-z:{}\\[\\], \n\"'#&*!|>-]{0,80}") {
        match request::from_text(&text, "fuzz") {
            Ok(_) | Err(RequestError::Parse { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }
}

/// Characters YAML cannot hold raw (DEL, C1 controls, U+FFFE, U+FFFF) are written escaped and read
/// back exactly, from a request file that is JSON (JSON allows them raw; YAML refuses them).
#[test]
fn unprintable_characters_round_trip_from_a_json_request() {
    for c in [
        '\u{7f}', '\u{80}', '\u{85}', '\u{9f}', '\u{fffe}', '\u{ffff}',
    ] {
        let value = format!("a{c}b");
        let mut request: Value = traffic_engineer::yaml::from_str(BASE).unwrap();
        *request
            .pointer_mut("/routes/0/rules/0/matches/0/headers/0/value")
            .unwrap() = Value::String(value.clone());
        // Raw, as serde_json writes them.
        let text = serde_json::to_string(&request).unwrap();
        assert!(text.contains(c));
        let read = request::from_text(&text, "request.json")
            .unwrap_or_else(|e| panic!("U+{:04X}: {e}", c as u32));
        let docs = run(&serde_json::to_value(read).unwrap())
            .unwrap_or_else(|e| panic!("U+{:04X}: {e}", c as u32));
        landed_exactly(
            &docs,
            "HTTPRoute",
            "/spec/rules/0/matches/0/headers/0/value",
            &value,
        )
        .unwrap();
    }
}

/// Limits count characters, as the API server does, not UTF-8 bytes: exactly at the limit (in
/// two-byte characters where the field takes them) is accepted, and by the CRDs, one more is
/// refused naming the field. A replacement path takes characters a path match refuses: at its
/// limit it is generated with a warning.
#[test]
fn length_limits_count_characters_at_the_boundary() {
    // (field, request pointer, output pointer, limit, first character, the character repeated)
    let cases = [
        (
            "routes[0].rules[0].matches[0].headers[0].value",
            "/routes/0/rules/0/matches/0/headers/0/value",
            "/spec/rules/0/matches/0/headers/0/value",
            4096,
            "^",
            "é",
        ),
        (
            "routes[0].rules[0].matches[0].queryParams[0].value",
            "/routes/0/rules/0/matches/0/queryParams/0/value",
            "/spec/rules/0/matches/0/queryParams/0/value",
            1024,
            "^",
            "é",
        ),
        (
            "routes[0].rules[0].requestHeaders.add[0].value",
            "/routes/0/rules/0/requestHeaders/add/0/value",
            "/spec/rules/0/filters/0/requestHeaderModifier/add/0/value",
            4096,
            "^",
            "é",
        ),
        (
            "routes[0].rules[0].matches[0].path.value",
            "/routes/0/rules/0/matches/0/path/value",
            "/spec/rules/0/matches/0/path/value",
            1024,
            "^",
            "é",
        ),
        (
            "routes[0].rules[0].rewrite.path",
            "/routes/0/rules/0/rewrite/path",
            "/spec/rules/0/filters/1/urlRewrite/path/replaceFullPath",
            1024,
            "/",
            "é",
        ),
        // Header names are tokens (ASCII): 256 characters are 256 bytes.
        (
            "routes[0].rules[0].matches[0].headers[1].name",
            "/routes/0/rules/0/matches/0/headers/1/name",
            "/spec/rules/0/matches/0/headers/1/name",
            256,
            "X",
            "y",
        ),
        (
            "routes[0].rules[0].requestHeaders.set[0].name",
            "/routes/0/rules/0/requestHeaders/set/0/name",
            "/spec/rules/0/filters/0/requestHeaderModifier/set/0/name",
            256,
            "X",
            "y",
        ),
    ];
    for (field, pointer, output, max, first, unit) in cases {
        let base: Value = traffic_engineer::yaml::from_str(BASE).unwrap();
        let with = |text: &str| {
            let mut request = base.clone();
            *request.pointer_mut(pointer).unwrap() = Value::String(text.to_string());
            run_with_findings(&request)
        };
        let fits = format!("{first}{}", unit.repeat(max - 1));
        assert_eq!(fits.chars().count(), max);
        let (docs, findings) = with(&fits).unwrap_or_else(|e| panic!("{field}: {e}"));
        landed_exactly(&docs, "HTTPRoute", output, &fits).unwrap();
        if let Some(rule) = risky_rule(field, &fits, &base) {
            assert!(
                findings.iter().any(|f| f.rule == rule),
                "{field}: no {rule}: {findings:?}"
            );
        }
        let over = format!("{fits}{unit}");
        match with(&over) {
            Err(GenerateError::Request(RequestError::Invalid(errors))) => {
                assert!(errors.iter().any(|e| e.field == field), "{errors:?}")
            }
            other => panic!("{field}: {} characters accepted: {other:?}", max + 1),
        }
    }
}

/// (flag, kind of the document it lands in, JSON pointer of the value there); the flag's value is
/// the whole text after `NAME=` for the NAME=VALUE flags.
const FLAGS: &[(&str, &str, &str)] = &[
    (
        "--header=X-A=",
        "HTTPRoute",
        "/spec/rules/0/matches/0/headers/0/value",
    ),
    (
        "--query=q=",
        "HTTPRoute",
        "/spec/rules/0/matches/0/queryParams/0/value",
    ),
    (
        "--add-header=X-B=",
        "HTTPRoute",
        "/spec/rules/0/filters/0/requestHeaderModifier/add/0/value",
    ),
    ("--hostname=", "HTTPRoute", "/spec/hostnames/0"),
    (
        "--rewrite-path=",
        "HTTPRoute",
        "/spec/rules/0/filters/0/urlRewrite/path/replaceFullPath",
    ),
    (
        "--path-regex=",
        "HTTPRoute",
        "/spec/rules/0/matches/0/path/value",
    ),
    (
        "--path-prefix=",
        "HTTPRoute",
        "/spec/rules/0/matches/0/path/value",
    ),
    (
        "--rewrite-hostname=",
        "HTTPRoute",
        "/spec/rules/0/filters/0/urlRewrite/hostname",
    ),
    (
        "--service=",
        "HTTPRoute",
        "/spec/rules/0/backendRefs/0/name",
    ),
    ("--gateway=", "HTTPRoute", "/spec/parentRefs/0/name"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Flags are hostile too: any value is refused naming the flag, or lands exactly where it belongs.
    #[test]
    fn any_string_in_any_flag(flag in 0..FLAGS.len(), text in hostile_string()) {
        use clap::Parser;
        use traffic_engineer::cli::{flag_for, Cli, Command};
        let (prefix, kind, pointer) = FLAGS[flag];
        let flag_name = prefix.split('=').next().unwrap();
        let mut args: Vec<String> = ["traffic-engineer", "generate", "--no-input", "--context", "single-dev", "--service", "web", "--port", "80"]
            .into_iter()
            .map(String::from)
            .collect();
        args.push(format!("{prefix}{text}"));
        let Ok(cli) = Cli::try_parse_from(&args) else {
            // clap refused the argument itself (e.g. not valid for the shell): nothing was generated.
            return Ok(());
        };
        let Command::Generate(generate_args) = cli.command else { unreachable!() };
        let result = generate_args.args.request.apply(Default::default()).map_err(GenerateError::Request).and_then(|request| {
            generate(&request, &Profiles::built_in(), &Templates::load(None).unwrap())
        });
        match result {
            Ok(bundle) => {
                let docs: Vec<Value> = traffic_engineer::yaml::from_str_multiple(&bundle.yaml_stream()).unwrap();
                landed_exactly(&docs, kind, pointer, &text)?;
            }
            Err(GenerateError::Request(RequestError::Invalid(errors))) => {
                let names_flag = |e: &request::FieldError| {
                    e.field == flag_name || flag_for(&e.field).is_some_and(|f| f.split('/').any(|f| f == flag_name))
                };
                prop_assert!(errors.iter().any(names_flag), "errors {:?} do not name {}", errors, flag_name);
            }
            Err(other) => prop_assert!(false, "unexpected error for {flag_name}: {other}"),
        }
    }
}
