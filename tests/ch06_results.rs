//! Chapter 6, "Results and discussion": the cells of `notebooks/ch06-results.ipynb`, in order,
//! each followed by checks of what the chapter says. The study is trained once and cached
//! (keyed by config and library source), so the notebook, this test and `cargo run` agree.

use ae_mlp::experiments::study::SeedMetrics;
use ae_mlp::prelude::*;

#[test]
fn chapter_6_results_and_discussion() {
    // ANCHOR: run_study
    let study =
        Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut print_progress)
            .expect("the study runs");
    println!("{}", study.results_table());
    // ANCHOR_END: run_study
    let r = &study.results;
    assert_eq!((r.n_train, r.n_validation, r.n_test), (55_000, 5_000, 10_000));
    assert_eq!(r.watched_on, ae_mlp::experiments::study::WatchedOn::Validation);

    // ANCHOR: accuracy_and_gap
    let codes = study.results.codes_mlp.clone();
    let raw = study.results.raw_mlp.clone().expect("trained by default");
    for (name, c) in [("codes → MLP", &codes), ("pixels → MLP", &raw)] {
        println!(
            "{name:<13} train {:>7}  test {:>7}  gap {:.2} points  {:.3} s/epoch",
            ae_mlp::output::report::percent(c.train_accuracy),
            ae_mlp::output::report::percent(c.test_accuracy),
            100.0 * (c.train_accuracy - c.test_accuracy),
            c.seconds_per_epoch
        );
    }
    // ANCHOR_END: accuracy_and_gap
    // The chapter's claims, as measured: raw pixels are more accurate at full labels; the raw
    // MLP overfits more (larger train–test gap); the codes MLP is several times cheaper per epoch.
    assert!(
        raw.test_accuracy > codes.test_accuracy,
        "raw {} vs codes {}",
        raw.test_accuracy,
        codes.test_accuracy
    );
    assert!(
        raw.train_accuracy - raw.test_accuracy > codes.train_accuracy - codes.test_accuracy,
        "the raw-pixel MLP has the larger generalisation gap"
    );
    assert!(
        raw.seconds_per_epoch > 3.0 * codes.seconds_per_epoch,
        "codes are much cheaper to train on"
    );

    // ANCHOR: seeds
    // One seed is one draw. The same study with seeds 42 to 46, compared seed by seed:
    let seeds: Vec<u64> = seed_list(42, 5).expect("five seeds");
    let (_, over_seeds): (Study, OverSeeds) = Study::over_seeds(
        &StudyConfig::default(),
        &seeds,
        Some(&default_cache_dir()),
        &mut print_progress,
    )
    .expect("five studies run, or load from the cache");
    println!("{}", over_seeds.table());
    let mse_vs_original: PairedDifference = over_seeds
        .against(|m| m.autoencoder_test_mse, 0.0117)
        .expect("five seeds give an interval");
    let (low, high) = (mse_vs_original.low, mse_vs_original.high);
    println!(
        "test MSE − the original's 0.0117: {:+.5}, 95 % interval [{low:+.5}, {high:+.5}]",
        mse_vs_original.mean
    );
    // ANCHOR_END: seeds
    assert_eq!(over_seeds.seeds.len(), 5);
    assert_eq!(over_seeds.seeds[0], SeedMetrics::of(&study), "seed 42 is the study above");
    let raw_minus_codes: PairedDifference = over_seeds.raw_minus_codes.expect("both MLPs ran");
    // The verdict as measured: the interval lies above zero, so raw pixels beat the codes.
    assert_eq!(
        raw_minus_codes.comparison(),
        Comparison::AHigher,
        "pixels − codes: {}",
        raw_minus_codes.points()
    );
    // Against the original's numbers, as measured: no measurable difference from its test MSE
    // of 0.0117, and well above its 96.34 % from the codes.
    assert_eq!(
        mse_vs_original.comparison(),
        Comparison::NoMeasurableDifference,
        "{mse_vs_original:?}"
    );
    let codes_vs_original = over_seeds.against(|m| m.codes_accuracy, 0.9634).expect("five seeds");
    assert_eq!(
        codes_vs_original.comparison(),
        Comparison::AHigher,
        "{}",
        codes_vs_original.points()
    );
    let raw_mean = over_seeds.raw_accuracy.expect("the raw MLP ran").mean;
    assert!(raw_mean >= 0.975, "the raw-pixel MLP's mean over five seeds: {raw_mean}");

    // ANCHOR: test_as_validation
    // The original watched the test set while training. The same study that way: all 60,000
    // images to train on, and the test set's accuracy after every epoch to choose from.
    let original_way = StudyConfig { validation: 0, ..StudyConfig::default() };
    let watched_test: Study =
        Study::run_cached(&original_way, &default_cache_dir(), &mut print_progress)
            .expect("the study runs, or loads from the cache");
    let curve: Vec<f32> =
        watched_test.results.raw_mlp.as_ref().expect("trained by default").history.val_accuracy();
    let (best_epoch, best) =
        curve.iter().enumerate().fold((0, 0.0), |b, (i, &a)| if a > b.1 { (i + 1, a) } else { b });
    let last = *curve.last().expect("15 epochs");
    println!(
        "pixels → MLP, test accuracy after epoch 15: {}",
        ae_mlp::output::report::percent(last)
    );
    println!(
        "best epoch by the test curve: {best_epoch}, at {}",
        ae_mlp::output::report::percent(best)
    );
    // ANCHOR_END: test_as_validation
    let w = &watched_test.results;
    assert_eq!(
        (w.n_train, w.n_validation, w.watched_on),
        (60_000, 0, ae_mlp::experiments::study::WatchedOn::Test)
    );
    let final_test = w.raw_mlp.as_ref().map(|c| c.test_accuracy).expect("trained");
    assert_eq!(
        last, final_test,
        "watching the test set, the curve's last point is the reported score"
    );
    assert!(
        best >= last,
        "the best of 15 looks at the test set is at least the last: {best} vs {last}"
    );

    // ANCHOR: loss_history
    println!("{}", study.history_table());
    let figures = study.figures().expect("the study's figures draw");
    figures[0].show(); // autoencoder loss per epoch
                       // ANCHOR_END: loss_history
    let h = &r.autoencoder.history;
    let (train, val) = (h.train_loss(), h.val_loss());
    assert!(train.windows(2).all(|w| w[1] <= w[0]), "training MSE falls every epoch: {train:?}");
    assert!(val[14] < 0.5 * val[0], "validation MSE at least halves: {val:?}");
    assert!(
        (val[14] - train[14]).abs() < 0.1 * train[14],
        "no overfitting: validation within 10 % of training"
    );

    // ANCHOR: accuracy_curves
    figures[1].show(); // MLP accuracy per epoch, codes and pixels
                       // ANCHOR_END: accuracy_curves

    // ANCHOR: reconstructions
    figures[2].show(); // 10 test digits above their reconstructions
                       // ANCHOR_END: reconstructions

    // ANCHOR: confusion
    figures[3].show(); // confusion matrix of the codes → MLP
    let confusion = study.results.codes_mlp.confusion.clone();
    println!(
        "recall per digit: {:?}",
        confusion.recall().iter().map(|r| format!("{:.3}", r)).collect::<Vec<_>>()
    );
    println!("most frequent mistakes (true, predicted, count): {:?}", confusion.top_confusions(3));
    // ANCHOR_END: confusion
    assert_eq!(confusion.counts.sum(), 10_000);
    let recall = confusion.recall();
    assert!(
        recall.iter().all(|&r| r > 0.93),
        "every digit is recognised at least 93 % of the time: {recall:?}"
    );
    assert!(confusion
        .counts
        .diag()
        .iter()
        .zip(confusion.counts.rows())
        .all(|(&d, row)| 2 * d > row.sum()));
}
