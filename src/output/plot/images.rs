//! Pixel figures drawn without axes: digit rows and grids, and the confusion heat map.

use ndarray::{Array2, ArrayView1};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{text, Drawn, DIGIT, FONT, GAP};

/// Heat map cells with counts, class labels on both axes, "predicted" below, "true" left.
pub(super) fn draw_confusion<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    counts: &Array2<usize>,
    labels: &[String],
) -> Drawn {
    let k = counts.nrows();
    if k == 0 || counts.ncols() != k || labels.len() != k {
        let (r, c, n) = (counts.nrows(), counts.ncols(), labels.len());
        return Err(format!(
            "a confusion matrix must be k×k with k > 0 and k class labels; got {r}×{c} and {n} labels"
        )
        .into());
    }
    let (w, h) = area.dim_in_pixel();
    let tick = text((FONT, 16));
    // The row labels' width decides the margin, so that "true" clears "T-shirt/top" too.
    let label_width = labels
        .iter()
        .map(|l| area.estimate_text_size(l, &tick).map(|(w, _)| w as i32))
        .try_fold(0, |widest, w| w.map(|w| widest.max(w)))?;
    let left = label_width + 60;
    // Column labels wider than a cell alternate between two lines, so neighbours never touch.
    let stagger = label_width + 8 > (w as i32 - left - 16) / k as i32;
    let (bottom, drop) = if stagger { (90, 20) } else { (70, 0) };
    let side = (w as i32 - left - 16).min(h as i32 - bottom).max(k as i32);
    let x0 = left + (w as i32 - left - side) / 2;
    let at = |i: usize| (i as f64 * side as f64 / k as f64).round() as i32;
    let size = (side as f64 / k as f64 * 0.3).clamp(9.0, 17.0);
    for (i, row) in counts.rows().into_iter().enumerate() {
        let total = row.sum().max(1) as f64;
        for (j, &n) in row.iter().enumerate() {
            let v = n as f64 / total;
            let shade = |white: u8, dark: u8| {
                (white as f64 + (dark as f64 - white as f64) * v).round() as u8
            };
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
    for (i, label) in labels.iter().enumerate() {
        let mid = (at(i) + at(i + 1)) / 2;
        let below = side + 8 + if i % 2 == 1 { drop } else { 0 };
        area.draw_text(label, &tick.pos(Pos::new(HPos::Center, VPos::Top)), (x0 + mid, below))?;
        area.draw_text(label, &tick.pos(Pos::new(HPos::Right, VPos::Center)), (x0 - 8, mid))?;
    }
    let desc = text((FONT, 18));
    area.draw_text(
        "predicted",
        &desc.pos(Pos::new(HPos::Center, VPos::Top)),
        (x0 + side / 2, side + 36 + drop),
    )?;
    let rotated = desc.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text("true", &rotated, (x0 - label_width - 44, side / 2))?;
    Ok(())
}

/// One labelled row of digit tiles per entry, centred, tiles as large as the area allows.
pub(super) fn draw_image_rows<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    rows: &[(String, Array2<f32>)],
) -> Drawn {
    let n = rows.first().map_or(0, |(_, a)| a.nrows());
    if n == 0 {
        return Err("image rows need at least one row with at least one image".into());
    }
    for (label, images) in rows {
        check_images(label, images)?;
        if images.nrows() != n {
            return Err(format!(
                "image row `{label}` has {} images but the first row has {n}",
                images.nrows()
            )
            .into());
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
        area.draw_text(
            label,
            &style.pos(Pos::new(HPos::Right, VPos::Center)),
            (x0 - 14, top + cell / 2),
        )?;
        for (i, image) in images.rows().into_iter().enumerate() {
            draw_digit(area, (x0 + i as i32 * (cell + GAP), top), cell, image)?;
        }
    }
    Ok(())
}

/// Digit tiles filled row by row, `cols` per row, centred.
pub(super) fn draw_image_grid<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    images: &Array2<f32>,
    cols: usize,
) -> Drawn {
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
        return Err(format!(
            "images `{what}` must be {} values wide (28×28), got {}",
            DIGIT * DIGIT,
            images.ncols()
        )
        .into());
    }
    if images.iter().any(|v| !v.is_finite()) {
        return Err(format!("images `{what}` contain NaN or infinite values").into());
    }
    Ok(())
}

/// Draws one digit as white ink on black, row-major so it is upright; runs of equal
/// grey in a row become one rectangle, which keeps the SVG small.
fn draw_digit<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    cell: i32,
    pixels: ArrayView1<f32>,
) -> Drawn {
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
pub(super) fn tile_size(n: usize) -> u32 {
    let scale = match n {
        0..=8 => 3,
        9..=20 => 2,
        _ => 1,
    };
    DIGIT as u32 * scale
}

/// The largest tile that fits `cols` × `rows` tiles (with gaps) into `w` × `h` pixels.
fn fit_tile(w: i32, cols: usize, h: i32, rows: usize) -> i32 {
    let along = |space: i32, n: usize| (space - (n as i32 - 1) * GAP) / n as i32;
    along(w, cols).min(along(h, rows)).max(4)
}
