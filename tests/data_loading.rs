//! The MNIST loader against every failure a user can meet (on tiny synthetic IDX files in a
//! temporary directory) and against the real bundled data.

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use ae_mlp::data::{
    bundled_dir, bundled_fashion_dir, load_dir_with_checksums, DataError, Mnist, IMAGE_PIXELS,
};
use ae_mlp::Error;
use sha2::{Digest, Sha256};

const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

/// IDX images bytes: n images of rows x cols, pixel value = (image + pixel) mod 256.
fn idx_images(n: u32, rows: u32, cols: u32) -> Vec<u8> {
    let per = (rows * cols) as usize;
    let pixels: Vec<u8> =
        (0..n as usize * per).map(|i| ((i / per + i % per) % 256) as u8).collect();
    common::idx_file(2051, &[n, rows, cols], &pixels)
}

/// IDX labels bytes.
fn idx_labels(labels: &[u8]) -> Vec<u8> {
    common::idx_file(2049, &[labels.len() as u32], labels)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// The four files of a small valid dataset: 5 train and 3 test 28x28 images.
fn valid_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (TRAIN_IMAGES, idx_images(5, 28, 28)),
        (TRAIN_LABELS, idx_labels(&[0, 1, 2, 9, 1])),
        (TEST_IMAGES, idx_images(3, 28, 28)),
        (TEST_LABELS, idx_labels(&[7, 2, 1])),
    ]
}

/// Writes `files` into a fresh temporary directory, gzipped (with ".gz" added) if `gz`.
fn write_dir(files: &[(&str, Vec<u8>)], gz: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        if gz {
            std::fs::write(dir.path().join(format!("{name}.gz")), gzip(bytes)).unwrap();
        } else {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
    }
    dir
}

/// The valid files with `name`'s contents replaced by `bytes`, written raw.
fn dir_with(name: &str, bytes: Vec<u8>) -> tempfile::TempDir {
    let mut files = valid_files();
    files.iter_mut().find(|(n, _)| *n == name).unwrap().1 = bytes;
    write_dir(&files, false)
}

