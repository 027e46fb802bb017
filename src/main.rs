//! The `traffic-engineer` executable: runs [`traffic_engineer::cli::main`] and exits with its code.
//!
//! On Linux with glibc the entry point is the C `main`, not Rust's start-up, which took a tenth of
//! `--version`'s time (README, Performance): to name the main thread's stack guard in its
//! stack-overflow message, Rust reads and parses `/proc/self/maps` at every start. Without it a
//! stack overflow still stops at the guard page, as a plain SIGSEGV. The rest of what Rust's
//! start-up does that matters here is done in [`main`]: standard descriptors that are closed are
//! opened on `/dev/null` (or a file the tool opens would take descriptor 1 and receive its
//! output), a panic exits with 101, and standard output is flushed. The process then ends without
//! running `atexit` handlers: mimalloc's would hand every page back to the kernel one `madvise` at
//! a time, just before the kernel frees them all.
//!
//! Before anything is allocated, a command that allocates little is given the C library's
//! `malloc` instead of mimalloc ([`traffic_engineer::alloc`]).

#![cfg_attr(all(target_os = "linux", target_env = "gnu"), no_main)]

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() {
    std::process::exit(traffic_engineer::cli::main());
}

/// The C entry point (see the module documentation). Only the command is read from `argv`
/// here; the arguments are parsed from [`std::env::args`], which glibc hands to Rust's standard
/// library before `main`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[no_mangle]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    use std::io::Write;
    // SAFETY: the C runtime passes `argc` NUL-terminated strings in `argv`.
    let command = (argc > 1).then(|| unsafe { std::ffi::CStr::from_ptr(*argv.add(1)) });
    if traffic_engineer::alloc::allocates_little(command.map(std::ffi::CStr::to_bytes)) {
        traffic_engineer::alloc::use_system_allocator();
    }
    open_closed_standard_descriptors();
    // The panic message is printed by the panic hook; 101 is the code Rust's start-up gives.
    let code = std::panic::catch_unwind(traffic_engineer::cli::main).unwrap_or(101);
    // A failed flush (a closed pipe) can only lose output that nobody reads.
    _ = std::io::stdout().flush();
    // SAFETY: ends the process. Output is flushed above, files are written and closed by now,
    // and no `atexit` handler does anything the process or its caller needs.
    unsafe { libc::_exit(code) }
}

/// Opens `/dev/null` in place of each of descriptors 0, 1 and 2 that is closed, as Rust's
/// start-up does (`open` takes the lowest free descriptor). Aborts if it cannot.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn open_closed_standard_descriptors() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three `pollfd`, and a zero timeout does not wait.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } == -1 {
        std::process::abort();
    }
    for fd in fds {
        if fd.revents & libc::POLLNVAL != 0 {
            // SAFETY: a NUL-terminated path and plain flags.
            if unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) } == -1 {
                std::process::abort();
            }
        }
    }
}
