//! Progress of every model an experiment trains: a bar per model with its running loss, and
//! one printed line per epoch.

use ae_mlp::experiments::pipeline::Stage;
use ae_mlp::output::report::epoch_line;
use ae_mlp::train::Event;
use indicatif::{ProgressBar, ProgressStyle};

/// The display: `quiet` drops the bars and keeps the epoch lines.
pub struct Progress {
    quiet: bool,
    /// The current model's label and its bar.
    bar: Option<(String, ProgressBar)>,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Progress { quiet, bar: None }
    }

    pub fn update(&mut self, stage: Stage<'_>, event: Event<'_>) {
        let label = stage.label();
        match event {
            Event::Batch { epoch, done, total, running_loss } if !self.quiet => {
                if self.bar.as_ref().map(|(l, _)| l) != Some(&label) {
                    self.finish();
                    let bar = ProgressBar::new(total as u64);
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{prefix:>14} {bar:30.cyan/blue} {pos:>4}/{len} {msg}",
                        )
                        .expect("template is valid")
                        .progress_chars("━╸ "),
                    );
                    bar.set_prefix(label.clone());
                    self.bar = Some((label, bar));
                }
                if let Some((_, bar)) = &self.bar {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                    bar.set_message(format!("epoch {epoch} loss {running_loss:.4}"));
                }
            }
            Event::Batch { .. } => {}
            Event::Epoch(r) => {
                let line = epoch_line(&format!("{label:>14}"), r);
                match &self.bar {
                    // A hidden bar (output not a terminal) would swallow the line.
                    Some((_, bar)) if !bar.is_hidden() => bar.println(line),
                    _ => println!("{line}"),
                }
            }
        }
    }

    pub fn finish(&mut self) {
        if let Some((_, bar)) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// Clears a bar left by a failed run, so the error line is not drawn over it.
    fn drop(&mut self) {
        self.finish();
    }
}
