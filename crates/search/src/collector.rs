//! The top documents the viewer may read. Permissions are checked, from fast fields, as each
//! candidate arrives and before it can raise the bar the others must pass, so block-max WAND still
//! skips the blocks that cannot beat the current top hits.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Instant;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Weight;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::{Fields, KIND_SHIFT};

/// What a document must be for the viewer to find it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Permits {
    /// One kind of document, or any.
    pub kind: Option<u64>,
    /// The spaces the viewer may read, sorted.
    pub spaces: Vec<u64>,
    /// The viewer, who finds the drafts they write.
    pub drafter: Option<u64>,
    pub challenge: Option<u64>,
    pub stage: Option<u64>,
}

/// A segment's fast fields, read to decide whether the viewer may find a document.
pub(crate) struct Gate {
    permits: Permits,
    key: Column<u64>,
    pub(crate) space: Column<u64>,
    drafters: Column<u64>,
    pub(crate) challenge: Column<u64>,
    pub(crate) stage: Column<u64>,
}

/// A document the viewer may find.
pub(crate) struct Permitted {
    pub kind: u64,
    pub id: i64,
}

impl Gate {
    pub(crate) fn open(
        permits: &Permits,
        fields: &Fields,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        let schema = reader.schema();
        let column = |field| fast.u64(schema.get_field_name(field));
        Ok(Self {
            permits: permits.clone(),
            key: column(fields.key)?,
            space: column(fields.gate)?,
            drafters: column(fields.drafters)?,
            challenge: column(fields.challenge)?,
            stage: column(fields.stage)?,
        })
    }

    pub(crate) fn permitted(&self, doc: DocId) -> Option<Permitted> {
        let key = self.key.first(doc)?;
        let kind = key >> KIND_SHIFT;
        if self.permits.kind.is_some_and(|wanted| wanted != kind) {
            return None;
        }
        let space = self.space.first(doc)?;
        if space == 0 || self.permits.spaces.binary_search(&space).is_err() {
            return None;
        }
        let mut drafters = self.drafters.values_for_doc(doc).peekable();
        if drafters.peek().is_some()
            && !drafters.any(|drafter| Some(drafter) == self.permits.drafter)
        {
            return None;
        }
        if let Some(challenge) = self.permits.challenge
            && self.challenge.first(doc) != Some(challenge)
        {
            return None;
        }
        if let Some(stage) = self.permits.stage
            && self.stage.first(doc) != Some(stage)
        {
            return None;
        }
        let id = i64::try_from(key & ((1 << KIND_SHIFT) - 1)).ok()?;
        Some(Permitted { kind, id })
    }
}

/// Candidates judged between two looks at the clock.
const CLOCK_EVERY: u32 = 256;

pub(crate) struct PermittedTopDocs {
    pub limit: usize,
    pub permits: Permits,
    pub fields: Fields,
    /// When to stop looking for better hits and keep those found.
    pub deadline: Instant,
}

/// A scored hit, ordered so that the heap's top is the weakest kept.
struct Hit {
    score: Score,
    id: i64,
}

impl PartialEq for Hit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Hit {}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Hit {
    /// Better is greater: a higher score, then the newer (larger) id.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.id.cmp(&other.id))
    }
}

pub(crate) struct PermittedSegment {
    limit: usize,
    gate: Gate,
    kept: BinaryHeap<Reverse<Hit>>,
}

impl PermittedSegment {
    /// The score a document must beat to be kept.
    fn threshold(&self) -> Score {
        match self.kept.peek() {
            Some(Reverse(weakest)) if self.kept.len() >= self.limit => weakest.score,
            _ => Score::MIN,
        }
    }
}

impl SegmentCollector for PermittedSegment {
    type Fruit = Vec<(Score, i64)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.limit == 0 {
            return;
        }
        let Some(Permitted { id, .. }) = self.gate.permitted(doc) else {
            return;
        };
        self.kept.push(Reverse(Hit { score, id }));
        if self.kept.len() > self.limit {
            self.kept.pop();
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.kept
            .into_iter()
            .map(|Reverse(hit)| (hit.score, hit.id))
            .collect()
    }
}

impl Collector for PermittedTopDocs {
    type Fruit = Vec<i64>;
    type Child = PermittedSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<PermittedSegment> {
        Ok(PermittedSegment {
            limit: self.limit,
            gate: Gate::open(&self.permits, &self.fields, reader)?,
            kept: BinaryHeap::with_capacity(self.limit + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<Vec<(Score, i64)>>) -> tantivy::Result<Vec<i64>> {
        let mut hits: Vec<Hit> = segments
            .into_iter()
            .flatten()
            .map(|(score, id)| Hit { score, id })
            .collect();
        hits.sort_unstable_by(|a, b| b.cmp(a));
        hits.truncate(self.limit);
        Ok(hits.into_iter().map(|hit| hit.id).collect())
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(Score, i64)>> {
        let mut child = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let mut candidates: u32 = 0;
        let mut past_deadline = false;
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                child.collect(doc, score);
            }
            // Reading the clock costs more than judging a candidate: it is read at the first
            // candidate and then once every CLOCK_EVERY.
            if candidates.is_multiple_of(CLOCK_EVERY) {
                past_deadline = Instant::now() >= self.deadline;
            }
            candidates = candidates.wrapping_add(1);
            // Past the deadline no document can beat the bar: WAND skips the rest.
            if past_deadline {
                Score::MAX
            } else {
                child.threshold()
            }
        })?;
        Ok(child.harvest())
    }
}
