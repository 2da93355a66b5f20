//! Fashion-MNIST, the study's second data set (bundled in `data/fashion-mnist`): its class names, and
//! the study's figures labelled with them (chapter 6b shows them, and the book's assets draw
//! the same ones).

use crate::error::Result;
use crate::experiments::study::Study;
use crate::output::plot::{self, Figure};
use crate::output::report::percent;

/// Fashion-MNIST's ten classes, by label (Xiao et al., 2017).
pub const FASHION_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

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
        &format!(
            "Fashion-MNIST test images (top) and their reconstructions from {} numbers (bottom)",
            study.autoencoder.latent()
        ),
        &[("original".to_string(), originals), ("reconstruction".to_string(), reconstructions)],
    );
    let codes = &study.results.codes_mlp;
    let labels: Vec<String> = FASHION_CLASSES.iter().map(|c| c.to_string()).collect();
    let confusion = plot::confusion_heatmap(
        "fashion_confusion_matrix",
        &format!(
            "Fashion-MNIST, codes → MLP on the test set: accuracy {}",
            percent(codes.test_accuracy)
        ),
        &codes.confusion.counts,
        &labels,
    )
    .with_size(960, 800); // wide enough for the class names under the columns
    Ok(vec![recon, confusion])
}
