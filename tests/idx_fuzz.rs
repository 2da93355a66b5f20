//! Hostile bytes for the IDX reader: property tests over arbitrary bytes and over mutated
//! valid files. The parser must never panic, every error must say something and name the
//! file, anything it accepts must be self-consistent, and valid files must round-trip.

mod common;

use std::path::Path;

use ae_mlp::data::{parse_idx_images, parse_idx_labels};
use proptest::prelude::*;

const IMAGES_MAGIC: u32 = 0x0803;
const LABELS_MAGIC: u32 = 0x0801;

fn file() -> &'static Path {
    Path::new("/fuzz/dir/train-images-idx3-ubyte")
}

fn images_file(magic: u32, dims: [u32; 3], payload: &[u8]) -> Vec<u8> {
    common::idx_file(magic, &dims, payload)
}

fn labels_file(magic: u32, n: u32, payload: &[u8]) -> Vec<u8> {
    common::idx_file(magic, &[n], payload)
}

/// Both parsers on `bytes`: no panic (a panic fails the property), every error's message is
/// non-empty and names the file, and whatever is accepted matches its header exactly.
fn check_both(bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = file().display().to_string();
    match parse_idx_images(bytes, file()) {
        Ok((n, rows, cols, pixels)) => {
            prop_assert_eq!(pixels.len(), n * rows * cols);
            prop_assert_eq!(bytes.len(), 16 + pixels.len());
            prop_assert_eq!(&bytes[16..], &pixels[..]);
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(!message.is_empty());
            prop_assert!(
                message.contains(&path),
                "images error does not name the file: {}",
                message
            );
        }
    }
    match parse_idx_labels(bytes, file()) {
        Ok(labels) => {
            prop_assert_eq!(bytes.len(), 8 + labels.len());
            prop_assert_eq!(&bytes[8..], &labels[..]);
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(!message.is_empty());
            prop_assert!(
                message.contains(&path),
                "labels error does not name the file: {}",
                message
            );
        }
    }
    Ok(())
}

/// One way of damaging a file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace one of the first four big-endian words (magic and dimensions) of the header.
    Word(usize, u32),
    /// Overwrite one byte (index taken modulo the length).
    Byte(usize, u8),
    /// Cut the file to this length (modulo its length + 1).
    Truncate(usize),
    /// Append bytes.
    Append(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (
            0usize..4,
            prop_oneof![any::<u32>(), 0u32..40, Just(u32::MAX), Just(0x0803), Just(0x0801)]
        )
            .prop_map(|(i, w)| Mutation::Word(i, w)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        proptest::collection::vec(any::<u8>(), 1..20).prop_map(Mutation::Append),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::Word(i, w) => {
            let at = 4 * i;
            if bytes.len() >= at + 4 {
                bytes[at..at + 4].copy_from_slice(&w.to_be_bytes());
            }
        }
        Mutation::Byte(i, b) => {
            if !bytes.is_empty() {
                let at = i % bytes.len();
                bytes[at] = *b;
            }
        }
        Mutation::Truncate(len) => {
            let len = len % (bytes.len() + 1);
            bytes.truncate(len);
        }
        Mutation::Append(extra) => bytes.extend_from_slice(extra),
    }
}

/// A valid images file of small random dimensions and random pixels.
fn valid_images() -> impl Strategy<Value = (u32, u32, u32, Vec<u8>)> {
    (0u32..6, 0u32..8, 0u32..8).prop_flat_map(|(n, r, c)| {
        proptest::collection::vec(any::<u8>(), (n * r * c) as usize)
            .prop_map(move |px| (n, r, c, px))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_both(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_magic_never_panic(
        magic in prop_oneof![Just(IMAGES_MAGIC), Just(LABELS_MAGIC)],
        rest in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut bytes = magic.to_be_bytes().to_vec();
        bytes.extend(rest);
        check_both(&bytes)?;
    }

    #[test]
    fn mutated_valid_files_never_panic(
        (n, r, c, px) in valid_images(),
        labels in proptest::collection::vec(0u8..10, 0..12),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        for mut bytes in [images_file(IMAGES_MAGIC, [n, r, c], &px), labels_file(LABELS_MAGIC, labels.len() as u32, &labels)] {
            for m in &mutations {
                apply(&mut bytes, m);
            }
            check_both(&bytes)?;
        }
    }

    #[test]
    fn valid_images_round_trip((n, r, c, px) in valid_images()) {
        let bytes = images_file(IMAGES_MAGIC, [n, r, c], &px);
        let parsed = parse_idx_images(&bytes, file()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed, (n as usize, r as usize, c as usize, px));
        // The same bytes are not a labels file.
        prop_assert!(parse_idx_labels(&bytes, file()).is_err());
    }

    #[test]
    fn valid_labels_round_trip(labels in proptest::collection::vec(any::<u8>(), 0..300)) {
        let bytes = labels_file(LABELS_MAGIC, labels.len() as u32, &labels);
        let parsed = parse_idx_labels(&bytes, file()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed, labels);
        prop_assert!(parse_idx_images(&bytes, file()).is_err());
    }
}

proptest! {
    // Through the file system and gzip: fewer cases, each writes a file.
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn image_files_from_disk_never_panic(
        gz_magic in any::<bool>(),
        (n, r, c, px) in valid_images(),
        mutations in proptest::collection::vec(mutation(), 0..3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(if gz_magic { "images.gz" } else { "images.idx" });
        let mut bytes = images_file(IMAGES_MAGIC, [n, r, c], &px);
        if gz_magic {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&bytes).unwrap();
            bytes = enc.finish().unwrap();
        }
        for m in &mutations {
            apply(&mut bytes, m);
        }
        std::fs::write(&path, &bytes).unwrap();
        if let Err(e) = ae_mlp::output::model_io::read_idx_images(&path) {
            let message = e.to_string();
            prop_assert!(message.contains(&path.display().to_string()), "{}", message);
        }
    }
}
