//! The one random generator the crate uses: Xoshiro256++, seeded explicitly.
//!
//! `rand`'s `StdRng` may change its algorithm between `rand` versions, which would silently
//! change every "reproducible" result of the tutorial. Xoshiro256++ is a fixed, named
//! algorithm, so a seed means the same stream forever.

use ndarray::{Array2, Axis};
use rand::{RngCore, SeedableRng};
use rand_xoshiro::SplitMix64;

use crate::math;

/// The crate's generator: fast, statistically strong and stable across `rand` versions.
pub type Rng = rand_xoshiro::Xoshiro256PlusPlus;

/// A generator for `seed`; `stream` separates independent uses of one seed (e.g. weight
/// initialisation vs. batch shuffling) so that they never share a sequence.
///
/// The 256-bit state is two SplitMix64 outputs of `seed` followed by two of `stream`.
/// The first SplitMix64 output is a bijection of its input, so distinct `(seed, stream)`
/// pairs always give distinct states.
pub fn seeded(seed: u64, stream: u64) -> Rng {
    let mut from_seed = SplitMix64::seed_from_u64(seed);
    let mut from_stream = SplitMix64::seed_from_u64(stream);
    let words = [
        rand::RngCore::next_u64(&mut from_seed),
        rand::RngCore::next_u64(&mut from_seed),
        rand::RngCore::next_u64(&mut from_stream),
        rand::RngCore::next_u64(&mut from_stream),
    ];
    let mut state = [0u8; 32];
    for (chunk, word) in state.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    // `from_seed` replaces an all-zero state (the one fixed point of xoshiro) by a valid one.
    Rng::from_seed(state)
}

/// Rows per block of [`fill_by_row_blocks`]: fixed, so that the draws depend on the array's
/// shape alone, never on the number of threads.
pub const BLOCK_ROWS: usize = 32;

/// Fills `out` (rows, columns) block of [`BLOCK_ROWS`] rows by block, in parallel: block k
/// is filled by `fill` from its own generator, `seeded(key, k)`. A training step draws `key`
/// from its own generator, so every (seed, step, block) has a stream of its own, and the
/// same seed gives the same draws on 1 or 16 threads.
pub fn fill_by_row_blocks(
    out: &mut Array2<f32>,
    key: u64,
    fill: impl Fn(&mut [f32], &mut Rng) + Sync + Send,
) {
    if !out.is_standard_layout() {
        *out = out.as_standard_layout().into_owned();
    }
    let blocks: Vec<_> = out.axis_chunks_iter_mut(Axis(0), BLOCK_ROWS).enumerate().collect();
    crate::nn::in_parallel(blocks, |(k, mut block)| {
        let values =
            block.as_slice_mut().expect("the rows of a standard-layout array are contiguous");
        fill(values, &mut seeded(key, k as u64));
    });
}

/// Fills `out` with independent N(0, 1) draws from `rng`, by the Box–Muller transform: two
/// uniforms u₁ in (0, 1] and u₂ in [0, 1) give the two independent normals
/// `√(−2 ln u₁) · (cos 2πu₂, sin 2πu₂)`.
///
/// One 64-bit draw makes two normals, and the transform is written with [`math`]'s
/// vectorisable functions, which makes it several times faster than a ziggurat, whose
/// branches keep it scalar: a denoising autoencoder draws 200,000 of them per batch. u₁ has
/// 31 bits, so the draws reach 6.66 standard deviations (beyond them: a probability of 3·10⁻¹¹).
pub fn fill_standard_normal(out: &mut [f32], rng: &mut Rng) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { fill_standard_normal_avx2(out, rng) };
    }
    fill_standard_normal_portable(out, rng)
}

/// [`fill_standard_normal`] compiled for AVX2 (eight lanes per instruction instead of four):
/// the same operations in the same order, so the same bits as the portable build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fill_standard_normal_avx2(out: &mut [f32], rng: &mut Rng) {
    fill_standard_normal_portable(out, rng)
}

/// [`fill_standard_normal`] for any CPU.
#[inline(always)]
fn fill_standard_normal_portable(out: &mut [f32], rng: &mut Rng) {
    /// Pairs per round: the generator fills a small buffer, then the transform runs over it
    /// in a loop the compiler can vectorise.
    const PAIRS: usize = 64;
    let mut bits = [0u64; PAIRS];
    for chunk in out.chunks_mut(2 * PAIRS) {
        let pairs = chunk.len().div_ceil(2);
        for b in &mut bits[..pairs] {
            *b = rng.next_u64();
        }
        let mut normals = [0.0f32; 2 * PAIRS];
        for (pair, &b) in normals.chunks_exact_mut(2).zip(&bits[..pairs]) {
            let (z0, z1) = box_muller(b);
            pair[0] = z0;
            pair[1] = z1;
        }
        chunk.copy_from_slice(&normals[..chunk.len()]);
    }
}

