//! The saved projection: a projection written beside the store, so a traversal on a store that has
//! not changed since the last one opens it instead of reading the whole store again.
//!
//! One file per set of projection options, `kg-projection-<hash of the options>.bin`, replaced
//! atomically. It is current while the store's `DataKey` (kg's write count and the fingerprint of
//! RocksDB's files) equals the one recorded in it and the options are the same; otherwise it is
//! rebuilt. A file that does not read back exactly (truncated, another format version, an index out
//! of range) counts as missing: nothing here trusts the file, and nothing panics on it.
//!
//! Layout, all integers little-endian, every section padded to 8 bytes:
//! ```text
//! magic "kgproj\0\0" · u32 format version · u32 0
//! u64 store version · u64 files fingerprint · bytes: canonical options
//! u64 node count · u64 first blank node · u64 edge count
//! nodes: u64 end offsets · bytes: text
//! edges (csr.rs): u32 out_start[nodes+1] · u32 target[edges] · u32 predicate[edges]
//!                 u32 in_start[nodes+1] · u32 in_edge[edges] · u32 in_source[edges]
//! predicates: u64 end offsets · bytes: text
//! predicate labels: u8 present per predicate · u64 end offsets · bytes: text
//! labels: u32 node per label · u64 end offsets · bytes: text
//! trailer "kgproj.\n"
//! ```
//! The file is memory-mapped and its arrays used where they lie: opening it checks the header,
//! the lengths and that every number is in range (one pass over the edge arrays), and copies
//! nothing but the predicate table.

use super::csr::Csr;
use super::project::{Projection, StrTable};
use super::words::{Word, Words};
use crate::error::Result;
use crate::store::{DataKey, KgStore};
use memmap2::Mmap;
use oxigraph::model::NamedNode;
use std::path::Path;
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"kgproj\0\0";
const TRAILER: &[u8; 8] = b"kgproj.\n";
const FORMAT_VERSION: u32 = 2;
const PREFIX: &str = "kg-projection-";
const SUFFIX: &str = ".bin";

