//! Which data the database holds, told from its files without reading it: the key that files
//! derived from the data (the saved projection, the completion vocabulary) are checked against.
//!
//! The preferred fingerprint is RocksDB's own write counter: the last sequence number recorded in
//! the current MANIFEST (every write, whether through the write-ahead log or an ingested bulk-load
//! file, takes new sequence numbers; a compaction takes none), with the database's IDENTITY (a
//! different database copied in has another) and the names and sizes of the write-ahead logs that
//! hold writes past that sequence (writes not yet in the MANIFEST; a log holding only flushed
//! writes, which RocksDB keeps to reuse its file, is left out, as the next open deletes it). When the MANIFEST cannot be read as expected, the fingerprint
//! falls back to the names and sizes of the table files and logs, which also changes with every
//! write, but with every compaction too (then a derived file is rebuilt once more than needed).

use std::path::Path;

/// What the fingerprint is made of.
struct Files {
    tables: Vec<(String, u64)>,
    /// The write-ahead logs that may hold writes the tables do not.
    logs: Vec<(String, u64)>,
    sequence: Option<u64>,
}

/// The fingerprint of the database in `dir`.
pub(crate) fn fingerprint(dir: &Path) -> std::io::Result<u64> {
    use sha2::Digest;
    let Files {
        tables,
        logs,
        sequence,
    } = files(dir)?;
    let mut hash = sha2::Sha256::new();
    let mut add = |name: &str, len: u64| {
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name.as_bytes());
        hash.update(len.to_le_bytes());
    };
    match sequence {
        Some(sequence) => {
            let identity = std::fs::read_to_string(dir.join("IDENTITY")).unwrap_or_default();
            add("sequence", sequence);
            add(identity.trim(), 0);
        }
        None => {
            add("files", 0);
            for (name, len) in &tables {
                add(name, *len);
            }
        }
    }
    for (name, len) in &logs {
        add(name, *len);
    }
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    Ok(u64::from_le_bytes(first))
}

/// Whether the write-ahead logs may hold writes the table files do not (always, when the
/// MANIFEST cannot be read): only then can a flush change what the next open finds.
pub(crate) fn unflushed(dir: &Path) -> std::io::Result<bool> {
    let files = files(dir)?;
    Ok(files.sequence.is_none() || !files.logs.is_empty())
}

fn files(dir: &Path) -> std::io::Result<Files> {
    let mut tables = Vec::new();
    let mut logs = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_table = name.ends_with(".sst");
        if !is_table && !name.ends_with(".log") {
            continue;
        }
        let len = match entry.metadata() {
            Ok(m) => m.len(),
            // Deleted by a compaction between the listing and now.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if is_table {
            tables.push((name, len));
        } else if len > 0 {
            // RocksDB starts an empty log at every open; only one holding writes says something.
            logs.push((name, len));
        }
    }
    tables.sort();
    logs.sort();
    let sequence = last_sequence(dir);
    if let Some(recorded) = sequence {
        // A log whose every write is at or below the MANIFEST's last sequence holds nothing the
        // tables do not: RocksDB keeps such a log after a flush, to reuse its file, and the next
        // open deletes it. Counting it would change the key without any write.
        logs.retain(|(name, len)| {
            *len > MAX_LOG_READ || log_last_sequence(&dir.join(name)).is_none_or(|s| s > recorded)
        });
    }
    Ok(Files {
        tables,
        logs,
        sequence,
    })
}

/// The last sequence number the current MANIFEST records; `None` when anything is unexpected.
fn last_sequence(dir: &Path) -> Option<u64> {
    let current = std::fs::read_to_string(dir.join("CURRENT")).ok()?;
    let name = current.trim();
    if !name.starts_with("MANIFEST-") || name.contains('/') {
        return None;
    }
    let data = std::fs::read(dir.join(name)).ok()?;
    manifest_last_sequence(&data)
}

/// The version edits of a MANIFEST; the last `LastSequence` wins.
fn manifest_last_sequence(data: &[u8]) -> Option<u64> {
    let mut last = None;
    log_records(data, None, |edit| edit_sequence(edit, &mut last))?;
    last
}

/// A write-ahead log read to find its last write; bigger ones count as holding unflushed writes.
const MAX_LOG_READ: u64 = 64 << 20;

