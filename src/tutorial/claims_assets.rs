//! Chapter 10's generated numbers and tables ("Claims checked"): every number of the chapter
//! comes from [`ClaimsReport`], the same measurements its test asserts.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::experiments::claims::{format_count, ClaimsReport};
use crate::experiments::study::Study;
use crate::output::cache::default_cache_dir;
use crate::output::report::percent;

/// Writes `claims_*`, `baseline_*` and `finetune_*` into `generated` (one number or table
/// per file); returns the files written.
pub fn write(study: &Study, generated: &Path) -> Result<Vec<PathBuf>> {
    let report = ClaimsReport::gather_cached(study, &default_cache_dir())?;
    let mut written = Vec::new();
    let mut number = |name: &str, value: String| -> Result<()> {
        written.push(super::assets::write_number(generated, name, &value)?);
        Ok(())
    };
    let gflops = |f: f64| format!("{:.1}", f / 1e9);

    number("claims_results_table", report.results_table())?;
    number("claims_table", report.claims_table())?;
    for claim in report.claims() {
        number(&format!("claims_verdict_{}", claim.id), claim.verdict.label().to_string())?;
    }

    // The baselines.
    let b = &report.baselines;
    for &(k, seconds, kept) in &b.pca {
        number(&format!("baseline_pca{k}_fit_seconds"), format!("{seconds:.1} s"))?;
        number(&format!("baseline_pca{k}_variance"), format!("{:.1} %", 100.0 * kept))?;
    }
    for row in &b.rows {
        let features = match row.features.as_str() {
            "autoencoder codes" => "codes".to_string(),
            "raw pixels" => "raw".to_string(),
            f => f.replace("PCA, k = ", "pca"),
        };
        let method = if row.method.starts_with("logistic") {
            "logistic".to_string()
        } else if let Some((k, _)) = row.method.split_once("-NN") {
            format!("knn{k}")
        } else {
            "tree".to_string()
        };
        number(&format!("baseline_{method}_{features}"), percent(row.accuracy))?;
        number(
            &format!("baseline_{method}_{features}_seconds"),
            format!("{:.1} s", row.fit_seconds + row.predict_seconds),
        )?;
    }
    number("baseline_knn_queries", format_count(b.settings.knn_queries))?;
    number("baseline_knn_raw_queries", format_count(b.settings.knn_raw_queries))?;
    number("baseline_tree_depth", b.settings.tree_max_depth.to_string())?;

    // Fine-tuning.
    let f = &report.finetune;
    number("finetune_start_accuracy", percent(f.start_test_accuracy))?;
    number("finetune_accuracy", percent(f.test_accuracy))?;
    number("finetune_train_accuracy", percent(f.train_accuracy))?;
    number("finetune_epochs", f.params.epochs().to_string())?;
    number(
        "finetune_schedule",
        f.params.stages.iter().map(|(e, lr)| format!("{e} epochs at {lr:e}")).collect::<Vec<_>>().join(", then "),
    )?;
    number("finetune_seconds_per_epoch", format!("{:.2} s", f.seconds_per_epoch))?;
    number("finetune_gflops_per_epoch", gflops(report.finetune_flops_per_epoch))?;
    number("finetune_minus_raw_points", format!("{:.2}", 100.0 * (f.test_accuracy - report.raw_mlp.test_accuracy)))?;

    // The claims' evidence.
    let few = &report.few_labels;
    number("claims_few_labels", format_count(10 * few.per_class))?;
    number("claims_few_codes", percent(few.codes_mean()))?;
    number("claims_few_raw", percent(few.raw_mean()))?;
    number("claims_few_seeds", few.seeds.len().to_string())?;
    let fewer = &report.fewer_labels;
    number("claims_fewer_labels", format_count(10 * fewer.per_class))?;
    number("claims_fewer_codes", percent(fewer.codes_mean()))?;
    number("claims_fewer_raw", percent(fewer.raw_mean()))?;
    number("claims_codes_gflops_epoch", gflops(report.codes_flops_per_epoch))?;
    number("claims_raw_gflops_epoch", gflops(report.raw_flops_per_epoch))?;
    number("claims_ae_gflops_epoch", gflops(report.ae_flops_per_epoch))?;
    let (pipeline, raw_total) = report.pipeline_flops();
    number("claims_pipeline_vs_raw_percent", format!("{:+.1} %", 100.0 * (pipeline / raw_total - 1.0)))?;
    number("claims_pipeline_gflops", gflops(pipeline))?;
    number("claims_raw_total_gflops", gflops(raw_total))?;
    let (codes, raw) = (&report.codes_mlp, &report.raw_mlp);
    number("claims_codes_gap", format!("{:.2}", 100.0 * (codes.train_accuracy - codes.test_accuracy)))?;
    number("claims_raw_gap", format!("{:.2}", 100.0 * (raw.train_accuracy - raw.test_accuracy)))?;
    Ok(written)
}
