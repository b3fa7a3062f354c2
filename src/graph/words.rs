//! Arrays of plain numbers that either live on the heap (a projection just built) or are read in
//! place from a memory-mapped file (a saved projection), behind one slice type.
//!
//! Opening a saved projection of LUBM-100 (2.2 million nodes, 8.8 million edges) by reading and
//! copying its file took 340–370 ms of a 417 ms `kg path`; mapped, only the pages a traversal
//! touches are read, and the kernel's page cache is shared by every kg process instead of copied
//! into each.

use memmap2::Mmap;
use std::ops::Deref;
use std::sync::Arc;

/// The element types a mapped array may hold: every bit pattern is a valid value, so reading one
/// from any file is defined (a damaged file gives wrong numbers, which the readers check, never
/// undefined behaviour).
pub(crate) trait Word: Copy + sealed::Sealed {}
impl Word for u8 {}
impl Word for u32 {}
impl Word for u64 {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
}

/// A read-only `[T]`, owned or mapped.
pub(crate) struct Words<T: Word> {
    inner: Inner<T>,
}

enum Inner<T> {
    Owned(Vec<T>),
    Mapped {
        map: Arc<Mmap>,
        start: usize,
        len: usize,
    },
}

impl<T: Word> Words<T> {
    /// `len` elements at byte `start` of the map, if they lie within it and are aligned for `T`.
    /// The file is little-endian, so a big-endian machine gets `None` (and rebuilds the projection).
    pub(crate) fn mapped(map: &Arc<Mmap>, start: usize, len: usize) -> Option<Self> {
        if cfg!(target_endian = "big") {
            return None;
        }
        let bytes = len.checked_mul(std::mem::size_of::<T>())?;
        let end = start.checked_add(bytes)?;
        if end > map.len() || (map.as_ptr() as usize + start) % std::mem::align_of::<T>() != 0 {
            return None;
        }
        Some(Self {
            inner: Inner::Mapped {
                map: Arc::clone(map),
                start,
                len,
            },
        })
    }
}

impl<T: Word> From<Vec<T>> for Words<T> {
    fn from(v: Vec<T>) -> Self {
        Self {
            inner: Inner::Owned(v),
        }
    }
}

impl<T: Word> Default for Words<T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<T: Word> Deref for Words<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.inner {
            Inner::Owned(v) => v,
            // SAFETY: `mapped` checked that the range lies within the map and is aligned for `T`;
            // every bit pattern is a valid `T` (`Word` is sealed to plain integers); the map is
            // read-only and kept alive by the `Arc` for as long as the slice is borrowed. kg
            // replaces saved files by renaming a new one over them, never by writing in place, so
            // the mapped pages do not change under the reader.
            Inner::Mapped { map, start, len } => unsafe {
                std::slice::from_raw_parts(map.as_ptr().add(*start).cast::<T>(), *len)
            },
        }
    }
}

impl<T: Word + PartialEq> PartialEq for Words<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Word + std::fmt::Debug> std::fmt::Debug for Words<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A read-only map of a whole file. Mapping is `unsafe` in memmap2 because another process could
/// change the file under the map; kg's own saved files are only ever replaced by a rename.
pub(crate) fn map_file(path: &std::path::Path) -> Option<Arc<Mmap>> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: see above; a file truncated in place by another program could still fault the
    // reader, which the README names.
    let map = unsafe { Mmap::map(&file) }.ok()?;
    Some(Arc::new(map))
}

/// An anonymous read-only map holding `bytes`, for tests of the readers.
#[cfg(test)]
pub(crate) fn map_bytes(bytes: &[u8]) -> Arc<Mmap> {
    let mut m = memmap2::MmapMut::map_anon(bytes.len().max(1)).expect("anonymous map");
    m[..bytes.len()].copy_from_slice(bytes);
    Arc::new(m.make_read_only().expect("read-only"))
}