/// The highest sequence number written to the write-ahead log at `path` (`000123.log`): each
/// record is a write batch, its first sequence number then its count of writes; 0 when it holds
/// none for this log (a reused file holds only an older log's records). `None` when it cannot be
/// read as expected.
fn log_last_sequence(path: &Path) -> Option<u64> {
    let number: u64 = path.file_stem()?.to_str()?.parse().ok()?;
    let data = std::fs::read(path).ok()?;
    let mut last = Some(0);
    log_records(&data, Some(number), |batch| {
        let first = u64::from_le_bytes(batch.get(..8)?.try_into().ok()?);
        let count = u32::from_le_bytes(batch.get(8..12)?.try_into().ok()?);
        let end = first.checked_add(u64::from(count.max(1)) - 1)?;
        last = last.max(Some(end));
        Some(())
    })?;
    last
}

/// Calls `each` with every whole record of a file in RocksDB's log format (the MANIFEST, a
/// write-ahead log): 32 KiB blocks of fragments, each with a 7-byte header, or 11 bytes for the
/// recyclable kinds, which also carry the low 32 bits of the number of the log written. Stops at
/// a fragment cut short (one being appended now: what came before stands) and, given the log's
/// `number`, at a fragment written for another log (what a reused file still holds from before).
/// `None` when `each` says so, or on a kind it does not know.
fn log_records(
    data: &[u8],
    number: Option<u64>,
    mut each: impl FnMut(&[u8]) -> Option<()>,
) -> Option<()> {
    const BLOCK: usize = 32 * 1024;
    let mut pending: Vec<u8> = Vec::new();
    for block in data.chunks(BLOCK) {
        let mut at = 0;
        while at + 7 <= block.len() {
            let len = usize::from(u16::from_le_bytes([block[at + 4], block[at + 5]]));
            let kind = block[at + 6];
            if kind == 0 && len == 0 {
                // Zero padding: the rest of the block, or preallocated space.
                break;
            }
            let header = if kind >= 5 { 11 } else { 7 };
            let Some(payload) = block.get(at + header..at + header + len) else {
                return Some(());
            };
            if let (Some(number), true) = (number, kind >= 5) {
                let written = u32::from_le_bytes(block.get(at + 7..at + 11)?.try_into().ok()?);
                if u64::from(written) != number & 0xffff_ffff {
                    return Some(());
                }
            }
            match kind {
                1 | 5 => each(payload)?,
                2 | 6 => pending = payload.to_vec(),
                3 | 7 => pending.extend_from_slice(payload),
                4 | 8 => {
                    pending.extend_from_slice(payload);
                    each(&pending)?;
                    pending.clear();
                }
                _ => return None,
            }
            at += header + len;
        }
    }
    Some(())
}

/// Walks one version edit's fields, noting `LastSequence` (tag 4); `None` on a field it cannot skip.
fn edit_sequence(edit: &[u8], last: &mut Option<u64>) -> Option<()> {
    let mut r = Varints { bytes: edit, at: 0 };
    while r.at < edit.len() {
        let tag = r.varint()?;
        match tag {
            // Comparator name; column family added (its name).
            1 | 201 => {
                r.slice()?;
            }
            // Log number, next file number, previous log number, minimum log number to keep.
            2 | 3 | 9 | 10 => {
                r.varint()?;
            }
            4 => *last = Some(r.varint()?),
            // Compaction cursor: level and key.
            5 => {
                r.varint()?;
                r.slice()?;
            }
            // Deleted file: level and number.
            6 => {
                r.varint()?;
                r.varint()?;
            }
            // New file (three encodings): level, number, size, smallest and largest keys, then
            // the sequence range, then (newest) tagged custom fields up to tag 1.
            7 | 100 | 103 => {
                r.varint()?;
                r.varint()?;
                r.varint()?;
                r.slice()?;
                r.slice()?;
                if tag != 7 {
                    r.varint()?;
                    r.varint()?;
                }
                if tag == 103 {
                    loop {
                        if r.varint()? == 1 {
                            break;
                        }
                        r.slice()?;
                    }
                }
            }
            // Column family, maximum column family, atomic group size.
            200 | 203 | 300 => {
                r.varint()?;
            }
            202 => {}
            // Forward-compatible fields carry their length.
            t if t & (1 << 13) != 0 => {
                r.slice()?;
            }
            _ => return None,
        }
    }
    Some(())
}

