//! Figures as values: each constructor captures data and a drawing recipe, and the
//! same recipe renders to PNG (for notebooks and the book) or SVG (for crisp print).
//!
//! Text uses DejaVu Sans embedded in the binary, so rendering needs no system fonts.
//! Constructors never fail; every input is checked when the figure is rendered,
//! and bad input (empty, NaN, wrong shape) comes back as [`Error::Plot`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use ndarray::{Array2, ArrayView1};
use plotters::chart::{MeshStyle, SeriesLabelPosition};
use plotters::coord::types::RangedCoordf32;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::{Error, Result};

/// Family name under which the embedded DejaVu Sans is registered with plotters.
const FONT: &str = "sans-serif";
/// Pixels in one MNIST digit (28 × 28, row-major).
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
}

impl Series {
    /// A series from explicit (x, y) points, e.g. an activation function sampled on a grid.
    pub fn new(label: impl Into<String>, points: Vec<(f32, f32)>) -> Self {
        Series { label: label.into(), points }
    }

    /// A per-epoch curve such as a loss history: point `i` is `(i + 1, values[i])`.
    pub fn per_epoch(label: impl Into<String>, values: &[f32]) -> Self {
        let points = values.iter().enumerate().map(|(i, &v)| ((i + 1) as f32, v)).collect();
        Series::new(label, points)
    }
}

/// Line chart of one or more named series, for loss/accuracy per epoch and for
/// activation functions next to their derivatives.
pub fn line_chart(name: &str, title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Figure {
    let kind = FigureKind::Line { x_label: x_label.into(), y_label: y_label.into(), series: series.to_vec() };
    Figure::new(name, title, (800, 500), kind)
}

/// Rows of 28×28 digits, each row labelled at its left ("original", "reconstruction");
/// every row is an (n, 784) array of values in [0, 1] (clamped), all with the same n.
pub fn image_rows(name: &str, title: &str, rows: &[(String, Array2<f32>)]) -> Figure {
    let n = rows.first().map_or(1, |(_, a)| a.nrows().max(1));
    let label_chars = rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let cell = tile_size(n);
    let width = 40 + 10 * label_chars as u32 + 24 + n as u32 * (cell + GAP as u32);
    let height = 72 + rows.len().max(1) as u32 * (cell + GAP as u32);
    Figure::new(name, title, (width.max(400), height), FigureKind::ImageRows { rows: rows.to_vec() })
}

/// A k×k confusion matrix, `counts[true][predicted]`: cells shaded by the row-normalised
/// value (the fraction of each true class), with the count written in each cell.
pub fn confusion_heatmap(name: &str, title: &str, counts: &Array2<usize>, class_labels: &[String]) -> Figure {
    let kind = FigureKind::Confusion { counts: counts.clone(), labels: class_labels.to_vec() };
    Figure::new(name, title, (720, 700), kind)
}

/// Overlaid semi-transparent histograms, e.g. code activations of a vanilla and a
/// sparse autoencoder, using `bins` equal-width bins over the combined range.
pub fn histogram(name: &str, title: &str, x_label: &str, series: &[(String, Vec<f32>)], bins: usize) -> Figure {
    let kind = FigureKind::Histogram { x_label: x_label.into(), series: series.to_vec(), bins };
    Figure::new(name, title, (800, 500), kind)
}

/// A scatter of (n, 2) points coloured by class with a legend, e.g. a 2-D latent map
/// of test digits coloured by their digit.
pub fn scatter_by_class(name: &str, title: &str, points: &Array2<f32>, classes: &[u8]) -> Figure {
    let kind = FigureKind::Scatter { points: points.clone(), classes: classes.to_vec() };
    Figure::new(name, title, (800, 640), kind)
}

/// A grid of (n, 784) digit images, `cols` per row and unlabelled, e.g. VAE samples
/// or an interpolation between two codes.
pub fn image_grid(name: &str, title: &str, images: &Array2<f32>, cols: usize) -> Figure {
    let cols_used = cols.clamp(1, images.nrows().max(1));
    let rows = images.nrows().div_ceil(cols_used).max(1) as u32;
    let cell = tile_size(cols_used) + GAP as u32;
    let width = (40 + cols_used as u32 * cell).max(360);
    let kind = FigureKind::ImageGrid { images: images.clone(), cols };
    Figure::new(name, title, (width, 72 + rows * cell), kind)
}

impl Figure {
    fn new(name: &str, title: &str, (width, height): (u32, u32), kind: FigureKind) -> Self {
        Figure { name: name.into(), title: title.into(), width, height, kind }
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
            let root = SVGBackend::with_string(&mut svg, (self.width, self.height)).into_drawing_area();
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
        std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
        files.iter().map(|(ext, bytes)| write_atomic(&dir.join(format!("{}.{ext}", self.name)), bytes)).collect()
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

    fn fail(&self, reason: impl ToString) -> Error {
        Error::Plot { figure: self.name.clone(), reason: reason.to_string() }
    }

    /// The one drawing routine both backends share: title, then the figure's kind.
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let mut area = root.margin(12, 12, 12, 12);
        if !self.title.is_empty() {
            area = area.titled(&self.title, (FONT, 24, FontStyle::Bold))?;
            area = area.margin(8, 0, 0, 0);
        }
        match &self.kind {
            FigureKind::Line { x_label, y_label, series } => draw_lines(&area, x_label, y_label, series)?,
            FigureKind::ImageRows { rows } => draw_image_rows(&area, rows)?,
            FigureKind::Confusion { counts, labels } => draw_confusion(&area, counts, labels)?,
            FigureKind::Histogram { x_label, series, bins } => draw_histogram(&area, x_label, series, *bins)?,
            FigureKind::Scatter { points, classes } => draw_scatter(&area, points, classes)?,
            FigureKind::ImageGrid { images, cols } => draw_image_grid(&area, images, *cols)?,
        }
        root.present()?;
        Ok(())
    }
}

fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let clean: Vec<Vec<(f32, f32)>> = series
        .iter()
        .map(|s| s.points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite()).collect())
        .collect();
    if clean.iter().all(Vec::is_empty) {
        return Err("a line chart needs at least one series with a finite (x, y) point".into());
    }
    let x = padded_range(clean.iter().flatten().map(|p| p.0));
    let y = padded_range(clean.iter().flatten().map(|p| p.1));
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    let (fx, fy) = (tick_format(x), tick_format(y));
    styled_mesh(&mut chart.configure_mesh(), x_label, y_label).x_label_formatter(&fx).y_label_formatter(&fy).draw()?;
    for (i, (s, points)) in series.iter().zip(&clean).enumerate() {
        let style = PALETTE[i % PALETTE.len()].stroke_width(2);
        let marker = if points.len() <= 40 { 3 } else { 0 };
        let drawn = chart.draw_series(LineSeries::new(points.iter().copied(), style).point_size(marker))?;
        if !s.label.is_empty() {
            drawn.label(&s.label).legend(move |(x, y)| PathElement::new([(x, y), (x + 22, y)], style));
        }
    }
    if series.iter().any(|s| !s.label.is_empty()) {
        let dense = clean
            .iter()
            .flat_map(|p| p.windows(2).flat_map(|w| interpolate(w[0], w[1])))
            .chain(clean.iter().flatten().copied());
        draw_legend(&mut chart, legend_corner(dense, x, y))?;
    }
    Ok(())
}

fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    series: &[(String, Vec<f32>)],
    bins: usize,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    if series.is_empty() || bins == 0 {
        return Err(format!(
            "a histogram needs at least one series and one bin (got {} series, {bins} bins)",
            series.len()
        )
        .into());
    }
    for (label, values) in series {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return Err(format!("histogram series `{label}` is empty or contains NaN/infinite values").into());
        }
    }
    let all = series.iter().flat_map(|(_, v)| v.iter().copied());
    let (mut lo, mut hi) = all.clone().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if hi <= lo {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    let width = (hi - lo) / bins as f32;
    let counts: Vec<Vec<usize>> = series
        .iter()
        .map(|(_, values)| {
            let mut c = vec![0; bins];
            values.iter().for_each(|v| c[(((v - lo) / width) as usize).min(bins - 1)] += 1);
            c
        })
        .collect();
    let top = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f32 * 1.08;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(lo - width / 2.0..hi + width / 2.0, 0f32..top)?;
    let fx = tick_format((lo, hi));
    styled_mesh(&mut chart.configure_mesh(), x_label, "count")
        .x_label_formatter(&fx)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()?;
    let edge = |b: usize| lo + b as f32 * width;
    for (i, ((label, _), c)) in series.iter().zip(&counts).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let bars = c.iter().enumerate().filter(|(_, &n)| n > 0);
        let fill = color.mix(0.4).filled();
        chart.draw_series(bars.map(|(b, &n)| Rectangle::new([(edge(b), 0.0), (edge(b + 1), n as f32)], fill)))?;
        let outline = c.iter().enumerate().flat_map(|(b, &n)| [(edge(b), n as f32), (edge(b + 1), n as f32)]);
        let outline = std::iter::once((lo, 0.0)).chain(outline).chain(std::iter::once((hi, 0.0)));
        chart
            .draw_series(LineSeries::new(outline, color.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], color.mix(0.5).filled()));
    }
    let tops = counts.iter().flat_map(|c| {
        c.iter()
            .enumerate()
            .flat_map(|(b, &n)| (0..=4).map(move |t| (edge(b) + width / 2.0, n as f32 * t as f32 / 4.0)))
    });
    draw_legend(&mut chart, legend_corner(tops, (lo, hi), (0.0, top)))
}

