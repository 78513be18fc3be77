//! Frames: a 4-byte big-endian length, then that many bytes of JSON. A frame larger than
//! `MAX_FRAME` is refused before anything is allocated for it.

use serde::{de::DeserializeOwned, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Big enough for a page of items or an import batch; small enough that a bad peer cannot make
/// us allocate gigabytes.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

pub async fn write<W: AsyncWrite + Unpin, T: Serialize>(w: &mut W, msg: &T) -> std::io::Result<()> {
    let body = serde_json::to_vec(msg).map_err(std::io::Error::other)?;
    if body.len() > MAX_FRAME {
        return Err(std::io::Error::other(format!(
            "message of {} bytes is over the {MAX_FRAME}-byte limit",
            body.len()
        )));
    }
    let mut buf = Vec::with_capacity(body.len() + 4);
    buf.extend_from_slice(&(body.len() as u32).to_be_bytes());
    buf.extend_from_slice(&body);
    w.write_all(&buf).await?;
    w.flush().await
}

/// Reads one frame; `Ok(None)` at a clean end of stream.
pub async fn read<R: AsyncRead + Unpin, T: DeserializeOwned>(
    r: &mut R,
) -> std::io::Result<Option<T>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let n = u32::from_be_bytes(len) as usize;
    if n > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("frame of {n} bytes is over the {MAX_FRAME}-byte limit"),
        ));
    }
    let mut body = vec![0u8; n];
    r.read_exact(&mut body).await?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_limits() {
        let (mut a, mut b) = tokio::io::duplex(1 << 20);
        write(&mut a, &vec!["привет", "你好", "👍🏽"])
            .await
            .expect("write");
        let got: Option<Vec<String>> = read(&mut b).await.expect("read");
        assert_eq!(got, Some(vec!["привет".into(), "你好".into(), "👍🏽".into()]));
        // A length over the limit is refused without reading the body.
        a.write_all(&(MAX_FRAME as u32 + 1).to_be_bytes())
            .await
            .expect("len");
        let e = read::<_, Vec<String>>(&mut b).await.expect_err("too big");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        // Clean end of stream.
        drop(a);
        let (mut c, d) = tokio::io::duplex(64);
        drop(d);
        let _ = &mut c;
        assert!(read::<_, u8>(&mut c).await.expect("eof").is_none());
    }
}
