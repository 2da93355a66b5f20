//! Every kind renders to both formats, saving is atomic, and bad input is an error.

use ndarray::Array2;
use plotters::style::IntoFont;

use super::charts::{self, padded_range, tick_format};
use super::*;

fn digits(n: usize) -> Array2<f32> {
    Array2::from_shape_fn((n, DIGIT * DIGIT), |(i, p)| ((i + p) % 7) as f32 / 6.0)
}

fn every_kind() -> Vec<Figure> {
    let labels: Vec<String> = (0..3).map(|d| format!("class {d}")).collect();
    let counts = Array2::from_shape_fn((3, 3), |(i, j)| if i == j { 50 } else { i + j });
    let points = Array2::from_shape_fn((30, 2), |(i, j)| (i * (j + 1)) as f32 * 0.1);
    let classes: Vec<u8> = (0..30).map(|i| (i % 10) as u8).collect();
    vec![
        line_chart(
            "line",
            "Loss per epoch",
            "epoch",
            "loss",
            &[Series::per_epoch("train", &[0.5, 0.3, 0.2])],
        ),
        image_rows(
            "rows",
            "Digits and reconstructions",
            &[("original".into(), digits(4)), ("recon".into(), digits(4))],
        ),
        confusion_heatmap("confusion", "Confusion matrix", &counts, &labels),
        histogram(
            "hist",
            "Code activations",
            "activation",
            &[("vanilla".into(), vec![0.1, 0.5, 0.9]), ("sparse".into(), vec![0.0; 5])],
            10,
        ),
        scatter_by_class("scatter", "Latent map", &points, &classes),
        image_grid("grid", "VAE samples", &digits(7), 3),
    ]
}

fn is_plot_error(result: Result<impl std::fmt::Debug>) -> bool {
    matches!(result, Err(Error::Plot { .. }))
}

#[test]
fn every_kind_renders_to_svg_and_png() {
    for fig in every_kind() {
        let svg = fig.to_svg().unwrap();
        assert!(svg.contains("<svg"), "{}", fig.name());
        assert!(svg.contains(&fig.title), "{} lacks its title", fig.name());
        let png = fig.to_png().unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", fig.name());
    }
}

#[test]
fn tiny_and_odd_sizes_do_not_panic() {
    for fig in every_kind() {
        for (w, h) in [(1, 1), (200, 150), (2000, 160)] {
            let _ = fig.clone().with_size(w, h).to_png();
            let _ = fig.clone().with_size(w, h).to_svg();
        }
    }
}

#[test]
fn png_is_well_formed() {
    let fig = every_kind().remove(0).with_size(300, 200);
    let png = fig.to_png().unwrap();
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 300);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 200);
    let idat_len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
    assert_eq!(&png[37..41], b"IDAT");
    let mut raw = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::ZlibDecoder::new(&png[41..41 + idat_len]),
        &mut raw,
    )
    .unwrap();
    assert_eq!(raw.len(), 200 * (1 + 300 * 3));
    assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
}

#[test]
fn embedded_font_measures_text() {
    register_fonts().unwrap();
    let (w, h) = (FONT, 16).into_font().box_size("reconstruction").unwrap();
    assert!(w > 60 && h > 8, "{w}×{h}");
}

#[test]
fn save_writes_png_and_svg_into_a_new_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("figures/nested");
    for fig in every_kind() {
        let paths = fig.save(&dir).unwrap();
        assert_eq!(
            paths,
            vec![dir.join(format!("{}.png", fig.name())), dir.join(format!("{}.svg", fig.name()))]
        );
        assert!(std::fs::read(&paths[0]).unwrap().starts_with(b"\x89PNG"));
        assert!(std::fs::read_to_string(&paths[1]).unwrap().contains("<svg"));
    }
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, 12, "no temporary files are left behind");
}

#[test]
fn line_chart_skips_non_finite_points_and_widens_flat_ranges() {
    let series =
        [Series::new("y", vec![(1.0, f32::NAN), (2.0, 0.5), (f32::INFINITY, 1.0), (3.0, 0.5)])];
    assert!(line_chart("flat", "Flat", "x", "y", &series).to_png().is_ok());
    let (lo, hi) = padded_range([0.5f32, 0.5].into_iter()).unwrap();
    assert!(padded_range([f32::MAX, -f32::MAX].into_iter()).is_err());
    assert!(lo < 0.5 && hi > 0.5);
    assert_eq!(tick_format((0.0, 1.0))(&(0.1 + 0.2)), "0.3");
    assert_eq!(tick_format((0.0, 100.0))(&40.0), "40");
}

