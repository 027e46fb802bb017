//! traffic-engineer: generate, diff and lint Kubernetes Gateway API manifests.
//!
//! The pipeline (see DESIGN.md): a door (flags, wizard, request file, MCP call) builds a
//! [`request::Request`]; `request` checks it; `plan` decides the resources; `render` turns them into
//! YAML through templates; `generate` ties these together into a `Bundle`; `files` diffs
//! and writes it; `lint` checks any manifests. `wizard` is the door for a person at a terminal;
//! `mcp` the door for an AI assistant.

pub mod alloc;
pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod context;
pub mod convert;
pub mod crd;
pub mod door;
pub mod files;
pub mod finding;
pub mod generate;
pub mod implementation;
pub mod lint;
pub mod mcp;
pub mod model;
pub mod plan;
pub mod render;
pub mod request;
pub mod spec;
pub mod traffic;
pub mod version;
pub mod wizard;
pub mod yaml;
