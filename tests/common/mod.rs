//! Helpers shared by the integration tests that write their own IDX files.

/// The bytes of an IDX file: the big-endian magic number, each dimension, then the payload.
/// Any magic, dimensions and payload length can be given, so tests can write broken files too.
pub fn idx_file(magic: u32, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut b = magic.to_be_bytes().to_vec();
    for d in dims {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b.extend_from_slice(payload);
    b
}
