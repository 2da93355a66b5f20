//! Plain-text progress for notebooks and logs, where progress bars do not render.

use crate::experiments::pipeline::Stage;
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

/// An observer for the experiments ([`crate::experiments::pipeline::Observer`]) that prints
/// one line per epoch of every model it trains, named by its stage: what a notebook cell
/// passes so that a long training shows its progress (a cached run prints nothing).
pub fn print_progress(stage: Stage<'_>, event: Event<'_>) {
    if let Event::Epoch(r) = event {
        println!("{}", epoch_line(&stage.label(), r));
    }
}

/// A percentage with two decimals, as the book prints accuracies: `97.30 %`.
pub fn percent(fraction: f32) -> String {
    format!("{:.2} %", 100.0 * fraction)
}
