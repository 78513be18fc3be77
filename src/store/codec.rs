//! Stored values: one format-version byte, then postcard. Older versions are migrated on read.

use super::{Result, StoreError};
use serde::{de::DeserializeOwned, Serialize};

pub const FORMAT_VERSION: u8 = 1;

pub fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    let mut out = vec![FORMAT_VERSION];
    let body = postcard::to_stdvec(v).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))?;
    out.extend_from_slice(&body);
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => {
            postcard::from_bytes(body).map_err(|e| StoreError::Corrupt(format!("decode: {e}")))
        }
        Some((v, _)) => Err(StoreError::Corrupt(format!("unknown value format {v}"))),
        None => Err(StoreError::Corrupt("empty value".into())),
    }
}
