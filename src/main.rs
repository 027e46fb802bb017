// lint allocates and frees many small nodes per document on several threads, where glibc's
// allocator spent a third of the instructions (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(traffic_engineer::cli::main());
}
