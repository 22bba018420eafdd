//! `xrplace run --from-meta META`: the inputs a `meta.toml` records, written back into a
//! scratch folder for the run and removed with it.

use super::meta::{restore, Restored};
use crate::config::ConfigError;
use std::path::{Path, PathBuf};

/// An experiment restored from a `meta.toml` into a scratch folder of this process; the
/// folder is removed when the replay is dropped, on every way out of the command.
pub struct Replay {
    restored: Restored,
    _scratch: Scratch,
}

/// A scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Replay {
    /// Restores the inputs recorded in the `meta.toml` at `meta` (the scratch folder is
    /// removed again if that fails).
    pub fn restore(meta: &Path) -> Result<Replay, ConfigError> {
        let scratch =
            Scratch(std::env::temp_dir().join(format!("xrplace-from-meta-{}", std::process::id())));
        let _ = std::fs::remove_dir_all(&scratch.0);
        let restored = restore(meta, &scratch.0)?;
        Ok(Replay {
            restored,
            _scratch: scratch,
        })
    }

    /// The restored experiment's path, seed and overrides.
    pub fn restored(&self) -> &Restored {
        &self.restored
    }
}
