//! Lints a folder of 10,000 HTTPRoute files plus their Gateway, as `traffic-engineer lint DIR` would.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use traffic_engineer::lint::{lint_paths, LintOptions};

// The binary's allocator (src/main.rs), so the figure is the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/set.rs"]
mod set;
use set::{route, GATEWAY, ROUTES};

/// Writes the set and returns its size in bytes.
fn write_set(dir: &Path) -> u64 {
    let mut bytes = GATEWAY.len() as u64;
    std::fs::write(dir.join("gateway.yaml"), GATEWAY).unwrap();
    let routes = dir.join("routes");
    std::fs::create_dir(&routes).unwrap();
    for i in 0..ROUTES {
        let text = route(i);
        bytes += text.len() as u64;
        std::fs::write(routes.join(format!("route-{i:05}.yaml")), text).unwrap();
    }
    bytes
}

fn lint_folder(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = write_set(dir.path());
    let paths = [dir.path().to_path_buf()];
    let opts = LintOptions::default();
    let report = lint_paths(&paths, &opts).unwrap();
    assert_eq!(report.documents, ROUTES + 1);
    assert!(!report.has_errors(), "the generated set must be clean");

    let mut group = c.benchmark_group("lint");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("10k-httproutes", |b| {
        b.iter(|| lint_paths(&paths, &opts).unwrap())
    });
    group.finish();
}

criterion_group!(benches, lint_folder);
criterion_main!(benches);
