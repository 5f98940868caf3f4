//! A mapped view of a named shared-memory object.

use std::ptr;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering, fence};

use crate::error::{Result, ShmError};
use crate::namespace::ShmNamespace;
use crate::sys;

/// Whether [`Mapping::open_or_create`] made a new object or opened one that was already there.
///
/// A player wants to know: an existing object may belong to a running sim (or a bridge that pre-created
/// it), and on Linux it may have been larger than asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The object did not exist and was created with the requested size (zero-filled).
    New,
    /// The object already existed; its contents were kept. On Linux it was grown if smaller than asked.
    Existing,
}

/// A mapped view of a named shared-memory object (a sim telemetry page).
///
/// All accessors copy in or out through the raw pointer: no Rust reference to the shared bytes is ever
/// handed out or held, because another process may write them at any time. Every access is bounds-checked
/// and returns [`ShmError::OutOfRange`] rather than panicking.
///
/// The view stays valid until the `Mapping` is dropped. (On Linux, another process truncating the backing
/// file below the view would make accesses fault; ksana never shrinks these files, see `docs/SHM.md`.)
#[derive(Debug)]
pub struct Mapping {
    name: String,
    ptr: *mut u8,
    len: usize,
    writable: bool,
    _os: sys::MapHandle,
}

// SAFETY: `Mapping` owns its OS mapping handle/view; the pointer is only used for copying and atomic
// accesses that are already designed for concurrent modification by other processes, so sharing or moving
// the handle between threads adds nothing new.
unsafe impl Send for Mapping {}
// SAFETY: as above; `&Mapping` only permits copies and atomic accesses, never references into the view.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Opens an existing object read-only; `Ok(None)` if it does not exist.
    ///
    /// This is the recorder's entry point: it must never create a page a sim would later find.
    /// The view covers the whole object (on Windows: page-rounded, see [`Mapping::len`]).
    pub fn open_read(ns: &ShmNamespace, name: &str) -> Result<Option<Mapping>> {
        let Some(os) = sys::open_read(ns, name)? else {
            return Ok(None);
        };
        Ok(Some(Mapping::from_os(name, os, false)))
    }

    /// Opens the object read-write, creating it with `size` zero bytes if it does not exist.
    ///
    /// This is the player's entry point. Linux: an existing file is never shrunk; it is grown with
    /// `ftruncate` only if smaller than `size`, and the view covers `max(existing, size)` bytes. Windows:
    /// an existing mapping keeps its size (sections cannot be resized), so check [`Mapping::len`].
    /// `size == 0` is rejected with [`ShmError::InvalidSize`].
    pub fn open_or_create(
        ns: &ShmNamespace,
        name: &str,
        size: usize,
    ) -> Result<(Mapping, Created)> {
        if size == 0 {
            ShmNamespace::base_name(name)?;
            return Err(ShmError::InvalidSize {
                name: name.to_owned(),
                size: 0,
            });
        }
        let (os, created) = sys::open_or_create(ns, name, size)?;
        Ok((Mapping::from_os(name, os, true), created))
    }

    /// Whether a mappable object with this name exists. `false` for an invalid name, a non-file under the
    /// root, or an OS error; use [`Mapping::size_of_existing`] to tell those apart.
    pub fn exists(ns: &ShmNamespace, name: &str) -> bool {
        matches!(Self::size_of_existing(ns, name), Ok(Some(_)))
    }

    /// The size of an existing object, `Ok(None)` if there is none: the player's "is a sim (or a stale
    /// file) already there, and how big is it" check. Linux: the file size; Windows: the page-rounded size
    /// of a read-only view.
    pub fn size_of_existing(ns: &ShmNamespace, name: &str) -> Result<Option<u64>> {
        sys::size_of_existing(ns, name)
    }

    fn from_os(name: &str, os: sys::MapHandle, writable: bool) -> Mapping {
        let (ptr, len) = os.view();
        Mapping {
            name: name.to_owned(),
            ptr,
            len,
            writable,
            _os: os,
        }
    }

    /// Size of the view in bytes. On Windows, for an object this handle did not create, this is the view
    /// size reported by `VirtualQuery`, i.e. rounded up to whole pages (bytes past the section read as 0).
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` for a zero-length view (e.g. a Linux file created but not yet sized by its writer).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The name as given when opening (e.g. `Local\acpmf_physics`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this handle may write (opened with [`Mapping::open_or_create`]).
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    fn check(&self, offset: usize, len: usize) -> Result<()> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(ShmError::OutOfRange {
                name: self.name.clone(),
                offset,
                len,
                size: self.len,
            }),
        }
    }

    fn check_aligned(&self, offset: usize, align: usize) -> Result<()> {
        self.check(offset, align)?;
        // The view base is page-aligned, so offset alignment is address alignment.
        if !offset.is_multiple_of(align) {
            return Err(ShmError::Misaligned {
                name: self.name.clone(),
                offset,
                align,
            });
        }
        Ok(())
    }

    fn check_writable(&self) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(ShmError::ReadOnly {
                name: self.name.clone(),
            })
        }
    }

    /// Copies `buf.len()` bytes starting at `offset` out of the view.
    ///
    /// Ends with an acquire fence, so a torn-read check (`load_i32_acquire` of a sequence field after the
    /// copy) cannot be reordered before the copied bytes.
    pub fn read(&self, offset: usize, buf: &mut [u8]) -> Result<()> {
        self.check(offset, buf.len())?;
        if !buf.is_empty() {
            // SAFETY: `offset + buf.len() <= self.len` was checked and the view of `self.len` bytes stays
            // mapped while `self` lives; `buf` is a distinct local buffer, so the ranges cannot overlap.
            // The bytes may change concurrently (another process); we only copy them, never reference them.
            unsafe { ptr::copy_nonoverlapping(self.ptr.add(offset), buf.as_mut_ptr(), buf.len()) };
        }
        fence(Ordering::Acquire);
        Ok(())
    }

    /// Copies `len` bytes starting at `offset` into a new vector.
    pub fn read_vec(&self, offset: usize, len: usize) -> Result<Vec<u8>> {
        self.check(offset, len)?;
        let mut v = vec![0u8; len];
        self.read(offset, &mut v)?;
        Ok(v)
    }

    /// Copies `data` into the view at `offset` (read-write handles only).
    ///
    /// Starts with a release fence, so a preceding `store_i32_release` of an "update in progress" marker
    /// is ordered before the data (seqlock-style writers).
    pub fn write(&self, offset: usize, data: &[u8]) -> Result<()> {
        self.check_writable()?;
        self.check(offset, data.len())?;
        fence(Ordering::Release);
        if !data.is_empty() {
            // SAFETY: bounds checked above, the view is mapped writable (`self.writable`) for `self.len`
            // bytes while `self` lives, and `data` is caller memory outside the view (a Rust slice cannot
            // point into the view: this crate never creates references into it), so no overlap.
            unsafe { ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(offset), data.len()) };
        }
        Ok(())
    }

    /// Reads a little-endian `u32` at `offset` (any alignment).
    pub fn read_u32_le(&self, offset: usize) -> Result<u32> {
        let mut b = [0u8; 4];
        self.read(offset, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads a little-endian `i32` at `offset` (any alignment).
    pub fn read_i32_le(&self, offset: usize) -> Result<i32> {
        let mut b = [0u8; 4];
        self.read(offset, &mut b)?;
        Ok(i32::from_le_bytes(b))
    }

    /// Atomically loads the native-endian `i32` at a 4-aligned `offset` with acquire ordering: the
    /// reading half of torn-read protocols (AC `packetId`, rF2 version counters, iRacing `tickCount`).
    pub fn load_i32_acquire(&self, offset: usize) -> Result<i32> {
        self.check_aligned(offset, 4)?;
        // SAFETY: in bounds and 4-aligned (checked; the view base is page-aligned), mapped while `self`
        // lives. `AtomicI32` has the layout of `i32`; the reference lives only for this one load, and an
        // atomic load is how memory mutated concurrently by other processes may be read. A 32-bit atomic
        // load is a plain lock-free load, which std documents as fine on read-only memory as well.
        let v = unsafe { AtomicI32::from_ptr(self.ptr.add(offset).cast::<i32>()) }
            .load(Ordering::Acquire);
        Ok(v)
    }

    /// Atomically stores the native-endian `i32` at a 4-aligned `offset` with release ordering: the
    /// publishing half of torn-read protocols (write the body, then the counter).
    pub fn store_i32_release(&self, offset: usize, value: i32) -> Result<()> {
        self.check_writable()?;
        self.check_aligned(offset, 4)?;
        // SAFETY: in bounds, 4-aligned, mapped writable while `self` lives (checked above); the atomic
        // reference is temporary and atomics are the sanctioned way to share a cell with other writers.
        unsafe { AtomicI32::from_ptr(self.ptr.add(offset).cast::<i32>()) }
            .store(value, Ordering::Release);
        Ok(())
    }

    /// Atomically loads a native-endian `u64` at an 8-aligned `offset` (acquire). Used by the Linux event.
    #[cfg_attr(windows, allow(dead_code))]
    pub(crate) fn load_u64_acquire(&self, offset: usize) -> Result<u64> {
        self.check_aligned(offset, 8)?;
        // SAFETY: in bounds, 8-aligned (page-aligned base), mapped while `self` lives; temporary atomic
        // reference used for a single lock-free 64-bit load (x86_64 / aarch64 only targets).
        let v = unsafe { AtomicU64::from_ptr(self.ptr.add(offset).cast::<u64>()) }
            .load(Ordering::Acquire);
        Ok(v)
    }

    /// Atomically adds to a native-endian `u64` at an 8-aligned `offset` (acq-rel), returning the new value.
    #[cfg_attr(windows, allow(dead_code))]
    pub(crate) fn fetch_add_u64(&self, offset: usize, add: u64) -> Result<u64> {
        self.check_writable()?;
        self.check_aligned(offset, 8)?;
        // SAFETY: in bounds, 8-aligned, mapped writable while `self` lives (checked); the atomic RMW is
        // coherent across processes sharing the same physical page.
        let old = unsafe { AtomicU64::from_ptr(self.ptr.add(offset).cast::<u64>()) }
            .fetch_add(add, Ordering::AcqRel);
        Ok(old.wrapping_add(add))
    }
}
