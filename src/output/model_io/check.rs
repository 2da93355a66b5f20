//! Checks that a model's parts fit together, run before saving and after loading, so a model
//! that loads can be used without a panic.

use super::SavedModel;
use crate::models::mlp::Mlp;
use crate::nn::{Dense, Layer, Stack};

/// Largest number of classes a classifier may have: predictions are stored as `u8`.
const MAX_CLASSES: usize = 256;

impl SavedModel {
    /// Checks that the models fit together and hold finite numbers; on failure, says what
    /// does not fit. Run on every load, so a model that loads can be used without a panic.
    pub fn check(&self) -> std::result::Result<(), String> {
        check_stack("the autoencoder's encoder", &self.autoencoder.encoder)?;
        check_stack("the autoencoder's decoder", &self.autoencoder.decoder)?;
        check_stack("the codes MLP", &self.codes_mlp.stack)?;
        let (inputs, latent) = (self.autoencoder.encoder.inputs(), self.autoencoder.latent());
        if self.autoencoder.decoder.inputs() != latent {
            return Err(format!(
                "the decoder takes {} inputs but the encoder's code has {latent} numbers",
                self.autoencoder.decoder.inputs()
            ));
        }
        if self.autoencoder.decoder.outputs() != inputs {
            return Err(format!(
                "the decoder outputs {} pixels but the encoder takes {inputs}",
                self.autoencoder.decoder.outputs()
            ));
        }
        let ae_config = &self.config.autoencoder;
        if (ae_config.inputs, ae_config.latent) != (inputs, latent) {
            return Err(format!(
                "the config describes a {} → {} autoencoder but the weights are {inputs} → {latent}",
                ae_config.inputs, ae_config.latent
            ));
        }
        if ae_config.kind != self.autoencoder.kind {
            return Err(format!(
                "the config describes a {} autoencoder but the weights are of a {} one",
                ae_config.kind.name(),
                self.autoencoder.kind.name()
            ));
        }
        match (&self.scaler, self.config.standardize_codes) {
            (Some(s), true) => {
                if s.mean.len() != latent || s.std.len() != latent {
                    return Err(format!(
                        "the standardiser has {} means and {} deviations but the code has {latent} numbers",
                        s.mean.len(),
                        s.std.len()
                    ));
                }
                if !s.mean.iter().all(|v| v.is_finite())
                    || !s.std.iter().all(|v| v.is_finite() && *v > 0.0)
                {
                    return Err("the standardiser holds a non-finite mean or a deviation that is not positive".into());
                }
            }
            (None, false) => {}
            (Some(_), false) => {
                return Err(
                    "it has a standardiser but its config says codes are not standardised".into()
                )
            }
            (None, true) => {
                return Err("its config standardises codes but it has no standardiser".into())
            }
        }
        check_classifier("the codes MLP", &self.codes_mlp, latent, self.config.codes_mlp.classes)?;
        if let Some(raw) = &self.raw_mlp {
            check_stack("the pixels MLP", &raw.stack)?;
            check_classifier("the pixels MLP", raw, inputs, self.config.raw_mlp.classes)?;
        }
        Ok(())
    }

    /// Rebuilds every layer from its weights alone, so the models carry no training-only
    /// state (stale gradients, buffers) and compare equal to a freshly loaded copy.
    pub(super) fn canonicalize(&mut self) {
        let strip = |stack: &mut Stack| {
            let layers = stack
                .layers
                .iter()
                .map(|l| Layer {
                    dense: Dense::from_parameters(l.dense.w.clone(), l.dense.b.clone()),
                    activation: l.activation,
                    dropout: l.dropout,
                })
                .collect();
            *stack = Stack::from_layers(layers);
        };
        strip(&mut self.autoencoder.encoder);
        strip(&mut self.autoencoder.decoder);
        strip(&mut self.codes_mlp.stack);
        if let Some(raw) = &mut self.raw_mlp {
            strip(&mut raw.stack);
        }
    }
}

/// Checks that a stack has layers, that each layer's bias fits its weights, that each layer
/// takes what the one below gives, and that every number is finite.
fn check_stack(what: &str, stack: &Stack) -> std::result::Result<(), String> {
    if stack.layers.is_empty() {
        return Err(format!("{what} has no layers"));
    }
    let mut below: Option<usize> = None;
    for (i, layer) in stack.layers.iter().enumerate() {
        let (w, b) = (&layer.dense.w, &layer.dense.b);
        let n = i + 1;
        if w.nrows() == 0 || w.ncols() == 0 {
            return Err(format!(
                "{what}: layer {n} has an empty weight matrix ({}x{})",
                w.nrows(),
                w.ncols()
            ));
        }
        if b.len() != w.ncols() {
            return Err(format!(
                "{what}: layer {n} has {} outputs but {} biases",
                w.ncols(),
                b.len()
            ));
        }
        if !(0.0..1.0).contains(&layer.dropout) {
            return Err(format!("{what}: layer {n} has dropout {}, outside [0, 1)", layer.dropout));
        }
        if let Some(prev) = below {
            if w.nrows() != prev {
                return Err(format!(
                    "{what}: layer {n} takes {} inputs but layer {} gives {prev}; the layer shapes do not chain",
                    w.nrows(),
                    n - 1
                ));
            }
        }
        if !w.iter().chain(b.iter()).all(|v| v.is_finite()) {
            return Err(format!("{what}: layer {n} holds NaN or infinite weights"));
        }
        below = Some(w.ncols());
    }
    Ok(())
}

/// Checks a classifier's input width and its number of classes.
fn check_classifier(
    what: &str,
    mlp: &Mlp,
    inputs: usize,
    classes: usize,
) -> std::result::Result<(), String> {
    if mlp.stack.inputs() != inputs {
        return Err(format!(
            "{what} takes {} inputs but is fed {inputs} (the autoencoder's {})",
            mlp.stack.inputs(),
            if what.contains("codes") { "code size" } else { "pixels" }
        ));
    }
    let out = mlp.classes();
    if !(2..=MAX_CLASSES).contains(&out) || out != classes {
        return Err(format!(
            "{what} has {out} outputs but its config says {classes} classes (2 to {MAX_CLASSES})"
        ));
    }
    Ok(())
}
