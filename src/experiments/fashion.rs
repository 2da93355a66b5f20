//! Fashion-MNIST, the study's second data set: where Debian installs it, its class names, and
//! the study's figures labelled with them (chapter 6b shows them, and the book's assets draw
//! the same ones).

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::experiments::study::Study;
use crate::output::plot::{self, Figure};
use crate::output::report::percent;

/// Where Debian's package `dataset-fashion-mnist` installs Fashion-MNIST (gzip IDX files in
/// the MNIST layout).
pub const FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// Fashion-MNIST's ten classes, by label (Xiao et al., 2017).
pub const FASHION_CLASSES: [&str; 10] =
    ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/// [`FASHION_MNIST_DIR`] if it exists; if not, the error says how to install it.
pub fn fashion_dir() -> Result<PathBuf> {
    let dir = PathBuf::from(FASHION_MNIST_DIR);
    if !dir.is_dir() {
        return Err(Error::Input {
            path: dir,
            problem: "Fashion-MNIST is not installed".into(),
            fix: "install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu)".into(),
        });
    }
    Ok(dir)
}

/// Fashion-MNIST's name for a class label (the label itself if out of range).
pub fn fashion_class(label: usize) -> String {
    FASHION_CLASSES.get(label).map_or_else(|| label.to_string(), |c| c.to_string())
}

/// The Fashion-MNIST study's reconstructions and codes → MLP confusion matrix, with class
/// names: figures `fashion_reconstructions` and `fashion_confusion_matrix`.
pub fn fashion_figures(study: &Study) -> Result<Vec<Figure>> {
    let originals = study.data.test.x.slice(ndarray::s![..10, ..]).to_owned();
    let reconstructions = study.autoencoder.reconstruct(&originals)?;
    let recon = plot::image_rows(
        "fashion_reconstructions",
        "Fashion-MNIST test images (top) and their reconstructions from 32 numbers (bottom)",
        &[("original".to_string(), originals), ("reconstruction".to_string(), reconstructions)],
    );
    let codes = &study.results.codes_mlp;
    let labels: Vec<String> = FASHION_CLASSES.iter().map(|c| c.to_string()).collect();
    let confusion = plot::confusion_heatmap(
        "fashion_confusion_matrix",
        &format!("Fashion-MNIST, codes → MLP on the test set: accuracy {}", percent(codes.test_accuracy)),
        &codes.confusion.counts,
        &labels,
    )
    .with_size(960, 800); // wide enough for the class names under the columns
    Ok(vec![recon, confusion])
}
