//! The book's generated numbers: one JSON file, `book/src/generated/numbers.json`, nested by
//! topic (`study.codes_mlp.test_accuracy`, `family.vanilla.test_mse`, …), and the placeholders
//! that show them in a chapter: `{{#number <key>}}` or `{{#number <key>:<format>}}`.
//!
//! Values are stored as numbers (accuracies as fractions, 0.9749), so that tests and readers
//! can check them; the placeholder chooses how a number is displayed ([`FORMATS`]). Tables
//! and other generated Markdown are strings, shown verbatim. A key may address into an object
//! (`tuned.raw_mlp.test_accuracy.mean`).
//!
//! One implementation serves the mdBook preprocessor, the notebook generator and the
//! `tutorial_sync` test (which compiles this file with `#[path]`), so the book and the
//! notebooks show the same text. It therefore depends only on `ae_mlp`, `serde_json` and
//! `thiserror`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// Where the numbers live, relative to the book's `src/` folder.
pub const NUMBERS_FILE: &str = "generated/numbers.json";

/// The display formats a placeholder can ask for, as its error messages list them.
pub const FORMATS: &str = "(none: the value as stored), `percent` (0.9749 → 97.49 %), \
    `percent.N`, `points` (a difference of fractions in percentage points, 0.0021 → 0.21), \
    `points.N`, `fixed.N` (N decimals), `count` (10000 → 10,000); `+` before a format shows \
    the sign";

/// What can go wrong when reading, showing or writing the numbers.
#[derive(Debug, thiserror::Error)]
pub enum NumberError {
    /// A placeholder names a key that the numbers file does not have.
    #[error(
        "{chapter}: `{{{{#number {key}}}}}`: {file} has no `{key}`; fix the key, or run `cargo book assets` \
         if it is a new number"
    )]
    UnknownKey {
        /// The chapter that uses the key.
        chapter: String,
        /// The dotted key.
        key: String,
        /// The numbers file.
        file: String,
    },
    /// A placeholder asks for a format that does not exist.
    #[error("{chapter}: `{{{{#number {key}:{format}}}}}`: unknown format `{format}`; use one of {FORMATS}")]
    UnknownFormat {
        /// The chapter.
        chapter: String,
        /// The dotted key.
        key: String,
        /// The format as written.
        format: String,
    },
    /// The value cannot be shown in the format asked for (a string as a percentage, an object).
    #[error("{chapter}: `{key}` is {value}, which format `{format}` cannot show; {fix}")]
    WrongType {
        /// The chapter.
        chapter: String,
        /// The dotted key.
        key: String,
        /// The value, abbreviated.
        value: String,
        /// The format as written.
        format: String,
        /// What to write instead.
        fix: &'static str,
    },
    /// A `{{#number` without its closing `}}`.
    #[error("{chapter}: a `{{{{#number` placeholder is not closed with `}}}}`")]
    Unclosed {
        /// The chapter.
        chapter: String,
    },
    /// The numbers file is missing or not JSON.
    #[error("could not read {}: {reason}; run `cargo book assets` to write it", path.display())]
    Read {
        /// The numbers file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Writing the numbers file failed.
    #[error(transparent)]
    Write(#[from] ae_mlp::Error),
}

/// The numbers file of the book whose `src/` folder is `book_src`.
pub fn numbers_path(book_src: &Path) -> PathBuf {
    book_src.join(NUMBERS_FILE)
}

/// Reads a numbers file.
pub fn read(path: &Path) -> Result<Value, NumberError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| NumberError::Read { path: path.to_path_buf(), reason: e.to_string() })?;
    serde_json::from_str(&text)
        .map_err(|e| NumberError::Read { path: path.to_path_buf(), reason: e.to_string() })
}

/// The value at a dotted key, if there is one.
pub fn lookup<'a>(numbers: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(numbers, |value, part| value.as_object()?.get(part))
}

/// Sets the value at a dotted key, creating the objects on the way (and replacing whatever
/// was there, subtree included).
pub fn set(numbers: &mut Value, key: &str, value: Value) {
    let mut node = numbers;
    for part in key.split('.') {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else { unreachable!("made an object above") };
        node = map.entry(part).or_insert(Value::Null);
    }
    *node = value;
}

/// A measured `f32` as a JSON number with the digits `f32` prints (0.9749, not the
/// 0.9749000072479248 that widening to `f64` would give); `null` if not finite.
pub fn f32_value(x: f32) -> Value {
    x.to_string().parse::<f64>().ok().filter(|v| v.is_finite()).map_or(Value::Null, Value::from)
}

