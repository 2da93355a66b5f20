//! What a run leaves behind: figures, saved models, the cache of trained results, progress
//! lines, and the one way files are written (atomically).

pub mod cache;
pub mod files;
pub mod model_io;
pub mod plot;
pub mod report;

pub use files::write_atomic;
