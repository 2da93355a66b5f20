//! Charts on axes: line charts, histograms and class scatters, plus the shared axis
//! styling, tick formatting and legend placement.

use ndarray::Array2;
use plotters::chart::{MeshStyle, SeriesLabelPosition};
use plotters::coord::types::RangedCoordf32;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{text, Drawn, Series, FONT, PALETTE};

/// Lines (with markers when sparse) over finite points, legend in the emptiest corner.
pub(super) fn draw_lines<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Drawn {
    let clean: Vec<Vec<(f32, f32)>> = series
        .iter()
        .map(|s| s.points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite()).collect())
        .collect();
    if clean.iter().all(Vec::is_empty) {
        return Err("a line chart needs at least one series with a finite (x, y) point".into());
    }
    let bars: Vec<Vec<(f32, f32, f32)>> = series
        .iter()
        .map(|s| {
            let points = s.points.iter().zip(&s.spread);
            points
                .filter(|((x, y), d)| x.is_finite() && y.is_finite() && d.is_finite())
                .map(|(&(x, y), &d)| (x, y - d.abs(), y + d.abs()))
                .collect()
        })
        .collect();
    let x = padded_range(clean.iter().flatten().map(|p| p.0))?;
    let ends = bars.iter().flatten().flat_map(|&(_, lo, hi)| [lo, hi]);
    let y = padded_range(clean.iter().flatten().map(|p| p.1).chain(ends))?;
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    let (fx, fy) = (tick_format(x), tick_format(y));
    styled_mesh(&mut chart.configure_mesh(), x_label, y_label)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .draw()?;
    for (i, (s, points)) in series.iter().zip(&clean).enumerate() {
        let style = PALETTE[i % PALETTE.len()].stroke_width(2);
        let marker = if points.len() <= 40 { 3 } else { 0 };
        let whisker = (x.1 - x.0) * 0.008;
        chart.draw_series(bars[i].iter().map(|&(bx, lo, hi)| {
            let bar = [(bx - whisker, lo), (bx + whisker, lo), (bx, lo), (bx, hi)];
            PathElement::new(
                [bar.to_vec(), vec![(bx - whisker, hi), (bx + whisker, hi)]].concat(),
                style,
            )
        }))?;
        let drawn =
            chart.draw_series(LineSeries::new(points.iter().copied(), style).point_size(marker))?;
        if !s.label.is_empty() {
            drawn
                .label(&s.label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 22, y)], style));
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

/// Translucent bars with a solid step outline per series, over shared bins.
pub(super) fn draw_histogram<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    series: &[(String, Vec<f32>)],
    bins: usize,
) -> Drawn {
    if series.is_empty() || !(1..=10_000).contains(&bins) {
        return Err(format!(
            "a histogram needs at least one series and 1 to 10000 bins (got {} series, {bins} bins)",
            series.len()
        )
        .into());
    }
    for (label, values) in series {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "histogram series `{label}` is empty or contains NaN/infinite values"
            )
            .into());
        }
    }
    let all = series.iter().flat_map(|(_, v)| v.iter().copied());
    let (mut lo, mut hi) =
        all.clone().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if hi <= lo {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    if !(hi - lo).is_finite() {
        return Err(
            format!("histogram values from {lo} to {hi} span too wide a range to draw").into()
        );
    }
    let width = (hi - lo) / bins as f32;
    // Exact zeros (a ReLU unit that is off) get a bar of their own, left of the range, so that
    // they are not lumped with the small values of the first bin.
    let (zeros, counts) = histogram_counts(series, lo, width, bins);
    let top =
        counts.iter().flatten().chain(&zeros).copied().max().unwrap_or(1).max(1) as f32 * 1.08;
    let with_zero_bar = zeros.iter().any(|&z| z > 0);
    let (zero_lo, zero_hi) = (lo - 2.5 * width, lo - 0.5 * width);
    let x_start = if with_zero_bar { zero_lo - width } else { lo - width / 2.0 };
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(48)
        .y_label_area_size(96)
        .build_cartesian_2d(x_start..hi + width / 2.0, 0f32..top)?;
    let fx = tick_format((lo, hi));
    styled_mesh(&mut chart.configure_mesh(), x_label, "count")
        .x_label_formatter(&|v| if *v < lo - width / 4.0 { String::new() } else { fx(v) })
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()?;
    let edge = |b: usize| lo + b as f32 * width;
    for (i, (((label, values), c), &zero)) in series.iter().zip(&counts).zip(&zeros).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let bars = c.iter().enumerate().filter(|(_, &n)| n > 0);
        let fill = color.mix(0.4).filled();
        chart.draw_series(
            bars.map(|(b, &n)| Rectangle::new([(edge(b), 0.0), (edge(b + 1), n as f32)], fill)),
        )?;
        if zero > 0 {
            let bar = [(zero_lo, 0.0), (zero_hi, zero as f32)];
            chart.draw_series([
                Rectangle::new(bar, fill),
                Rectangle::new(bar, color.stroke_width(2)),
            ])?;
        }
        let outline =
            c.iter().enumerate().flat_map(|(b, &n)| [(edge(b), n as f32), (edge(b + 1), n as f32)]);
        let outline = std::iter::once((lo, 0.0)).chain(outline).chain(std::iter::once((hi, 0.0)));
        let share = 100.0 * zero as f64 / values.len() as f64;
        let legend =
            if with_zero_bar { format!("{label}: {share:.1} % exactly 0") } else { label.clone() };
        chart.draw_series(LineSeries::new(outline, color.stroke_width(2)))?.label(legend).legend(
            move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], color.mix(0.5).filled()),
        );
    }
    if with_zero_bar {
        let tallest = zeros.iter().copied().max().unwrap_or(0) as f32;
        let style = text((FONT, 16)).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series([Text::new("= 0", ((zero_lo + zero_hi) / 2.0, tallest), style)])?;
    }
    let tops = counts.iter().flat_map(|c| {
        c.iter().enumerate().flat_map(|(b, &n)| {
            (0..=4).map(move |t| (edge(b) + width / 2.0, n as f32 * t as f32 / 4.0))
        })
    });
    if series.iter().any(|(label, _)| !label.is_empty()) {
        draw_legend(&mut chart, legend_corner(tops, (lo, hi), (0.0, top)))?;
    }
    Ok(())
}

