//! `lint --crds`: compiling the v1.6.1 standard CRDs (schemas and CEL rules), validating the
//! 10,000-HTTPRoute set against them alone (documents per second), and linting the set with and
//! without that validation.
//!
//! Reads the CRDs from `../shared/gateway-api/crds/standard`; without that folder it says so
//! and measures nothing.

use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use traffic_engineer::crd::{CrdSet, Object};
use traffic_engineer::lint::{load_sources, LintOptions};

#[path = "support/set.rs"]
mod set;
use set::{route, GATEWAY, ROUTES};

fn crds(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/gateway-api/crds/standard");
    if !dir.is_dir() {
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    let paths = [dir];
    let crds = Arc::new(CrdSet::load(&paths).unwrap());
    assert!(crds.problems().is_empty());

    let mut sources = vec![("gateway.yaml".to_string(), GATEWAY.to_string())];
    sources.extend((0..ROUTES).map(|i| (format!("route-{i}.yaml"), route(i))));
    let sources: Vec<(&str, &str)> = sources
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    let with_crds = LintOptions {
        crds: Some(Arc::clone(&crds)),
        ..LintOptions::default()
    };
    let (report, _) = load_sources(&sources, &with_crds);
    assert!(
        !report.has_errors(),
        "the set must pass the CRDs: {:?}",
        report.findings.first()
    );

    let mut group = c.benchmark_group("crds");
    group.sample_size(10);
    group.bench_function("load-standard-crds", |b| {
        b.iter(|| CrdSet::load(&paths).unwrap())
    });
    group.throughput(Throughput::Elements(sources.len() as u64));
    let objects: Vec<Object> = sources
        .iter()
        .flat_map(|(_, text)| Object::parse_all(text))
        .collect();
    assert_eq!(objects.len(), sources.len());
    group.bench_function("validate-10k-httproutes", |b| {
        b.iter(|| {
            objects
                .iter()
                .filter_map(|object| crds.validate_object(object))
                .count()
        })
    });
    group.bench_function("lint-10k-httproutes-builtin", |b| {
        b.iter(|| load_sources(&sources, &LintOptions::default()))
    });
    group.bench_function("lint-10k-httproutes-with-crds", |b| {
        b.iter(|| load_sources(&sources, &with_crds))
    });
    group.finish();
}

criterion_group!(benches, crds);
criterion_main!(benches);
