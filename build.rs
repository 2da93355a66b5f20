//! Records the versions of the main dependencies (from Cargo.lock) so `results.json` can say
//! exactly what produced its numbers.

fn main() {
    const WANTED: [&str; 6] = ["ndarray", "matrixmultiply", "rand", "rand_xoshiro", "plotters", "serde_json"];
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut found = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            if WANTED.contains(&n.as_str()) {
                found.push(format!("{n}={}", v.trim_matches('"')));
            }
        }
    }
    println!("cargo:rustc-env=AE_MLP_DEP_VERSIONS={}", found.join(","));
}