#[test]
fn invalid_input_is_an_error_not_a_panic() {
    let nan = Array2::from_elem((2, 784), f32::NAN);
    let labels: Vec<String> = (0..3).map(|d| d.to_string()).collect();
    let bad = [
        line_chart("a", "t", "x", "y", &[]),
        line_chart("b", "t", "x", "y", &[Series::per_epoch("nan", &[f32::NAN, f32::INFINITY])]),
        image_rows("c", "t", &[("narrow".into(), Array2::zeros((3, 100)))]),
        image_rows("d", "t", &[("a".into(), digits(3)), ("b".into(), digits(2))]),
        image_rows("e", "t", &[]),
        image_rows("f", "t", &[("nan".into(), nan.clone())]),
        confusion_heatmap("g", "t", &Array2::zeros((3, 4)), &labels),
        confusion_heatmap("h", "t", &Array2::zeros((2, 2)), &labels),
        confusion_heatmap("i", "t", &Array2::zeros((0, 0)), &[]),
        histogram("j", "t", "x", &[("v".into(), vec![1.0])], 0),
        histogram("k", "t", "x", &[("v".into(), vec![])], 5),
        histogram("l", "t", "x", &[("v".into(), vec![1.0, f32::NAN])], 5),
        histogram("m", "t", "x", &[], 5),
        scatter_by_class("n", "t", &Array2::zeros((4, 3)), &[0; 4]),
        scatter_by_class("o", "t", &Array2::zeros((4, 2)), &[0; 3]),
        scatter_by_class("p", "t", &Array2::from_elem((1, 2), f32::NAN), &[0]),
        image_grid("q", "t", &digits(4), 0),
        image_grid("r", "t", &Array2::zeros((0, 784)), 3),
        image_grid("s", "t", &nan, 2),
    ];
    let huge = line_chart(
        "t",
        "t",
        "x",
        "y",
        &[Series::new("s", vec![(0.0, f32::MAX), (1.0, -f32::MAX)])],
    );
    let bad: Vec<Figure> = bad
        .into_iter()
        .chain([huge, histogram("u", "t", "x", &[("v".into(), vec![1.0])], usize::MAX)])
        .collect();
    for fig in &bad {
        assert!(is_plot_error(fig.to_png()), "{} should fail as PNG", fig.name());
        assert!(is_plot_error(fig.to_svg()), "{} should fail as SVG", fig.name());
    }
    let tmp = tempfile::tempdir().unwrap();
    assert!(is_plot_error(bad[0].save(tmp.path())));
    let misnamed = line_chart("../escape", "t", "x", "y", &[Series::per_epoch("a", &[1.0])]);
    assert!(is_plot_error(misnamed.save(tmp.path())));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn exact_zeros_get_their_own_count_and_small_values_stay_in_the_bins() {
    let series = vec![
        ("sparse".to_string(), vec![0.0, 0.0, 0.0, 0.05, 0.9]),
        ("dense".to_string(), vec![0.02, 0.5, 1.0]),
    ];
    let (zeros, counts) = charts::histogram_counts(&series, 0.0, 0.1, 10);
    assert_eq!(zeros, vec![3, 0]);
    assert_eq!(counts[0][0], 1, "0.05 is small but not zero: first bin");
    assert_eq!(counts[0].iter().sum::<usize>() + zeros[0], 5, "every value counted once");
    assert_eq!(counts[1][0], 1);
    let (no_zeros, all) = charts::histogram_counts(&series[1..], 0.0, 0.1, 10);
    assert_eq!(no_zeros, vec![0]);
    assert_eq!(all[0].iter().sum::<usize>(), 3);
}

#[test]
fn softmax_is_drawn_on_three_coupled_scores_not_as_a_sigmoid() {
    let fig = activation_curve(crate::nn::Activation::Softmax);
    let FigureKind::Line { series, .. } = &fig.kind else { panic!("a line chart") };
    assert_eq!(series.len(), 4, "p₁, p₂, p₃ and ∂p₁/∂x");
    for i in 0..series[0].points.len() {
        let (x, p1) = series[0].points[i];
        let sum = p1 + series[1].points[i].1 + series[2].points[i].1;
        assert!((sum - 1.0).abs() < 1e-5, "probabilities sum to 1 at x = {x}: {sum}");
        let sigmoid = 1.0 / (1.0 + (-x).exp());
        if x.abs() < 5.0 {
            assert!(p1 < sigmoid, "a third score takes its share: {p1} vs σ({x}) = {sigmoid}");
        }
    }
    let at_one = series[0].points.iter().position(|&(x, _)| (x - 1.0).abs() < 1e-3).unwrap();
    assert!((series[0].points[at_one].1 - series[1].points[at_one].1).abs() < 1e-6, "equal scores");
    fig.to_png().unwrap();
}

#[test]
fn long_class_names_and_zero_heavy_histograms_render() {
    let labels: Vec<String> =
        ["T-shirt/top", "Trouser", "Pullover"].iter().map(|s| s.to_string()).collect();
    let counts = Array2::from_shape_fn((3, 3), |(i, j)| if i == j { 900 } else { 40 + i + j });
    confusion_heatmap("fashion", "Fashion", &counts, &labels).to_png().unwrap();
    let codes: Vec<f32> =
        (0..2000).map(|i| if i % 3 == 0 { (i % 40) as f32 * 0.5 } else { 0.0 }).collect();
    histogram("h", "Codes", "code value", &[("sparse".into(), codes)], 50).to_png().unwrap();
}
