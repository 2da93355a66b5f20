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
    // The original study's autoencoder: 15 epochs of batch 256, Adam, seed 42. Cached like
    // the study: trained once, then read back.
    let params = AutoencoderParams::default();
    let cache = default_cache_dir();
    let run = SideBySide::run_cached(&params, &data, &cache, &mut |who, epoch, loss, val| {
        let val = val.unwrap_or(f32::NAN);
        println!("{who:>11}, epoch {epoch:>2}: training {loss:.5}, validation {val:.5}");
    })
    .expect("both implementations train");
    run.figure().show();
    // ANCHOR_END: side_by_side
    let (ours, theirs) = (run.ours.train_loss(), &run.candle.train_loss);
    assert_eq!((ours.len(), theirs.len()), (15, 15));
    assert_eq!((run.ours.val_loss().len(), run.candle.val_loss.len()), (15, 15));
    assert!(ours[0] > 2.0 * ours[14], "training lowers the loss: {ours:?}");
    // The first epoch, before rounding differences have grown, agrees to 0.1 %; after that
    // the curves drift apart as two seeds' would, by a few per cent at most.
    assert!((ours[0] - theirs[0]).abs() <= 1e-3 * ours[0], "epoch 1: {ours:?} vs {theirs:?}");
    for (epoch, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!((a - b).abs() <= 0.05 * a, "epoch {}: {a} vs {b}", epoch + 1);
    }

    // ANCHOR: agreement
    // Once rounding differences have grown, the two runs differ as two seeds' runs do. The
    // hand-rolled test MSE has a standard deviation of about 0.00034 over seeds (chapter 6);
    // the difference of two such runs has √2 times that, and 95 % of them lie within twice it.
    let seed_sd = 0.00034f32;
    let tolerance = 2.0 * 2f32.sqrt() * seed_sd;
    println!("test MSE: hand-rolled {:.5}, candle {:.5}", run.ours_test_mse, run.candle_test_mse);
    println!(
        "apart by {:.1e}: {:.1} seed standard deviations (tolerance {tolerance:.1e})",
        run.test_mse_gap(),
        run.test_mse_gap() / seed_sd
    );
    // ANCHOR_END: agreement
    assert!(
        run.test_mse_gap() <= tolerance,
        "same weights, same batches: no farther apart than two seeds, got {}",
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
