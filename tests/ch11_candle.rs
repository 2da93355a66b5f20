//! Chapter 11, "From scratch to a framework": the cells of `notebooks/ch11-candle.ipynb`, in
//! notebook order, each followed by the checks of what the chapter says about its result.
//! The regions between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the
//! notebook exactly as written here. Needs `--features candle`.
#![cfg(feature = "candle")]

use ae_mlp::prelude::*;

#[test]
fn chapter_11_the_same_autoencoder_in_candle() {
    // ANCHOR: load
    use ae_mlp::candle::{every_layer_kind, min_median, Device, SideBySide};
    // 5,000 of the 60,000 training images are held out to watch training on (see chapter 5).
    let data = Mnist::load_bundled()
        .and_then(|d| d.with_validation(5_000))
        .expect("the bundled MNIST loads");
    println!("{} training, {} validation images", data.train.len(), data.validation.len());
    // ANCHOR_END: load
    assert_eq!((data.train.len(), data.validation.len()), (55_000, 5_000));

    // ANCHOR: gradients
    let checks = every_layer_kind(&Device::Cpu).expect("both backward passes run");
    for check in &checks {
        println!(
            "{:<24} largest difference {:.1e} of the largest gradient",
            check.kind, check.worst
        );
    }
    // ANCHOR_END: gradients
    assert_eq!(checks.len(), 7, "five activations and two more losses");
    for check in &checks {
        assert!(check.worst <= 1e-4, "{}: the gradients agree to f32 rounding", check.kind);
    }

    // ANCHOR: side_by_side
    // The original study's autoencoder: 15 epochs of batch 256, Adam, seed 42.
    let params = AutoencoderParams::default();
    let run = SideBySide::run(&params, &data, &mut |who, epoch, loss, validation| {
        let validation = validation.unwrap_or(f32::NAN);
        println!("{who:>11}, epoch {epoch:>2}: training {loss:.5}, validation {validation:.5}");
    })
    .expect("both implementations train");
    run.figure().show();
    // ANCHOR_END: side_by_side
    let (ours, theirs) = (run.ours.train_loss(), &run.candle.train_loss);
    assert_eq!((ours.len(), theirs.len()), (15, 15));
    assert_eq!((run.ours.val_loss().len(), run.candle.val_loss.len()), (15, 15));
    assert!(ours[0] > 2.0 * ours[14], "training lowers the loss: {ours:?}");
    for (epoch, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= 0.02 * a,
            "epoch {}: the curves lie on each other, {a} vs {b}",
            epoch + 1
        );
    }

    // ANCHOR: agreement
    // The hand-rolled test MSE moves by about this much from one seed to the next (chapter 6).
    let seed_spread = 0.0003f32;
    println!(
        "test MSE: hand-rolled {:.5}, candle {:.5}; apart by {:.1e}, {:.0} % of the seed spread",
        run.ours_test_mse,
        run.candle_test_mse,
        run.test_mse_gap(),
        100.0 * run.test_mse_gap() / seed_spread
    );
    // ANCHOR_END: agreement
    assert!(
        run.test_mse_gap() <= seed_spread,
        "same weights, same batches: closer than two seeds are, got {}",
        run.test_mse_gap()
    );

    // ANCHOR: epoch_times
    let (ours_min, ours_median) = min_median(&run.ours_seconds());
    let (candle_min, candle_median) = min_median(&run.candle.seconds);
    println!("seconds per epoch, min / median: hand-rolled {ours_min:.2} / {ours_median:.2}");
    println!("                                 candle      {candle_min:.2} / {candle_median:.2}");
    println!("candle's median epoch takes {:.1}× the hand-rolled one", candle_median / ours_median);
    // ANCHOR_END: epoch_times
    assert!(ours_min > 0.0 && candle_min > 0.0 && ours_median.is_finite());
    assert!(candle_median.is_finite());
}
