//! Several graphs read at once and merged subject by subject, as a set: what a triple format
//! exporting the union of the store's graphs needs, without a table of every triple.
//!
//! Each graph is read on its own thread from its own index, so on the common store (the data in
//! the default graph, `kg infer`'s entailments in a named one) the decoding, which is most of an
//! export's time, runs on two cores while the caller renders. Every index lists a graph's triples
//! grouped by subject in one order, the order of Oxigraph's encoded subjects; [`subject_key`]
//! computes that encoding, so the reader threads' groups can be merged as they come. The order is
//! Oxigraph's and not promised by its API, so each reader checks that its keys only grow: if a
//! future Oxigraph orders differently, [`merged_subject_groups`] says so and the caller takes its
//! slower path, never a wrong merge.

use crate::error::{Error, Result};
use oxigraph::model::{GraphName, NamedOrBlankNode, Triple};
use oxigraph::store::Store;
use std::collections::HashSet;
use std::sync::mpsc::{sync_channel, Receiver};

/// A subject as Oxigraph's indexes sort it: a type byte, then 16 bytes (a SipHash-2-4 of the IRI
/// or label, a blank node's numerical id, or a short label itself).
pub(crate) type SubjectKey = [u8; 17];

/// The encoding of `oxigraph::storage::binary_encoder::write_term` for subjects (oxigraph 0.5).
pub(crate) fn subject_key(subject: &NamedOrBlankNode) -> SubjectKey {
    use siphasher::sip128::{Hasher128, SipHasher24};
    use std::hash::Hasher;
    let hash = |s: &str| {
        let mut h = SipHasher24::new();
        h.write(s.as_bytes());
        u128::from(h.finish128()).to_be_bytes()
    };
    let (kind, body) = match subject {
        NamedOrBlankNode::NamedNode(n) => (1, hash(n.as_str())),
        NamedOrBlankNode::BlankNode(b) => match b.as_ref().unique_id() {
            Some(id) => (8, id.to_be_bytes()),
            None if b.as_str().len() <= 15 => {
                let mut small = [0; 16];
                small[..b.as_str().len()].copy_from_slice(b.as_str().as_bytes());
                small[15] = b.as_str().len() as u8;
                (9, small)
            }
            None => (10, hash(b.as_str())),
        },
    };
    let mut key = [0; 17];
    key[0] = kind;
    key[1..].copy_from_slice(&body);
    key
}

/// What a reader thread sends: a batch of subject groups in key order, or why it stopped.
enum Batch {
    Groups(Vec<(SubjectKey, Vec<Triple>)>),
    /// A subject whose key is not above the one before: the store is not in [`subject_key`] order.
    Unordered,
    Failed(Error),
}

/// Groups per batch: large enough that the channel costs nothing, small enough to hold little.
const BATCH: usize = 256;

/// Calls `each` with every subject's triples in `graphs`, merged as a set: each subject once,
/// each triple once, subjects in the store's order. Returns `Ok(false)`, having stopped early,
/// when the store is not in the order `key` computes; `each` has then seen only part of the data,
/// and the caller must start again another way. `key` is [`subject_key`] but for the test that
/// shows a wrong key is caught.
pub(crate) fn merged_subject_groups(
    store: &Store,
    graphs: &[GraphName],
    key: fn(&NamedOrBlankNode) -> SubjectKey,
    mut each: impl FnMut(Vec<Triple>) -> Result<()>,
) -> Result<bool> {
    std::thread::scope(|scope| {
        let mut heads = Vec::with_capacity(graphs.len());
        for graph in graphs {
            let (tx, rx) = sync_channel(2);
            scope.spawn(move || read_groups(store, graph, key, |batch| tx.send(batch).is_ok()));
            heads.push(Head::new(rx));
        }
        // Returning drops the receivers, which stops any reader still sending.
        merge_heads(&mut heads, &mut each)
    })
}

/// One graph's groups as they arrive, with the next one at hand.
struct Head {
    rx: Receiver<Batch>,
    batch: std::vec::IntoIter<(SubjectKey, Vec<Triple>)>,
    next: Option<(SubjectKey, Vec<Triple>)>,
}

impl Head {
    fn new(rx: Receiver<Batch>) -> Self {
        Self {
            rx,
            batch: Vec::new().into_iter(),
            next: None,
        }
    }

    /// Moves to the next group; `Ok(false)` when the reader found the store out of order.
    fn advance(&mut self) -> Result<bool> {
        loop {
            if let Some(g) = self.batch.next() {
                self.next = Some(g);
                return Ok(true);
            }
            match self.rx.recv() {
                Ok(Batch::Groups(groups)) => self.batch = groups.into_iter(),
                Ok(Batch::Unordered) => return Ok(false),
                Ok(Batch::Failed(e)) => return Err(e),
                // The reader is done (it drops its sender after the last batch).
                Err(_) => {
                    self.next = None;
                    return Ok(true);
                }
            }
        }
    }
}

