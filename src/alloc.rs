//! The global allocator: mimalloc, or the C library's `malloc` for the commands that allocate
//! little, chosen once per process before its first allocation.
//!
//! `lint`, `trace`, `test`, `convert` and `mcp` make and free millions of small values (node
//! trees, facts, findings) on several threads and free one thread's values on another; with
//! glibc's `malloc` that was a fifth of lint's time, more in a long-lived process whose heap had
//! fragmented (README, Performance). A `generate` makes a few thousand allocations on one thread,
//! and there mimalloc costs more than it saves: it faults in a fresh page for each size class it
//! serves (about 75 pages, a quarter of the process' page faults), where glibc packs them into a
//! few. Both are real allocators for the whole run; the choice only changes speed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Serves every allocation of the process from the allocator chosen by [`use_system_allocator`]
/// or, when nothing chose, from mimalloc. Declared here, not in `main.rs`, so that benchmarks and
/// tests measure the allocator the tool runs with.
#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

struct Allocator;

const UNCHOSEN: u8 = 0;
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;

/// Written at most once, before or at the first allocation, and never after: every block is
/// freed by the allocator that made it.
static CHOICE: AtomicU8 = AtomicU8::new(UNCHOSEN);

/// Makes the process allocate with the C library's `malloc`. Only possible before anything was
/// allocated (the first allocation settles on mimalloc); returns whether it was.
pub fn use_system_allocator() -> bool {
    CHOICE
        .compare_exchange(UNCHOSEN, SYSTEM, Relaxed, Relaxed)
        .is_ok()
}

/// Whether `command` (the first argument, when it is a command) is one that allocates little:
/// those that render a few documents, print a list or exit at once (`--version`, `--help`).
pub fn allocates_little(command: Option<&[u8]>) -> bool {
    const LITTLE: [&[u8]; 6] = [
        b"generate",
        b"wizard",
        b"contexts",
        b"templates",
        b"completions",
        b"schema",
    ];
    match command {
        None => true,
        Some(word) => word.starts_with(b"-") || LITTLE.contains(&word),
    }
}

/// Whether blocks come from mimalloc; the first allocation settles the choice.
#[inline]
fn mimalloc() -> bool {
    match CHOICE.load(Relaxed) {
        MIMALLOC => true,
        SYSTEM => false,
        _ => match CHOICE.compare_exchange(UNCHOSEN, MIMALLOC, Relaxed, Relaxed) {
            Ok(_) => true,
            Err(chosen) => chosen == MIMALLOC,
        },
    }
}

// The methods are not inlined: under LTO both allocators' paths were copied into every place
// that allocates, 0.8 MB of the executable, for one call saved per allocation (lint ran 0.1–0.2%
// fewer instructions with them inlined, within its run-to-run variation; README, Performance).
//
// SAFETY: every call goes to one allocator, the same for the life of the process (CHOICE never
// changes once a block exists), so each block is resized and freed by the allocator that made it.
unsafe impl GlobalAlloc for Allocator {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match mimalloc() {
            true => mimalloc::MiMalloc.alloc(layout),
            false => System.alloc(layout),
        }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match mimalloc() {
            true => mimalloc::MiMalloc.alloc_zeroed(layout),
            false => System.alloc_zeroed(layout),
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match CHOICE.load(Relaxed) == SYSTEM {
            true => System.dealloc(ptr, layout),
            false => mimalloc::MiMalloc.dealloc(ptr, layout),
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match CHOICE.load(Relaxed) == SYSTEM {
            true => System.realloc(ptr, layout, new_size),
            false => mimalloc::MiMalloc.realloc(ptr, layout, new_size),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_is_settled_by_the_first_allocation() {
        let block = String::from("allocated");
        assert!(
            !use_system_allocator(),
            "blocks exist: the allocator cannot change"
        );
        assert_eq!(CHOICE.load(Relaxed), MIMALLOC);
        assert_eq!(block, "allocated");
    }

    #[test]
    fn commands_that_allocate_little() {
        for little in [
            None,
            Some("--version"),
            Some("-h"),
            Some("generate"),
            Some("schema"),
        ] {
            assert!(allocates_little(little.map(str::as_bytes)), "{little:?}");
        }
        for much in ["lint", "trace", "test", "convert", "mcp", "generat"] {
            assert!(!allocates_little(Some(much.as_bytes())), "{much}");
        }
    }
}
