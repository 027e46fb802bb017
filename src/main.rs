fn main() {
    std::process::exit(traffic_engineer::cli::main());
}
