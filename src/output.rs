//! Writing the output: every file goes into a fresh folder beside the
//! target, which replaces the previous output only when everything was
//! written, so a failed build leaves the old site exactly as it was.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

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
    /// The size of a file already written to the staging folder, whose
    /// contents are no longer held.
    pub written: Option<u64>,
}

impl OutputFile {
    /// A file from a path and contents.
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            contents: Bytes::from(contents.into()),
            fingerprint: None,
            written: None,
        }
    }

    /// A file whose bytes are shared with another (a previous build's).
    pub fn shared(path: impl Into<String>, contents: Bytes) -> Self {
        OutputFile {
            path: path.into(),
            contents,
            fingerprint: None,
            written: None,
        }
    }

    /// Whether the file was written early and its contents dropped.
    pub fn is_written(&self) -> bool {
        self.written.is_some()
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.written.unwrap_or(self.contents.len() as u64)
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
    Staging::begin(target)?.finish(files)
}

/// Writes `files` into the staging folder at once, when there is one, and
/// keeps only their paths and sizes: for generated files that need no
/// further processing (organisation pages, lists, data).
pub fn write_now(
    staging: Option<&Staging>,
    files: Vec<OutputFile>,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let Some(staging) = staging else {
        return Ok(files);
    };
    files
        .into_par_iter()
        // An organisation's three files are written on the calling thread.
        .with_min_len(64)
        .map(|file| {
            let path = file.path.clone();
            staging.write_now(file).map_err(|error| {
                Diagnostic::error(format!("could not write `{path}`: {error}")).hint(
                    "check the space and permissions of the output folder's parent; the previous output is left as it was",
                )
            })
        })
        .collect()
}

/// The folder a build writes into before it replaces the output:
/// `.<name>-new` beside the target. Files can go in while the build still
/// renders (so that the largest part of a site need not be held in memory);
/// the target is replaced only by [`Staging::finish`], and a staging folder
/// that is dropped unfinished is removed, leaving the output as it was.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    /// Folders already made inside the staging folder.
    made: Mutex<HashSet<PathBuf>>,
    finished: bool,
}

impl Staging {
    /// Makes an empty staging folder for `target`.
    pub fn begin(target: &Path) -> io::Result<Staging> {
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
        Ok(Staging {
            target: target.to_path_buf(),
            staging,
            old,
            made: Mutex::new(HashSet::new()),
            finished: false,
        })
    }

    /// Writes one file now and returns it without its contents, marked as
    /// written (see [`OutputFile::is_written`]); a file written before is
    /// returned as it is.
    pub fn write_now(&self, file: OutputFile) -> io::Result<OutputFile> {
        if file.is_written() {
            return Ok(file);
        }
        self.write(&file)?;
        Ok(OutputFile {
            path: file.path,
            contents: Bytes::new(),
            fingerprint: None,
            written: Some(file.contents.len() as u64),
        })
    }

    fn write(&self, file: &OutputFile) -> io::Result<()> {
        check_relative(&file.path)?;
        let path = self.staging.join(&file.path);
        if let Some(dir) = path.parent() {
            let known = self.made.lock().map(|m| m.contains(dir)).unwrap_or(false);
            if !known {
                fs::create_dir_all(dir)?;
                if let Ok(mut made) = self.made.lock() {
                    made.insert(dir.to_path_buf());
                }
            }
        }
        fs::write(path, &file.contents)
    }

    /// Writes the files not yet written, then puts the staging folder in
    /// place of the target. `files` is the whole site, including the files
    /// written earlier with [`Staging::write_now`].
    pub fn finish(mut self, files: &[OutputFile]) -> io::Result<WriteStats> {
        files
            .par_iter()
            .filter(|f| f.written.is_none())
            .try_for_each(|file| self.write(file))?;
        if self.target.exists() {
            fs::rename(&self.target, &self.old)?;
        }
        if let Err(error) = fs::rename(&self.staging, &self.target) {
            // Put the previous output back.
            if self.old.exists() {
                let _ = fs::rename(&self.old, &self.target);
            }
            return Err(error);
        }
        self.finished = true;
        remove_if_present(&self.old)?;
        Ok(WriteStats {
            files: files.len(),
            bytes: files.iter().map(OutputFile::size).sum(),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
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
    fn files_written_early_count_and_an_unfinished_staging_folder_goes() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write_site(&target, &[OutputFile::new("old.txt", "old")]).unwrap();
        {
            let staging = Staging::begin(&target).unwrap();
            staging
                .write_now(OutputFile::new("x/early.txt", "12345"))
                .unwrap();
            assert!(dir.path().join(".public-new/x/early.txt").exists());
            // Dropped without finishing: a failed build.
        }
        assert!(!dir.path().join(".public-new").exists());
        assert_eq!(fs::read_to_string(target.join("old.txt")).unwrap(), "old");

        let staging = Staging::begin(&target).unwrap();
        let early = staging
            .write_now(OutputFile::new("x/early.txt", "12345"))
            .unwrap();
        assert!(early.is_written() && early.contents.is_empty());
        let stats = staging
            .finish(&[early, OutputFile::new("late.txt", "1")])
            .unwrap();
        assert_eq!((stats.files, stats.bytes), (2, 6));
        assert_eq!(
            fs::read_to_string(target.join("x/early.txt")).unwrap(),
            "12345"
        );
        assert!(!target.join("old.txt").exists());
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