struct Varints<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Varints<'_> {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn slice(&mut self) -> Option<&[u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        let end = self.at.checked_add(len)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(payload: &[u8]) -> Vec<u8> {
        let mut r = vec![0, 0, 0, 0];
        r.extend_from_slice(&(payload.len() as u16).to_le_bytes());
        r.push(1);
        r.extend_from_slice(payload);
        r
    }

    #[test]
    fn the_last_sequence_of_the_last_edit_wins() {
        let mut m = record(&[0x81, 0x40, 2, b'i', b'd']);
        m.extend(record(&[1, 3, b'c', b'm', b'p', 4, 0x96, 0x01]));
        m.extend(record(&[6, 0, 9, 4, 0xc8, 0x01]));
        assert_eq!(manifest_last_sequence(&m), Some(200));
        // A record being appended is left out.
        let mut cut = m.clone();
        cut.extend(record(&[4, 7]));
        cut.pop();
        assert_eq!(manifest_last_sequence(&cut), Some(200));
        // A field kg cannot skip means "unknown", not a guess.
        let mut odd = m.clone();
        odd.extend(record(&[42, 1]));
        assert_eq!(manifest_last_sequence(&odd), None);
    }

    /// The MANIFEST of the RocksDB that Oxigraph builds is read, not the fallback: a write moves the
    /// sequence, a compaction does not.
    #[cfg(feature = "rocksdb")]
    #[test]
    fn a_real_manifest_is_read() {
        use oxigraph::model::{NamedNodeRef, QuadRef};
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::KgStore::open(dir.path()).unwrap();
        let before = last_sequence(dir.path()).expect("manifest read");
        let ex = NamedNodeRef::new_unchecked("http://example.org/x");
        let mut txn = store.transaction().unwrap();
        txn.insert(QuadRef::new(
            ex,
            ex,
            ex,
            oxigraph::model::GraphNameRef::DefaultGraph,
        ));
        txn.commit().unwrap();
        store.flush().unwrap();
        let written = last_sequence(dir.path()).expect("manifest read");
        assert!(written > before, "{before} -> {written}");
        let key = fingerprint(dir.path()).unwrap();
        store.optimize().unwrap();
        assert_eq!(last_sequence(dir.path()), Some(written));
        assert_eq!(fingerprint(dir.path()).unwrap(), key);
    }

    /// After a flush the key is the one the next open sees, although RocksDB keeps the flushed
    /// log until then; a write after it, still only in the log, changes the key.
    #[cfg(feature = "rocksdb")]
    #[test]
    fn a_flushed_log_does_not_count_and_a_new_write_does() {
        use oxigraph::model::{GraphNameRef, NamedNodeRef, QuadRef};
        let dir = tempfile::tempdir().unwrap();
        let write = |store: &crate::store::KgStore, iri: &str| {
            let n = NamedNodeRef::new_unchecked(iri);
            let mut txn = store.transaction().unwrap();
            txn.insert(QuadRef::new(n, n, n, GraphNameRef::DefaultGraph));
            txn.commit().unwrap();
        };
        let flushed = {
            let store = crate::store::KgStore::open(dir.path()).unwrap();
            write(&store, "http://example.org/a");
            store.flush().unwrap();
            fingerprint(dir.path()).unwrap()
        };
        let state = || {
            let mut logs: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "log"))
                .map(|p| {
                    (
                        p.clone(),
                        std::fs::metadata(&p).unwrap().len(),
                        log_last_sequence(&p),
                    )
                })
                .collect();
            logs.sort();
            format!("{:?} {logs:?}", last_sequence(dir.path()))
        };
        let before = state();
        let store = crate::store::KgStore::open(dir.path()).unwrap();
        assert_eq!(
            fingerprint(dir.path()).unwrap(),
            flushed,
            "{before} then {}",
            state()
        );
        write(&store, "http://example.org/b");
        let unflushed = fingerprint(dir.path()).unwrap();
        assert_ne!(unflushed, flushed);
        drop(store);
        // The next open replays the log into a table: another key, never the old one.
        let _store = crate::store::KgStore::open(dir.path()).unwrap();
        assert_ne!(fingerprint(dir.path()).unwrap(), flushed);
    }
}
