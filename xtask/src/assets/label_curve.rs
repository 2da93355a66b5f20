//! Chapter 10's generated numbers and figure ("Few labels"), under the topic `few_labels`:
//! the same cached runs the chapter's cells train and its test asserts.

use std::path::{Path, PathBuf};

use ae_mlp::experiments::label_curve::{LabelCurveConfig, LabelCurveSeeds, Method};
use ae_mlp::experiments::statistics::{PairedDifference, Summary};
use ae_mlp::output::cache::default_cache_dir;
use ae_mlp::output::plot::{self, Series};
use anyhow::Result;
use serde_json::{json, Value};

use super::tuned::SEEDS;

/// The methods that use the autoencoder's codes.
const ROUTE: [Method; 4] =
    [Method::Codes, Method::SpreadCodes, Method::SelfTrained, Method::FineTuned];

/// The key of a method under a point of the curve.
fn key(m: Method) -> &'static str {
    match m {
        Method::Pixels => "pixels",
        Method::Codes => "codes",
        Method::SpreadCodes => "spread_codes",
        Method::SelfTrained => "self_trained",
        Method::FineTuned => "finetuned",
    }
}

/// Puts the `few_labels.*` numbers and writes the chapter's figure; returns the files written.
pub fn write(put: &mut impl FnMut(&str, Value), figures: &Path) -> Result<Vec<PathBuf>> {
    let cache = default_cache_dir();
    let curve = LabelCurveSeeds::run(&LabelCurveConfig::default(), &SEEDS, &cache, &mut |_, _| {})?;
    let summary = |s: Summary| json!({ "mean": s.mean, "sd": s.sd, "n": s.n });
    let difference = |d: PairedDifference, a: &str, b: &str| {
        json!({ "mean": d.mean, "sd": d.sd, "n": d.n, "low": d.low, "high": d.high,
                "verdict": d.verdict(a, b) })
    };
    put("few_labels.table", curve.table()?.into());
    put("few_labels.seeds", SEEDS.len().into());
    let points = curve.points();
    let all = *points.last().unwrap_or(&0);
    for &labels in &points {
        let at = if labels == all {
            "few_labels.labels_all".to_string()
        } else {
            format!("few_labels.labels_{labels}")
        };
        put(&format!("{at}.labels"), labels.into());
        for &m in curve.methods(labels) {
            put(&format!("{at}.{}.test_accuracy", key(m)), summary(curve.summary(labels, m)?));
        }
        let best = curve.best(labels)?;
        let mut b = summary(curve.summary(labels, best)?);
        b["method"] = best.name().into();
        put(&format!("{at}.best.test_accuracy"), b);
        put(&format!("{at}.best.method"), best.name().into());
        // The autoencoder route against the pixels alone: the claim the chapter judges.
        // The best method that uses the codes, chosen on validation like `best`.
        let route = curve.best_of(labels, &ROUTE)?;
        put(&format!("{at}.route.method"), route.name().into());
        let d = curve.difference(labels, route, Method::Pixels)?;
        put(
            &format!("{at}.route_minus_pixels"),
            difference(d, "the autoencoder's route", "pixels → MLP"),
        );
        let d = curve.difference(labels, Method::Codes, Method::Pixels)?;
        put(&format!("{at}.codes_minus_pixels"), difference(d, "codes → MLP", "pixels → MLP"));
        if labels != all {
            let d = curve.difference(labels, Method::SelfTrained, Method::SpreadCodes)?;
            put(
                &format!("{at}.self_trained_minus_spread_codes"),
                difference(d, "self-training", "spreading → codes MLP"),
            );
            let (codes, pixels, d) = curve.spread_right(labels)?;
            put(&format!("{at}.spread_right.codes"), summary(codes));
            put(&format!("{at}.spread_right.pixels"), summary(pixels));
            put(
                &format!("{at}.spread_right.codes_minus_pixels"),
                difference(d, "the codes' graph", "the pixels' graph"),
            );
            let seconds: f64 = curve
                .runs
                .iter()
                .filter_map(|r| r.budgets.iter().find(|b| b.labels() == labels))
                .map(|b| b.seconds)
                .sum::<f64>()
                / curve.runs.len() as f64;
            put(&format!("{at}.seconds"), seconds.into());
        }
    }

    // Test accuracy against the number of labels, log scale, ± one sd over the seeds.
    let line = |name: &str, pick: &dyn Fn(usize) -> Option<Method>| -> Result<Series> {
        let (mut xy, mut sd) = (Vec::new(), Vec::new());
        for &labels in &points {
            if let Some(m) = pick(labels) {
                let s = curve.summary(labels, m)?;
                xy.push(((labels as f32).log10(), 100.0 * s.mean as f32));
                sd.push(100.0 * s.sd as f32);
            }
        }
        Ok(Series::new(name, xy).with_spread(sd))
    };
    let best = |labels: usize| curve.best(labels).ok();
    let series = [
        line("pixels → MLP", &|_| Some(Method::Pixels))?,
        line("codes → MLP", &|_| Some(Method::Codes))?,
        line("best (chosen on validation)", &best)?,
    ];
    let figure = plot::line_chart(
        "label_curve",
        "Test accuracy against the number of labels (5 seeds, ± sd)",
        "labelled images, log₁₀ (2 = 100, 3 = 1,000, 4 = 10,000, 4.74 = 55,000)",
        "test accuracy, %",
        &series,
    );
    Ok(figure.save(figures)?)
}
