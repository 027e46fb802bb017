//! ReferenceGrants: one per (target namespace, route kind, route namespace), living in the target
//! namespace and naming exactly the objects referenced, never a whole namespace.

use super::Resource;
use crate::model::*;
use crate::spec::{GROUP, MAX_GRANT_ENTRIES};
use std::collections::BTreeMap;

/// The grants the routes' cross-namespace backendRefs (mirrors included) need.
pub(super) fn backend_grants(routes: &[Resource]) -> Vec<Resource> {
    let mut wanted: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for route in routes {
        let Some(spec) = route.object.spec() else {
            continue;
        };
        let from = route.object.metadata.namespace.clone().unwrap_or_default();
        for b in spec.backend_refs() {
            if let Some(target) = &b.namespace {
                let key = (target.clone(), route.object.kind.clone(), from.clone());
                let names = wanted.entry(key).or_default();
                if !names.contains(&b.name) {
                    names.push(b.name.clone());
                }
            }
        }
    }
    let mut grants = Vec::new();
    for ((target, kind, from), names) in wanted {
        // A grant lists at most 16 targets: more Services take more grants.
        for (i, chunk) in names.chunks(MAX_GRANT_ENTRIES).enumerate() {
            let mut g = grant(&target, &kind, &from, "Service", chunk.to_vec());
            if i > 0 {
                g.object.metadata.name = format!("{}-{}", g.object.metadata.name, i + 1);
            }
            grants.push(g);
        }
    }
    grants
}

/// A grant in `target` letting `from_kind` objects of `from_namespace` reference the named `to_kind`s.
pub(super) fn grant(
    target: &str,
    from_kind: &str,
    from_namespace: &str,
    to_kind: &str,
    names: Vec<String>,
) -> Resource {
    let spec = ReferenceGrantSpec {
        from: vec![GrantFrom {
            group: GROUP.into(),
            kind: from_kind.into(),
            namespace: from_namespace.into(),
        }],
        to: names
            .into_iter()
            .map(|name| GrantTo {
                group: String::new(),
                kind: to_kind.into(),
                name,
            })
            .collect(),
    };
    let name = format!("allow-{}s-from-{from_namespace}", from_kind.to_lowercase());
    let api = format!("{GROUP}/v1beta1");
    let object = Object::new(
        api,
        &name,
        Some(target),
        Content::Spec {
            spec: Spec::ReferenceGrant(spec),
        },
    );
    Resource {
        object,
        folder: target.to_string(),
    }
}
