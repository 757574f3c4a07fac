//! Files people upload: told apart by their first bytes (never by name or header alone), with
//! explicit size limits, kept in the object store, and served only to those who may see the idea.

use std::sync::Arc;

use cocreate_core::IdeaAction;
use cocreate_store::{Attachment, NewAttachment};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::secrets::new_token;
use crate::{Actor, App, AppError, AppResult};

/// The largest file accepted on an idea.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// The most files one idea may carry.
pub const MAX_ATTACHMENTS_PER_IDEA: usize = 10;
/// The most pixels an image may declare (a photo of 8,000 × 5,000): a small file can declare
/// far more, which a browser would then try to decode into gigabytes of memory.
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// The types accepted, told by content, and the file-name endings each may have.
const TYPES: &[(&str, &[&str])] = &[
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/gif", &["gif"]),
    ("image/webp", &["webp"]),
    ("application/pdf", &["pdf"]),
    ("text/plain", &["txt", "md"]),
];

/// The type of a file by its content: an accepted binary format known by its signature, or
/// plain UTF-8 text (which has no signature) when nothing else matched.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes) {
        Some(kind) => TYPES
            .iter()
            .map(|(content_type, _)| *content_type)
            .find(|accepted| *accepted == kind.mime_type()),
        None => (!bytes.is_empty() && std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0))
            .then_some("text/plain"),
    }
}

/// Checks the name and the content agree, returning the content's type.
pub fn check_file(name: &str, bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "the file is empty"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::invalid("file", "must be at most 5 MiB"));
    }
    let content_type = sniff(bytes).ok_or_else(|| {
        AppError::invalid(
            "file",
            "must be a PNG, JPEG, GIF or WebP image, a PDF, or plain text",
        )
    })?;
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let allowed = TYPES
        .iter()
        .find(|(t, _)| *t == content_type)
        .map_or(&[][..], |(_, exts)| *exts);
    if !allowed.contains(&extension.as_str()) {
        return Err(AppError::invalid(
            "file",
            format!(
                "the file's content ({content_type}) does not match its name; name it .{}",
                allowed.first().unwrap_or(&"bin")
            ),
        ));
    }
    if content_type.starts_with("image/") {
        check_pixels("file", bytes)?;
    }
    Ok(content_type)
}

/// Refuses an image whose header declares more than [`MAX_IMAGE_PIXELS`], or none that can be
/// read; only the header is read.
pub fn check_pixels(field: &'static str, bytes: &[u8]) -> AppResult<()> {
    let size = imagesize::blob_size(bytes)
        .map_err(|_| AppError::invalid(field, "the image's dimensions cannot be read"))?;
    let (width, height) = (size.width as u64, size.height as u64);
    if width * height > MAX_IMAGE_PIXELS {
        return Err(AppError::invalid(
            field,
            format!(
                "must be at most {} million pixels (this one is {width} × {height})",
                MAX_IMAGE_PIXELS / 1_000_000
            ),
        ));
    }
    Ok(())
}

/// A file name safe to store and show: its last path part, 1–120 characters, no control characters.
fn clean_name(name: &str) -> AppResult<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let length = base.chars().count();
    if length == 0 || length > 120 || base.chars().any(char::is_control) || base.starts_with('.') {
        return Err(AppError::invalid(
            "file",
            "name must be 1–120 characters, not start with a dot, and have no control characters",
        ));
    }
    Ok(base.to_owned())
}

/// A file store in a local directory (created if missing), the default.
pub fn local_files(dir: &std::path::Path) -> AppResult<Arc<dyn ObjectStore>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
    let store = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|e| {
        AppError::Unavailable(format!("cannot use {} for files: {e}", dir.display()))
    })?;
    Ok(Arc::new(store))
}

impl App {
    pub fn files(&self) -> &Arc<dyn ObjectStore> {
        &self.config.files
    }

    /// Attaches a file to an idea (its authors or staff).
    pub async fn attach(
        &self,
        actor: &Actor,
        idea_id: i64,
        name: &str,
        bytes: Vec<u8>,
    ) -> AppResult<Attachment> {
        let (idea, view) = self.visible_idea(Some(actor), idea_id).await?;
        let authorship = self.authorship(actor.id, &idea).await?;
        if !view.may_on_idea(&idea, authorship, IdeaAction::Edit) {
            return Err(AppError::Forbidden);
        }
        if idea.stage.is_final() || idea.hidden.is_some() {
            return Err(AppError::conflict(
                "stage",
                "files can no longer be added to this idea",
            ));
        }
        let name = clean_name(name)?;
        let content_type = check_file(&name, &bytes)?;
        let key = format!("ideas/{idea_id}/{}", new_token());
        let size = bytes.len() as i64;
        self.put_file(&key, bytes).await?;
        let result = async {
            let mut tx = self.store.begin().await?;
            // Counted inside the transaction, so parallel uploads cannot pass the limit.
            if tx.count_attachments(idea_id).await? >= MAX_ATTACHMENTS_PER_IDEA as i64 {
                return Err(AppError::invalid(
                    "file",
                    format!("an idea holds at most {MAX_ATTACHMENTS_PER_IDEA} files"),
                ));
            }
            let id = tx
                .insert_attachment(&NewAttachment {
                    idea_id,
                    uploader_id: actor.id,
                    file_name: &name,
                    content_type,
                    size,
                    storage_key: &key,
                    created_at: self.now(),
                })
                .await?;
            self.commit(tx).await?;
            self.store.attachment(id).await?.ok_or(AppError::NotFound)
        }
        .await;
        if result.is_err() {
            // The record was not written: do not keep an orphaned file.
            self.delete_file(&key).await;
        }
        result
    }