/// Loads `dir`, expects a data error, and checks its message names `file`.
fn load_err(dir: &Path, file: &str) -> DataError {
    let err = Mnist::load_dir(dir).expect_err("loading should fail");
    let msg = err.to_string();
    assert!(msg.contains(file), "message does not name {file}: {msg}");
    assert!(!msg.contains('\n'), "message should be one line: {msg}");
    match err {
        Error::Data(e) => e,
        other => panic!("expected Error::Data, got {other:?}"),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn raw_directory_loads() {
    let dir = write_dir(&valid_files(), false);
    let m = Mnist::load_dir(dir.path()).unwrap();
    assert_eq!(m.train.x.dim(), (5, IMAGE_PIXELS));
    assert_eq!(m.test.x.dim(), (3, IMAGE_PIXELS));
    assert_eq!(m.train.y.to_vec(), vec![0, 1, 2, 9, 1]);
    assert_eq!(m.test.y.to_vec(), vec![7, 2, 1]);
    assert!(!m.checksums_verified);
    assert_eq!(m.dir, dir.path());
    // Pixel = byte / 255: image 1, pixel 0 holds byte 1; image 0, pixel 255 holds 255.
    assert_eq!(m.train.x[[1, 0]], 1.0 / 255.0);
    assert_eq!(m.train.x[[0, 255]], 1.0);
    assert_eq!(m.train.x[[0, 0]], 0.0);
}

#[test]
fn gz_directory_loads_the_same_data() {
    let raw = Mnist::load_dir(write_dir(&valid_files(), false).path()).unwrap();
    let gz = Mnist::load_dir(write_dir(&valid_files(), true).path()).unwrap();
    assert_eq!(raw.train, gz.train);
    assert_eq!(raw.test, gz.test);
}

#[test]
fn dotted_names_and_gzip_without_extension_load() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in valid_files() {
        let dotted = name.replacen("-idx", ".idx", 1);
        // Gzip content under a name without ".gz": detected by the magic bytes.
        std::fs::write(dir.path().join(dotted), gzip(&bytes)).unwrap();
    }
    let m = Mnist::load_dir(dir.path()).unwrap();
    assert_eq!(m.train.len(), 5);
    assert_eq!(m.test.len(), 3);
}

#[test]
fn missing_directory() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("no-such-dir");
    let e = load_err(&missing, "no-such-dir");
    assert!(matches!(e, DataError::DirNotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("--data"), "{e}");
}

#[test]
fn missing_file() {
    let mut files = valid_files();
    files.retain(|(n, _)| *n != TEST_LABELS);
    let dir = write_dir(&files, false);
    let e = load_err(dir.path(), TEST_LABELS);
    match &e {
        DataError::FileMissing { expected, .. } => {
            for name in
                ["t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz", "t10k-labels.idx1-ubyte"]
            {
                assert!(expected.contains(name), "{expected}");
            }
        }
        other => panic!("expected FileMissing, got {other:?}"),
    }
}

#[test]
fn truncated_payload() {
    let mut bytes = idx_images(5, 28, 28);
    bytes.pop();
    let dir = dir_with(TRAIN_IMAGES, bytes);
    match load_err(dir.path(), TRAIN_IMAGES) {
        DataError::Truncated { expected_bytes, found_bytes, .. } => {
            assert_eq!(expected_bytes, 16 + 5 * 784);
            assert_eq!(found_bytes, 16 + 5 * 784 - 1);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn truncated_header() {
    let dir = dir_with(TEST_LABELS, vec![0, 0, 8, 1, 0]);
    let e = load_err(dir.path(), TEST_LABELS);
    assert!(matches!(e, DataError::Truncated { expected_bytes: 8, found_bytes: 5, .. }), "{e:?}");
}

#[test]
fn trailing_bytes() {
    let mut bytes = idx_labels(&[7, 2, 1]);
    bytes.push(0);
    let dir = dir_with(TEST_LABELS, bytes);
    let e = load_err(dir.path(), TEST_LABELS);
    assert!(matches!(e, DataError::TrailingBytes { .. }), "{e:?}");
}

#[test]
fn bad_magic() {
    // A labels file where the images should be: the classic swap.
    let dir = dir_with(TRAIN_IMAGES, idx_labels(&[0, 1, 2, 9, 1]));
    match load_err(dir.path(), TRAIN_IMAGES) {
        DataError::BadMagic { expected, found, .. } => assert_eq!((expected, found), (2051, 2049)),
        other => panic!("expected BadMagic, got {other:?}"),
    }
}

#[test]
fn wrong_dimensions() {
    let dir = dir_with(TEST_IMAGES, idx_images(3, 27, 28));
    let e = load_err(dir.path(), TEST_IMAGES);
    assert!(matches!(e, DataError::BadDimensions { rows: 27, cols: 28, .. }), "{e:?}");
    assert!(e.to_string().contains("27x28"), "{e}");
}

#[test]
fn count_mismatch() {
    let dir = dir_with(TRAIN_LABELS, idx_labels(&[0, 1, 2, 9]));
    let e = load_err(dir.path(), TRAIN_LABELS);
    assert!(e.to_string().contains(TRAIN_IMAGES), "{e}");
    match e {
        DataError::CountMismatch { n_images, n_labels, .. } => {
            assert_eq!((n_images, n_labels), (5, 4))
        }
        other => panic!("expected CountMismatch, got {other:?}"),
    }
}

#[test]
fn empty_split() {
    let dir = dir_with(TEST_LABELS, idx_labels(&[]));
    let e = load_err(dir.path(), TEST_LABELS);
    assert!(matches!(e, DataError::Empty { .. }), "{e:?}");
}

#[test]
fn bad_label() {
    let dir = dir_with(TRAIN_LABELS, idx_labels(&[0, 1, 10, 9, 1]));
    let e = load_err(dir.path(), TRAIN_LABELS);
    assert!(matches!(e, DataError::BadLabel { index: 2, label: 10, .. }), "{e:?}");
}

#[test]
fn corrupt_gzip() {
    let name = format!("{TEST_IMAGES}.gz");
    let good = gzip(&idx_images(3, 28, 28));
    let truncated = good[..good.len() / 2].to_vec();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last - 6] ^= 0xff; // inside the CRC-32 trailer
    let not_gzip = b"this is not gzip at all".to_vec();
    for bad in [truncated, flipped, not_gzip] {
        let mut files = valid_files();
        files.retain(|(n, _)| *n != TEST_IMAGES);
        let dir = write_dir(&files, false);
        std::fs::write(dir.path().join(&name), bad).unwrap();
        let e = load_err(dir.path(), &name);
        assert!(matches!(e, DataError::Gzip { .. }), "{e:?}");
    }
}

#[test]
fn checksums_verified_when_they_match() {
    let files = valid_files();
    let hashes: Vec<(&str, String)> = files.iter().map(|(n, b)| (*n, sha256_hex(b))).collect();
    let hashes: Vec<(&str, &str)> = hashes.iter().map(|(n, h)| (*n, h.as_str())).collect();
    // Checked on the uncompressed bytes, so the .gz copy passes too.
    for gz in [false, true] {
        let dir = write_dir(&files, gz);
        let m = load_dir_with_checksums(dir.path(), &hashes).unwrap();
        assert!(m.checksums_verified);
    }
    // Only some files checked: loads, but not "verified".
    let dir = write_dir(&files, false);
    let m = load_dir_with_checksums(dir.path(), &hashes[..2]).unwrap();
    assert!(!m.checksums_verified);
}

#[test]
fn checksum_mismatch() {
    let files = valid_files();
    let dir = write_dir(&files, true);
    let wrong = "0".repeat(64);
    let err = load_dir_with_checksums(dir.path(), &[(TRAIN_LABELS, &wrong)]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(TRAIN_LABELS), "{msg}");
    assert!(msg.contains("git checkout data/"), "{msg}");
    match err {
        Error::Data(DataError::Checksum { expected, found, .. }) => {
            assert_eq!(expected, wrong);
            assert_eq!(found, sha256_hex(&files[1].1));
        }
        other => panic!("expected Checksum, got {other:?}"),
    }
}

/// The bundled MNIST, loaded once for all tests that need it.
fn bundled() -> &'static Mnist {
    static MNIST: OnceLock<Mnist> = OnceLock::new();
    MNIST.get_or_init(|| Mnist::load_bundled().expect("bundled MNIST loads"))
}

#[test]
fn bundled_mnist_is_the_real_mnist() {
    let m = bundled();
    assert!(m.checksums_verified);
    assert_eq!(m.dir, bundled_dir());
    assert_eq!(m.train.x.dim(), (60_000, 784));
    assert_eq!(m.test.x.dim(), (10_000, 784));
    assert_eq!(m.train.len(), 60_000);
    assert_eq!(m.test.len(), 10_000);
    for x in [&m.train.x, &m.test.x] {
        assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
        assert_eq!(x.iter().cloned().fold(f32::MIN, f32::max), 1.0);
    }
    assert_eq!(m.train.n_classes(), 10);
    assert_eq!(
        m.train.class_counts(),
        vec![5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(m.test.class_counts(), vec![980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert_eq!(
        m.test.y.iter().take(10).copied().collect::<Vec<u8>>(),
        vec![7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    );
}

#[test]
fn stratified_subset_of_mnist() {
    let train = &bundled().train;
    let a = train.stratified_subset(100, 42).unwrap();
    assert_eq!(a.len(), 1000);
    assert_eq!(a.class_counts(), vec![100; 10]);
    assert_eq!(a, train.stratified_subset(100, 42).unwrap());
    let b = train.stratified_subset(100, 43).unwrap();
    assert_eq!(b.class_counts(), vec![100; 10]);
    assert_ne!(a, b);
    // Asking for more than the rarest class (5421 fives) is an error naming the parameter.
    let err = train.stratified_subset(5422, 42).unwrap_err();
    assert!(matches!(err, Error::InvalidParam { name: "per_class", .. }), "{err:?}");
    assert!(err.to_string().contains("class 5"), "{err}");
    assert_eq!(train.stratified_subset(5421, 0).unwrap().class_counts()[5], 5421);
}

#[test]
fn bundled_fashion_mnist_is_verified_by_name_or_by_path() {
    let fashion = Mnist::load_bundled_fashion().unwrap();
    assert!(fashion.checksums_verified);
    assert_eq!(fashion.dir, bundled_fashion_dir());
    assert_eq!(
        (fashion.train.x.dim(), fashion.test.x.dim()),
        ((60_000, IMAGE_PIXELS), (10_000, IMAGE_PIXELS))
    );
    assert_eq!(fashion.train.class_counts(), vec![6_000; 10]);
    assert_eq!(fashion.test.class_counts(), vec![1_000; 10]);
    // `--data data/fashion-mnist` names the same directory: verified too, same data.
    let by_path = Mnist::load_dir(bundled_fashion_dir()).unwrap();
    assert!(by_path.checksums_verified);
    assert_eq!(by_path.test, fashion.test);
}
