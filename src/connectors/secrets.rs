//! Where credentials come from, and where sessions are kept.
//!
//! A secret named with `--token-env VAR` is read by the command that names it (the user's shell
//! has the variable; an engine started earlier does not) and handed to the engine over its private
//! socket, which keeps it in `DATA_DIR/secrets/` (a 0700 directory of 0600 files): the secret the
//! user named is the one used, now and after the engine restarts. A secret in a file is read
//! from that file (by absolute path) whenever the engine connects; a file that group or others can
//! read is refused. Sessions a platform hands back (Bluesky's access and refresh tokens) are kept
//! in `DATA_DIR/sessions/` the same way.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A secret value on its way from a command to the engine. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

pub use crate::domain::account::SecretSource;

/// Reading a secret from where an account says it is (I/O, so it lives here, not in `domain`).
pub trait LoadSecret {
    fn load(&self, data_dir: &Path, account: &str) -> Result<String, SecretError>;
}

impl LoadSecret for SecretSource {
    /// Reads the secret of `account`, trimmed of surrounding whitespace. Kept secrets live
    /// under `data_dir`.
    fn load(&self, data_dir: &Path, account: &str) -> Result<String, SecretError> {
        let raw = match self {
            SecretSource::Env(var) => {
                std::env::var(var).map_err(|_| SecretError::EnvMissing { var: var.clone() })?
            }
            SecretSource::Kept { from } => {
                let file = KeptSecret::for_account(data_dir, account);
                file.0
                    .load::<String>()
                    .ok_or_else(|| SecretError::KeptMissing {
                        from: from.clone(),
                        path: file.0.path().to_path_buf(),
                    })?
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

/// The name a second secret of `account` is kept and loaded under (VK's user token beside the
/// community token). Account names hold no control characters, so it never meets another's.
pub fn second_secret_name(account: &str) -> String {
    format!("{account}\u{1}user")
}

/// The engine's own copy of a secret the user named by an environment variable.
pub struct KeptSecret(SessionFile);

impl KeptSecret {
    pub fn for_account(data_dir: &Path, account: &str) -> KeptSecret {
        let hex: String = account.bytes().map(|b| format!("{b:02x}")).collect();
        KeptSecret(SessionFile::at(
            data_dir.join("secrets").join(format!("{hex}.json")),
        ))
    }

    /// Writes it atomically, 0600 in a 0700 directory.
    pub fn save(&self, secret: &Secret) -> std::io::Result<()> {
        self.0.save(&secret.0)
    }

    pub fn remove(&self) {
        self.0.remove()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    EnvMissing {
        var: String,
    },
    /// A kept secret whose file is gone or unreadable (someone removed `DATA_DIR/secrets`).
    KeptMissing {
        from: String,
        path: PathBuf,
    },
    Unreadable {
        path: PathBuf,
        reason: String,
    },
    TooOpen {
        path: PathBuf,
        mode: u32,
    },
    Empty {
        source_name: String,
    },
}

impl std::error::Error for SecretError {}

impl SecretError {
    pub fn phrase(&self) -> crate::i18n::Phrase {
        use crate::i18n::ph;
        match self {
            SecretError::EnvMissing { var } => ph("secret.env_missing", &[("var", var)]),
            SecretError::KeptMissing { from, path } => ph(
                "secret.kept_missing",
                &[("from", from), ("path", &path.display())],
            ),
            SecretError::Unreadable { path, reason } => ph(
                "secret.unreadable",
                &[("path", &path.display()), ("reason", reason)],
            ),
            SecretError::TooOpen { path, mode } => ph(
                "secret.too_open",
                &[
                    ("path", &path.display()),
                    ("mode", &format!("{:o}", mode & 0o777)),
                ],
            ),
            SecretError::Empty { source_name } => ph("secret.empty", &[("source", source_name)]),
        }
    }
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.phrase())
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
        let err = SecretSource::File(path.clone())
            .load(dir.path(), "a")
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("chmod 600"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            SecretSource::File(path).load(dir.path(), "a").unwrap(),
            "s3cret-token",
            "trimmed"
        );
    }

    #[test]
    fn kept_secrets_are_private_and_read_back_for_their_account() {
        let dir = tempfile::tempdir().unwrap();
        let kept = SecretSource::Kept {
            from: "env:TOKEN".into(),
        };
        let err = kept.load(dir.path(), "shop").unwrap_err().to_string();
        assert!(err.contains("env:TOKEN"), "{err}");
        KeptSecret::for_account(dir.path(), "shop")
            .save(&Secret("tok-1\n".into()))
            .unwrap();
        assert_eq!(kept.load(dir.path(), "shop").unwrap(), "tok-1");
        assert!(kept.load(dir.path(), "other").is_err());
        let secrets = dir.path().join("secrets");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&secrets), 0o700);
        for f in std::fs::read_dir(&secrets).unwrap() {
            assert_eq!(mode(&f.unwrap().path()), 0o600);
        }
        assert_eq!(format!("{:?}", Secret("tok-1".into())), "Secret(…)");
        KeptSecret::for_account(dir.path(), "shop").remove();
        assert!(kept.load(dir.path(), "shop").is_err());
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