fn draw_scatter<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, points: &Array2<f32>, classes: &[u8]) -> Drawn
where
    DB::ErrorType: 'static,
{
    if points.ncols() != 2 || points.nrows() == 0 || points.nrows() != classes.len() {
        let (r, c, n) = (points.nrows(), points.ncols(), classes.len());
        return Err(format!(
            "a class scatter needs (n, 2) points with n > 0 and n class labels; got ({r}, {c}) points and {n} labels"
        )
        .into());
    }
    if points.iter().any(|v| !v.is_finite()) {
        return Err("scatter points contain NaN or infinite values".into());
    }
    let x = padded_range(points.column(0).iter().copied());
    let y = padded_range(points.column(1).iter().copied());
    let (plot, key) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(110));
    let mut chart = ChartBuilder::on(&plot)
        .margin(8)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    let (fx, fy) = (tick_format(x), tick_format(y));
    styled_mesh(&mut chart.configure_mesh(), "dimension 1", "dimension 2")
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .draw()?;
    let mut present: Vec<u8> = classes.to_vec();
    present.sort_unstable();
    present.dedup();
    let radius = if points.nrows() > 2000 { 2 } else { 3 };
    for &c in &present {
        let style = PALETTE[c as usize % PALETTE.len()].mix(0.65).filled();
        let pts = points.rows().into_iter().zip(classes).filter(|(_, &k)| k == c).map(|(p, _)| (p[0], p[1]));
        chart.draw_series(pts.map(|p| Circle::new(p, radius, style)))?;
    }
    key.draw_text("class", &text((FONT, 18)), (16, 14))?;
    for (i, &c) in present.iter().enumerate() {
        let y = 50 + 26 * i as i32;
        key.draw(&Circle::new((24, y), 6, PALETTE[c as usize % PALETTE.len()].filled()))?;
        key.draw_text(&c.to_string(), &text((FONT, 16)).pos(Pos::new(HPos::Left, VPos::Center)), (40, y))?;
    }
    Ok(())
}

fn draw_confusion<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, counts: &Array2<usize>, labels: &[String]) -> Drawn
where
    DB::ErrorType: 'static,
{
    let k = counts.nrows();
    if k == 0 || counts.ncols() != k || labels.len() != k {
        let (r, c, n) = (counts.nrows(), counts.ncols(), labels.len());
        return Err(format!(
            "a confusion matrix must be k×k with k > 0 and k class labels; got {r}×{c} and {n} labels"
        )
        .into());
    }
    let (w, h) = area.dim_in_pixel();
    let (left, bottom) = (84, 70);
    let side = (w as i32 - left - 16).min(h as i32 - bottom).max(k as i32);
    let x0 = left + (w as i32 - left - side) / 2;
    let at = |i: usize| (i as f64 * side as f64 / k as f64).round() as i32;
    let size = (side as f64 / k as f64 * 0.3).clamp(9.0, 17.0);
    for (i, row) in counts.rows().into_iter().enumerate() {
        let total = row.sum().max(1) as f64;
        for (j, &n) in row.iter().enumerate() {
            let v = n as f64 / total;
            let shade = |white: u8, dark: u8| (white as f64 + (dark as f64 - white as f64) * v).round() as u8;
            let fill = RGBColor(shade(247, 8), shade(251, 48), shade(255, 107));
            let (a, b) = ((x0 + at(j), at(i)), (x0 + at(j + 1), at(i + 1)));
            area.draw(&Rectangle::new([a, b], fill.filled()))?;
            area.draw(&Rectangle::new([a, b], BLACK.mix(0.12)))?;
            let ink = if v > 0.5 { WHITE } else { BLACK };
            let centre = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
            area.draw_text(
                &n.to_string(),
                &text((FONT, size)).color(&ink).pos(Pos::new(HPos::Center, VPos::Center)),
                centre,
            )?;
        }
    }
    let tick = text((FONT, 16));
    for (i, label) in labels.iter().enumerate() {
        let mid = (at(i) + at(i + 1)) / 2;
        area.draw_text(label, &tick.pos(Pos::new(HPos::Center, VPos::Top)), (x0 + mid, side + 8))?;
        area.draw_text(label, &tick.pos(Pos::new(HPos::Right, VPos::Center)), (x0 - 8, mid))?;
    }
    let desc = text((FONT, 18));
    area.draw_text("predicted", &desc.pos(Pos::new(HPos::Center, VPos::Top)), (x0 + side / 2, side + 36))?;
    let rotated = desc.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text("true", &rotated, (x0 - 64, side / 2))?;
    Ok(())
}

