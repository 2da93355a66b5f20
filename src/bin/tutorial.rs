//! `cargo run --bin tutorial`: regenerates the notebooks from the book's chapters and the test
//! cells they include, and (with `assets`) the figures and numbers the book shows.

use std::path::Path;
use std::process::ExitCode;

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
    /// Write the book's generated numbers and figures (book/src/generated, book/src/figures),
    /// training the study first if no cached run of this code exists.
    Assets,
}

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let result = match Cli::parse().command.unwrap_or(Command::Notebooks) {
        Command::Notebooks => ae_mlp::tutorial::sync_notebooks(root, true).map(|changed| {
            for p in &changed {
                println!("rewrote {}", p.display());
            }
            println!("{} notebook(s) rewritten", changed.len());
            true
        }),
        Command::Check => ae_mlp::tutorial::sync_notebooks(root, false).map(|drifted| {
            for p in &drifted {
                println!("out of step: {}", p.display());
            }
            drifted.is_empty()
        }),
        Command::Assets => ae_mlp::tutorial::assets::write_all(root).map(|written| {
            println!("wrote {} files", written.len());
            true
        }),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
