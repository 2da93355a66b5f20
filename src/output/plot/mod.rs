//! Figures as values: each constructor captures data and a drawing recipe, and the
//! same recipe renders to PNG (for notebooks and the book) or SVG (for crisp print).
//!
//! Text uses DejaVu Sans embedded in the binary, so rendering needs no system fonts.
//! Constructors never fail; every input is checked when the figure is rendered,
//! and bad input (empty, NaN, wrong shape) comes back as [`Error::Plot`].

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::{Error, Result};

mod charts;
mod images;
#[cfg(test)]
mod tests;

/// Family name under which the embedded DejaVu Sans is registered with plotters.
const FONT: &str = "sans-serif";
/// Pixels along one side of an MNIST digit (28 × 28, row-major).
const DIGIT: usize = 28;
/// Gap in pixels between digit tiles.
const GAP: i32 = 6;
/// Matplotlib's `tab10`: ten colours that stay distinct on white and in greyscale print.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Drawing errors come from plotters (generic over the backend) or from input checks.
type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

/// A figure is a value: data plus how to draw it. Render it to PNG or SVG, save both,
/// or show it inline in a Jupyter notebook (evcxr).
#[derive(Debug, Clone)]
pub struct Figure {
    name: String,
    title: String,
    width: u32,
    height: u32,
    kind: FigureKind,
}

/// The data of each kind of figure, kept as given so validation happens at render time.
#[derive(Debug, Clone)]
enum FigureKind {
    Line { x_label: String, y_label: String, series: Vec<Series> },
    ImageRows { rows: Vec<(String, Array2<f32>)> },
    Confusion { counts: Array2<usize>, labels: Vec<String> },
    Histogram { x_label: String, series: Vec<(String, Vec<f32>)>, bins: usize },
    Scatter { points: Array2<f32>, classes: Vec<u8> },
    ImageGrid { images: Array2<f32>, cols: usize },
}

/// One named curve of a line chart; the label appears in the legend.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text (an empty label keeps the series out of the legend).
    pub label: String,
    /// (x, y) points in drawing order; non-finite points are skipped when drawn.
    pub points: Vec<(f32, f32)>,
    /// Half-heights of error bars, one per point (empty: no bars), e.g. a standard deviation
    /// over seeds.
    pub spread: Vec<f32>,
}

impl Series {
    /// A series from explicit (x, y) points, e.g. an activation function sampled on a grid.
    pub fn new(label: impl Into<String>, points: Vec<(f32, f32)>) -> Self {
        Series { label: label.into(), points, spread: Vec::new() }
    }

    /// The same series with an error bar of half-height `spread[i]` at point `i`.
    pub fn with_spread(mut self, spread: Vec<f32>) -> Self {
        self.spread = spread;
        self
    }

    /// A per-epoch curve such as a loss history: point `i` is `(i + 1, values[i])`.
    pub fn per_epoch(label: impl Into<String>, values: &[f32]) -> Self {
        let points = values.iter().enumerate().map(|(i, &v)| ((i + 1) as f32, v)).collect();
        Series::new(label, points)
    }
}

/// An activation function and its derivative on [−6, 6], for chapter 3's tour of activations.
///
/// Softmax is a function of a whole row, so it is drawn on three scores (x, 1, 0): the three
/// probabilities as x varies, which always sum to 1, and the derivative of the first. With
/// two scores (x, 0) it would be exactly the sigmoid, and show nothing of the coupling.
pub fn activation_curve(activation: crate::nn::Activation) -> Figure {
    let xs: Vec<f32> = (0..=240).map(|i| -6.0 + i as f32 * 0.05).collect();
    let name = activation.name();
    let file = format!("activation_{}", name.to_lowercase());
    if activation == crate::nn::Activation::Softmax {
        return softmax_curves(&file, &xs);
    }
    line_chart(
        &file,
        &format!("{name} and its derivative"),
        "x",
        "y",
        &[
            Series::new(
                format!("{name}(x)"),
                xs.iter().map(|&x| (x, activation.value(x))).collect(),
            ),
            Series::new("derivative", xs.iter().map(|&x| (x, activation.derivative(x))).collect()),
        ],
    )
}

/// The softmax of the scores (x, 1, 0) for every x, class by class, and ∂p₁/∂x = p₁(1 − p₁).
fn softmax_curves(file: &str, xs: &[f32]) -> Figure {
    let mut p = Array2::from_shape_fn((xs.len(), 3), |(i, k)| [xs[i], 1.0, 0.0][k]);
    crate::nn::Activation::Softmax.forward(p.view_mut());
    let curve = |label: &str, f: &dyn Fn(usize) -> f32| {
        Series::new(label, xs.iter().enumerate().map(|(i, &x)| (x, f(i))).collect())
    };
    line_chart(
        file,
        "Softmax of three scores (x, 1, 0)",
        "x, the first score",
        "probability",
        &[
            curve("p₁ (score x)", &|i| p[[i, 0]]),
            curve("p₂ (score 1)", &|i| p[[i, 1]]),
            curve("p₃ (score 0)", &|i| p[[i, 2]]),
            curve("∂p₁/∂x", &|i| p[[i, 0]] * (1.0 - p[[i, 0]])),
        ],
    )
}

