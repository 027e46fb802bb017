//! Link settings for the `traffic-engineer` executable.
//!
//! On Linux with glibc the executable is linked as a fixed-address (non-PIE) executable. As a
//! position-independent one it carries some 50,000 relative relocations (every `&str` in a table,
//! vtable and panic location), which the dynamic loader applies at every start, dirtying 1.4 MB of
//! pages: about 380 page faults, most of `--version`'s system time (README, Performance). The code
//! is still compiled position-independent; only the link fixes its address, so the executable's
//! own image loses address-space randomisation (the heap, stack and libraries keep it).
//! `TRAFFIC_ENGINEER_PIE=1` at build time links a PIE as before.
//!
//! When the linker is LLD (Rust's default on x86_64 Linux since 1.90), the functions a short
//! command runs are placed together at the start of the code, in the order of
//! `link/text-order.txt` (`scripts/text-order` writes it). Left where LTO puts them, the 1.7 MB
//! of functions a `generate` runs are spread over 6 MB of the 10 MB of code, and the kernel maps
//! them in 64 KB at a time: 80 page faults more, a quarter of `generate`'s time. Symbols the list
//! names that a build does not have (renamed functions, another compiler) are skipped; the layout
//! only changes speed.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link/text-order.txt");
    println!("cargo:rerun-if-env-changed=TRAFFIC_ENGINEER_PIE");
    let pie = var("TRAFFIC_ENGINEER_PIE");
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && !matches!(pie.as_str(), "1" | "true" | "yes")
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let order = Path::new(&var("CARGO_MANIFEST_DIR")).join("link/text-order.txt");
    if order.exists() && links_with_rust_lld() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether rustc links with its own LLD: the target is x86_64 Linux with glibc, rustc is 1.90 or
/// later and ships LLD for it, and no linker was chosen (`linker` in Cargo's configuration, or
/// any linker flag in RUSTFLAGS). Other linkers may not know `--symbol-ordering-file`.
fn links_with_rust_lld() -> bool {
    let target = var("TARGET");
    if target != "x86_64-unknown-linux-gnu" || std::env::var_os("RUSTC_LINKER").is_some() {
        return false;
    }
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    if ["linker", "link-self-contained", "fuse-ld"]
        .iter()
        .any(|flag| flags.contains(flag))
    {
        return false;
    }
    let rustc = |arg: &str| {
        std::process::Command::new(var("RUSTC"))
            .arg(arg)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .unwrap_or_default()
    };
    // "rustc 1.95.0 (59807616e 2026-04-14)" or "rustc 1.97.0-nightly (...)".
    let version = rustc("--version");
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    let lld = Path::new(&rustc("--print=sysroot"))
        .join("lib/rustlib")
        .join(&target)
        .join("bin/gcc-ld/ld.lld");
    version.starts_with("rustc 1.") && minor.is_some_and(|m| m >= 90) && lld.exists()
}

/// An environment variable Cargo gives build scripts, empty when unset.
fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}
