//! The one way Borderflow writes a file: a temporary file in the target's folder, synced, then
//! renamed over the target, so that a crash or a full disk leaves either the old file or the
//! new one, never half of one. The target's permissions are kept, a symlink is written
//! through to its target, and a file that is one of the command's inputs is refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::engine::EngineError;

/// Symlink hops followed before a path is called a loop.
const MAX_LINK_HOPS: usize = 40;

fn io_error(path: &Path, reason: std::io::Error) -> EngineError {
    EngineError::Io {
        file: path.display().to_string(),
        reason,
    }
}

fn refusal(path: &Path, what: impl Into<String>) -> EngineError {
    EngineError::Run(format!("cannot write {}: {}", path.display(), what.into()))
}

/// Follows symlinks from `path` to the file they name (which need not exist yet).
pub fn resolve_links(path: &Path) -> Result<PathBuf, EngineError> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINK_HOPS {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|e| io_error(path, e))?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(refusal(path, "is a symbolic link loop"))
}

/// Refuses, before any work, a target that cannot be written: not a regular file, read-only,
/// or not writable by this user. Returns the file the path leads to and its metadata, if any.
pub fn check_writable(path: &Path) -> Result<(PathBuf, Option<std::fs::Metadata>), EngineError> {
    let target = resolve_links(path)?;
    let existing = match std::fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(path, e)),
    };
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(refusal(path, "is a directory"));
        }
        if !m.is_file() {
            return Err(refusal(path, "is not a regular file"));
        }
        if m.permissions().readonly() {
            return Err(refusal(path, "the file is read-only"));
        }
        // Opening for append changes nothing, and fails where we may not write.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .map_err(|e| refusal(path, e.to_string()))?;
    }
    // The rename needs a file of our own in the same folder: try one now.
    let dir = folder_of(&target);
    builder().tempfile_in(&dir).map_err(|e| {
        refusal(
            path,
            format!("cannot create a file in {}: {e}", dir.display()),
        )
    })?;
    Ok((target, existing))
}

fn folder_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".borderflow-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file gets the usual 0666 less the umask, not the temp file's 0600.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

/// Writes `bytes` to `path` atomically (see the module comment).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    let (target, existing) = check_writable(path)?;
    let dir = folder_of(&target);
    let mut tmp = builder().tempfile_in(&dir).map_err(|e| {
        refusal(
            path,
            format!("cannot create a file in {}: {e}", dir.display()),
        )
    })?;
    tmp.write_all(bytes).map_err(|e| io_error(path, e))?;
    if let Some(m) = &existing {
        tmp.as_file()
            .set_permissions(m.permissions())
            .map_err(|e| io_error(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| io_error(path, e))?;
    tmp.persist(&target).map_err(|e| io_error(path, e.error))?;
    // The rename is durable once the folder is synced; not every platform can open a folder.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// One CSV text cell: escaped for spreadsheets (see [`spreadsheet_text`]) and quoted when it
/// holds a comma, a quote or a line break.
pub fn csv_text(cell: &str) -> String {
    let s = spreadsheet_text(cell);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return
/// first) gets a leading apostrophe, which spreadsheets show as text. Numbers are not text
/// cells: write them as they are.
pub fn spreadsheet_text(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// True when `a` and `b` name the same existing file (through links and different spellings).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(ma), Ok(mb)) => {
            use std::os::unix::fs::MetadataExt;
            ma.dev() == mb.dev() && ma.ino() == mb.ino()
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        },
        _ => false,
    }
}

/// Refuses an output that is the same file as one of `inputs`.
pub fn refuse_input_as_output(output: &Path, inputs: &[PathBuf]) -> Result<(), EngineError> {
    match inputs.iter().find(|i| same_file(output, i)) {
        Some(input) => Err(refusal(
            output,
            format!(
                "it is the input {}; choose another output file",
                input.display()
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn formula_like_text_is_escaped_and_plain_text_kept() {
        assert_eq!(spreadsheet_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(spreadsheet_text("-x"), "'-x");
        assert_eq!(spreadsheet_text("@SUM"), "'@SUM");
        assert_eq!(spreadsheet_text("2022-10-10"), "2022-10-10");
        assert_eq!(spreadsheet_text("Visitors"), "Visitors");
        assert_eq!(csv_text("=1,2"), "\"'=1,2\"");
        assert_eq!(csv_text("plain"), "plain");
    }

    #[test]
    fn writes_keep_mode_and_follow_links() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").expect("seed");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).expect("symlink");
        write_atomic(&link, b"new").expect("written");
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert!(same_file(&link, &real));
    }

    #[test]
    fn read_only_files_loops_and_folders_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ro = dir.path().join("ro.xmile");
        std::fs::write(&ro, "keep").expect("seed");
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        let e = write_atomic(&ro, b"x").expect_err("read-only");
        assert!(e.to_string().contains("read-only"), "{e}");
        assert_eq!(std::fs::read_to_string(&ro).expect("read"), "keep");
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).expect("symlink");
        std::os::unix::fs::symlink("a", dir.path().join("b")).expect("symlink");
        assert!(
            write_atomic(&a, b"x")
                .expect_err("loop")
                .to_string()
                .contains("loop")
        );
        let e = write_atomic(dir.path(), b"x").expect_err("folder");
        assert!(e.to_string().contains("is a directory"), "{e}");
    }
}
