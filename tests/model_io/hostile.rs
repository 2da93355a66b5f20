//! Hostile model files: arbitrary and mutated JSON must give an error, never a panic.

use super::*;
use proptest::prelude::*;

fn tiny_json() -> &'static Vec<u8> {
    static JSON: OnceLock<Vec<u8>> = OnceLock::new();
    JSON.get_or_init(|| tiny_model().to_json(Path::new("tiny.json")).unwrap())
}

/// Parses `bytes`: must not panic; an error must be an `Error::Model` naming the file.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = Path::new("/fuzz/model.json");
    match SavedModel::from_json(bytes, path) {
        Ok(m) => prop_assert!(m.check().is_ok()),
        Err(e) => {
            let message = e.to_string();
            prop_assert!(matches!(e, Error::Model { .. }), "{:?}", e);
            prop_assert!(
                message.contains("/fuzz/model.json") && !message.contains('\n'),
                "{}",
                message
            );
        }
    }
    Ok(())
}

#[test]
fn the_tiny_model_round_trips() {
    let model = tiny_model();
    assert_eq!(SavedModel::from_json(tiny_json(), Path::new("tiny.json")).unwrap(), model);
}

#[test]
fn every_prefix_is_reported_as_truncated() {
    let bytes = tiny_json();
    for cut in 0..bytes.len() {
        let message =
            SavedModel::from_json(&bytes[..cut], Path::new("tiny.json")).unwrap_err().to_string();
        assert!(message.contains("truncated"), "cut at {cut}: {message}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn mutated_model_files_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let mut bytes = tiny_json().clone();
        for (at, b) in edits {
            let at = at % bytes.len();
            bytes[at] = b;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        check(&bytes)?;
    }

    #[test]
    fn digit_edits_are_caught(at in any::<usize>(), digit in b'0'..=b'9') {
        // Change one digit somewhere in the numbers: still JSON, still the layout.
        let mut bytes = tiny_json().clone();
        let digits: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i].is_ascii_digit()).collect();
        let i = digits[at % digits.len()];
        let changed = bytes[i] != digit;
        bytes[i] = digit;
        check(&bytes)?;
        if changed {
            // A changed digit is refused (by the version, a shape, the layout or the checksum)
            // unless it leaves every value the same (e.g. an exponent's leading zero).
            if let Ok(m) = SavedModel::from_json(&bytes, Path::new("x")) {
                prop_assert_eq!(m, tiny_model());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        check(&bytes)?;
    }

    #[test]
    fn deep_nesting_never_overflows(depth in 1usize..5000) {
        let bytes = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        check(bytes.as_bytes())?;
        let bytes = format!("{{\"format\":{}{}}}", "{\"a\":".repeat(depth), "}".repeat(depth) + "1");
        check(bytes.as_bytes())?;
    }
}