/// The file name of the saved projection for these options.
pub fn file_name(canonical_options: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(canonical_options.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{hex}{SUFFIX}")
}

/// The saved projection for these options, if there is one and it reflects the store as it is now.
pub(crate) fn open(store: &KgStore, canonical_options: &str, key: DataKey) -> Option<Projection> {
    let path = store.derived_path(&file_name(canonical_options))?;
    decode(&super::words::map_file(&path)?, canonical_options, key)
}

/// Saves the projection for these options, and removes saved projections of older data.
pub(crate) fn save(
    store: &KgStore,
    p: &Projection,
    canonical_options: &str,
    key: DataKey,
) -> Result<()> {
    let name = file_name(canonical_options);
    store.write_derived_with(&name, |out| encode(p, canonical_options, key, out))?;
    if let Some(dir) = store.derived_path("") {
        remove_stale(&dir, &name, key);
    }
    Ok(())
}

/// Removes the other saved projections that no longer match the data (best effort: a file that
/// cannot be removed is only disk space, and is checked before any use anyway).
fn remove_stale(dir: &Path, keep: &str, key: DataKey) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == keep || !name.starts_with(PREFIX) || !name.ends_with(SUFFIX) {
            continue;
        }
        let current = std::fs::File::open(entry.path()).ok().and_then(|mut f| {
            let mut head = [0u8; 32];
            std::io::Read::read_exact(&mut f, &mut head).ok()?;
            header_key(&head)
        }) == Some(key);
        if !current {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn header_key(head: &[u8]) -> Option<DataKey> {
    let mut r = Reader { bytes: head, at: 0 };
    if r.take(8)? != MAGIC || r.u32()? != FORMAT_VERSION {
        return None;
    }
    r.u32()?;
    Some(DataKey {
        version: r.u64()?,
        files: r.u64()?,
    })
}

fn encode(
    p: &Projection,
    canonical_options: &str,
    key: DataKey,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = Writer {
        out,
        at: 0,
        failed: None,
    };
    w.bytes(MAGIC);
    w.u32(FORMAT_VERSION);
    w.u32(0);
    w.u64(key.version);
    w.u64(key.files);
    w.blob(canonical_options.as_bytes());
    w.u64(p.node_count() as u64);
    w.u64(p.first_blank as u64);
    w.u64(p.edge_count() as u64);
    w.table(&p.terms);
    let g = &p.graph;
    for array in [
        &g.out_start,
        &g.target,
        &g.predicate,
        &g.in_start,
        &g.in_edge,
        &g.in_source,
    ] {
        w.u32s(array);
    }
    let predicates: StrTable = p.predicates.iter().map(NamedNode::as_str).collect();
    w.u64(predicates.len() as u64);
    w.table(&predicates);
    for l in &p.predicate_labels {
        w.bytes(&[u8::from(l.is_some())]);
    }
    w.pad();
    let predicate_labels: StrTable = p
        .predicate_labels
        .iter()
        .map(|l| l.as_deref().unwrap_or(""))
        .collect();
    w.table(&predicate_labels);
    w.u64(p.label_nodes.len() as u64);
    w.u32s(&p.label_nodes);
    w.table(&p.labels);
    w.bytes(TRAILER);
    w.failed.map_or(Ok(()), Err)
}

fn decode(map: &Arc<Mmap>, canonical_options: &str, key: DataKey) -> Option<Projection> {
    let bytes: &[u8] = map;
    if header_key(bytes.get(..32)?)? != key {
        return None;
    }
    let mut r = Reader { bytes, at: 32 };
    if r.blob()? != canonical_options.as_bytes() {
        return None;
    }
    let nodes = usize::try_from(r.u64()?).ok()?;
    let first_blank = usize::try_from(r.u64()?).ok()?;
    let edges = usize::try_from(r.u64()?).ok()?;
    // Node and edge numbers are u32 in the file and in the graph.
    if nodes >= u32::MAX as usize || edges > u32::MAX as usize || first_blank > nodes {
        return None;
    }
    let terms = r.table(map, nodes)?;
    let graph = Csr {
        out_start: r.words(map, nodes + 1)?,
        target: r.words(map, edges)?,
        predicate: r.words(map, edges)?,
        in_start: r.words(map, nodes + 1)?,
        in_edge: r.words(map, edges)?,
        in_source: r.words(map, edges)?,
    };
    let predicate_count = usize::try_from(r.u64()?).ok()?;
    let predicate_table = r.table(map, predicate_count)?;
    let present = r.take(predicate_count)?.to_vec();
    r.pad();
    let predicate_label_table = r.table(map, predicate_count)?;
    let label_count = usize::try_from(r.u64()?).ok()?;
    let label_nodes: Words<u32> = r.words(map, label_count)?;
    let labels = r.table(map, label_count)?;
    if r.take(8)? != TRAILER || r.at != bytes.len() {
        return None;
    }
    if label_nodes.windows(2).any(|w| w[0] >= w[1])
        || label_nodes.last().is_some_and(|n| *n as usize >= nodes)
        || !graph.is_consistent(nodes, predicate_count)
    {
        return None;
    }
    let predicates: Vec<NamedNode> = (0..predicate_count)
        .map(|i| NamedNode::new(predicate_table.get(i)).ok())
        .collect::<Option<_>>()?;
    let predicate_labels = (0..predicate_count)
        .map(|i| (present[i] != 0).then(|| predicate_label_table.get(i).to_owned()))
        .collect();
    Some(Projection {
        graph,
        terms,
        first_blank,
        predicates,
        label_nodes,
        labels,
        predicate_labels,
    })
}

/// Writes the layout to a stream, counting bytes for the padding; the first error is kept and
/// ends the writing.
struct Writer<'a> {
    out: &'a mut dyn std::io::Write,
    at: u64,
    failed: Option<std::io::Error>,
}

impl Writer<'_> {
    fn bytes(&mut self, b: &[u8]) {
        if self.failed.is_none() {
            match self.out.write_all(b) {
                Ok(()) => self.at += b.len() as u64,
                Err(e) => self.failed = Some(e),
            }
        }
    }

    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }

    fn pad(&mut self) {
        let n = (8 - self.at % 8) % 8;
        self.bytes(&[0u8; 8][..n as usize]);
    }

    /// A length, the bytes, padding.
    fn blob(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.bytes(b);
        self.pad();
    }

    /// The end offsets (the count is known to the reader), then the text as a blob.
    fn table(&mut self, t: &StrTable) {
        self.words(&t.ends, u64::to_le_bytes);
        self.blob(&t.text);
    }

    /// The numbers (the count is known to the reader), padding.
    fn u32s(&mut self, v: &[u32]) {
        self.words(v, u32::to_le_bytes);
        self.pad();
    }

    /// Numbers as little-endian bytes, a few thousand to a write.
    fn words<T: Copy, const N: usize>(&mut self, v: &[T], le: fn(T) -> [u8; N]) {
        let mut buf = Vec::with_capacity(8192);
        for chunk in v.chunks(8192 / N) {
            buf.clear();
            for x in chunk {
                buf.extend_from_slice(&le(*x));
            }
            self.bytes(&buf);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(u64::from_le_bytes(a))
    }

    fn pad(&mut self) {
        self.at = self.at.div_ceil(8) * 8;
    }

    fn blob(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        let b = self.take(n)?;
        self.pad();
        Some(b)
    }

    /// `count` numbers where they lie in the map, then padding.
    fn words<T: Word>(&mut self, map: &Arc<Mmap>, count: usize) -> Option<Words<T>> {
        let start = self.at;
        self.take(count.checked_mul(std::mem::size_of::<T>())?)?;
        self.pad();
        Words::mapped(map, start, count)
    }

    /// `count` strings: their end offsets must rise to the end of the text (which is checked to
    /// be UTF-8 string by string as it is read: see `StrTable::get`).
    fn table(&mut self, map: &Arc<Mmap>, count: usize) -> Option<StrTable> {
        let ends: Words<u64> = self.words(map, count)?;
        let len = usize::try_from(self.u64()?).ok()?;
        let text: Words<u8> = self.words(map, len)?;
        if ends.windows(2).any(|w| w[0] > w[1]) || ends.last().map_or(0, |l| *l) != len as u64 {
            return None;
        }
        Some(StrTable { text, ends })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Projection {
        Projection {
            graph: Csr::from_sorted(3, vec![(0, 0, 1), (2, 1, 0)]).unwrap(),
            terms: ["http://a", "http://b", "x1"].into_iter().collect(),
            first_blank: 2,
            predicates: vec![
                NamedNode::new_unchecked("http://p"),
                NamedNode::new_unchecked("http://q"),
            ],
            label_nodes: vec![1].into(),
            labels: ["Bé"].into_iter().collect(),
            predicate_labels: vec![None, Some("q".to_owned())],
        }
    }

    fn bytes_of(p: &Projection) -> Vec<u8> {
        let mut bytes = Vec::new();
        encode(p, "opts", KEY, &mut bytes).unwrap();
        bytes
    }

    fn read(bytes: &[u8], options: &str, key: DataKey) -> Option<Projection> {
        decode(&super::super::words::map_bytes(bytes), options, key)
    }

    const KEY: DataKey = DataKey {
        version: 7,
        files: 42,
    };

    #[test]
    fn round_trip() {
        let p = sample();
        let bytes = bytes_of(&p);
        assert_eq!(bytes.len() % 8, 0);
        let q = read(&bytes, "opts", KEY).expect("reads back");
        assert_eq!(q.terms, p.terms);
        assert_eq!(q.first_blank, 2);
        assert_eq!(q.predicates, p.predicates);
        assert_eq!(q.predicate_labels, p.predicate_labels);
        assert_eq!(q.label_nodes, p.label_nodes);
        assert_eq!(q.labels, p.labels);
        let edges = |p: &Projection| -> Vec<(usize, usize, u32)> {
            use petgraph::visit::EdgeRef;
            p.graph
                .edges()
                .map(|e| (e.source().index(), e.target().index(), *e.weight()))
                .collect()
        };
        assert_eq!(edges(&q), edges(&p));
    }

    #[test]
    fn stale_or_damaged_files_are_not_used() {
        let bytes = bytes_of(&sample());
        assert!(read(&bytes, "other", KEY).is_none());
        let newer = DataKey { version: 8, ..KEY };
        assert!(read(&bytes, "opts", newer).is_none());
        let moved = DataKey { files: 43, ..KEY };
        assert!(read(&bytes, "opts", moved).is_none());
        for cut in [0, 10, 40, bytes.len() / 2, bytes.len() - 1] {
            assert!(read(&bytes[..cut], "opts", KEY).is_none(), "cut at {cut}");
        }
        // Any single flipped byte either still decodes consistently or is refused; never a panic.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            if let Some(p) = read(&b, "opts", KEY) {
                // Whatever it reads must be usable without a panic.
                for n in 0..p.node_count() {
                    let n = petgraph::graph::NodeIndex::new(n);
                    let _ = (p.term(n), p.label(n));
                    let _ = p
                        .graph
                        .edges_directed(n, petgraph::Direction::Incoming)
                        .count();
                }
                let _ = crate::graph::rank(&p);
            }
        }
    }
}
