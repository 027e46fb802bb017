//! Link settings for the `traffic-engineer` executable.
//!
//! On Linux with glibc the executable is linked as a fixed-address (non-PIE) executable. As a
//! position-independent one it carries some 50,000 relative relocations (every `&str` in a table,
//! vtable and panic location), which the dynamic loader applies at every start, dirtying 1.4 MB of
//! pages: about 380 page faults, most of `--version`'s system time (README, Performance). The code
//! is still compiled position-independent; only the link fixes its address, so the executable's
//! own image loses address-space randomisation (the heap, stack and libraries keep it).
//! `TRAFFIC_ENGINEER_PIE=1` at build time links a PIE as before.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TRAFFIC_ENGINEER_PIE");
    let var = |name| std::env::var(name).unwrap_or_default();
    let pie = var("TRAFFIC_ENGINEER_PIE");
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && !matches!(pie.as_str(), "1" | "true" | "yes")
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