/// Per series, the count of exact zeros when `bins` bins of `width` from `lo` count the rest;
/// with no exact zero anywhere, every value goes in the bins.
pub(super) fn histogram_counts(
    series: &[(String, Vec<f32>)],
    lo: f32,
    width: f32,
    bins: usize,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    let any_zero = series.iter().any(|(_, v)| v.contains(&0.0));
    series
        .iter()
        .map(|(_, values)| {
            let (mut zeros, mut c) = (0, vec![0; bins]);
            for &v in values {
                if any_zero && v == 0.0 {
                    zeros += 1;
                } else {
                    c[(((v - lo) / width) as usize).min(bins - 1)] += 1;
                }
            }
            (zeros, c)
        })
        .unzip()
}

/// Points coloured by class on axes, with a class key to the right of the plot.
pub(super) fn draw_scatter<DB: DrawingBackend<ErrorType: 'static>>(
    area: &DrawingArea<DB, Shift>,
    points: &Array2<f32>,
    classes: &[u8],
) -> Drawn {
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
    let x = padded_range(points.column(0).iter().copied())?;
    let y = padded_range(points.column(1).iter().copied())?;
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
        let pts = points
            .rows()
            .into_iter()
            .zip(classes)
            .filter(|(_, &k)| k == c)
            .map(|(p, _)| (p[0], p[1]));
        chart.draw_series(pts.map(|p| Circle::new(p, radius, style)))?;
    }
    key.draw_text("class", &text((FONT, 18)), (16, 14))?;
    for (i, &c) in present.iter().enumerate() {
        let y = 50 + 26 * i as i32;
        key.draw(&Circle::new((24, y), 6, PALETTE[c as usize % PALETTE.len()].filled()))?;
        key.draw_text(
            &c.to_string(),
            &text((FONT, 16)).pos(Pos::new(HPos::Left, VPos::Center)),
            (40, y),
        )?;
    }
    Ok(())
}

/// Axis range covering the (finite) values with a 5 % margin; a constant series gets a
/// visible band. Fails only if the span overflows `f32`.
pub(super) fn padded_range(
    values: impl Iterator<Item = f32>,
) -> std::result::Result<(f32, f32), String> {
    let (lo, hi) =
        values.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - lo.abs().max(1.0) * 0.1, hi + hi.abs().max(1.0) * 0.1)
    };
    let pad = (hi - lo) * 0.05;
    let range = (lo - pad, hi + pad);
    if (range.1 - range.0).is_finite() {
        Ok(range)
    } else {
        Err(format!("values from {lo} to {hi} span too wide a range to draw"))
    }
}

/// Tick labels with just enough decimals for the range's span (no "0.30000001").
pub(super) fn tick_format((lo, hi): (f32, f32)) -> impl Fn(&f32) -> String {
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
fn legend_corner(
    points: impl Iterator<Item = (f32, f32)>,
    x: (f32, f32),
    y: (f32, f32),
) -> SeriesLabelPosition {
    let mut hits = [0usize; 4];
    for (px, py) in points {
        let (u, v) = ((px - x.0) / (x.1 - x.0), (py - y.0) / (y.1 - y.0));
        let (right, left, top, bottom) = (u > 0.6, u < 0.4, v > 0.65, v < 0.35);
        for (i, hit) in
            [right && top, left && top, right && bottom, left && bottom].into_iter().enumerate()
        {
            hits[i] += hit as usize;
        }
    }
    let best = (0..4).min_by_key(|&i| hits[i]).unwrap_or(0);
    use SeriesLabelPosition::*;
    [UpperRight, UpperLeft, LowerRight, LowerLeft][best].clone()
}

/// A legend box with a light translucent background, so it reads over grid and data.
fn draw_legend<'a, DB: DrawingBackend<ErrorType: 'static> + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf32, RangedCoordf32>>,
    at: SeriesLabelPosition,
) -> Drawn {
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