fn draw_image_rows<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, rows: &[(String, Array2<f32>)]) -> Drawn
where
    DB::ErrorType: 'static,
{
    let n = rows.first().map_or(0, |(_, a)| a.nrows());
    if n == 0 {
        return Err("image rows need at least one row with at least one image".into());
    }
    for (label, images) in rows {
        check_images(label, images)?;
        if images.nrows() != n {
            return Err(format!("image row `{label}` has {} images but the first row has {n}", images.nrows()).into());
        }
    }
    let style = text((FONT, 18));
    let label_w = rows
        .iter()
        .map(|(l, _)| area.estimate_text_size(l, &style).map(|s| s.0))
        .try_fold(0, |m, w| w.map(|w| m.max(w)))?;
    let label_w = if label_w > 0 { label_w as i32 + 20 } else { 0 };
    let (w, h) = area.dim_in_pixel();
    let cell = fit_tile(w as i32 - label_w, n, h as i32, rows.len());
    let x0 = (w as i32 - label_w - n as i32 * (cell + GAP) + GAP) / 2 + label_w;
    for (r, (label, images)) in rows.iter().enumerate() {
        let top = r as i32 * (cell + GAP);
        area.draw_text(label, &style.pos(Pos::new(HPos::Right, VPos::Center)), (x0 - 14, top + cell / 2))?;
        for (i, image) in images.rows().into_iter().enumerate() {
            draw_digit(area, (x0 + i as i32 * (cell + GAP), top), cell, image)?;
        }
    }
    Ok(())
}

fn draw_image_grid<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, images: &Array2<f32>, cols: usize) -> Drawn
where
    DB::ErrorType: 'static,
{
    if cols == 0 || images.nrows() == 0 {
        return Err(format!(
            "an image grid needs cols > 0 and at least one image (got cols = {cols}, {} images)",
            images.nrows()
        )
        .into());
    }
    check_images("grid", images)?;
    let cols = cols.min(images.nrows());
    let rows = images.nrows().div_ceil(cols);
    let (w, h) = area.dim_in_pixel();
    let cell = fit_tile(w as i32, cols, h as i32, rows);
    let x0 = (w as i32 - cols as i32 * (cell + GAP) + GAP) / 2;
    for (i, image) in images.rows().into_iter().enumerate() {
        let (r, c) = ((i / cols) as i32, (i % cols) as i32);
        draw_digit(area, (x0 + c * (cell + GAP), r * (cell + GAP)), cell, image)?;
    }
    Ok(())
}

/// Checks that `images` holds flattened 28×28 images with finite values.
fn check_images(what: &str, images: &Array2<f32>) -> Drawn {
    if images.ncols() != DIGIT * DIGIT {
        return Err(
            format!("images `{what}` must be {} values wide (28×28), got {}", DIGIT * DIGIT, images.ncols()).into()
        );
    }
    if images.iter().any(|v| !v.is_finite()) {
        return Err(format!("images `{what}` contain NaN or infinite values").into());
    }
    Ok(())
}

/// Draws one digit as white ink on black, row-major so it is upright; runs of equal
/// grey in a row become one rectangle, which keeps the SVG small.
fn draw_digit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    cell: i32,
    pixels: ArrayView1<f32>,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let edge = |i: usize| (i as i32 * cell + DIGIT as i32 / 2) / DIGIT as i32;
    area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], BLACK.filled()))?;
    for r in 0..DIGIT {
        let grey = |c: usize| (pixels[r * DIGIT + c].clamp(0.0, 1.0) * 255.0).round() as u8;
        let mut c = 0;
        while c < DIGIT {
            let (g, start) = (grey(c), c);
            while c < DIGIT && grey(c) == g {
                c += 1;
            }
            if g > 0 {
                let corners = [(x + edge(start), y + edge(r)), (x + edge(c), y + edge(r + 1))];
                area.draw(&Rectangle::new(corners, RGBColor(g, g, g).filled()))?;
            }
        }
    }
    Ok(())
}

