//! An independent check of the IDX reader: the `mnist` crate (0.6) reads the same bundled files,
//! decompressed into a temporary directory under the names it expects, and both readers must give
//! the same pixels (as bytes, and after the same /255 scaling) and the same labels.

use std::io::Read;
use std::path::Path;

use ae_mlp::data::{bundled_dir, bundled_fashion_dir, Mnist};

const FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Gunzips the four bundled files of `bundled` into a fresh temporary directory.
fn decompressed(bundled: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in FILES {
        let gz = std::fs::read(bundled.join(format!("{name}.gz"))).unwrap();
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut raw).unwrap();
        std::fs::write(dir.path().join(name), raw).unwrap();
    }
    dir
}

/// Both readers on one bundled directory.
fn check_against_the_mnist_crate(bundled: &Path, ours: &Mnist) {
    let dir = decompressed(bundled);
    let theirs = mnist::MnistBuilder::new()
        .base_path(dir.path().to_str().unwrap())
        .label_format_digit()
        .finalize();
    assert_eq!(theirs.trn_lbl.len(), 60_000);
    assert_eq!(theirs.tst_lbl.len(), 10_000);
    assert_eq!(ours.train.y.to_vec(), theirs.trn_lbl, "training labels");
    assert_eq!(ours.test.y.to_vec(), theirs.tst_lbl, "test labels");

    // As bytes: our pixels are byte / 255, so * 255 gives the byte back exactly.
    let bytes = |x: &ndarray::Array2<f32>| {
        x.iter().map(|&v| (v * 255.0).round() as u8).collect::<Vec<u8>>()
    };
    assert_eq!(bytes(&ours.train.x), theirs.trn_img, "training pixels as bytes");
    assert_eq!(bytes(&ours.test.x), theirs.tst_img, "test pixels as bytes");

    // After the same scaling: bit-identical floats.
    let theirs = theirs.normalize();
    assert_eq!(ours.train.x.as_slice().unwrap(), &theirs.trn_img[..], "training pixels in [0, 1]");
    assert_eq!(ours.test.x.as_slice().unwrap(), &theirs.tst_img[..], "test pixels in [0, 1]");
}

#[test]
fn bundled_mnist_reads_as_the_mnist_crate_reads_it() {
    check_against_the_mnist_crate(&bundled_dir(), &Mnist::load_bundled().unwrap());
}

#[test]
fn bundled_fashion_mnist_reads_as_the_mnist_crate_reads_it() {
    check_against_the_mnist_crate(&bundled_fashion_dir(), &Mnist::load_bundled_fashion().unwrap());
}
