//! The tutorial's one source of truth, and the generator that keeps its three faces in step.
//!
//! - **Cells live in tests.** A code cell is a region of an integration test under `tests/`,
//!   marked `// ANCHOR: name` … `// ANCHOR_END: name`, followed by assertions on its result.
//! - **The book includes them.** A chapter (`book/src/*.md`) shows a cell as a fenced Rust
//!   block holding only `{{#include ../../tests/<file>.rs:<name>}}`.
//! - **Notebooks are generated** from the chapters: prose becomes markdown cells, each such
//!   include becomes a code cell, and a setup cell loads the crate first. Generated numbers
//!   (`{{#number key:format}}`) are shown as the book shows them ([`crate::numbers`]).
//!
//! `cargo book notebooks` rewrites the notebooks; the `tutorial_sync` test (which compiles
//! this file and `numbers.rs` with `#[path]`: the root package cannot depend on this one) fails
//! when a committed notebook differs from what this module makes of the current book and tests.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::numbers::{self, NumberError};
use crate::setup::{gating_features, setup_cell};

/// What can go wrong when turning chapters into notebooks.
#[derive(Debug, thiserror::Error)]
pub enum NotebookError {
    /// A chapter, an included file or a notebook cannot be read.
    #[error("could not read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An include names an anchor that its file does not have.
    #[error("{} has no `// ANCHOR: {anchor}` … `// ANCHOR_END: {anchor}` region; add it or fix the include", path.display())]
    MissingAnchor {
        /// The included file.
        path: PathBuf,
        /// The anchor's name.
        anchor: String,
    },
    /// A committed notebook is not Jupyter JSON.
    #[error("not a notebook: {0}; run `cargo book notebooks` to regenerate it")]
    NotANotebook(serde_json::Error),
    /// A generated number cannot be shown.
    #[error(transparent)]
    Number(#[from] NumberError),
    /// Writing a notebook failed.
    #[error(transparent)]
    Write(#[from] ae_mlp::Error),
}

/// The module's result type.
pub type Result<T, E = NotebookError> = std::result::Result<T, E>;

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|source| NotebookError::Read { path: path.to_path_buf(), source })
}

/// One notebook cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Prose (Markdown).
    Markdown(String),
    /// Rust code run by the evcxr kernel.
    Code(String),
}

/// A chapter turned into notebook cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notebook {
    /// The cells, setup cell first.
    pub cells: Vec<Cell>,
}

/// The text between `// ANCHOR: name` and `// ANCHOR_END: name`, as mdBook includes it:
/// other anchor lines dropped, common indentation removed. `None` if the anchor is missing.
pub fn anchor_region(source: &str, name: &str) -> Option<String> {
    let mut lines = Vec::new();
    let mut inside = false;
    let mut found = false;
    for line in source.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("// ANCHOR_END:") {
            if inside && rest.trim() == name {
                inside = false;
                continue;
            }
        } else if let Some(rest) = t.strip_prefix("// ANCHOR:") {
            if rest.trim() == name {
                inside = true;
                found = true;
                continue;
            }
        }
        if inside && !(t.starts_with("// ANCHOR:") || t.starts_with("// ANCHOR_END:")) {
            lines.push(line);
        }
    }
    found.then(|| dedent(&lines))
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|l| if l.len() >= indent { &l[indent..] } else { l.trim_start() })
        .collect();
    body.join("\n").trim_matches('\n').to_string()
}

/// Resolves one `{{#include path[:anchor]}}` directive relative to `dir`.
fn include(dir: &Path, spec: &str) -> Result<(PathBuf, String)> {
    let (file, anchor) = match spec.rsplit_once(':') {
        Some((f, a)) if !a.contains('/') => (f, Some(a)),
        _ => (spec, None),
    };
    let path = dir.join(file.trim());
    let text = read(&path)?;
    let text = match anchor {
        Some(a) => anchor_region(&text, a.trim()).ok_or_else(|| NotebookError::MissingAnchor {
            path: path.clone(),
            anchor: a.trim().to_string(),
        })?,
        None => text.trim_end().to_string(),
    };
    Ok((path, text))
}

