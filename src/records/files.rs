//! Reading the records folder: every `<id>.toml` read once (relative to the
//! opened folder), parsed and checked in parallel, and, for `serve`, a cache
//! of the records whose files did not change.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, Read};

use rayon::prelude::*;

use crate::diagnostics::Diagnostics;

use super::*;

/// Loads every record under `root/content/organisations`, in id order.
/// Records with errors are left out and their errors added to `diagnostics`.
pub fn load_all(
    root: &Path,
    weights: &Weights,
    reference: Date,
    diagnostics: &mut Diagnostics,
) -> Vec<Organisation> {
    load_all_cached(root, weights, reference, diagnostics, None)
}

/// The records of a previous run, for a rebuild (`serve`) to read and parse
/// only the files that changed: by file name, with the size and
/// modification time the file had.
#[derive(Debug, Default)]
pub struct RecordCache {
    /// The weights and reference date the records were checked against.
    checked_with: Option<(u64, Date)>,
    records: HashMap<OsString, CachedRecord>,
}

#[derive(Debug)]
struct CachedRecord {
    len: u64,
    modified: std::time::SystemTime,
    result: Result<Organisation, Vec<Diagnostic>>,
}

impl RecordCache {
    /// Forgets the records of these files, so that they are read again
    /// even if an edit kept their size and time (two edits within the file
    /// system's clock tick).
    pub fn forget(&mut self, paths: &[std::path::PathBuf]) {
        for path in paths {
            if let Some(name) = path.file_name() {
                self.records.remove(name);
            }
        }
    }
}

/// [`load_all`], taking unchanged files from `cache` (and updating it).
pub fn load_all_cached(
    root: &Path,
    weights: &Weights,
    reference: Date,
    diagnostics: &mut Diagnostics,
    cache: Option<&mut RecordCache>,
) -> Vec<Organisation> {
    load_all_as(root, weights, reference, diagnostics, cache, |org| org)
}

/// [`load_all_cached`], each record put into what `wrap` makes of it as it
/// is loaded. `Registry::load` wraps each in the room of its computed
/// figures, so that the records are not moved into a second, larger vector
/// (both vectors were live at once: 48 MB more at 100,000 records). The
/// records take the room of the results when a result with `T` takes no
/// more room than `T` (a test checks it for the types used).
pub(crate) fn load_all_as<T: Send>(
    root: &Path,
    weights: &Weights,
    reference: Date,
    diagnostics: &mut Diagnostics,
    cache: Option<&mut RecordCache>,
    wrap: impl Fn(Organisation) -> T + Sync,
) -> Vec<T> {
    let RecordFiles { names, folder } = RecordFiles::list(root);
    let dir = folder.path.as_path();
    // Every file's path as messages show it, without building the path.
    let shown_dir = display_path(root, dir);
    let print = weights_print(weights);
    // A rebuild keeps the texts (it compares them); a build reads a file
    // again for a message instead.
    let root_path: Arc<Path> = Arc::from(root);
    let keep = match cache {
        Some(_) => Keep::Text,
        None => Keep::ReadAgainFrom(&root_path),
    };
    let load = |name: &OsString| -> Option<Result<Organisation, Vec<Diagnostic>>> {
        let shown_name = lossy(name);
        let mut display = String::with_capacity(shown_dir.len() + 1 + shown_name.len());
        display.push_str(&shown_dir);
        display.push('/');
        if shown_name.contains('\\') {
            display.push_str(&shown_name.replace('\\', "/"));
        } else {
            display.push_str(&shown_name);
        }
        // The stem of `<stem>.toml`, as `Path::file_stem` reads it (a name
        // that is only `.toml` has no extension), without parsing a path.
        let Some(stem) = shown_name.strip_suffix(".toml").filter(|s| !s.is_empty()) else {
            return Some(Err(vec![
                Diagnostic::warning("ignored a file that is not a `.toml` record")
                    .in_file(display)
                    .hint(
                        "records are `content/organisations/<id>.toml`; move other files elsewhere",
                    ),
            ]));
        };
        let text = match folder.read_text(name) {
            Ok(text) => text,
            Err(error) => {
                return Some(Err(vec![
                    Diagnostic::error(format!("could not read the record: {error}"))
                        .in_file(display),
                ]));
            }
        };
        Some(parse_record_as(
            Cow::Borrowed(stem),
            Source::new(display, text),
            (weights, Some(print)),
            reference,
            keep,
        ))
    };
    let results: Vec<Option<Result<T, Vec<Diagnostic>>>> = match cache {
        // Indexed: each result is written where it belongs, once.
        None => names
            .par_iter()
            .map(|name| load(name).map(|result| result.map(&wrap)))
            .collect(),
        Some(cache) => {
            let checked_with = (print, reference);
            if cache.checked_with != Some(checked_with) {
                cache.records.clear();
                cache.checked_with = Some(checked_with);
            }
            let mut previous = std::mem::take(&mut cache.records);
            // `None`: unchanged, taken from `previous` below.
            let loaded: Vec<(OsString, Option<Option<CachedRecord>>)> = names
                .into_par_iter()
                .map(|name| {
                    // A file whose size and time are unchanged is taken as
                    // it was; anything else is read again.
                    let stamp = std::fs::metadata(dir.join(&name))
                        .ok()
                        .and_then(|m| Some((m.len(), m.modified().ok()?)));
                    if let (Some((len, modified)), Some(cached)) = (stamp, previous.get(&name))
                        && cached.len == len
                        && cached.modified == modified
                    {
                        return (name, None);
                    }
                    let record = load(&name).map(|result| {
                        // An unknown time never matches again.
                        let (len, modified) =
                            stamp.unwrap_or((u64::MAX, std::time::SystemTime::UNIX_EPOCH));
                        CachedRecord {
                            len,
                            modified,
                            result,
                        }
                    });
                    (name, Some(record))
                })
                .collect();
            let mut results = Vec::with_capacity(loaded.len());
            for (name, fresh) in loaded {
                let record = match fresh {
                    Some(fresh) => fresh,
                    None => previous.remove(&name),
                };
                if let Some(record) = record {
                    results.push(Some(record.result.clone().map(&wrap)));
                    cache.records.insert(name, record);
                }
            }
            results
        }
    };
    // In place: the records take the room of the results.
    results
        .into_iter()
        .filter_map(|result| match result? {
            Ok(org) => Some(org),
            Err(problems) => {
                problems.into_iter().for_each(|p| diagnostics.push(p));
                None
            }
        })
        .collect()
}

