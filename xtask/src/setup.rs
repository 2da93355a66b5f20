//! The first cell of every notebook, which loads the crate: with the features the notebook's
//! cells are gated on, if any (chapter 11's need `candle`).

/// The first cell of every notebook: load this crate (the notebooks live one folder below it)
/// and keep compiled dependencies in evcxr's cache, so only the first run compiles them.
pub const SETUP_CELL: &str =
    ":cache 4000\n:dep ae-mlp = { path = \"..\" }\nuse ae_mlp::prelude::*;";

/// The setup cell of a notebook whose cells come from test files gated on crate features
/// (`#![cfg(feature = "candle")]`): [`SETUP_CELL`], its `:dep` asking for those features,
/// since the cells would not compile without them.
pub fn setup_cell(features: &[String]) -> String {
    if features.is_empty() {
        return SETUP_CELL.to_string();
    }
    let list = features.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    SETUP_CELL.replace("{ path = \"..\" }", &format!("{{ path = \"..\", features = [{list}] }}"))
}

/// The crate features a test file is gated on: each `#![cfg(feature = "name")]` line.
pub fn gating_features(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("#![cfg(feature = \"")?.strip_suffix("\")]"))
        .map(str::to_string)
        .collect()
}