/// The default pixel size of a digit tile when `n` tiles share a row: 3× up to 8, 2× up to 20.
fn tile_size(n: usize) -> u32 {
    DIGIT as u32
        * if n <= 8 {
            3
        } else if n <= 20 {
            2
        } else {
            1
        }
}

/// The largest tile that fits `cols` × `rows` tiles (with gaps) into `w` × `h` pixels.
fn fit_tile(w: i32, cols: usize, h: i32, rows: usize) -> i32 {
    let along = |space: i32, n: usize| (space - (n as i32 - 1) * GAP) / n as i32;
    along(w, cols).min(along(h, rows)).max(4)
}

/// Axis range covering the values with a 5 % margin; a constant series gets a visible band.
fn padded_range(values: impl Iterator<Item = f32>) -> (f32, f32) {
    let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - lo.abs().max(1.0) * 0.1, hi + hi.abs().max(1.0) * 0.1) };
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// Tick labels with just enough decimals for the range's span (no "0.30000001").
fn tick_format((lo, hi): (f32, f32)) -> impl Fn(&f32) -> String {
    let decimals = (1.0 - ((hi - lo) / 10.0).log10().floor()).clamp(0.0, 6.0) as usize;
    move |v| {
        let s = format!("{v:.decimals$}");
        let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
        if s == "-0" {
            "0".into()
        } else {
            s.into()
        }
    }
}

/// Points along a segment, so legend placement sees lines and not only their vertices.
fn interpolate(a: (f32, f32), b: (f32, f32)) -> impl Iterator<Item = (f32, f32)> {
    (1..8).map(move |t| {
        let t = t as f32 / 8.0;
        (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
    })
}

/// The plot corner with the fewest data points, where the legend hides the least.
fn legend_corner(points: impl Iterator<Item = (f32, f32)>, x: (f32, f32), y: (f32, f32)) -> SeriesLabelPosition {
    let mut hits = [0usize; 4];
    for (px, py) in points {
        let (u, v) = ((px - x.0) / (x.1 - x.0), (py - y.0) / (y.1 - y.0));
        let (right, left, top, bottom) = (u > 0.6, u < 0.4, v > 0.65, v < 0.35);
        for (i, hit) in [right && top, left && top, right && bottom, left && bottom].into_iter().enumerate() {
            hits[i] += hit as usize;
        }
    }
    let best = (0..4).min_by_key(|&i| hits[i]).unwrap_or(0);
    use SeriesLabelPosition::*;
    [UpperRight, UpperLeft, LowerRight, LowerLeft][best].clone()
}

fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf32, RangedCoordf32>>,
    at: SeriesLabelPosition,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(at)
        .margin(12)
        .label_font((FONT, 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.25))
        .draw()?;
    Ok(())
}

/// The house style of every chart's axes: a light major grid, 18 px axis titles, 16 px tick labels
/// (plotters' sizes are line heights: about 14.5 px and 13 px em).
fn styled_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    x: &str,
    y: &str,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.x_desc(x)
        .y_desc(y)
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 16))
        .bold_line_style(BLACK.mix(0.1))
        .light_line_style(TRANSPARENT)
        .axis_style(BLACK.mix(0.55))
}

fn text<'a>(font: impl Into<FontDesc<'a>>) -> TextStyle<'a> {
    TextStyle::from(font.into()).color(&BLACK)
}

/// Registers the embedded DejaVu Sans (regular and bold) once per process; plotters'
/// `ab_glyph` backend has no other source of fonts.
fn register_fonts() -> std::result::Result<(), String> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for (style, bytes) in
                [(FontStyle::Normal, dejavu::sans::regular()), (FontStyle::Bold, dejavu::sans::bold())]
            {
                plotters::style::register_font(FONT, style, bytes)
                    .map_err(|_| "the embedded DejaVu font could not be parsed".to_string())?;
            }
            Ok(())
        })
        .clone()
}

/// A minimal PNG encoder (8-bit RGB, zlib via flate2), enough for plotters' RGB buffer.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    for row in rgb.chunks(width as usize * 3) {
        zlib.write_all(&[0])?; // filter type 0: the row's bytes as they are
        zlib.write_all(row)?;
    }
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, truecolour RGB, deflate, no filter set, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib.finish()?);
    chunk(&mut png, b"IEND", &[]);
    Ok(png)
}

/// Writes `bytes` to a temporary sibling of `path`, then renames it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let file = path.file_name().map_or_else(Default::default, |f| f.to_string_lossy().into_owned());
    let unique = format!(".{file}.{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let tmp = path.with_file_name(unique);
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(path.to_path_buf())
}