/// A site's records folder as [`load_all`] reads it: the names of its
/// regular files, sorted (all in one folder, so in path order), and the
/// folder opened once. Public so that a benchmark reads the files exactly
/// as a build does.
pub struct RecordFiles {
    /// The files' names, in the order the records are loaded.
    pub names: Vec<OsString>,
    folder: Folder,
}

impl RecordFiles {
    /// Lists `root/content/organisations`; a folder that cannot be read
    /// has no files.
    pub fn list(root: &Path) -> RecordFiles {
        let dir = root.join(RECORDS_DIR);
        let mut names: Vec<OsString> = Vec::new();
        // Whether every file listed is a file of the folder itself (no link).
        let mut only_files = true;
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                // The entry's type comes with the listing; only a symbolic
                // link (or a file system that does not say) costs a `stat`.
                let is_file = match entry.file_type() {
                    Ok(kind) if kind.is_file() => true,
                    Ok(kind) if !kind.is_symlink() => false,
                    _ => {
                        only_files = false;
                        entry.path().is_file()
                    }
                };
                if is_file {
                    names.push(entry.file_name());
                }
            }
        }
        names.sort_unstable();
        RecordFiles {
            names,
            folder: Folder::open(&dir, only_files),
        }
    }

    /// The records folder.
    pub fn dir(&self) -> &Path {
        &self.folder.path
    }

    /// The bytes of the file `name`, read as a build reads them, handed to
    /// `f` from the calling thread's buffer.
    pub fn with_bytes<T>(
        &self,
        name: &std::ffi::OsStr,
        f: impl FnOnce(&[u8]) -> T,
    ) -> io::Result<T> {
        self.folder.with_bytes(name, f)
    }
}

/// `to_string_lossy`, checking a name that is valid UTF-8 (every name,
/// nearly) the faster way `to_str` does.
fn lossy(name: &std::ffi::OsStr) -> Cow<'_, str> {
    match name.to_str() {
        Some(name) => Cow::Borrowed(name),
        None => name.to_string_lossy(),
    }
}

