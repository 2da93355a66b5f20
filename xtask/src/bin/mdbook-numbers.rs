//! The mdBook preprocessor that shows the book's generated numbers: every
//! `{{#number key:format}}` in a chapter becomes the value of `key` in
//! `book/src/generated/numbers.json`, displayed as `format` says (see `ae_mlp_book::numbers`).
//! An unknown key fails the build, naming the key and the chapter.
//!
//! `book/book.toml` runs it through cargo, so a reader needs nothing but mdBook. mdBook's
//! protocol: `mdbook-numbers supports <renderer>` exits 0 (every renderer is supported);
//! otherwise it reads `[context, book]` as JSON on stdin and writes the book back on stdout.

use std::io;
use std::process::ExitCode;

use ae_mlp_book::numbers;
use anyhow::{Context, Result};
use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::PreprocessorContext;

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("supports") {
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mdbook-numbers: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let (ctx, book) =
        mdbook_preprocessor::parse_input(io::stdin()).context("mdBook's input on stdin")?;
    let book = substitute(&ctx, book)?;
    serde_json::to_writer(io::stdout(), &book).context("writing the book to stdout")?;
    Ok(())
}

/// Every chapter's placeholders replaced; the first error stops the build.
fn substitute(ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
    let path = numbers::numbers_path(&ctx.root.join(&ctx.config.book.src));
    let numbers = numbers::read(&path)?;
    let mut result = Ok(());
    book.for_each_chapter_mut(|chapter| {
        if result.is_err() {
            return;
        }
        let name = chapter
            .source_path
            .as_ref()
            .map_or_else(|| chapter.name.clone(), |p| p.display().to_string());
        match numbers::substitute(&chapter.content, &numbers, &name, |_, shown| shown) {
            Ok(content) => chapter.content = content,
            Err(e) => result = Err(e),
        }
    });
    result?;
    Ok(book)
}
