//! Which matrix multiply this build runs, and how OpenBLAS is set up when it is the one.
//!
//! Every product in [`crate::nn`] is an ndarray `general_mat_mul`. By default ndarray runs
//! it with the pure-Rust `matrixmultiply` crate, whose FMA kernel every x86-64 CPU with
//! AVX2 + FMA runs, so a seed gives the same bits on all of them (its AVX-512 kernels, faster
//! where the CPU has them but rounding differently, come with `--features avx512`). Built with `--features openblas`, ndarray hands f32 products to the system's
//! OpenBLAS (`cblas_sgemm`) instead. Training already splits each batch across the cores
//! (see [`crate::nn::Stack`]), so OpenBLAS is told to use one thread per call: its own pool
//! on top of ours would put two threads on each core.

/// A one-line description of the GEMM behind this build, for benchmark reports.
pub fn backend() -> String {
    imp::backend()
}

/// Configures the GEMM library for training, once per process: with OpenBLAS, one thread per
/// call, unless `OPENBLAS_NUM_THREADS` says otherwise. Nothing to do for matrixmultiply,
/// whose own threading is off in this crate.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(imp::init);
}

#[cfg(not(feature = "openblas"))]
mod imp {
    pub fn backend() -> String {
        #[cfg(target_arch = "x86_64")]
        let kernels = if cfg!(feature = "avx512") && std::arch::is_x86_feature_detected!("avx512f")
        {
            "AVX-512"
        } else if std::arch::is_x86_feature_detected!("fma") {
            "AVX2+FMA"
        } else {
            "generic"
        };
        #[cfg(not(target_arch = "x86_64"))]
        let kernels = "generic";
        format!("default build: matrixmultiply ({kernels} kernels), one GEMM per training thread")
    }

    pub fn init() {}
}

#[cfg(feature = "openblas")]
mod imp {
    use std::ffi::{c_char, c_int, CStr};

    extern "C" {
        fn openblas_get_corename() -> *const c_char;
        fn openblas_get_num_threads() -> c_int;
        fn openblas_set_num_threads(threads: c_int);
    }

    /// The kernel set OpenBLAS picked for this CPU (e.g. "SkylakeX"; "Prescott" is its
    /// slowest, SSE3-only fallback, which it takes for CPUs newer than it knows).
    fn corename() -> String {
        // SAFETY: OpenBLAS returns a pointer to a static, NUL-terminated string.
        unsafe { CStr::from_ptr(openblas_get_corename()) }.to_string_lossy().into_owned()
    }

    pub fn backend() -> String {
        // SAFETY: a plain getter of OpenBLAS's global setting.
        let threads = unsafe { openblas_get_num_threads() };
        let core = corename();
        let mut line =
            format!("openblas build: OpenBLAS, {core} kernels, {threads} thread(s) per GEMM");
        #[cfg(target_arch = "x86_64")]
        if core == "Prescott" && std::arch::is_x86_feature_detected!("avx512f") {
            line.push_str(
                " — did not recognise this AVX-512 CPU: run with OPENBLAS_CORETYPE=SkylakeX",
            );
        }
        line
    }

    pub fn init() {
        if std::env::var_os("OPENBLAS_NUM_THREADS").is_none() {
            // SAFETY: sets OpenBLAS's global thread count; called once, before training.
            unsafe { openblas_set_num_threads(1) };
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::linalg::general_mat_mul;
    use ndarray::Array2;

    #[test]
    fn the_backend_line_names_the_build() {
        super::init();
        let line = super::backend();
        let build = if cfg!(feature = "openblas") { "openblas build" } else { "default build" };
        assert!(line.starts_with(build), "{line}");
    }

    #[test]
    fn transposed_and_row_sliced_products_match_a_plain_triple_loop() {
        // The shapes and layouts training hands to the GEMM (a row block of a buffer, a
        // transposed view), checked against a loop: whichever library runs them.
        super::init();
        let a = Array2::from_shape_fn((40, 30), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
        let b = Array2::from_shape_fn((40, 20), |(i, j)| ((i * 5 + j) % 13) as f32 * 0.25);
        let (a_rows, b_rows) = (a.slice(ndarray::s![8..32, ..]), b.slice(ndarray::s![8..32, ..]));
        let mut c = Array2::<f32>::from_elem((30, 20), f32::NAN);
        general_mat_mul(1.0, &a_rows.t(), &b_rows, 0.0, &mut c);
        for ((i, j), &v) in c.indexed_iter() {
            let expected: f32 = (0..24).map(|k| a_rows[[k, i]] * b_rows[[k, j]]).sum();
            assert!(
                (v - expected).abs() <= 1e-4 * expected.abs().max(1.0),
                "({i}, {j}): {v} vs {expected}"
            );
        }
    }
}
