//! Chapter 6, "Results and discussion": the cells of `notebooks/ch06-results.ipynb`, in order,
//! each followed by checks of what the chapter says. The study is trained once and cached
//! (keyed by config and library source), so the notebook, this test and `cargo run` agree.

use ae_mlp::prelude::*;

#[test]
fn chapter_6_results_and_discussion() {
    // ANCHOR: run_study
    let study =
        Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut print_progress).expect("the study runs");
    println!("{}", study.results_table());
    // ANCHOR_END: run_study
    let r = &study.results;
    assert_eq!((r.n_train, r.n_test), (60_000, 10_000));

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
    assert!(raw.test_accuracy > codes.test_accuracy, "raw {} vs codes {}", raw.test_accuracy, codes.test_accuracy);
    assert!(
        raw.train_accuracy - raw.test_accuracy > codes.train_accuracy - codes.test_accuracy,
        "the raw-pixel MLP has the larger generalisation gap"
    );
    assert!(raw.seconds_per_epoch > 3.0 * codes.seconds_per_epoch, "codes are much cheaper to train on");
    assert!(codes.test_accuracy >= 0.9634 && raw.test_accuracy >= 0.975);

    // ANCHOR: loss_history
    println!("{}", study.history_table());
    let figures = study.figures().expect("the study's figures draw");
    figures[0].show(); // autoencoder loss per epoch
                       // ANCHOR_END: loss_history
    let h = &r.autoencoder.history;
    let (train, val) = (h.train_loss(), h.val_loss());
    assert!(train.windows(2).all(|w| w[1] <= w[0]), "training MSE falls every epoch: {train:?}");
    assert!(val[14] < 0.5 * val[0], "validation MSE at least halves: {val:?}");
    assert!((val[14] - train[14]).abs() < 0.1 * train[14], "no overfitting: validation within 10 % of training");

    // ANCHOR: accuracy_curves
    figures[1].show(); // MLP accuracy per epoch, codes and pixels
                       // ANCHOR_END: accuracy_curves

    // ANCHOR: reconstructions
    figures[2].show(); // 10 test digits above their reconstructions
                       // ANCHOR_END: reconstructions

    // ANCHOR: confusion
    figures[3].show(); // confusion matrix of the codes → MLP
    let confusion = study.results.codes_mlp.confusion.clone();
    println!("recall per digit: {:?}", confusion.recall().iter().map(|r| format!("{:.3}", r)).collect::<Vec<_>>());
    println!("most frequent mistakes (true, predicted, count): {:?}", confusion.top_confusions(3));
    // ANCHOR_END: confusion
    assert_eq!(confusion.counts.sum(), 10_000);
    let recall = confusion.recall();
    assert!(recall.iter().all(|&r| r > 0.93), "every digit is recognised at least 93 % of the time: {recall:?}");
    assert!(confusion.counts.diag().iter().zip(confusion.counts.rows()).all(|(&d, row)| 2 * d > row.sum()));
}