    pub async fn attachments(
        &self,
        actor: Option<&Actor>,
        idea_id: i64,
    ) -> AppResult<Vec<Attachment>> {
        self.visible_idea(actor, idea_id).await?;
        Ok(self.store.attachments(idea_id).await?)
    }

    /// A file and its bytes, if the actor may see its idea.
    pub async fn attachment(
        &self,
        actor: Option<&Actor>,
        id: i64,
    ) -> AppResult<(Attachment, Vec<u8>)> {
        let attachment = self.store.attachment(id).await?.ok_or(AppError::NotFound)?;
        self.visible_idea(actor, attachment.idea_id).await?;
        let bytes = self.get_file(&attachment.storage_key).await?;
        Ok((attachment, bytes))
    }

    /// Staff set a challenge's cover image (PNG, JPEG, GIF or WebP).
    pub async fn set_challenge_cover(
        &self,
        actor: &Actor,
        challenge_id: i64,
        name: &str,
        bytes: Vec<u8>,
    ) -> AppResult<()> {
        let (view, challenge) = self.challenge(Some(actor), challenge_id).await?;
        if !view.can_curate {
            return Err(AppError::Forbidden);
        }
        let name = clean_name(name)?;
        let content_type = check_file(&name, &bytes)?;
        if !content_type.starts_with("image/") {
            return Err(AppError::invalid(
                "file",
                "a cover must be a PNG, JPEG, GIF or WebP image",
            ));
        }
        let key = format!("challenges/{challenge_id}/{}", new_token());
        self.put_file(&key, bytes).await?;
        let result = async {
            let mut tx = self.store.begin().await?;
            tx.set_challenge_cover(challenge_id, &key, content_type)
                .await?;
            self.commit(tx).await
        }
        .await;
        match result {
            Ok(()) => {
                if let Some((old, _)) = challenge.cover {
                    self.delete_file(&old).await;
                }
                Ok(())
            }
            Err(error) => {
                self.delete_file(&key).await;
                Err(error)
            }
        }
    }

    /// A challenge's cover image and its type, if the actor may see the challenge.
    pub async fn challenge_cover(
        &self,
        actor: Option<&Actor>,
        challenge_id: i64,
    ) -> AppResult<(String, Vec<u8>)> {
        let (_, challenge) = self.challenge(actor, challenge_id).await?;
        let (key, content_type) = challenge.cover.ok_or(AppError::NotFound)?;
        Ok((content_type, self.get_file(&key).await?))
    }

    pub(crate) async fn put_file(&self, key: &str, bytes: Vec<u8>) -> AppResult<()> {
        self.config
            .files
            .put(&StorePath::from(key), bytes.into())
            .await
            .map(|_| ())
            .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))
    }

    pub(crate) async fn get_file(&self, key: &str) -> AppResult<Vec<u8>> {
        let unavailable =
            |e: object_store::Error| AppError::Unavailable(format!("file storage: {e}"));
        let data = self
            .config
            .files
            .get(&StorePath::from(key))
            .await
            .map_err(unavailable)?
            .bytes()
            .await
            .map_err(unavailable)?;
        Ok(data.to_vec())
    }

    /// Best effort: a file that cannot be removed is only wasted space.
    pub(crate) async fn delete_file(&self, key: &str) {
        if let Err(error) = self.config.files.delete(&StorePath::from(key)).await {
            tracing::warn!(%error, key, "could not remove a stored file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a PNG declaring these dimensions: signature and IHDR chunk.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend(b"\x08\x06\x00\x00\x00\x00\x00\x00\x00");
        bytes
    }

    #[test]
    fn images_may_declare_only_so_many_pixels() {
        assert!(check_file("photo.png", &png(8000, 5000)).is_ok());
        let error = check_file("bomb.png", &png(65_535, 65_535)).unwrap_err();
        assert!(error.to_string().contains("65535 × 65535"), "{error}");
        assert!(check_pixels("logo", &png(8001, 5000)).is_err());
        let headless = b"\x89PNG\r\n\x1a\nrest";
        assert!(
            check_file("photo.png", headless).is_err(),
            "no readable size"
        );
    }

    #[test]
    fn content_decides_and_must_match_the_name() {
        let png = png(1, 1);
        assert_eq!(check_file("photo.png", &png).unwrap(), "image/png");
        assert_eq!(check_file("photo.PNG", &png).unwrap(), "image/png");
        assert!(
            check_file("photo.jpg", &png)
                .unwrap_err()
                .to_string()
                .contains("does not match")
        );
        assert!(
            check_file("notes.txt", b"<svg onload=alert(1)>").is_ok(),
            "text stays text"
        );
        assert!(
            check_file("image.png", b"<svg onload=alert(1)>").is_err(),
            "an SVG named .png is refused"
        );
        assert!(check_file("x.exe", b"MZ\x90\x00\x03").is_err());
        assert!(check_file("empty.txt", b"").is_err());
        assert!(check_file("big.txt", &vec![b'a'; MAX_ATTACHMENT_BYTES + 1]).is_err());
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"GIF89a\x01\x00"), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x24\x00\x00\x00WEBPVP8 "), Some("image/webp"));
        // Known formats that are not accepted stay refused, even where they are valid UTF-8.
        assert_eq!(sniff(b"PK\x03\x04\x14\x00\x00\x00"), None);
        assert_eq!(sniff(b"MZ\x90\x00\x03"), None);
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd.txt").unwrap(), "passwd.txt");
        assert_eq!(clean_name("C:\\Users\\me\\plan.pdf").unwrap(), "plan.pdf");
        assert!(clean_name(".htaccess").is_err());
        assert!(clean_name("").is_err());
        assert!(clean_name("bad\u{7}.txt").is_err());
    }
}