/// Opens a generated number or table in a notebook's Markdown (an HTML comment: invisible).
const GENERATED_OPEN: &str = "<!-- generated:";
/// Closes it.
const GENERATED_CLOSE: &str = "<!-- /generated -->";

/// A generated value as the notebook shows it: marked, so the sync check can tell it from the
/// prose; a table (several lines) on lines of its own.
fn mark_generated(key: &str, shown: String) -> String {
    if shown.contains('\n') {
        format!("{GENERATED_OPEN}{key} -->\n{shown}\n{GENERATED_CLOSE}")
    } else {
        format!("{GENERATED_OPEN}{key} -->{shown}{GENERATED_CLOSE}")
    }
}

/// The Markdown with every generated value emptied. Measured numbers (timings above all)
/// change from run to run and machine to machine; the sync check compares the prose and the
/// code, not the last run's numbers, which the notebook computes afresh anyway.
pub fn mask_generated(markdown: &str) -> String {
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(start) = rest.find(GENERATED_OPEN) {
        let Some(open_end) = rest[start..].find("-->").map(|i| start + i + 3) else { break };
        let Some(close) = rest[open_end..].find(GENERATED_CLOSE).map(|i| open_end + i) else {
            break;
        };
        out.push_str(&rest[..open_end]);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Replaces every generated number in a line of prose or displayed code by its value, then
/// every `{{#include …}}` by the file's text: the order of the book's preprocessors.
fn expand(dir: &Path, line: &str, numbers: &Value, chapter: &str) -> Result<String> {
    let line = numbers::substitute(line, numbers, chapter, mark_generated)?;
    let mut out = String::new();
    let mut rest = line.as_str();
    while let Some(start) = rest.find("{{#include ") {
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        out.push_str(&include(dir, rest[start + "{{#include ".len()..start + len].trim())?.1);
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A fence as Jupyter's Markdown expects it: mdBook's attributes (`rust,noplayground`) dropped,
/// so that the code is still highlighted as Rust.
fn plain_fence(line: &str) -> String {
    match line.split_once(',') {
        Some((lang, _)) if lang.trim_start().starts_with("```") => lang.to_string(),
        _ => line.to_string(),
    }
}

/// Rewrites the links between chapters (`[text](chNN-topic.md#anchor)`) for a notebook: to the
/// sibling notebook when that chapter has code cells (anchors dropped: Jupyter names headings
/// differently), and to the bare text when it has no notebook.
fn chapter_links(dir: &Path, line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(mid) = rest.find("](") {
        let target_start = mid + 2;
        let Some(len) = rest[target_start..].find(')') else { break };
        let target = &rest[target_start..target_start + len];
        let file = target.split('#').next().unwrap_or(target);
        let text_start = rest[..mid].rfind('[');
        match text_start {
            Some(open) if file.ends_with(".md") && !file.contains('/') => {
                let has_notebook = std::fs::read_to_string(dir.join(file))
                    .is_ok_and(|chapter| chapter.contains("{{#include ../../tests/"));
                out.push_str(&rest[..open]);
                let text = &rest[open + 1..mid];
                if has_notebook {
                    let stem = file.trim_end_matches(".md");
                    out.push_str(&format!("[{text}]({stem}.ipynb)"));
                } else {
                    out.push_str(text);
                }
            }
            _ => out.push_str(&rest[..target_start + len + 1]),
        }
        rest = &rest[target_start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// If a fenced Rust block holds a single include of a test file, the cell's (path, text).
fn cell_include(dir: &Path, block: &[&str]) -> Result<Option<(PathBuf, String)>> {
    let body: Vec<&str> = block.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    if let [only] = body.as_slice() {
        if let Some(spec) = only.strip_prefix("{{#include ").and_then(|s| s.strip_suffix("}}")) {
            if spec.contains("tests/") {
                return include(dir, spec).map(Some);
            }
        }
    }
    Ok(None)
}

/// Turns a chapter into notebook cells. `chapter` is a Markdown file of the book; includes
/// resolve relative to its folder, generated numbers come from `numbers`, and image links are
/// rewritten to work from `notebooks/`.
pub fn notebook_from_chapter(chapter: &Path, numbers: &Value) -> Result<Notebook> {
    let dir = chapter.parent().unwrap_or(Path::new("."));
    let name = chapter
        .file_name()
        .map_or_else(|| chapter.display().to_string(), |n| n.to_string_lossy().into());
    let text = read(chapter)?;
    let mut cells = vec![Cell::Code(String::new())]; // the setup cell, written last
    let mut features: Vec<String> = Vec::new();
    let mut prose: Vec<String> = Vec::new();
    let flush = |prose: &mut Vec<String>, cells: &mut Vec<Cell>| {
        let md = prose.join("\n").trim().to_string();
        if !md.is_empty() {
            cells.push(Cell::Markdown(md));
        }
        prose.clear();
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let fence = line.trim_start();
        if fence.starts_with("```") {
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].trim_start().starts_with("```"))
                .unwrap_or(lines.len());
            let block = &lines[i + 1..end.min(lines.len())];
            let is_rust =
                fence.trim_start_matches('`').split(',').next().is_some_and(|l| l.trim() == "rust");
            if let (true, Some((path, code))) = (is_rust, cell_include(dir, block)?) {
                flush(&mut prose, &mut cells);
                cells.push(Cell::Code(code));
                features.extend(gating_features(&read(&path)?));
            } else {
                prose.push(plain_fence(line));
                for l in block {
                    prose.push(expand(dir, l, numbers, &name)?);
                }
                if end < lines.len() {
                    prose.push(lines[end].to_string());
                }
            }
            i = end + 1;
            continue;
        }
        let line =
            expand(dir, line, numbers, &name)?.replace("](figures/", "](../book/src/figures/");
        prose.push(chapter_links(dir, &line));
        i += 1;
    }
    flush(&mut prose, &mut cells);
    features.sort();
    features.dedup();
    cells[0] = Cell::Code(setup_cell(&features));
    Ok(Notebook { cells })
}

impl Notebook {
    /// Number of code cells after the setup cell.
    pub fn code_cells(&self) -> usize {
        self.cells.iter().filter(|c| matches!(c, Cell::Code(_))).count().saturating_sub(1)
    }

    /// The notebook as Jupyter's nbformat 4 JSON, for the evcxr (Rust) kernel, without outputs.
    pub fn to_ipynb(&self) -> String {
        let cells: Vec<Value> = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let (kind, text) = match cell {
                    Cell::Markdown(t) => ("markdown", t),
                    Cell::Code(t) => ("code", t),
                };
                let mut c = json!({ "cell_type": kind, "id": format!("cell-{i}"), "metadata": {}, "source": source_lines(text) });
                if kind == "code" {
                    c["execution_count"] = Value::Null;
                    c["outputs"] = json!([]);
                }
                c
            })
            .collect();
        let nb = json!({
            "cells": cells,
            "metadata": {
                "kernelspec": { "display_name": "Rust", "language": "rust", "name": "rust" },
                "language_info": { "codemirror_mode": "rust", "file_extension": ".rs", "mimetype": "text/rust", "name": "Rust", "pygment_lexer": "rust", "version": "" }
            },
            "nbformat": 4,
            "nbformat_minor": 5
        });
        serde_json::to_string_pretty(&nb).unwrap_or_default() + "\n"
    }
}

/// Jupyter stores a cell's source as lines that keep their newline, the last one without.
fn source_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len() - 1;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| if i < last { format!("{l}\n") } else { l.to_string() })
        .collect()
}

/// The cells' kinds and sources of a notebook file, generated values masked (see
/// [`mask_generated`]) and outputs ignored: what the sync check compares.
pub fn cell_sources(ipynb: &str) -> Result<Vec<(String, String)>> {
    let v: Value = serde_json::from_str(ipynb).map_err(NotebookError::NotANotebook)?;
    let cells = v["cells"].as_array().cloned().unwrap_or_default();
    Ok(cells
        .iter()
        .map(|c| {
            let src = match &c["source"] {
                Value::Array(parts) => parts.iter().filter_map(|p| p.as_str()).collect::<String>(),
                Value::String(s) => s.clone(),
                _ => String::new(),
            };
            (c["cell_type"].as_str().unwrap_or("").to_string(), mask_generated(&src))
        })
        .collect())
}

/// Every chapter of the book (from `book/src/SUMMARY.md`, in order) that has code cells,
/// with the notebook it generates: `notebooks/<chapter file stem>.ipynb`.
pub fn chapters_with_notebooks(root: &Path) -> Result<Vec<(PathBuf, PathBuf, Notebook)>> {
    let src = root.join("book").join("src");
    let summary_path = src.join("SUMMARY.md");
    let summary = read(&summary_path)?;
    let numbers = numbers::read(&numbers::numbers_path(&src))?;
    let mut out = Vec::new();
    for line in summary.lines() {
        let Some(link) = line.split("](").nth(1).and_then(|r| r.split(')').next()) else {
            continue;
        };
        if !link.ends_with(".md") {
            continue;
        }
        let chapter = src.join(link);
        let notebook = notebook_from_chapter(&chapter, &numbers)?;
        if notebook.code_cells() > 0 {
            let stem =
                chapter.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            out.push((chapter, root.join("notebooks").join(format!("{stem}.ipynb")), notebook));
        }
    }
    Ok(out)
}

/// Compares (or with `write`, rewrites) every generated notebook. Returns the notebooks that
/// differ from their chapter (before rewriting them, when writing).
pub fn sync_notebooks(root: &Path, write: bool) -> Result<Vec<PathBuf>> {
    let mut drifted = Vec::new();
    for (_, path, notebook) in chapters_with_notebooks(root)? {
        let want = notebook.to_ipynb();
        let same = std::fs::read_to_string(&path)
            .ok()
            .and_then(|have| Some(cell_sources(&have).ok()? == cell_sources(&want).ok()?))
            .unwrap_or(false);
        if !same {
            drifted.push(path.clone());
            if write {
                ae_mlp::output::write_atomic(&path, want.as_bytes())?;
            }
        }
    }
    Ok(drifted)
}

/// Where `.ci/run-notebooks.py` writes the notebooks it executed, outputs included.
pub fn executed_dir(root: &Path) -> PathBuf {
    root.join("target").join("notebooks")
}

/// Gives every committed notebook the outputs of its executed copy (in [`executed_dir`]),
/// so that a reader who opens it on GitHub sees each cell's result, when that copy has
/// exactly the committed cells. Returns the notebooks updated and those whose executed copy
/// is missing or stale (run `.ci/run-notebooks.py` on those, then again).
pub fn adopt_outputs(root: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut adopted, mut stale) = (Vec::new(), Vec::new());
    for (_, path, notebook) in chapters_with_notebooks(root)? {
        let want = cell_sources(&notebook.to_ipynb())?;
        let executed =
            path.file_name().map(|name| executed_dir(root).join(name)).unwrap_or_default();
        match std::fs::read_to_string(&executed) {
            Ok(text) if cell_sources(&text).ok().as_ref() == Some(&want) => {
                ae_mlp::output::write_atomic(&path, text.as_bytes())?;
                adopted.push(path);
            }
            _ => stale.push(path),
        }
    }
    Ok((adopted, stale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapter_links_point_to_notebooks_or_become_text() {
        let dir = std::env::temp_dir().join(format!("ae-mlp-links-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ch05-setup.md"),
            "```rust\n{{#include ../../tests/ch05.rs:a}}\n```\n",
        )
        .unwrap();
        std::fs::write(dir.join("ch13-conclusion.md"), "# Conclusion\n").unwrap();
        let line = "See [setup](ch05-setup.md#a-validation-set), [the end](ch13-conclusion.md), \
                    ![a figure](../book/src/figures/x.png) and [docs](https://docs.rs/ndarray).";
        assert_eq!(
            chapter_links(&dir, line),
            "See [setup](ch05-setup.ipynb), the end, ![a figure](../book/src/figures/x.png) and \
             [docs](https://docs.rs/ndarray)."
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn fences_lose_mdbook_attributes() {
        assert_eq!(plain_fence("```rust,noplayground"), "```rust");
        assert_eq!(plain_fence("```sh"), "```sh");
    }
}
