//! The traffic model: 10,000 HTTPRoutes loaded once, then 1,000 traces, each to another route's
//! host (the tables are indexed by listener and hostname, so a trace never scans every route).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use traffic_engineer::lint::{load_sources, LintOptions};
use traffic_engineer::traffic::Probe;

#[path = "support/set.rs"]
mod set;
use set::{route, GATEWAY, ROUTES};

const TRACES: usize = 1_000;

fn traces(c: &mut Criterion) {
    let routes: Vec<String> = (0..ROUTES).map(route).collect();
    let mut sources = vec![("gateway.yaml".to_string(), GATEWAY.to_string())];
    sources.extend(
        routes
            .into_iter()
            .enumerate()
            .map(|(i, r)| (format!("route-{i}.yaml"), r)),
    );
    let sources: Vec<(&str, &str)> = sources
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    let (report, model) = load_sources(&sources, &LintOptions::default());
    assert!(!report.has_errors(), "the generated set must be clean");
    let probes: Vec<Probe> = (0..TRACES)
        .map(|i| {
            let n = i * (ROUTES / TRACES);
            Probe::new(
                &format!("https://app-{n}.example.com/api/v{n}/items"),
                None,
                &["X-Env: canary".into()],
            )
            .unwrap()
        })
        .collect();
    let first = model.trace(&probes[0], None).unwrap();
    assert_eq!(first.route.as_deref(), Some("HTTPRoute/team-0/route-0"));

    let mut group = c.benchmark_group("trace");
    group.sample_size(10);
    group.bench_function("load-10k-httproutes", |b| {
        b.iter(|| load_sources(&sources, &LintOptions::default()))
    });
    group.throughput(Throughput::Elements(TRACES as u64));
    group.bench_function("1000-traces-over-10k-routes", |b| {
        b.iter(|| {
            for p in &probes {
                model.trace(p, None).unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, traces);
criterion_main!(benches);
