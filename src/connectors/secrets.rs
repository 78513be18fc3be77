//! Where credentials come from, and where sessions are kept.
//!
//! kith never stores a token or password it was given: an account records only the name of an
//! environment variable or the path of a file, read when the engine connects. A secrets file that
//! group or others can read is refused. Sessions a platform hands back (Bluesky's access and
//! refresh tokens) are kept in `DATA_DIR/sessions/`, a 0700 directory of 0600 files.

use crate::i18n::tf;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
}

impl SecretSource {
    /// Where the secret lives, for `kith account list` (never the secret itself).
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Env(v) => format!("env:{v}"),
            SecretSource::File(p) => format!("file:{}", p.display()),
        }
    }

    /// Reads the secret, trimmed of surrounding whitespace.
    pub fn load(&self) -> Result<String, SecretError> {
        let raw = match self {
            SecretSource::Env(var) => {
                std::env::var(var).map_err(|_| SecretError::EnvMissing { var: var.clone() })?
            }
            SecretSource::File(path) => {
                check_private(path)?;
                std::fs::read_to_string(path).map_err(|e| SecretError::Unreadable {
                    path: path.clone(),
                    reason: e.to_string(),
                })?
            }
        };
        let s = raw.trim().to_string();
        if s.is_empty() {
            return Err(SecretError::Empty {
                source_name: self.describe(),
            });
        }
        Ok(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    EnvMissing { var: String },
    Unreadable { path: PathBuf, reason: String },
    TooOpen { path: PathBuf, mode: u32 },
    Empty { source_name: String },
}

impl std::error::Error for SecretError {}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            SecretError::EnvMissing { var } => tf("secret.env_missing", &[("var", var)]),
            SecretError::Unreadable { path, reason } => tf(
                "secret.unreadable",
                &[("path", &path.display()), ("reason", reason)],
            ),
            SecretError::TooOpen { path, mode } => tf(
                "secret.too_open",
                &[
                    ("path", &path.display()),
                    ("mode", &format!("{:o}", mode & 0o777)),
                ],
            ),
            SecretError::Empty { source_name } => tf("secret.empty", &[("source", source_name)]),
        };
        f.write_str(&s)
    }
}

/// Refuses a file that group or others may read or write.
pub fn check_private(path: &Path) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| SecretError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(SecretError::TooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// A small private JSON file holding a platform session for one account.
#[derive(Debug, Clone)]
pub struct SessionFile {
    path: PathBuf,
}

impl SessionFile {
    /// The session file for `account` under `data_dir/sessions/` (name hex-encoded, so any
    /// account name is a safe file name).
    pub fn for_account(data_dir: &Path, account: &str) -> SessionFile {
        let hex: String = account.bytes().map(|b| format!("{b:02x}")).collect();
        SessionFile {
            path: data_dir.join("sessions").join(format!("{hex}.json")),
        }
    }

    pub fn at(path: PathBuf) -> SessionFile {
        SessionFile { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored session, or `None` when there is none or it cannot be read (then we log in).
    pub fn load<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        check_private(&self.path).ok()?;
        let bytes = std::fs::read(&self.path).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Writes atomically (temp file, fsync, rename) with mode 0600 in a 0700 directory.
    pub fn save<T: Serialize>(&self, value: &T) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let tmp = self.path.with_extension("tmp");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&serde_json::to_vec(value).map_err(std::io::Error::other)?)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }

    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn open_secret_files_are_refused_with_the_chmod_to_run() {
        crate::i18n::init(crate::i18n::Lang::En);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret-token\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = SecretSource::File(path.clone()).load().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("chmod 600"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            SecretSource::File(path).load().unwrap(),
            "s3cret-token",
            "trimmed"
        );
    }

    #[test]
    fn sessions_are_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = SessionFile::for_account(dir.path(), "../../etc/passwd");
        assert!(f.path().starts_with(dir.path().join("sessions")));
        f.save(&serde_json::json!({"a": 1})).unwrap();
        let mode = std::fs::metadata(f.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let back: serde_json::Value = f.load().unwrap();
        assert_eq!(back["a"], 1);
    }
}
