//! Files that reach an import through a request: read as they arrive, up to a limit, so a
//! large file never sits in memory.

use std::io::{Read, Seek, Write};

use axum::body::Body;
use axum::extract::multipart::Field;
use futures_util::TryStreamExt;
use tokio_util::io::{StreamReader, SyncIoBridge};

use crate::error::HttpError;

/// The largest file an import through a request takes; `cocreate feedback import` takes any.
pub const MAX_IMPORT_UPLOAD_BYTES: usize = 64 << 20;

/// Ends reading with an error once more than `left` bytes came.
struct Limited<R> {
    inner: R,
    left: usize,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.left = self.left.checked_sub(read).ok_or_else(|| {
            std::io::Error::other(format!(
                "the file is larger than the limit of {} MiB here; import it with \
                 `cocreate feedback import`",
                MAX_IMPORT_UPLOAD_BYTES >> 20
            ))
        })?;
        Ok(read)
    }
}

fn internal(error: &std::io::Error) -> HttpError {
    cocreate_app::AppError::Internal(format!("spooling an upload: {error}")).into()
}

/// A request's body as a blocking reader (for a reader thread), at most `limit` bytes.
pub fn streamed_body(body: Body, limit: usize) -> impl Read + Send + 'static {
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    Limited {
        inner: SyncIoBridge::new(StreamReader::new(stream)),
        left: limit,
    }
}

/// Writes an uploaded file to an unnamed temporary file (gone when dropped), at most `limit`
/// bytes, and hands it back ready to read.
pub async fn spooled(mut field: Field<'_>, limit: usize) -> Result<std::fs::File, HttpError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        HttpError::bad_request(format!("the upload could not be read: {e}"))
    };
    let mut file = tempfile::tempfile().map_err(|e| internal(&e))?;
    let mut written = 0;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| unreadable(&e.body_text()))?
    {
        written += chunk.len();
        if written > limit {
            return Err(HttpError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the file is larger than the limit of {} MiB here; import it with \
                     `cocreate feedback import`",
                    limit >> 20
                ),
            ));
        }
        file.write_all(&chunk).map_err(|e| internal(&e))?;
    }
    file.rewind().map_err(|e| internal(&e))?;
    Ok(file)
}
