//! The study's results as the Markdown tables the book prints.

use super::Study;
use crate::output::report::percent;

impl Study {
    /// The study's results as a Markdown table.
    pub fn results_table(&self) -> String {
        let r = &self.results;
        let mut t = String::from(
            "| model | input features | parameters | test result | seconds per epoch |\n|---|---|---|---|---|\n",
        );
        t += &format!(
            "| autoencoder | {} | {} | reconstruction MSE {:.5} | {:.2} |\n",
            self.data.train.x.ncols(),
            r.autoencoder.parameters,
            r.autoencoder.test_mse,
            r.autoencoder.seconds_per_epoch
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
    pub fn history_table(&self) -> String {
        let loss = self.autoencoder.loss.name();
        let mut t = format!("| epoch | training {loss} | validation {loss} |\n|---|---|---|\n");
        for e in &self.results.autoencoder.history.epochs {
            t += &format!(
                "| {} | {:.5} | {:.5} |\n",
                e.epoch,
                e.train_loss,
                e.val_loss.unwrap_or(f32::NAN)
            );
        }
        t
    }
}
