//! The IDX reader against valid, truncated, oversized, foreign and random bytes.

use rand::Rng as _;

use super::*;

fn path() -> &'static Path {
    Path::new("test-file")
}

fn images(magic: u32, dims: [u32; 3], payload: &[u8]) -> Vec<u8> {
    let mut b = magic.to_be_bytes().to_vec();
    for d in dims {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b.extend_from_slice(payload);
    b
}

fn labels(magic: u32, n: u32, payload: &[u8]) -> Vec<u8> {
    let mut b = magic.to_be_bytes().to_vec();
    b.extend_from_slice(&n.to_be_bytes());
    b.extend_from_slice(payload);
    b
}

#[test]
fn parses_valid_images_of_any_shape() {
    let bytes = images(IMAGES_MAGIC, [2, 2, 3], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    let (n, r, c, px) = parse_idx_images(&bytes, path()).unwrap();
    assert_eq!((n, r, c), (2, 2, 3));
    assert_eq!(px, (0..12).collect::<Vec<u8>>());
}

#[test]
fn parses_valid_labels() {
    let bytes = labels(LABELS_MAGIC, 3, &[7, 2, 200]);
    assert_eq!(parse_idx_labels(&bytes, path()).unwrap(), vec![7, 2, 200]);
}

#[test]
fn zero_items_parse() {
    let (n, ..) = parse_idx_images(&images(IMAGES_MAGIC, [0, 28, 28], &[]), path()).unwrap();
    assert_eq!(n, 0);
    assert!(parse_idx_labels(&labels(LABELS_MAGIC, 0, &[]), path()).unwrap().is_empty());
}

#[test]
fn wrong_magic_is_reported_with_both_numbers() {
    let bytes = labels(LABELS_MAGIC, 1, &[1]);
    match parse_idx_images(&bytes, path()) {
        Err(DataError::BadMagic { expected, found, .. }) => {
            assert_eq!((expected, found), (IMAGES_MAGIC, LABELS_MAGIC));
        }
        other => panic!("expected BadMagic, got {other:?}"),
    }
    let bytes = images(IMAGES_MAGIC, [1, 1, 1], &[1]);
    assert!(matches!(parse_idx_labels(&bytes, path()), Err(DataError::BadMagic { .. })));
}

#[test]
fn short_header_is_truncated_not_a_panic() {
    for len in 0..IMAGES_HEADER {
        let bytes = images(IMAGES_MAGIC, [1, 1, 1], &[0]);
        let r = parse_idx_images(&bytes[..len], path());
        match r {
            Err(DataError::Truncated { expected_bytes, .. }) => assert_eq!(expected_bytes, 16),
            other => panic!("len {len}: expected Truncated, got {other:?}"),
        }
    }
    for len in 0..LABELS_HEADER {
        let bytes = labels(LABELS_MAGIC, 1, &[0]);
        assert!(matches!(
            parse_idx_labels(&bytes[..len], path()),
            Err(DataError::Truncated { .. })
        ));
    }
}

#[test]
fn short_payload_is_truncated() {
    let bytes = images(IMAGES_MAGIC, [2, 2, 2], &[0; 7]);
    match parse_idx_images(&bytes, path()) {
        Err(DataError::Truncated { expected_bytes, found_bytes, .. }) => {
            assert_eq!((expected_bytes, found_bytes), (24, 23));
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let bytes = labels(LABELS_MAGIC, 5, &[0; 4]);
    assert!(matches!(parse_idx_labels(&bytes, path()), Err(DataError::Truncated { .. })));
}

#[test]
fn trailing_bytes_are_rejected() {
    let bytes = images(IMAGES_MAGIC, [1, 2, 2], &[0; 5]);
    assert!(matches!(parse_idx_images(&bytes, path()), Err(DataError::TrailingBytes { .. })));
    let bytes = labels(LABELS_MAGIC, 1, &[0, 0]);
    assert!(matches!(parse_idx_labels(&bytes, path()), Err(DataError::TrailingBytes { .. })));
}

#[test]
fn absurd_header_sizes_do_not_overflow_or_allocate() {
    let bytes = images(IMAGES_MAGIC, [u32::MAX, u32::MAX, u32::MAX], &[1, 2, 3]);
    match parse_idx_images(&bytes, path()) {
        Err(DataError::Truncated { expected_bytes, .. }) => {
            assert_eq!(expected_bytes, u64::MAX)
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let bytes = labels(LABELS_MAGIC, u32::MAX, &[1]);
    match parse_idx_labels(&bytes, path()) {
        Err(DataError::Truncated { expected_bytes, .. }) => {
            assert_eq!(expected_bytes, u64::from(u32::MAX) + 8);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap fuzz: every prefix and many byte flips of small valid files.
    let mut rng = crate::rng::seeded(7, 0);
    let img = images(IMAGES_MAGIC, [2, 3, 3], &[9; 18]);
    let lab = labels(LABELS_MAGIC, 4, &[1, 2, 3, 4]);
    for base in [&img, &lab] {
        for len in 0..=base.len() {
            let _ = parse_idx_images(&base[..len], path());
            let _ = parse_idx_labels(&base[..len], path());
        }
        for _ in 0..2000 {
            let mut b = base.clone();
            let i = rng.gen_range(0..b.len());
            b[i] = rng.gen();
            let _ = parse_idx_images(&b, path());
            let _ = parse_idx_labels(&b, path());
        }
    }
}

#[test]
fn messages_name_the_file() {
    let p = Path::new("/some/dir/train-images-idx3-ubyte");
    let e = parse_idx_images(&[0, 0, 8, 1], p).unwrap_err();
    assert!(e.to_string().contains("/some/dir/train-images-idx3-ubyte"), "{e}");
    assert!(e.to_string().contains("images"), "{e}");
}

#[test]
fn gunzip_guards_and_decodes() {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(b"hello idx").unwrap();
    let gz = enc.finish().unwrap();
    assert_eq!(gunzip(&gz, path()).unwrap(), b"hello idx");
    assert!(matches!(gunzip(&gz[..gz.len() / 2], path()), Err(DataError::Gzip { .. })));
    assert!(matches!(gunzip(b"not gzip", path()), Err(DataError::Gzip { .. })));
    assert!(matches!(gunzip(&[], path()), Err(DataError::Gzip { .. }) | Ok(_)));
}
