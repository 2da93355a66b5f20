//! The taught core: a dense layer, activations, losses, initialisers, optimisers and a stack
//! that composes them (run over several threads by `parallel`). Everything is `f32` on `ndarray`, forward and backward written out by hand.

pub mod activation;
pub mod dense;
pub mod dropout;
pub mod gemm;
pub mod gradcheck;
pub mod init;
pub mod loss;
pub mod optim;
mod parallel;
pub mod stack;

pub use activation::Activation;
pub use dense::Dense;
pub use init::Init;
pub use loss::ReconstructionLoss;
pub use optim::{Adam, Optimizer, OptimizerConfig, Param, Sgd};
pub use stack::{Layer, Stack};

/// `f` of every item, in the items' order: computed on this thread if there is only one item
/// (the plain, single-threaded path), else in parallel on rayon's pool of worker threads (one
/// per core by default; `RAYON_NUM_THREADS` sets another number).
pub(crate) fn in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() <= 1 || rayon::current_num_threads() == 1 {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().map(f).collect()
    }
}

/// `f()`, compiled for AVX2 (eight lanes per instruction instead of SSE2's four) when the
/// CPU has it. The build targets every x86-64 CPU, so a hot loop only reaches AVX2 this way.
/// The same operations run in the same order (no fused multiply-adds are introduced), so the
/// bits are the same as in the portable build.
#[inline(always)]
pub(crate) fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { avx2(f) };
    }
    f()
}

// ANCHOR: flush_subnormal
/// Replaces a subnormal number (smaller in magnitude than `f32::MIN_POSITIVE`, about 1.2e-38)
/// by zero.
///
/// A sigmoid output layer saturates on MNIST's black background: outputs near 1e-35, and
/// gradients of 1e-40 and below. Those are *subnormal* floats, and CPUs handle them in slow
/// microcode, up to a hundred times slower per operation. Left alone they made every epoch of
/// the autoencoder slower than the last (1.0 s growing to 2 s). Every gradient this crate
/// writes passes through here, so the matrix multiplies only ever see normal numbers or zero.
#[inline(always)]
pub fn flush_subnormal(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}
// ANCHOR_END: flush_subnormal
