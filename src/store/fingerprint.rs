//! Which data the database holds, told from its files without reading it: the key that files
//! derived from the data (the saved projection, the completion vocabulary) are checked against.
//!
//! The preferred fingerprint is RocksDB's own write counter: the last sequence number recorded in
//! the current MANIFEST (every write, whether through the write-ahead log or an ingested bulk-load
//! file, takes new sequence numbers; a compaction takes none), with the database's IDENTITY (a
//! different database copied in has another) and the names and sizes of non-empty write-ahead logs
//! (writes not yet in the MANIFEST). When the MANIFEST cannot be read as expected, the fingerprint
//! falls back to the names and sizes of the table files and logs, which also changes with every
//! write, but with every compaction too (then a derived file is rebuilt once more than needed).

use std::path::Path;

/// The fingerprint of the database in `dir`.
pub(crate) fn fingerprint(dir: &Path) -> std::io::Result<u64> {
    use sha2::Digest;
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
    let mut hash = sha2::Sha256::new();
    let mut add = |name: &str, len: u64| {
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name.as_bytes());
        hash.update(len.to_le_bytes());
    };
    match last_sequence(dir) {
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

/// Reads RocksDB's log format (32 KiB blocks of records, each with a 7-byte header, or 11 bytes
/// for the recyclable kinds) and the version edits in it; the last `LastSequence` wins. A record
/// cut short at the end is one being appended now: what came before stands.
fn manifest_last_sequence(data: &[u8]) -> Option<u64> {
    const BLOCK: usize = 32 * 1024;
    let mut last = None;
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
                return last;
            };
            match kind {
                1 | 5 => edit_sequence(payload, &mut last)?,
                2 | 6 => pending = payload.to_vec(),
                3 | 7 => pending.extend_from_slice(payload),
                4 | 8 => {
                    pending.extend_from_slice(payload);
                    edit_sequence(&pending, &mut last)?;
                    pending.clear();
                }
                _ => return None,
            }
            at += header + len;
        }
    }
    last
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
}
