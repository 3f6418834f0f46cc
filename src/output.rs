//! Writing the output: every file goes into a fresh folder beside the
//! target, which replaces the previous output only when everything was
//! written, so a failed build leaves the old site exactly as it was.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use rayon::prelude::*;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// The bytes to write; shared, so that a rebuild can hand on a page of
    /// the previous build without copying it.
    pub contents: Bytes,
    /// For a page rendered in an incremental rebuild, the fingerprint of
    /// everything that went into it (see `render::Memo`).
    pub fingerprint: Option<u64>,
}

impl OutputFile {
    /// A file from a path and contents.
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            contents: Bytes::from(contents.into()),
            fingerprint: None,
        }
    }

    /// A file whose bytes are shared with another (a previous build's).
    pub fn shared(path: impl Into<String>, contents: Bytes) -> Self {
        OutputFile {
            path: path.into(),
            contents,
            fingerprint: None,
        }
    }

    /// The same file, marked with the fingerprint of its inputs.
    pub fn with_fingerprint(mut self, fingerprint: u64) -> Self {
        self.fingerprint = Some(fingerprint);
        self
    }
}

/// What a write produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes `files` as the complete content of `target`, atomically as far as
/// the file system allows: into `.<name>-new` beside it, then renamed into
/// place; the previous output is removed only after that.
pub fn write_site(target: &Path, files: &[OutputFile]) -> io::Result<WriteStats> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let staging = parent.join(format!(".{name}-new"));
    let old = parent.join(format!(".{name}-old"));
    remove_if_present(&staging)?;
    remove_if_present(&old)?;
    fs::create_dir_all(&staging)?;

    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        fs::create_dir_all(staging.join(dir))?;
    }
    let written = files.par_iter().try_for_each(|file| {
        check_relative(&file.path)?;
        fs::write(staging.join(&file.path), &file.contents)
    });
    if let Err(error) = written {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }

    if target.exists() {
        fs::rename(target, &old)?;
    }
    if let Err(error) = fs::rename(&staging, target) {
        // Put the previous output back.
        if old.exists() {
            let _ = fs::rename(&old, target);
        }
        return Err(error);
    }
    remove_if_present(&old)?;
    Ok(WriteStats {
        files: files.len(),
        bytes: files.iter().map(|f| f.contents.len() as u64).sum(),
    })
}

fn check_relative(path: &str) -> io::Result<()> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.split('/').any(|part| part == ".." || part.is_empty());
    if bad {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {path}"),
        ));
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write_site(
            &target,
            &[
                OutputFile::new("a/b.txt", "1"),
                OutputFile::new("c.txt", "2"),
            ],
        )
        .unwrap();
        let stats = write_site(&target, &[OutputFile::new("d.txt", "3")]).unwrap();
        assert_eq!(stats.files, 1);
        assert!(!target.join("c.txt").exists());
        assert_eq!(fs::read_to_string(target.join("d.txt")).unwrap(), "3");
        assert!(!dir.path().join(".public-new").exists());
        assert!(!dir.path().join(".public-old").exists());
    }

    #[test]
    fn refuses_paths_outside_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write_site(&target, &[OutputFile::new("keep.txt", "old")]).unwrap();
        assert!(write_site(&target, &[OutputFile::new("../evil.txt", "x")]).is_err());
        assert_eq!(fs::read_to_string(target.join("keep.txt")).unwrap(), "old");
    }
}
