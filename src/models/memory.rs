//! The memory a model's training needs, counted from its settings before anything is built,
//! so that a network too large for the machine is refused with a reason instead of aborting
//! the process when an allocation fails (checked params, as in linfa).

use crate::error::{Error, Result};

/// The most memory a model's training may ask for: 8 GiB. A fixed cap rather than the
/// machine's memory, so a configuration is accepted or refused the same way everywhere; the
/// original autoencoder needs about 5 MiB.
pub const MEMORY_LIMIT: u64 = 8 << 30;

/// Bytes that training the stacks of `widths` (each stack's widths from input to output) on
/// batches of `batch_size` needs at least: every weight and bias four times (value, gradient,
/// Adam's two moments), and every layer's output and output gradient for a whole batch, all
/// `f32`. `None` if the count overflows.
pub fn training_bytes(widths: &[&[usize]], batch_size: usize) -> Option<u64> {
    let mut floats = 0u64;
    for stack in widths {
        for pair in stack.windows(2) {
            let (inputs, outputs) = (pair[0] as u64, pair[1] as u64);
            let parameters = inputs.checked_mul(outputs)?.checked_add(outputs)?;
            let activations = (batch_size as u64).checked_mul(outputs)?;
            floats = floats
                .checked_add(parameters.checked_mul(4)?)?
                .checked_add(activations.checked_mul(2)?)?;
        }
    }
    floats.checked_mul(std::mem::size_of::<f32>() as u64)
}

/// Refuses stacks whose [`training_bytes`] exceed [`MEMORY_LIMIT`], before anything is
/// allocated. The error names `batch_size` if a batch of one would fit, else `widest`: the
/// setting (name, value, what to try instead) that makes the layers too large.
pub fn check_memory(
    widths: &[&[usize]],
    batch_size: usize,
    widest: (&'static str, String, &str),
) -> Result<()> {
    let gib = |bytes: u64| format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64);
    let needed = training_bytes(widths, batch_size);
    if needed.is_some_and(|bytes| bytes <= MEMORY_LIMIT) {
        return Ok(());
    }
    let needed = needed.map_or_else(|| "more bytes than 64 bits can count".to_string(), gib);
    let (name, value, fix) = match training_bytes(widths, 1) {
        Some(bytes) if bytes <= MEMORY_LIMIT => {
            ("batch_size", batch_size.to_string(), "smaller batches")
        }
        _ => widest,
    };
    Err(Error::param(
        name,
        value,
        format!(
            "training would need {needed} (weights, their gradients, Adam's two moments and a batch's \
             activations), more than the {} limit; use {fix}",
            gib(MEMORY_LIMIT)
        ),
    ))
}
