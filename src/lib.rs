//! traffic-engineer: generate, diff and lint Kubernetes Gateway API manifests.
//!
//! The pipeline (see DESIGN.md): a door (flags, wizard, request file, MCP call) builds a
//! [`request::Request`]; `request` checks it; `plan` decides the resources; `render` turns them into
//! YAML through templates; `lint` checks any set of manifests; `files` diffs and writes them.

pub mod finding;
pub mod lint;
pub mod spec;
pub mod yaml;
