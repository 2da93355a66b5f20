//! Plain-text progress for notebooks and logs, where progress bars do not render.

use crate::experiments::study::Study;
use crate::train::{EpochRecord, Event};

/// One line summing up an epoch:
/// `autoencoder epoch  3: loss 0.0213  val_loss 0.0201  (0.98 s)`, with `val_acc` for classifiers.
pub fn epoch_line(label: &str, r: &EpochRecord) -> String {
    let mut line = format!("{label} epoch {:>2}: loss {:.4}", r.epoch, r.train_loss);
    if let Some(v) = r.val_loss {
        line += &format!("  val_loss {v:.4}");
    }
    if let Some(a) = r.val_accuracy {
        line += &format!("  val_acc {:.2}%", 100.0 * a);
    }
    line + &format!("  ({:.2} s)", r.train_seconds)
}

/// An observer for [`crate::train::fit`] and the models' `fit` that prints one line per epoch
/// (see [`epoch_line`]).
pub fn print_epochs(label: &str) -> impl FnMut(Event<'_>) + '_ {
    move |event| {
        if let Event::Epoch(r) = event {
            println!("{}", epoch_line(label, r));
        }
    }
}

/// An observer that prints nothing.
pub fn silent(_: Event<'_>) {}

/// A percentage with two decimals, as the book prints accuracies: `97.30 %`.
pub fn percent(fraction: f32) -> String {
    format!("{:.2} %", 100.0 * fraction)
}

/// The study's results as a Markdown table.
pub fn results_table(study: &Study) -> String {
    let r = &study.results;
    let mut t = String::from(
        "| model | input features | parameters | test result | seconds per epoch |\n|---|---|---|---|---|\n",
    );
    t += &format!(
        "| autoencoder | 784 | {} | reconstruction MSE {:.5} | {:.2} |\n",
        r.autoencoder.parameters, r.autoencoder.test_mse, r.autoencoder.seconds_per_epoch
    );
    t += &format!(
        "| codes → MLP | {} | {} | accuracy {} | {:.2} |\n",
        r.codes_mlp.features,
        r.codes_mlp.parameters,
        percent(r.codes_mlp.test_accuracy),
        r.codes_mlp.seconds_per_epoch
    );
    if let Some(raw) = &r.raw_mlp {
        t += &format!(
            "| pixels → MLP | {} | {} | accuracy {} | {:.2} |\n",
            raw.features,
            raw.parameters,
            percent(raw.test_accuracy),
            raw.seconds_per_epoch
        );
    }
    t
}

/// The autoencoder's loss per epoch as a Markdown table.
pub fn history_table(study: &Study) -> String {
    let mut t = String::from("| epoch | training MSE | validation MSE |\n|---|---|---|\n");
    for e in &study.results.autoencoder.history.epochs {
        t += &format!("| {} | {:.5} | {:.5} |\n", e.epoch, e.train_loss, e.val_loss.unwrap_or(f32::NAN));
    }
    t
}
