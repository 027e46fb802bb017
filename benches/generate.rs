//! Request → rendered YAML, in process and as a whole `generate` process (target: under 2 ms).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use traffic_engineer::context::Profiles;
use traffic_engineer::generate::generate;
use traffic_engineer::render::Templates;
use traffic_engineer::request::{self, Request};

fn minimal() -> Request {
    let text = include_str!("../examples/task-api/minimal.yaml");
    request::from_text(text, "minimal.yaml").unwrap()
}

/// A request with the most rules a route may have, each with matches, filters and a split.
fn sixteen_rules() -> Request {
    let mut text = String::from("context: single-dev\nservice: task-api\nport: 8000\nroutes:\n  - hostnames: [api.example.com]\n    rules:\n");
    for i in 0..16 {
        text.push_str(&format!(
            "      - matches:\n          - path: {{ type: PathPrefix, value: /v{i}/ }}\n            headers: [{{ name: X-Tenant, value: t{i} }}]\n        backends:\n          - {{ name: task-api, weight: 90 }}\n          - {{ name: task-api-canary, weight: 10 }}\n        requestHeaders:\n          set: [{{ name: X-Version, value: v{i} }}]\n        rewrite: {{ prefix: /api/ }}\n"
        ));
    }
    request::from_text(&text, "sixteen.yaml").unwrap()
}

fn bench(c: &mut Criterion) {
    let profiles = Profiles::built_in();
    let templates = Templates::load(None).unwrap();
    for (name, request) in [("minimal", minimal()), ("16 rules", sixteen_rules())] {
        c.bench_function(&format!("generate {name}"), |b| {
            b.iter(|| {
                generate(black_box(&request), &profiles, &templates)
                    .unwrap()
                    .yaml_stream()
            })
        });
    }
    c.bench_function("generate process, minimal", |b| {
        b.iter(|| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_traffic-engineer"))
                .args([
                    "generate",
                    "--context",
                    "single-dev",
                    "--service",
                    "task-api",
                    "--port",
                    "8000",
                    "--path-prefix",
                    "/api/",
                ])
                .output()
                .unwrap();
            assert!(out.status.success());
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
