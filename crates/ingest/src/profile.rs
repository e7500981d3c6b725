//! Language profiles, re-exported from `storyline-text`, where the files are parsed for every stage.

pub use storyline_text::profile::{Profile, BUILTIN};

use crate::IngestError;

/// Parses every built-in profile, with a broken one reported as an [`IngestError`].
pub fn builtin_profiles() -> Result<Vec<Profile>, IngestError> {
    storyline_text::profile::builtin_profiles()
        .map_err(|e| IngestError::Profile { name: e.name, message: e.message })
}