fn merge_heads(
    heads: &mut [Head],
    each: &mut impl FnMut(Vec<Triple>) -> Result<()>,
) -> Result<bool> {
    for h in heads.iter_mut() {
        if !h.advance()? {
            return Ok(false);
        }
    }
    loop {
        let Some(least) = heads
            .iter()
            .filter_map(|h| h.next.as_ref().map(|g| g.0))
            .min()
        else {
            return Ok(true);
        };
        let mut group: Vec<Triple> = Vec::new();
        let mut sources = 0;
        for h in heads.iter_mut() {
            if h.next.as_ref().is_some_and(|g| g.0 == least) {
                let (_, triples) = h.next.take().expect("checked above");
                if group.is_empty() {
                    group = triples;
                } else {
                    group.extend(triples);
                }
                sources += 1;
                if !h.advance()? {
                    return Ok(false);
                }
            }
        }
        if sources > 1 {
            // Equal keys from different graphs must be the same subject: a hash collision would
            // merge two subjects, so it counts as the store being out of order.
            if group.iter().any(|t| t.subject != group[0].subject) {
                return Ok(false);
            }
            let mut seen = HashSet::with_capacity(group.len());
            group.retain(|t| seen.insert(t.clone()));
        }
        each(group)?;
    }
}

/// Reads one graph, grouped by subject, in batches handed to `send` (which says whether to go on).
fn read_groups(
    store: &Store,
    graph: &GraphName,
    key: fn(&NamedOrBlankNode) -> SubjectKey,
    mut send: impl FnMut(Batch) -> bool,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut group: Vec<Triple> = Vec::new();
    let mut last: Option<SubjectKey> = None;
    let mut quads = store.quads_for_pattern(None, None, None, Some(graph.as_ref()));
    loop {
        let next = match quads.next().transpose() {
            Ok(q) => q.map(Triple::from),
            Err(e) => {
                send(Batch::Failed(e.into()));
                return;
            }
        };
        let ends = match (&next, group.first()) {
            (Some(t), Some(first)) => t.subject != first.subject,
            (None, Some(_)) => true,
            _ => false,
        };
        if ends {
            let k = key(&group[0].subject);
            if last.is_some_and(|l| l >= k) {
                send(Batch::Unordered);
                return;
            }
            last = Some(k);
            batch.push((k, std::mem::take(&mut group)));
            if (batch.len() >= BATCH || next.is_none())
                && !send(Batch::Groups(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(BATCH),
                )))
            {
                return;
            }
        }
        match next {
            Some(t) => group.push(t),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, NamedNode};

    /// On disk: the in-memory store keeps no index order (and its reads are rightly refused).
    fn sample() -> (tempfile::TempDir, Store, Vec<GraphName>, HashSet<Triple>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let graphs = vec![
            GraphName::DefaultGraph,
            NamedNode::new_unchecked("http://example.org/g1").into(),
            NamedNode::new_unchecked("http://example.org/g2").into(),
        ];
        let mut all = HashSet::new();
        // Subjects of every encoding: IRIs, numbered, short and long blank nodes; some in one
        // graph, some in two or three, with triples shared between graphs and triples not.
        let mut subjects: Vec<NamedOrBlankNode> = (0..200)
            .map(|i| NamedNode::new_unchecked(format!("http://example.org/s{i}")).into())
            .collect();
        subjects.extend((0..20).map(|i| BlankNode::new_from_unique_id(i * 7919).into()));
        subjects.extend((0..20).map(|i| BlankNode::new_unchecked(format!("b{i}")).into()));
        subjects.extend(
            (0..20).map(|i| BlankNode::new_unchecked(format!("a_rather_long_label_{i}")).into()),
        );
        let p = NamedNode::new_unchecked("http://example.org/p");
        for (i, s) in subjects.iter().enumerate() {
            for (g, graph) in graphs.iter().enumerate() {
                if (i + g) % 3 == 0 {
                    continue;
                }
                for o in [0, i % 4, g + 10] {
                    let t = Triple::new(s.clone(), p.clone(), Literal::from(o as i64));
                    store.insert(&t.clone().in_graph(graph.clone())).unwrap();
                    all.insert(t);
                }
            }
        }
        (dir, store, graphs, all)
    }

    #[test]
    fn merged_groups_give_every_triple_once_and_every_subject_together() {
        let (_dir, store, graphs, all) = sample();
        let mut seen_subjects = HashSet::new();
        let mut got = HashSet::new();
        let mut n = 0;
        let merged = merged_subject_groups(&store, &graphs, subject_key, |group| {
            assert!(
                seen_subjects.insert(group[0].subject.clone()),
                "a subject came twice"
            );
            assert!(group.iter().all(|t| t.subject == group[0].subject));
            n += group.len();
            got.extend(group);
            Ok(())
        })
        .unwrap();
        assert!(
            merged,
            "Oxigraph no longer orders subjects as subject_key says"
        );
        assert_eq!(got, all);
        assert_eq!(n, all.len(), "a triple came twice");
    }

    #[test]
    fn a_store_in_another_order_is_noticed() {
        let (_dir, store, graphs, _) = sample();
        let memory = Store::new().unwrap();
        memory.extend(store.iter().map(Result::unwrap)).unwrap();
        assert!(!merged_subject_groups(&memory, &graphs, subject_key, |_| Ok(())).unwrap());
        let wrong = |s: &NamedOrBlankNode| {
            let mut k = [0; 17];
            let text = s.to_string();
            let n = text.len().min(17);
            k[..n].copy_from_slice(&text.as_bytes()[..n]);
            k
        };
        let merged = merged_subject_groups(&store, &graphs, wrong, |_| Ok(())).unwrap();
        assert!(!merged);
    }
}
