//! Writing outputs so that nothing is ever left half-written.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically: into a temporary file in the same directory, then a
/// rename over the target. A crash or a full disk leaves the old file (or none), never half of
/// one, and a failed write removes its temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let stem = path.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    // A hidden name beside the target, so the rename stays on one file system. Dropping the
    // temporary file on any error below deletes it.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{stem}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(bytes).and_then(|_| tmp.as_file().sync_all()).map_err(io)?;
    // On failure the error hands the temporary file back; dropping it with the error deletes it.
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_and_replaces_leaving_only_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["out.json"]);
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        // The target is a non-empty directory: the temporary file is created and written, then
        // the rename over the target fails (for root too, unlike a permission check).
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("figure.svg");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), b"x").unwrap();
        let err = write_atomic(&target, b"new contents").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("figure.svg"), "{err}");
        assert_eq!(names(dir.path()), ["figure.svg"], "no temporary file is left behind");
        assert_eq!(names(&target), ["keep"]);
    }

    #[test]
    fn a_parent_that_is_a_file_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, b"x").unwrap();
        let err = write_atomic(&file.join("out.json"), b"y").unwrap_err();
        assert!(err.to_string().contains("out.json"), "{err}");
        assert_eq!(names(dir.path()), ["plain"]);
    }
}
