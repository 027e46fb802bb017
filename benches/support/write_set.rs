//! Writes the benchmark set for whole-process measurements (README, Performance):
//! `cargo run --release --example bench-set -- DIR [ROUTES]` writes `DIR/gateway.yaml` and
//! `DIR/routes/route-NNNNN.yaml` (10,000 routes unless ROUTES is given), the folder `benches/lint.rs`
//! lints, and `DIR.yaml`, the same documents as one stream.

#[path = "set.rs"]
mod set;

use std::io::Write;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: bench-set DIR [ROUTES]"));
    let routes: usize = args
        .next()
        .map_or(set::ROUTES, |n| n.parse().expect("ROUTES is a number"));
    std::fs::create_dir_all(dir.join("routes"))?;
    std::fs::write(dir.join("gateway.yaml"), set::GATEWAY)?;
    let mut stream = std::io::BufWriter::new(std::fs::File::create(dir.with_extension("yaml"))?);
    stream.write_all(set::GATEWAY.as_bytes())?;
    for i in 0..routes {
        let text = set::route(i);
        std::fs::write(dir.join(format!("routes/route-{i:05}.yaml")), &text)?;
        write!(stream, "---\n{text}")?;
    }
    stream.flush()
}
