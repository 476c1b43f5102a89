//! Limits on what input may ask of the machine, checked before the work or allocation they
//! guard. The README's "Limits" section lists them; keep the two in step.

use std::io::Read;
use std::path::Path;

use super::expr::{self, Expr, SyntaxError, chain};

/// Longest equation accepted, in bytes (a sum of 100 000 named terms fits well within it).
pub const MAX_EQUATION_BYTES: usize = 4 << 20;
/// Deepest expression tree accepted after long chains are balanced. Parentheses alone are
/// capped at [`expr::MAX_DEPTH`] levels by the parser.
pub const MAX_TREE_DEPTH: usize = 1000;
/// Largest model, scenario, story, catalogue or shard file read.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// A number as people read it: plain when moderate, in exponent form when tiny or huge (1e-300
/// is not printed as 300 digits).
pub fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e9).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Parses an equation within the length and depth limits.
pub fn parse_equation(text: &str) -> Result<Expr, SyntaxError> {
    if text.len() > MAX_EQUATION_BYTES {
        return Err(SyntaxError {
            offset: 0,
            message: format!(
                "the equation is {} bytes long; the limit is {MAX_EQUATION_BYTES} bytes",
                text.len()
            ),
        });
    }
    let e = expr::parse(text)?;
    let depth = chain::depth(&e);
    if depth > MAX_TREE_DEPTH {
        return Err(SyntaxError {
            offset: 0,
            message: format!(
                "the expression is {depth} levels deep; the limit is {MAX_TREE_DEPTH}"
            ),
        });
    }
    Ok(e)
}

/// Why a path cannot be read as an input file: it is not a regular file, or too large.
/// `None` when it is a regular file within [`MAX_FILE_BYTES`].
pub fn refuse_input(path: &Path) -> Option<std::io::Error> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Some(describe_open_error(path, e)),
    };
    let kind = meta.file_type();
    let what = if kind.is_dir() {
        Some("is a directory")
    } else if kind.is_file() {
        None
    } else {
        Some(special_kind(&kind))
    };
    if let Some(what) = what {
        return Some(std::io::Error::other(what));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Some(std::io::Error::other(format!(
            "is larger than {} MB ({} bytes)",
            MAX_FILE_BYTES >> 20,
            meta.len()
        )));
    }
    None
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "is a FIFO"
    } else if kind.is_char_device() {
        "is a character device"
    } else if kind.is_block_device() {
        "is a block device"
    } else if kind.is_socket() {
        "is a socket"
    } else {
        "is not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "is not a regular file"
}

/// A clearer word for the errors `metadata` gives than "No such file or directory" for a
/// symlink loop.
fn describe_open_error(path: &Path, e: std::io::Error) -> std::io::Error {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match e.kind() {
        std::io::ErrorKind::NotFound if is_link => {
            std::io::Error::other("is a symbolic link to a file that does not exist")
        }
        std::io::ErrorKind::NotFound => std::io::Error::other("does not exist"),
        _ if e.raw_os_error() == Some(40) && is_link => {
            std::io::Error::other("is a symbolic link loop")
        }
        _ => e,
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] as bytes; the size is checked before
/// reading, and again while reading (the file may grow).
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    if let Some(e) = refuse_input(path) {
        return Err(e);
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "is larger than {} MB",
            MAX_FILE_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// Like [`read_input`], for UTF-8 text.
pub fn read_input_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_input(path)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_shown_short() {
        assert_eq!(short(1e-300), "1e-300");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(1234.0), "1234");
    }

    #[test]
    fn deep_trees_are_refused_and_long_equations_measured() {
        let nested = format!("{}1{}", "-(".repeat(60), ")".repeat(60));
        assert!(parse_equation(&nested).is_ok());
        let huge = "1+".repeat(MAX_EQUATION_BYTES / 2 + 1) + "1";
        let err = parse_equation(&huge).expect_err("too long");
        assert!(err.message.contains("limit is"), "{}", err.message);
    }
}