/// Line chart of one or more named series, for loss/accuracy per epoch and for
/// activation functions next to their derivatives.
pub fn line_chart(
    name: &str,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Figure {
    let kind = FigureKind::Line {
        x_label: x_label.into(),
        y_label: y_label.into(),
        series: series.to_vec(),
    };
    Figure::new(name, title, (800, 500), kind)
}

/// Rows of 28×28 digits, each row labelled at its left ("original", "reconstruction");
/// every row is an (n, 784) array of values in [0, 1] (clamped), all with the same n.
pub fn image_rows(name: &str, title: &str, rows: &[(String, Array2<f32>)]) -> Figure {
    let n = rows.first().map_or(1, |(_, a)| a.nrows().max(1));
    let label_chars = rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let cell = images::tile_size(n);
    let width = 40 + 10 * label_chars as u32 + 24 + n as u32 * (cell + GAP as u32);
    let height = 72 + rows.len().max(1) as u32 * (cell + GAP as u32);
    Figure::new(
        name,
        title,
        (width.max(400), height),
        FigureKind::ImageRows { rows: rows.to_vec() },
    )
}

/// A k×k confusion matrix, `counts[true][predicted]`: cells shaded by the row-normalised
/// value (the fraction of each true class), with the count written in each cell.
pub fn confusion_heatmap(
    name: &str,
    title: &str,
    counts: &Array2<usize>,
    class_labels: &[String],
) -> Figure {
    let kind = FigureKind::Confusion { counts: counts.clone(), labels: class_labels.to_vec() };
    Figure::new(name, title, (720, 700), kind)
}

/// Overlaid semi-transparent histograms, e.g. code activations of a vanilla and a
/// sparse autoencoder, using `bins` equal-width bins over the combined range.
pub fn histogram(
    name: &str,
    title: &str,
    x_label: &str,
    series: &[(String, Vec<f32>)],
    bins: usize,
) -> Figure {
    let kind = FigureKind::Histogram { x_label: x_label.into(), series: series.to_vec(), bins };
    Figure::new(name, title, (800, 500), kind)
}

/// A scatter of (n, 2) points coloured by class with a legend, e.g. a 2-D latent map
/// of test digits coloured by their digit. Axes read "dimension 1" and "dimension 2";
/// the ten colours repeat for class ids above 9.
pub fn scatter_by_class(name: &str, title: &str, points: &Array2<f32>, classes: &[u8]) -> Figure {
    let kind = FigureKind::Scatter { points: points.clone(), classes: classes.to_vec() };
    Figure::new(name, title, (800, 640), kind)
}

/// A grid of (n, 784) digit images, `cols` per row and unlabelled, e.g. VAE samples
/// or an interpolation between two codes.
pub fn image_grid(name: &str, title: &str, images: &Array2<f32>, cols: usize) -> Figure {
    let cols_used = cols.clamp(1, images.nrows().max(1));
    let rows = images.nrows().div_ceil(cols_used).max(1) as u32;
    let cell = images::tile_size(cols_used) + GAP as u32;
    let width = (40 + cols_used as u32 * cell).max(360);
    let kind = FigureKind::ImageGrid { images: images.clone(), cols };
    Figure::new(name, title, (width, 72 + rows * cell), kind)
}

impl Figure {
    /// Digit figures size themselves to their tiles; `fit_title` widens one so a long
    /// title need not shrink (about 13 px per character of 24 px bold).
    fn new(name: &str, title: &str, (width, height): (u32, u32), kind: FigureKind) -> Self {
        let fit_title = matches!(kind, FigureKind::ImageRows { .. } | FigureKind::ImageGrid { .. });
        let title_width = 40 + 13 * title.chars().count() as u32;
        Figure {
            name: name.into(),
            title: title.into(),
            width: if fit_title { width.max(title_width) } else { width },
            height,
            kind,
        }
    }

    /// The file stem used by [`Figure::save`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same figure drawn at another size in pixels (at least 200×150), e.g. for a slide.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        (self.width, self.height) = (width.max(200), height.max(150));
        self
    }

    /// Renders to an SVG document; text stays text, so it is sharp at any zoom.
    pub fn to_svg(&self) -> Result<String> {
        register_fonts().map_err(|e| self.fail(e))?;
        let mut svg = String::new();
        {
            let root =
                SVGBackend::with_string(&mut svg, (self.width, self.height)).into_drawing_area();
            self.draw(root).map_err(|e| self.fail(e))?;
        }
        Ok(svg)
    }

    /// Renders to encoded PNG bytes, the format every notebook front end can show.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        register_fonts().map_err(|e| self.fail(e))?;
        let (w, h) = (self.width, self.height);
        let mut rgb = vec![255u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
            self.draw(root).map_err(|e| self.fail(e))?;
        }
        encode_png(&rgb, w, h).map_err(|e| self.fail(format!("PNG encoding failed: {e}")))
    }

    /// Writes `<dir>/<name>.png` and `<dir>/<name>.svg`, creating `dir` if needed, and
    /// returns both paths. Each file is written to a temporary file and renamed, so a
    /// reader never sees a half-written figure.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
        let dir = dir.as_ref();
        if self.name.is_empty() || self.name.starts_with('.') || self.name.contains(['/', '\\']) {
            return Err(
                self.fail("the figure name must be a plain file stem (no path separators, not starting with '.')")
            );
        }
        let files = [("png", self.to_png()?), ("svg", self.to_svg()?.into_bytes())];
        let mut paths = Vec::with_capacity(files.len());
        for (ext, bytes) in files {
            let path = dir.join(format!("{}.{ext}", self.name));
            crate::output::write_atomic(&path, &bytes)?; // creates `dir` if needed
            paths.push(path);
        }
        Ok(paths)
    }

    /// Shows the figure inline in a Jupyter notebook running the evcxr kernel, which
    /// calls this for the value of a cell; on error the error text is printed instead.
    pub fn evcxr_display(&self) {
        use base64::Engine as _;
        match self.to_png() {
            Ok(png) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(png);
                println!("EVCXR_BEGIN_CONTENT image/png\n{b64}\nEVCXR_END_CONTENT");
            }
            Err(e) => println!("{e}"),
        }
    }

    /// Shows the figure: inline when the code runs in a Jupyter notebook (the evcxr kernel
    /// sets `EVCXR_IS_RUNTIME`), and not at all elsewhere, so the same cell text runs quietly
    /// in a test. Use [`Figure::save`] to keep it as files.
    pub fn show(&self) {
        if std::env::var_os("EVCXR_IS_RUNTIME").is_some() {
            self.evcxr_display();
        }
    }

    fn fail(&self, reason: impl ToString) -> Error {
        Error::Plot { figure: self.name.clone(), reason: reason.to_string() }
    }

    /// The one drawing routine both backends share: title, then the figure's kind.
    fn draw<DB: DrawingBackend<ErrorType: 'static>>(&self, root: DrawingArea<DB, Shift>) -> Drawn {
        root.fill(&WHITE)?;
        let mut area = root.margin(12, 12, 12, 12);
        if !self.title.is_empty() {
            // 24 px bold, shrunk until the title fits the width (never below 10 px).
            let style = |size: f64| TextStyle::from((FONT, size, FontStyle::Bold).into_font());
            let (width, mut size) = (area.dim_in_pixel().0, 24.0);
            while size > 10.0 && area.estimate_text_size(&self.title, &style(size))?.0 > width {
                size -= 1.0;
            }
            area = area.titled(&self.title, style(size))?;
            area = area.margin(8, 0, 0, 0);
        }
        match &self.kind {
            FigureKind::Line { x_label, y_label, series } => {
                charts::draw_lines(&area, x_label, y_label, series)?
            }
            FigureKind::ImageRows { rows } => images::draw_image_rows(&area, rows)?,
            FigureKind::Confusion { counts, labels } => {
                images::draw_confusion(&area, counts, labels)?
            }
            FigureKind::Histogram { x_label, series, bins } => {
                charts::draw_histogram(&area, x_label, series, *bins)?
            }
            FigureKind::Scatter { points, classes } => {
                charts::draw_scatter(&area, points, classes)?
            }
            FigureKind::ImageGrid { images, cols } => {
                images::draw_image_grid(&area, images, *cols)?
            }
        }
        root.present()?;
        Ok(())
    }
}

/// Black text in the embedded font, for labels drawn outside plotters' charts.
fn text<'a>(font: impl Into<FontDesc<'a>>) -> TextStyle<'a> {
    TextStyle::from(font.into()).color(&BLACK)
}

/// Registers the embedded DejaVu Sans (regular and bold) once per process; plotters'
/// `ab_glyph` backend has no other source of fonts.
fn register_fonts() -> std::result::Result<(), String> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for (style, bytes) in [
                (FontStyle::Normal, dejavu::sans::regular()),
                (FontStyle::Bold, dejavu::sans::bold()),
            ] {
                plotters::style::register_font(FONT, style, bytes)
                    .map_err(|_| "the embedded DejaVu font could not be parsed".to_string())?;
            }
            Ok(())
        })
        .clone()
}

/// Encodes an 8-bit RGB buffer (plotters' bitmap) as PNG.
fn encode_png(
    rgb: &[u8],
    width: u32,
    height: u32,
) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}
