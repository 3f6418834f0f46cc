//! Writing the output: every file goes into a fresh folder beside the
//! target, which replaces the previous output only when everything was
//! written, so a failed build leaves the old site exactly as it was.
//!
//! A file whose bytes are those of the previous output's file at the same
//! path is not written again but hard-linked from there, so it keeps its
//! inode and modification time (for web servers' and sync tools' caches),
//! and the previous output's removal frees nothing it still needs.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    /// Files in the output.
    pub files: usize,
    /// Bytes in the output.
    pub bytes: u64,
    /// Files the previous output had with the same bytes, kept (linked)
    /// rather than written again.
    pub unchanged: usize,
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
///
/// When the target is a folder (not a symbolic link to one), a file with
/// the same bytes as the target's file at the same path is hard-linked
/// from there instead of written; only regular files are linked, and only
/// through folders that are not symbolic links, so nothing outside the
/// previous output is ever linked. A link that fails (another file system,
/// no permission) is written instead. Nothing is ever written into a file
/// of the staging folder that exists, so the previous output's files are
/// never changed through their links.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    /// The previous output to link unchanged files from: the target, when
    /// it is a folder; `None` once linking failed.
    previous: Option<PathBuf>,
    /// Whether linking from `previous` still works.
    linking: AtomicBool,
    /// Folders already made inside the staging folder (relative), and
    /// whether the previous output has the same folder, reached through
    /// folders only (no symbolic link on the way).
    made: Mutex<HashMap<PathBuf, bool>>,
    /// Files linked from the previous output.
    unchanged: AtomicUsize,
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
        let previous = fs::symlink_metadata(target)
            .is_ok_and(|m| m.file_type().is_dir())
            .then(|| target.to_path_buf());
        Ok(Staging {
            target: target.to_path_buf(),
            staging,
            old,
            linking: AtomicBool::new(previous.is_some()),
            previous,
            made: Mutex::new(HashMap::from([(PathBuf::new(), true)])),
            unchanged: AtomicUsize::new(0),
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
        let relative = Path::new(&file.path);
        let path = self.staging.join(relative);
        let folder = relative.parent().unwrap_or(Path::new(""));
        let linkable = self.make_folder(folder)?;
        if linkable && self.link_unchanged(relative, &file.contents, &path) {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        write_new(&path, &file.contents)
    }

    /// Makes `folder` (relative) in the staging folder, with its parents;
    /// returns whether the previous output has it as a folder, reached
    /// through folders only.
    fn make_folder(&self, folder: &Path) -> io::Result<bool> {
        let known = |f: &Path| self.made.lock().ok().and_then(|m| m.get(f).copied());
        if let Some(linkable) = known(folder) {
            return Ok(linkable);
        }
        let parent_linkable = match folder.parent() {
            Some(parent) => self.make_folder(parent)?,
            None => true,
        };
        match fs::create_dir(self.staging.join(folder)) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
        let linkable = parent_linkable
            && self.previous.as_ref().is_some_and(|previous| {
                fs::symlink_metadata(previous.join(folder)).is_ok_and(|m| m.file_type().is_dir())
            });
        if let Ok(mut made) = self.made.lock() {
            made.insert(folder.to_path_buf(), linkable);
        }
        Ok(linkable)
    }

    /// Hard-links the previous output's file at `relative` to `path` when
    /// it is a regular file with exactly `contents`; whether it did.
    fn link_unchanged(&self, relative: &Path, contents: &[u8], path: &Path) -> bool {
        let Some(previous) = &self.previous else {
            return false;
        };
        if !self.linking.load(Ordering::Relaxed) {
            return false;
        }
        let old = previous.join(relative);
        if !same_regular_file(&old, contents).unwrap_or(false) {
            return false;
        }
        match fs::hard_link(&old, path) {
            Ok(()) => true,
            // A path written twice, or a file gone meanwhile: write it.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::AlreadyExists | io::ErrorKind::NotFound
                ) =>
            {
                false
            }
            Err(_) => {
                // Another file system, or links not allowed here: stop
                // trying (each try reads the old file first).
                self.linking.store(false, Ordering::Relaxed);
                false
            }
        }
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
            unchanged: self.unchanged.load(Ordering::Relaxed),
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

/// Writes a new file; a file already at `path` is removed first, never
/// written into (it may be a link to the previous output's file).
fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let create = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let mut file = match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            create()?
        }
        other => other?,
    };
    file.write_all(contents)
}

