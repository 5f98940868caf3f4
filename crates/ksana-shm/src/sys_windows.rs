//! Windows backend: pagefile-backed named file mappings (`CreateFileMappingW(INVALID_HANDLE_VALUE, …)`),
//! exactly what the sims themselves create, and named kernel events.

use std::io;
use std::mem::{MaybeUninit, size_of};

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_ALREADY_EXISTS, ERROR_FILE_NOT_FOUND, GetLastError, HANDLE,
    INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::System::Memory::{
    CreateFileMappingW, FILE_MAP_ALL_ACCESS, FILE_MAP_READ, MEMORY_BASIC_INFORMATION,
    MEMORY_MAPPED_VIEW_ADDRESS, MapViewOfFile, OpenFileMappingW, PAGE_READWRITE, UnmapViewOfFile,
    VirtualQuery,
};

use crate::error::{Result, ShmError};
use crate::mapping::Created;
use crate::namespace::ShmNamespace;

/// NUL-terminated UTF-16 for `PCWSTR` parameters.
pub(crate) fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// The calling thread's last OS error as an `io::Error` (call right after the failing API).
pub(crate) fn last_error() -> io::Error {
    // SAFETY: GetLastError has no preconditions.
    let code = unsafe { GetLastError() };
    io::Error::from_raw_os_error(code as i32)
}

pub(crate) fn os_err(op: &'static str, name: &str, target: &str, source: io::Error) -> ShmError {
    ShmError::Os {
        op,
        name: name.to_owned(),
        target: target.to_owned(),
        source,
    }
}

/// An owned kernel handle, closed on drop.
#[derive(Debug)]
pub(crate) struct OwnedHandle(pub(crate) HANDLE);

// SAFETY: a kernel handle is a process-wide value; the APIs used on it (SetEvent, WaitForSingleObject,
// MapViewOfFile, CloseHandle) may be called from any thread, and it is closed exactly once, in Drop.
unsafe impl Send for OwnedHandle {}
// SAFETY: as above; shared use only issues thread-safe kernel calls.
unsafe impl Sync for OwnedHandle {}

impl Drop for OwnedHandle {
    fn drop(&mut self) {
        // SAFETY: the handle was returned non-null by a Create*/Open* call and is owned by us only.
        unsafe { CloseHandle(self.0) };
    }
}

/// A mapped view plus the section handle keeping it alive.
#[derive(Debug)]
pub(crate) struct MapHandle {
    view: *mut u8,
    len: usize,
    _section: OwnedHandle,
}

impl Drop for MapHandle {
    fn drop(&mut self) {
        // SAFETY: `view` is the base address MapViewOfFile returned and is unmapped exactly once, here;
        // no references into it exist (the crate only copies through raw pointers).
        unsafe {
            UnmapViewOfFile(MEMORY_MAPPED_VIEW_ADDRESS {
                Value: self.view.cast(),
            })
        };
    }
}

impl MapHandle {
    pub(crate) fn view(&self) -> (*mut u8, usize) {
        (self.view, self.len)
    }
}

/// Maps the whole section and measures the view with `VirtualQuery` (page-rounded section size).
fn map_view(
    section: OwnedHandle,
    access: u32,
    exact_len: Option<usize>,
    name: &str,
    target: &str,
) -> Result<MapHandle> {
    // SAFETY: `section.0` is a valid section handle; offset 0 and length 0 map the whole section.
    let addr = unsafe { MapViewOfFile(section.0, access, 0, 0, 0) };
    if addr.Value.is_null() {
        return Err(os_err("MapViewOfFile", name, target, last_error()));
    }
    let view = addr.Value.cast::<u8>();
    // Build the handle first so the view is unmapped on every error path below.
    let mut handle = MapHandle {
        view,
        len: 0,
        _section: section,
    };
    let mut info = MaybeUninit::<MEMORY_BASIC_INFORMATION>::zeroed();
    // SAFETY: `info` is a writable buffer of the size passed; `view` is a live mapping address.
    let got = unsafe {
        VirtualQuery(
            view.cast(),
            info.as_mut_ptr(),
            size_of::<MEMORY_BASIC_INFORMATION>(),
        )
    };
    if got == 0 {
        return Err(os_err("VirtualQuery", name, target, last_error()));
    }
    // SAFETY: VirtualQuery returned non-zero, so it filled the structure (it was zeroed anyway).
    let region = unsafe { info.assume_init() }.RegionSize;
    handle.len = match exact_len {
        Some(n) if n <= region => n,
        _ => region,
    };
    Ok(handle)
}

pub(crate) fn open_read(ns: &ShmNamespace, name: &str) -> Result<Option<MapHandle>> {
    let target = ns.object_name(name)?;
    let w = wide(&target);
    // SAFETY: `w` is a NUL-terminated UTF-16 string that outlives the call.
    let h = unsafe { OpenFileMappingW(FILE_MAP_READ, 0, w.as_ptr()) };
    if h.is_null() {
        let err = last_error();
        if err.raw_os_error() == Some(ERROR_FILE_NOT_FOUND as i32) {
            return Ok(None);
        }
        return Err(os_err("OpenFileMappingW", name, &target, err));
    }
    map_view(OwnedHandle(h), FILE_MAP_READ, None, name, &target).map(Some)
}

pub(crate) fn open_or_create(
    ns: &ShmNamespace,
    name: &str,
    size: usize,
) -> Result<(MapHandle, Created)> {
    let target = ns.object_name(name)?;
    let w = wide(&target);
    let size64 = size as u64;
    // SAFETY: INVALID_HANDLE_VALUE requests a pagefile-backed section; null security attributes are
    // allowed; `w` is NUL-terminated and outlives the call.
    let h = unsafe {
        CreateFileMappingW(
            INVALID_HANDLE_VALUE,
            std::ptr::null(),
            PAGE_READWRITE,
            (size64 >> 32) as u32,
            size64 as u32,
            w.as_ptr(),
        )
    };
    if h.is_null() {
        return Err(os_err("CreateFileMappingW", name, &target, last_error()));
    }
    // GetLastError is ERROR_ALREADY_EXISTS on success when the section already existed.
    // SAFETY: no preconditions.
    let existed = unsafe { GetLastError() } == ERROR_ALREADY_EXISTS;
    let (created, exact) = if existed {
        (Created::Existing, None)
    } else {
        (Created::New, Some(size))
    };
    let map = map_view(OwnedHandle(h), FILE_MAP_ALL_ACCESS, exact, name, &target)?;
    Ok((map, created))
}

pub(crate) fn size_of_existing(ns: &ShmNamespace, name: &str) -> Result<Option<u64>> {
    Ok(open_read(ns, name)?.map(|m| m.len as u64))
}