/// Two N(0, 1) draws from 64 random bits: 31 for u₁, 24 for u₂.
#[inline(always)]
fn box_muller(bits: u64) -> (f32, f32) {
    const TWO_TO_MINUS_31: f32 = 1.0 / 2_147_483_648.0;
    const TWO_TO_MINUS_24: f32 = 1.0 / 16_777_216.0;
    // Half a step up, so that u₁ is never 0: in (0, 1].
    let u1 = (((bits >> 33) as i32) as f32 + 0.5) * TWO_TO_MINUS_31;
    let u2 = (((bits as u32) >> 8) as i32) as f32 * TWO_TO_MINUS_24;
    let r = (-2.0 * math::ln(u1)).max(0.0).sqrt();
    let (c, s) = math::cos_sin_turns(u2);
    (r * c, r * s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn same_seed_and_stream_give_the_same_sequence() {
        let (mut a, mut b) = (seeded(42, 1), seeded(42, 1));
        for _ in 0..8 {
            assert_eq!(a.gen::<u64>(), b.gen::<u64>());
        }
    }

    #[test]
    fn streams_and_seeds_are_independent() {
        let first = |seed, stream| seeded(seed, stream).gen::<u64>();
        assert_ne!(first(42, 0), first(42, 1));
        assert_ne!(first(42, 0), first(43, 0));
        // Swapping seed and stream must not collide either.
        assert_ne!(first(1, 2), first(2, 1));
    }

    #[test]
    fn box_muller_draws_are_standard_normal() {
        let mut z = vec![0.0f32; 400_001];
        fill_standard_normal(&mut z, &mut seeded(3, 3));
        let n = z.len() as f64;
        let moment = |k: i32| z.iter().map(|&v| f64::from(v).powi(k)).sum::<f64>() / n;
        assert!(moment(1).abs() < 0.005, "mean {}", moment(1));
        assert!((moment(2) - 1.0).abs() < 0.01, "variance {}", moment(2));
        assert!(moment(3).abs() < 0.02, "third moment {}", moment(3));
        assert!((moment(4) - 3.0).abs() < 0.05, "fourth moment {}", moment(4));
        // The share beyond 2σ and 3σ (4.55 % and 0.27 %), and the two halves of each pair
        // uncorrelated.
        let beyond = |k: f32| z.iter().filter(|v| v.abs() > k).count() as f64 / n;
        assert!((beyond(2.0) - 0.0455).abs() < 0.002, "beyond 2σ {}", beyond(2.0));
        assert!((beyond(3.0) - 0.0027).abs() < 0.0004, "beyond 3σ {}", beyond(3.0));
        let pairs = z.chunks_exact(2).map(|p| f64::from(p[0] * p[1])).sum::<f64>() / (n / 2.0);
        assert!(pairs.abs() < 0.01, "pair correlation {pairs}");
        assert!(z.iter().all(|v| v.is_finite() && v.abs() < 6.7));
    }

    #[test]
    fn the_avx2_build_draws_the_same_bits() {
        let (mut a, mut b) = (vec![0.0f32; 1001], vec![0.0f32; 1001]);
        fill_standard_normal(&mut a, &mut seeded(4, 4));
        fill_standard_normal_portable(&mut b, &mut seeded(4, 4));
        assert_eq!(a, b);
    }

    #[test]
    fn block_draws_are_the_same_on_any_number_of_threads() {
        // 101 rows: four blocks of 32 and one of 5, over 1 and 3 threads.
        let draw = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut out = Array2::zeros((101, 7));
                fill_by_row_blocks(&mut out, 9, fill_standard_normal);
                out
            })
        };
        let one = draw(1);
        assert_eq!(draw(3), one);
        // Each block draws from its own stream: block 1 is not block 0 again.
        assert_ne!(one.row(0), one.row(BLOCK_ROWS));
    }

    #[test]
    fn stream_is_pinned() {
        // Guards the promise in the module doc: these values must never change.
        assert_eq!(seeded(0, 0).gen::<u64>(), 3_760_246_012_124_731_986);
        assert_eq!(seeded(42, 7).gen::<u64>(), 4_389_116_348_677_783_628);
    }
}
