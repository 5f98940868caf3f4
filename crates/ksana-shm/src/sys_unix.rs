//! Linux (Unix) backend: regular files under the namespace root, mapped shared with `memmap2`.

use std::fs::{File, OpenOptions};
use std::io;

use memmap2::{MmapOptions, MmapRaw};

use crate::error::{Result, ShmError};
use crate::mapping::Created;
use crate::namespace::ShmNamespace;

/// Keeps the mapping alive; unmapped on drop by `memmap2`.
#[derive(Debug)]
pub(crate) struct MapHandle {
    map: MmapRaw,
    len: usize,
}

impl MapHandle {
    pub(crate) fn view(&self) -> (*mut u8, usize) {
        (self.map.as_mut_ptr(), self.len)
    }
}

fn os_err(op: &'static str, name: &str, path: &std::path::Path, source: io::Error) -> ShmError {
    ShmError::Os {
        op,
        name: name.to_owned(),
        target: path.display().to_string(),
        source,
    }
}

/// File length as `usize`, refusing non-regular files.
fn file_len(file: &File, name: &str, path: &std::path::Path) -> Result<usize> {
    let meta = file
        .metadata()
        .map_err(|e| os_err("fstat", name, path, e))?;
    if !meta.is_file() {
        return Err(ShmError::NotAFile {
            name: name.to_owned(),
            target: path.display().to_string(),
        });
    }
    usize::try_from(meta.len()).map_err(|_| ShmError::InvalidSize {
        name: name.to_owned(),
        size: meta.len(),
    })
}

pub(crate) fn open_read(ns: &ShmNamespace, name: &str) -> Result<Option<MapHandle>> {
    let path = ns.path_of(name)?;
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(os_err("open", name, &path, e)),
    };
    let len = file_len(&file, name, &path)?;
    let map = MmapOptions::new()
        .len(len)
        .map_raw_read_only(&file)
        .map_err(|e| os_err("mmap", name, &path, e))?;
    Ok(Some(MapHandle { map, len }))
}

pub(crate) fn open_or_create(
    ns: &ShmNamespace,
    name: &str,
    size: usize,
) -> Result<(MapHandle, Created)> {
    let path = ns.path_of(name)?;
    let (file, created) = match OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => (f, Created::New),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // `create(true)` covers the race where the file vanished in between.
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| os_err("open", name, &path, e))?;
            (f, Created::Existing)
        }
        Err(e) => return Err(os_err("create", name, &path, e)),
    };
    let existing = file_len(&file, name, &path)?;
    // Never shrink: readers (TinyPedal, simapi, Python mmap) map their own struct size and fault or
    // raise if the file is shorter.
    if existing < size {
        file.set_len(size as u64)
            .map_err(|e| os_err("ftruncate", name, &path, e))?;
    }
    let len = existing.max(size);
    let map = MmapOptions::new()
        .len(len)
        .map_raw(&file)
        .map_err(|e| os_err("mmap", name, &path, e))?;
    Ok((MapHandle { map, len }, created))
}

pub(crate) fn size_of_existing(ns: &ShmNamespace, name: &str) -> Result<Option<u64>> {
    let path = ns.path_of(name)?;
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(Some(m.len())),
        Ok(_) => Err(ShmError::NotAFile {
            name: name.to_owned(),
            target: path.display().to_string(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(os_err("stat", name, &path, e)),
    }
}