/// Whether `path` is a regular file (not a symbolic link) whose bytes are
/// exactly `contents`. (The output folder is the build's own: a file that
/// another program changes while the build reads it is not guarded
/// against.)
fn same_regular_file(path: &Path, contents: &[u8]) -> io::Result<bool> {
    let seen = fs::symlink_metadata(path)?;
    if !seen.file_type().is_file() || seen.len() != contents.len() as u64 {
        return Ok(false);
    }
    let mut file = fs::File::open(path)?;
    // Compared a piece at a time: large files need not be held twice.
    const PIECE: usize = 256 * 1024;
    let mut buffer = vec![0u8; contents.len().min(PIECE)];
    for expected in contents.chunks(PIECE) {
        let piece = &mut buffer[..expected.len()];
        file.read_exact(piece)?;
        if piece != expected {
            return Ok(false);
        }
    }
    Ok(true)
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

    #[cfg(unix)]
    fn inode(path: &Path) -> (u64, u64, std::time::SystemTime) {
        use std::os::unix::fs::MetadataExt;
        let m = fs::symlink_metadata(path).unwrap();
        (m.ino(), m.nlink(), m.modified().unwrap())
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_from_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let site = |b: &str| {
            vec![
                OutputFile::new("same.txt", "same"),
                OutputFile::new("a/b/same.txt", "deep"),
                OutputFile::new("changed.txt", b.to_string()),
                OutputFile::new("longer.txt", format!("{b}{b}")),
            ]
        };
        let first = write_site(&target, &site("one")).unwrap();
        assert_eq!(first.unchanged, 0);
        let before: Vec<_> = ["same.txt", "a/b/same.txt", "changed.txt", "longer.txt"]
            .iter()
            .map(|p| inode(&target.join(p)))
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let second = write_site(&target, &site("two")).unwrap();
        assert_eq!((second.files, second.unchanged), (4, 2));
        // Linked: the same inode and time, and no other link left.
        assert_eq!(inode(&target.join("same.txt")).0, before[0].0);
        assert_eq!(
            inode(&target.join("same.txt")),
            (before[0].0, 1, before[0].2)
        );
        assert_eq!(inode(&target.join("a/b/same.txt")), before[1]);
        assert_ne!(inode(&target.join("changed.txt")).0, before[2].0);
        assert_ne!(inode(&target.join("longer.txt")).0, before[3].0);
        assert_eq!(
            fs::read_to_string(target.join("changed.txt")).unwrap(),
            "two"
        );
    }

    #[cfg(unix)]
    #[test]
    fn nothing_outside_the_previous_output_is_linked() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(outside.join("sub")).unwrap();
        fs::write(outside.join("secret.txt"), "same").unwrap();
        fs::write(outside.join("sub/x.txt"), "same").unwrap();
        let files = [
            OutputFile::new("secret.txt", "same"),
            OutputFile::new("sub/x.txt", "same"),
        ];
        let outside_before = (
            inode(&outside.join("secret.txt")),
            inode(&outside.join("sub/x.txt")),
        );

        // The output is a symbolic link to a folder: nothing is linked.
        let target = dir.path().join("public");
        std::os::unix::fs::symlink(&outside, &target).unwrap();
        let stats = write_site(&target, &files).unwrap();
        assert_eq!(stats.unchanged, 0);
        assert!(
            !fs::symlink_metadata(&target)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_ne!(inode(&target.join("secret.txt")).0, outside_before.0.0);

        // A file or a folder of the output is a symbolic link: not linked.
        fs::remove_dir_all(&target).unwrap();
        fs::create_dir_all(&target).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.txt"), target.join("secret.txt")).unwrap();
        std::os::unix::fs::symlink(outside.join("sub"), target.join("sub")).unwrap();
        let stats = write_site(&target, &files).unwrap();
        assert_eq!(stats.unchanged, 0);
        for path in ["secret.txt", "sub/x.txt"] {
            let m = fs::symlink_metadata(target.join(path)).unwrap();
            assert!(m.file_type().is_file(), "{path}");
            assert_eq!(fs::read_to_string(target.join(path)).unwrap(), "same");
        }
        assert_ne!(inode(&target.join("secret.txt")).0, outside_before.0.0);
        assert_ne!(inode(&target.join("sub/x.txt")).0, outside_before.1.0);
        // What the links pointed to is as it was.
        assert_eq!(
            (
                inode(&outside.join("secret.txt")),
                inode(&outside.join("sub/x.txt"))
            ),
            outside_before
        );
        assert_eq!(
            fs::read_to_string(outside.join("secret.txt")).unwrap(),
            "same"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_build_leaves_linked_files_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write_site(&target, &[OutputFile::new("page.html", "old")]).unwrap();
        let before = inode(&target.join("page.html"));
        {
            let staging = Staging::begin(&target).unwrap();
            // Linked, then written again with other bytes at the same
            // path: the link is replaced, the old file is not written.
            staging
                .write_now(OutputFile::new("page.html", "old"))
                .unwrap();
            assert_eq!(inode(&target.join("page.html")).1, 2);
            staging
                .write_now(OutputFile::new("page.html", "new"))
                .unwrap();
            assert_eq!(fs::read_to_string(target.join("page.html")).unwrap(), "old");
            // Dropped unfinished: a failed build.
        }
        assert_eq!(inode(&target.join("page.html")), before);
        assert_eq!(fs::read_to_string(target.join("page.html")).unwrap(), "old");
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