/// The records folder. On Unix it is opened once and each record is opened
/// relative to it (`openat`), so the kernel does not walk the folder's
/// path again for every file.
struct Folder {
    path: std::path::PathBuf,
    #[cfg(unix)]
    fd: Option<std::os::fd::OwnedFd>,
    /// Whether one read that returns less than a page and less than it was
    /// asked for is the whole file (see [`Folder::open`]).
    short_read_is_end: bool,
}

/// Below this size a file lies in one page of the page cache, which is read
/// whole or not at all.
const PAGE: usize = 4096;

impl Folder {
    /// The folder at `path`; `only_files` says that every name to read was
    /// listed as a regular file of the folder (not a link, which may lead
    /// to another file system).
    ///
    /// Reading a whole file takes a last `read` that returns 0, to see the
    /// end: 100,000 system calls for as many records. Linux's local file
    /// systems fill a read of a regular file up to its end, so there the
    /// first read of a file smaller than a page, asking for more than that,
    /// is known to be all of it. Other file systems (network and FUSE ones
    /// may return less) and other systems get the last read.
    fn open(path: &Path, only_files: bool) -> Folder {
        #[cfg(unix)]
        let fd = {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            rustix::fs::open(path, flags, Mode::empty()).ok()
        };
        #[cfg(target_os = "linux")]
        let short_read_is_end = only_files && fd.as_ref().is_some_and(reads_to_the_end);
        #[cfg(not(target_os = "linux"))]
        let short_read_is_end = {
            let _ = only_files;
            false
        };
        Folder {
            path: path.to_path_buf(),
            #[cfg(unix)]
            fd,
            short_read_is_end,
        }
    }

    /// Opens the file `name` of the folder for reading, as `File::open`
    /// would (the same flags, the same errors).
    fn open_file(&self, name: &std::ffi::OsStr) -> io::Result<std::fs::File> {
        #[cfg(unix)]
        if let Some(fd) = &self.fd {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::CLOEXEC;
            return match rustix::fs::openat(fd, name, flags, Mode::from_raw_mode(0o666)) {
                Ok(file) => Ok(std::fs::File::from(file)),
                Err(errno) => Err(io::Error::from(errno)),
            };
        }
        std::fs::File::open(self.path.join(name))
    }

    /// A whole file's bytes: one `open`, reads into a buffer each thread
    /// reuses (`std::fs::read` also asks the file's size and position
    /// first, two more system calls per record), handed to `f`.
    fn with_bytes<T>(&self, name: &std::ffi::OsStr, f: impl FnOnce(&[u8]) -> T) -> io::Result<T> {
        thread_local! {
            static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|buffer| {
            let mut file = self.open_file(name)?;
            if buffer.len() < 64 * 1024 {
                buffer.resize(64 * 1024, 0);
            }
            let mut len = 0;
            loop {
                if len == buffer.len() {
                    buffer.resize(2 * len, 0);
                }
                match file.read(&mut buffer[len..]) {
                    Ok(0) => break,
                    // The first read, short of both the buffer and a page.
                    Ok(n) if self.short_read_is_end && len == 0 && n < PAGE => {
                        len = n;
                        break;
                    }
                    Ok(n) => len += n,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(f(&buffer[..len]))
        })
    }

    /// A whole file as text, copied once from the buffer into the shared
    /// text; errors are those of `read_to_string`.
    fn read_text(&self, name: &std::ffi::OsStr) -> io::Result<Arc<str>> {
        match self.with_bytes(name, |bytes| std::str::from_utf8(bytes).map(Arc::from))? {
            Ok(text) => Ok(text),
            // The same error, worded as `read_to_string` words it.
            Err(_) => std::fs::read_to_string(self.path.join(name)).map(Arc::from),
        }
    }
}

/// Whether the folder `fd` is on a file system known to fill every read of
/// a regular file up to the file's end: tmpfs, ext2/3/4, XFS, Btrfs and
/// overlayfs (which reads from one of those, in containers).
#[cfg(target_os = "linux")]
fn reads_to_the_end(fd: &std::os::fd::OwnedFd) -> bool {
    const LOCAL: [u32; 5] = [0x0102_1994, 0xEF53, 0x5846_5342, 0x9123_683E, 0x794C_7630];
    // `f_type` is a signed or unsigned word depending on the architecture.
    #[allow(clippy::unnecessary_cast)]
    rustix::fs::fstatfs(fd).is_ok_and(|fs| LOCAL.contains(&(fs.f_type as u32)))
}