/// The one writer of a numbers file: sets each `(dotted key, value)` (replacing that whole
/// subtree), keeps every other key as it was, and writes the file atomically, pretty-printed,
/// keys sorted, so that a regeneration's diff shows only what changed.
pub fn update(
    path: &Path,
    entries: impl IntoIterator<Item = (String, Value)>,
) -> Result<(), NumberError> {
    let mut numbers = if path.exists() { read(path)? } else { Value::Object(Map::new()) };
    for (key, value) in entries {
        set(&mut numbers, &key, value);
    }
    let text = serde_json::to_string_pretty(&sorted(numbers)).unwrap_or_default() + "\n";
    ae_mlp::output::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// The value with every object's keys in order (whatever order serde_json's map keeps).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Opens a placeholder.
const OPEN: &str = "{{#number ";
/// Closes it.
const CLOSE: &str = "}}";

/// Replaces every placeholder in `text` by its value, displayed as asked, then passed through
/// `mark(key, shown)` (the notebook generator marks generated text; the book shows it as is).
/// `chapter` names the source in error messages.
pub fn substitute(
    text: &str,
    numbers: &Value,
    chapter: &str,
    mark: impl Fn(&str, String) -> String,
) -> Result<String, NumberError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let inner = &rest[start + OPEN.len()..];
        let len = inner
            .find(CLOSE)
            .ok_or_else(|| NumberError::Unclosed { chapter: chapter.to_string() })?;
        let spec = inner[..len].trim();
        let (key, format) = spec.split_once(':').map_or((spec, ""), |(k, f)| (k.trim(), f.trim()));
        out.push_str(&rest[..start]);
        out.push_str(&mark(key, show(numbers, key, format, chapter)?));
        rest = &inner[len + CLOSE.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// How a placeholder displays a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Strings as they are, numbers as stored.
    Verbatim,
    /// A fraction times 100, with `decimals`, then `suffix` (" %" or nothing).
    Scaled { decimals: usize, suffix: &'static str },
    /// A number with `decimals`.
    Fixed { decimals: usize },
    /// An integer with thousands separators.
    Count,
}

/// Parses a format name; `None` if unknown. Returns the format and whether to show the sign.
fn parse_format(spec: &str) -> Option<(Format, bool)> {
    let (sign, spec) = spec.strip_prefix('+').map_or((false, spec), |s| (true, s));
    let (name, decimals) = match spec.split_once('.') {
        Some((name, n)) => (name, Some(n.parse::<usize>().ok().filter(|&n| n <= 12)?)),
        None => (spec, None),
    };
    let format = match (name, decimals) {
        ("", None) => Format::Verbatim,
        ("percent", d) => Format::Scaled { decimals: d.unwrap_or(2), suffix: " %" },
        ("points", d) => Format::Scaled { decimals: d.unwrap_or(2), suffix: "" },
        ("fixed", Some(decimals)) => Format::Fixed { decimals },
        ("count", None) => Format::Count,
        _ => return None,
    };
    Some((format, sign))
}

/// The text a placeholder shows. A `null` (a value that was not measured) shows as "–".
fn show(numbers: &Value, key: &str, format: &str, chapter: &str) -> Result<String, NumberError> {
    let value = lookup(numbers, key).ok_or_else(|| NumberError::UnknownKey {
        chapter: chapter.to_string(),
        key: key.to_string(),
        file: NUMBERS_FILE.to_string(),
    })?;
    let (kind, sign) = parse_format(format).ok_or_else(|| NumberError::UnknownFormat {
        chapter: chapter.to_string(),
        key: key.to_string(),
        format: format.to_string(),
    })?;
    let wrong = |fix: &'static str| {
        let mut shown = value.to_string();
        if shown.len() > 40 {
            shown = format!("{}…", shown.chars().take(40).collect::<String>());
        }
        NumberError::WrongType {
            chapter: chapter.to_string(),
            key: key.to_string(),
            value: shown,
            format: format.to_string(),
            fix,
        }
    };
    let number = || {
        value.as_f64().ok_or_else(|| wrong("only numbers take a format; drop it to show the text"))
    };
    let shown = match (kind, value) {
        (_, Value::Null) => "–".to_string(),
        (_, Value::Object(_) | Value::Array(_)) => {
            return Err(wrong("address one of its fields (`key.field`)"));
        }
        (Format::Verbatim, Value::String(s)) => s.clone(),
        (Format::Verbatim, other) => other.to_string(),
        (Format::Scaled { decimals, suffix }, _) => match measured_f32(number()?) {
            Some(x) => format!("{}{suffix}", fixed(100.0 * x, decimals, sign)),
            None => format!("{}{suffix}", fixed(100.0 * number()?, decimals, sign)),
        },
        (Format::Fixed { decimals }, _) => match measured_f32(number()?) {
            Some(x) => fixed(x, decimals, sign),
            None => fixed(number()?, decimals, sign),
        },
        (Format::Count, _) => {
            let n = value.as_u64().ok_or_else(|| wrong("`count` shows whole numbers ≥ 0"))?;
            ae_mlp::experiments::claims::format_count(n as usize)
        }
    };
    Ok(shown)
}

/// The `f32` a number was measured as, if it is written with `f32`'s digits (as
/// [`f32_value`] writes it). The book shows such a number as the code that measured it would
/// (`ae_mlp::output::report::percent` computes in `f32`), so that a value exactly between two
/// roundings (59,751 / 60,000 = 99.585 %) is shown the same way: 99.58 %, not 99.59 %.
fn measured_f32(x: f64) -> Option<f32> {
    let narrow = x as f32;
    (narrow.is_finite() && narrow.to_string().parse::<f64>().ok() == Some(x)).then_some(narrow)
}

/// `x` with `decimals`, and its sign if `sign`.
fn fixed<T: std::fmt::Display>(x: T, decimals: usize, sign: bool) -> String {
    if sign {
        format!("{x:+.decimals$}")
    } else {
        format!("{x:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers() -> Value {
        serde_json::json!({
            "study": { "acc": 0.9749, "mse": 0.011283, "n": 10000, "table": "| a |\n|---|", "none": null },
            "tuned": { "acc": { "mean": 0.97705, "sd": 0.0012, "n": 5 } },
            "gap": -0.00276
        })
    }

    fn sub(text: &str) -> Result<String, NumberError> {
        substitute(text, &numbers(), "ch.md", |_, s| s)
    }

    #[test]
    fn formats_show_what_the_book_shows() {
        assert_eq!(sub("{{#number study.acc:percent}}").unwrap(), "97.49 %");
        assert_eq!(sub("{{#number study.mse:fixed.5}}").unwrap(), "0.01128");
        assert_eq!(
            sub("{{#number study.n}} and {{#number study.n:count}}").unwrap(),
            "10000 and 10,000"
        );
        assert_eq!(sub("{{#number gap:+percent.1}}").unwrap(), "-0.3 %");
        assert_eq!(sub("{{#number tuned.acc.mean:points.1}}").unwrap(), "97.7");
        assert_eq!(sub("{{#number study.none:percent}}").unwrap(), "–");
        assert_eq!(sub("x {{#number study.table}} y").unwrap(), "x | a |\n|---| y");
        // A measured f32 shows as ae_mlp's `percent` shows it, ties included.
        let tie = serde_json::json!({ "train": f32_value(59_751.0 / 60_000.0) });
        let shown = substitute("{{#number train:percent}}", &tie, "ch.md", |_, s| s).unwrap();
        assert_eq!(shown, ae_mlp::output::report::percent(59_751.0 / 60_000.0));
    }

    #[test]
    fn errors_name_the_key_and_the_chapter() {
        let unknown = sub("{{#number study.nope:percent}}").unwrap_err().to_string();
        assert!(unknown.contains("study.nope") && unknown.contains("ch.md"), "{unknown}");
        assert!(sub("{{#number study.acc:percentage}}").is_err());
        assert!(sub("{{#number study.table:percent}}").is_err());
        assert!(sub("{{#number tuned.acc}}").is_err());
        assert!(sub("{{#number study.acc").is_err());
    }

    #[test]
    fn set_replaces_a_subtree_and_keeps_the_rest() {
        let mut n = numbers();
        set(&mut n, "tuned.acc", Value::from(1));
        set(&mut n, "perf.default.table", Value::from("t"));
        assert_eq!(lookup(&n, "tuned.acc"), Some(&Value::from(1)));
        assert_eq!(lookup(&n, "perf.default.table"), Some(&Value::from("t")));
        assert_eq!(lookup(&n, "study.n"), Some(&Value::from(10000)));
        assert_eq!(f32_value(0.9749_f32), Value::from(0.9749));
    }
}
