//! Counting what a search matches, by kind, space, challenge, stage and tag, among the documents
//! the viewer may read. Counting needs every match, but not its score: the matches are walked
//! without scoring, a block at a time, and the walk stops at the deadline (the counts then say
//! they are incomplete).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::Weight;
use tantivy::{DocId, DocSet, SegmentOrdinal, SegmentReader, TERMINATED};

use crate::collector::{Gate, Permits};
use crate::{Fields, QueryMode};

/// Counts kept at most; when full, the cache starts over.
const CACHED_COUNTS: usize = 1_024;

/// What a count depends on besides the index's contents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CountKey {
    pub text: String,
    pub mode: QueryMode,
    pub tag: Option<String>,
    pub permits: Permits,
}

/// Complete counts of recent searches, kept while the index is unchanged: a word many people
/// search for is counted once per change to the index, not once per search.
#[derive(Default)]
pub(crate) struct CountCache {
    /// The searcher generation the counts were made on, and the counts.
    entries: Mutex<(u64, HashMap<CountKey, Counts>)>,
}

impl CountCache {
    pub(crate) fn get(&self, generation: u64, key: &CountKey) -> Option<Counts> {
        let entries = self.entries.lock().ok()?;
        (entries.0 == generation)
            .then(|| entries.1.get(key).cloned())
            .flatten()
    }

    /// Keeps complete counts only: a partial count stopped at a deadline another search may not
    /// reach.
    pub(crate) fn put(&self, generation: u64, key: CountKey, counts: &Counts) {
        if !counts.complete {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.0 != generation || entries.1.len() >= CACHED_COUNTS {
                *entries = (generation, HashMap::new());
            }
            entries.1.insert(key, counts.clone());
        }
    }
}

/// Matches counted between two looks at the clock.
const BLOCK: usize = 1024;

/// How many matches carry each value, by facet, keyed by the values' codes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Counts {
    pub kinds: HashMap<u64, u64>,
    pub spaces: HashMap<u64, u64>,
    pub challenges: HashMap<u64, u64>,
    pub stages: HashMap<u64, u64>,
    pub tags: HashMap<String, u64>,
    /// Whether every match was counted before the deadline.
    pub complete: bool,
}

impl Counts {
    pub(crate) fn absorb(&mut self, other: Counts) {
        fn add<K: Eq + std::hash::Hash>(into: &mut HashMap<K, u64>, from: HashMap<K, u64>) {
            for (key, count) in from {
                *into.entry(key).or_default() += count;
            }
        }
        add(&mut self.kinds, other.kinds);
        add(&mut self.spaces, other.spaces);
        add(&mut self.challenges, other.challenges);
        add(&mut self.stages, other.stages);
        add(&mut self.tags, other.tags);
        self.complete &= other.complete;
    }
}

pub(crate) struct FacetCounter {
    pub permits: Permits,
    pub fields: Fields,
    pub deadline: Instant,
}

pub(crate) struct SegmentCounter {
    gate: Gate,
    tags: Option<StrColumn>,
    /// Tags counted by their ordinal in this segment's dictionary, named at harvest.
    tag_ords: HashMap<u64, u64>,
    counts: Counts,
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: f32) {
        let Some(found) = self.gate.permitted(doc) else {
            return;
        };
        let counts = &mut self.counts;
        *counts.kinds.entry(found.kind).or_default() += 1;
        let count = |map: &mut HashMap<u64, u64>, value: Option<u64>| {
            if let Some(value) = value.filter(|value| *value != 0) {
                *map.entry(value).or_default() += 1;
            }
        };
        count(&mut counts.spaces, self.gate.space.first(doc));
        count(&mut counts.challenges, self.gate.challenge.first(doc));
        count(&mut counts.stages, self.gate.stage.first(doc));
        if let Some(tags) = &self.tags {
            for ord in tags.term_ords(doc) {
                *self.tag_ords.entry(ord).or_default() += 1;
            }
        }
    }

    fn harvest(mut self) -> Counts {
        if let Some(tags) = &self.tags {
            let mut name = String::new();
            for (ord, count) in self.tag_ords {
                if tags.ord_to_str(ord, &mut name).unwrap_or(false) {
                    *self.counts.tags.entry(name.clone()).or_default() += count;
                }
            }
        }
        self.counts
    }
}

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounter> {
        let schema = reader.schema();
        Ok(SegmentCounter {
            gate: Gate::open(&self.permits, &self.fields, reader)?,
            tags: reader
                .fast_fields()
                .str(schema.get_field_name(self.fields.tag))?,
            tag_ords: HashMap::new(),
            counts: Counts {
                complete: true,
                ..Counts::default()
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts {
            complete: true,
            ..Counts::default()
        };
        for counts in segments {
            all.absorb(counts);
        }
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Counts> {
        let mut child = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let mut matches = weight.scorer(reader, 1.0)?;
        let mut doc = matches.doc();
        'walk: while doc != TERMINATED {
            for _ in 0..BLOCK {
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    child.collect(doc, 0.0);
                }
                doc = matches.advance();
                if doc == TERMINATED {
                    break 'walk;
                }
            }
            if Instant::now() >= self.deadline {
                child.counts.complete = false;
                break;
            }
        }
        Ok(child.harvest())
    }
}
