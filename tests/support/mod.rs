//! Helpers shared by the integration tests. Each test crate compiles this module on its own and
//! uses only part of it, hence the blanket `dead_code` allowance.
#![allow(dead_code)]

pub mod crd;
