//! `cargo book [notebooks|check|outputs|assets|set]`: regenerates the notebooks from the book's
//! chapters and the test cells they include, gives them the outputs of an executed run
//! (`outputs`), and (with `assets`) the figures and numbers the book shows.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ae_mlp_book::{assets, notebook, numbers};
use anyhow::Context;
use clap::{Parser, Subcommand};

/// Keeps the book, the notebooks and the tests telling one story.
#[derive(Debug, Parser)]
#[command(about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Rewrite notebooks/*.ipynb from book/src/*.md and the cells in tests/ (the default).
    Notebooks,
    /// Only report which notebooks are out of step; exit 1 if any.
    Check,
    /// Copy into notebooks/ the outputs of the notebooks `.ci/run-notebooks.py` executed
    /// (target/notebooks/), for every notebook whose cells are still the committed ones.
    Outputs,
    /// Write the book's generated numbers and figures (book/src/generated/numbers.json,
    /// book/src/figures), training the study first if no cached run of this code exists.
    Assets,
    /// Write only chapter 11's figure and numbers (the same autoencoder in candle); needs the
    /// tools built with candle: `cargo run --release -p ae-mlp-book --features candle -- candle`.
    Candle,
    /// Set one number or table of book/src/generated/numbers.json to the text of a file (for
    /// measurements made outside Rust, such as benches/before_after.sh).
    Set {
        /// The dotted key, e.g. `perf.before_after`.
        key: String,
        /// The file whose text becomes the value.
        file: PathBuf,
    },
}

/// The root of the ae-mlp package: the folder above this member.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// `cargo book set KEY FILE`, through the numbers file's one writer.
fn set(root: &Path, key: String, file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let path = numbers::numbers_path(&root.join("book").join("src"));
    numbers::update(&path, [(key, text.trim_end().into())])?;
    Ok(())
}

fn main() -> ExitCode {
    let root = root();
    let result = match Cli::parse().command.unwrap_or(Command::Notebooks) {
        Command::Notebooks => notebook::sync_notebooks(&root, true).map_err(anyhow::Error::from).map(|changed| {
            for p in &changed {
                println!("rewrote {}", p.display());
            }
            println!("{} notebook(s) rewritten", changed.len());
            true
        }),
        Command::Check => notebook::sync_notebooks(&root, false).map_err(anyhow::Error::from).map(|drifted| {
            for p in &drifted {
                println!("out of step: {}", p.display());
            }
            drifted.is_empty()
        }),
        Command::Outputs => notebook::adopt_outputs(&root).map_err(anyhow::Error::from).map(|(adopted, stale)| {
            for p in &adopted {
                println!("outputs from the executed copy: {}", p.display());
            }
            for p in &stale {
                println!("no executed copy with these cells (run .ci/run-notebooks.py {}): kept as it is", p.display());
            }
            true
        }),
        Command::Assets => assets::write_all(&root).map(|written| {
            println!("wrote {} files", written.len());
            true
        }),
        Command::Candle => assets::write_candle(&root).map(|written| {
            println!("wrote {} files", written.len());
            true
        }),
        Command::Set { key, file } => set(&root, key, &file).map(|()| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
