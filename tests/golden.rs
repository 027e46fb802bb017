//! Golden cases: every request in `tests/cases/*/request.yaml` and `examples/task-api/*.yaml`
//! renders to a reviewed snapshot (`tests/snapshots/`). Adding a case is adding a file; review a
//! new or changed snapshot with `cargo insta review` (or `INSTA_UPDATE=always` and `git diff`).

mod support;

use std::path::{Path, PathBuf};
use traffic_engineer::context::Profiles;
use traffic_engineer::door::Door;
use traffic_engineer::generate::generate;
use traffic_engineer::render::Templates;
use traffic_engineer::request;

/// Every golden request: (snapshot name, path).
pub fn golden_requests() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for case in std::fs::read_dir(root.join("tests/cases")).unwrap() {
        let dir = case.unwrap().path();
        out.push((
            format!("case-{}", dir.file_name().unwrap().to_string_lossy()),
            dir.join("request.yaml"),
        ));
    }
    for file in std::fs::read_dir(root.join("examples/task-api")).unwrap() {
        let path = file.unwrap().path();
        out.push((
            format!("example-{}", path.file_stem().unwrap().to_string_lossy()),
            path,
        ));
    }
    out.sort();
    out
}

/// What a user would see: the YAML stream and the findings, or the error.
/// What a request-file user sees: the manifests and findings, or the error (settings named as
/// request fields).
fn outcome(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let result = request::from_text(&text, "request.yaml")
        .map_err(Into::into)
        .and_then(|r| generate(&r, &Profiles::built_in(), &Templates::load(None).unwrap()));
    match result {
        Ok(bundle) => {
            let mut out = bundle.yaml_stream();
            for f in &bundle.findings {
                let message = Door::RequestFile.text(&f.message);
                out.push_str(&format!("# {:?}[{}]: {message}\n", f.severity, f.rule));
            }
            out
        }
        Err(e) => Door::RequestFile.text(&format!("error: {e}\n")),
    }
}

#[test]
fn golden_cases() {
    let cases = golden_requests();
    assert!(cases.len() >= 20, "the golden cases were not found");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, path) in &cases {
            insta::assert_snapshot!(name.as_str(), outcome(path));
        }
    });
}

/// Whenever flags can express a golden request, the printed equivalent command reproduces its output.
#[test]
fn equivalent_commands_reproduce_the_output() {
    use clap::Parser;
    use traffic_engineer::cli::{to_args, Cli, Command};
    let mut expressible = 0;
    for (name, path) in golden_requests() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(request) = request::from_text(&text, "request.yaml") else {
            continue;
        };
        let Some(args) = to_args(&request) else {
            continue;
        };
        expressible += 1;
        let cli = Cli::try_parse_from(
            ["traffic-engineer", "generate"]
                .into_iter()
                .map(String::from)
                .chain(args.clone()),
        )
        .unwrap();
        let Command::Generate(generate_args) = cli.command else {
            panic!("not generate")
        };
        let again = generate_args
            .args
            .request
            .apply(Default::default())
            .unwrap();
        let render = |r| {
            generate(r, &Profiles::built_in(), &Templates::load(None).unwrap())
                .map(|b| b.yaml_stream())
                .map_err(|e| e.to_string())
        };
        assert_eq!(render(&again), render(&request), "{name}: {args:?}");
    }
    assert!(
        expressible >= 10,
        "only {expressible} golden requests were expressible as flags"
    );
}

/// Every document a golden request generates is accepted by the v1.6.1 standard CRDs (schema and
/// CEL rules, evaluated by the independent oracle in `tests/support/crd`).
#[test]
fn every_generated_document_is_accepted_by_the_crds() {
    let (Some(crds), Some(experimental)) = (
        support::crd::crds("standard"),
        support::crd::crds("experimental"),
    ) else {
        return;
    };
    let mut checked = 0;
    for (name, path) in golden_requests() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(request) = request::from_text(&text, "request.yaml") else {
            continue;
        };
        let Ok(bundle) = generate(
            &request,
            &Profiles::built_in(),
            &Templates::load(None).unwrap(),
        ) else {
            continue;
        };
        for doc in &bundle.documents {
            let api = doc.value["apiVersion"].as_str().unwrap_or_default();
            if !api.starts_with("gateway.networking.k8s.io/") {
                continue;
            }
            // Older targets emit alpha versions only the experimental channel serves.
            let crds = if api.ends_with("alpha2") {
                experimental
            } else {
                crds
            };
            if let Err(errors) = crds.validate(&doc.value) {
                panic!(
                    "{name}: {} {} rejected:\n{}\n{}",
                    doc.kind,
                    doc.name,
                    errors.join("\n"),
                    doc.yaml
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} documents were checked");
}
