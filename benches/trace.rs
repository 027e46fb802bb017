//! The traffic model: 10,000 HTTPRoutes loaded once, then 1,000 traces, each to another route's
//! host (the tables are indexed by listener and hostname, so a trace never scans every route),
//! and `test --cases`: a file of 1,000 routing tests read and run over the same routes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use traffic_engineer::lint::{load_sources, LintOptions};
use traffic_engineer::traffic::cases::parse_cases;
use traffic_engineer::traffic::{run_cases, Probe};

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
    let cases = cases_file();
    let parsed = parse_cases(&cases).unwrap();
    let reports = run_cases(&model, &parsed).unwrap();
    assert!(
        reports.iter().all(|r| r.failures.is_empty()),
        "every case passes"
    );
    group.bench_function("test-1000-cases-over-10k-routes", |b| {
        b.iter(|| run_cases(&model, &parse_cases(&cases).unwrap()).unwrap())
    });
    group.finish();
}

/// A `test --cases` file: one case per 10th route, each with a header, a backend split and a
/// header the backend must receive.
fn cases_file() -> String {
    let mut text = String::new();
    for i in 0..TRACES {
        let n = i * (ROUTES / TRACES);
        text.push_str(&format!(
            "- name: route {n}\n  url: https://app-{n}.example.com/api/v{n}/items\n  headers: {{X-Env: canary}}\n  expect:\n    route: team-{team}/route-{n}\n    backends:\n    - {{name: api, port: 8080, weight: 90}}\n    - {{name: api-canary, port: 8080, weight: 10}}\n    headers: {{x-route: route-{n}}}\n",
            team = n % 50
        ));
    }
    text
}

criterion_group!(benches, traces);
criterion_main!(benches);
