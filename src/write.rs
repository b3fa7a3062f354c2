//! A write through kg, and what it keeps current after it: the entailments of `kg infer`
//! (`infer::refresh`) and the saved projection for traversals (`graph::Patch`). The CLI, the
//! REPL and the server write through here, so no write leaves either of them behind.

use crate::error::Result;
use crate::graph::Patch;
use crate::infer::{Added, InferReport, SavedProjection, Status};
use crate::query::QueryOptions;
use crate::store::KgStore;
use std::time::{Duration, Instant};

/// What was kept current after a write.
#[derive(Debug, Default)]
pub struct AfterWrite {
    /// The entailments' refresh, when the store has entailments.
    pub entailments: Option<InferReport>,
    /// The saved projection, patched with what the write added.
    pub projection: Option<SavedProjection>,
}

/// What an update did, and what was kept current after it.
#[derive(Debug)]
pub struct UpdateReport {
    pub elapsed: Duration,
    pub after: AfterWrite,
}

/// What to take before a write, to bring what depends on the data up to date after it.
pub struct Before {
    status: Status,
    patch: Option<Patch>,
}

impl Before {
    pub fn take(store: &KgStore) -> Result<Self> {
        Ok(Self {
            status: crate::infer::status(store)?,
            patch: Patch::begin(store),
        })
    }

    /// Whether the store had entailments to keep current.
    pub fn has_entailments(&self) -> bool {
        self.status != Status::None
    }

    /// Whether a saved projection can be patched after the write, given what it added.
    pub fn can_patch(&self) -> bool {
        self.patch.is_some()
    }

    /// The patch, to feed it the quads of a write as they are written (a load).
    pub fn patch_mut(&mut self) -> Option<&mut Patch> {
        self.patch.as_mut()
    }

    /// After the write: `added` is what it added when it removed nothing, `None` otherwise.
    /// Quads it names that were in the store already are harmless, unless it says `all_new`.
    /// With `entailments`, they are refreshed (incrementally from `added` when there is one);
    /// without, they are left stale, as a plain `kg load` does. The saved projection is patched
    /// when the write only added; otherwise the next traversal rebuilds it.
    pub fn after(
        self,
        store: &KgStore,
        added: Option<Added<'_>>,
        entailments: bool,
    ) -> Result<AfterWrite> {
        let mut patch = self.patch.filter(|_| added.is_some());
        if let (Some(p), Some(added)) = (patch.as_mut(), added) {
            added.quads.iter().for_each(|q| p.quad(q));
        }
        let mut patch = patch.filter(|p| !p.is_spoiled());
        let entailments = if entailments {
            crate::infer::refresh(store, &self.status, added, patch.as_mut())?
        } else {
            None
        };
        // A full recompute saves the projection from its own read of the store.
        if entailments.as_ref().is_some_and(|r| !r.incremental) {
            patch = None;
        }
        let projection = patch.map(|p| {
            let begun = Instant::now();
            let patched = !p.is_new();
            SavedProjection {
                saved: p.finish(store).map_err(|e| e.to_string()),
                took: begun.elapsed(),
                patched,
            }
        });
        Ok(AfterWrite {
            entailments,
            projection,
        })
    }
}

/// Runs a SPARQL update and keeps the entailments and the saved projection current.
pub fn update(store: &KgStore, text: &str, options: &QueryOptions) -> Result<UpdateReport> {
    let before = Before::take(store)?;
    // Which quads an INSERT DATA adds costs a lookup per quad: only worth it when something
    // depends on the data.
    let wanted = before.has_entailments() || before.can_patch();
    let done = crate::query::update(store, text, options, wanted)?;
    if done.inserted.as_ref().is_some_and(Vec::is_empty) {
        // Nothing was written.
        return Ok(UpdateReport {
            elapsed: done.elapsed,
            after: AfterWrite::default(),
        });
    }
    let added = done.inserted.as_deref().map(|quads| Added {
        quads,
        all_new: true,
    });
    let after = before.after(store, added, true)?;
    Ok(UpdateReport {
        elapsed: done.elapsed,
        after,
    })
}
