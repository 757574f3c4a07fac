//! Near-duplicate texts. Each text becomes the set of its word stems (see [`crate::words`]); a
//! MinHash signature of that set is cut into bands, and texts sharing a band are likely to share
//! many words (locality-sensitive hashing), so a new text is compared only with the earlier
//! texts it meets in its bands rather than with all of them. Those are scored by the exact
//! Jaccard similarity of the two word sets, and the closest few at or above a threshold are
//! reported.

use std::collections::HashMap;

/// Words shared over words in either text, at or above which two texts count as duplicates.
/// Chosen on the labelled pairs in `fixtures/duplicates` (see docs/BENCHMARKS.md).
pub const THRESHOLD: f64 = 0.5;
/// Distinct stems a text needs before it is compared at all: one word alone says too little
/// (two are enough for short statements such as "Women's rights are human rights").
pub const MIN_WORDS: usize = 2;
/// The most matches reported for one text: its closest.
pub const MATCHES_PER_TEXT: usize = 3;
/// Bands of the signature, and hashes in each band. Two texts with Jaccard similarity `s` share
/// a band with probability 1 − (1 − s^ROWS)^BANDS: 0.93 at 0.5, 0.99 at 0.7, 0.15 at 0.2.
const BANDS: usize = 20;
const ROWS: usize = 3;
/// The latest texts of one bucket compared with a new text. A bucket holds texts alike in a
/// band, and one that grows large is full of the same words; the latest stand for the rest, and
/// the cost of a text stays bounded however many came before.
const BUCKET_SCAN: usize = 32;

/// An earlier text found alike, by its key, with the share of words the two have in common.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub key: i64,
    pub similarity: f64,
}

struct Entry {
    key: i64,
    group: i64,
    /// The hashes of the text's stems, sorted, each once.
    words: Box<[u64]>,
    buckets: [u64; BANDS],
}

/// The texts seen so far, grouped (texts of different groups never match), each under a key.
#[derive(Default)]
pub struct DuplicateIndex {
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    slots: HashMap<i64, usize>,
    buckets: HashMap<u64, Vec<usize>>,
}

impl DuplicateIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Texts held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Takes in the text under `key` (replacing what it held before) and returns the texts of
    /// its group most alike, closest first, at most [`MATCHES_PER_TEXT`], each at least
    /// [`THRESHOLD`] alike. A text with fewer than [`MIN_WORDS`] stems is not held.
    pub fn insert(&mut self, key: i64, group: i64, text: &str) -> Vec<Match> {
        self.remove(key);
        let words = word_set(text);
        if words.len() < MIN_WORDS {
            return Vec::new();
        }
        let buckets = bucket_keys(group, &words);
        let mut candidates: Vec<usize> = buckets
            .iter()
            .filter_map(|bucket| self.buckets.get(bucket))
            .flat_map(|slots| slots.iter().rev().take(BUCKET_SCAN).copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut matches: Vec<Match> = candidates
            .into_iter()
            .filter_map(|slot| self.entries[slot].as_ref())
            .filter(|entry| entry.group == group)
            .map(|entry| Match {
                key: entry.key,
                similarity: jaccard(&words, &entry.words),
            })
            .filter(|found| found.similarity >= THRESHOLD)
            .collect();
        matches.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(b.key.cmp(&a.key))
        });
        matches.truncate(MATCHES_PER_TEXT);
        let entry = Entry {
            key,
            group,
            words,
            buckets,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.entries[slot] = Some(entry);
                slot
            }
            None => {
                self.entries.push(Some(entry));
                self.entries.len() - 1
            }
        };
        for bucket in buckets {
            self.buckets.entry(bucket).or_default().push(slot);
        }
        self.slots.insert(key, slot);
        matches
    }

    /// Lets go of the text under `key`, if held.
    pub fn remove(&mut self, key: i64) {
        let Some(slot) = self.slots.remove(&key) else {
            return;
        };
        if let Some(entry) = self.entries[slot].take() {
            for bucket in entry.buckets {
                if let Some(slots) = self.buckets.get_mut(&bucket) {
                    slots.retain(|held| *held != slot);
                    if slots.is_empty() {
                        self.buckets.remove(&bucket);
                    }
                }
            }
        }
        self.free.push(slot);
    }
}

/// How alike two texts are: the share of their distinct stems they have in common, from 0 to 1.
pub fn similarity(first: &str, second: &str) -> f64 {
    jaccard(&word_set(first), &word_set(second))
}

fn word_set(text: &str) -> Box<[u64]> {
    let mut words: Vec<u64> = crate::words::stems(text)
        .iter()
        .map(|stem| fnv1a(stem.as_bytes()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words.into_boxed_slice()
}

/// Shared over all, for two sorted sets without repeats.
fn jaccard(first: &[u64], second: &[u64]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < first.len() && j < second.len() {
        match first[i].cmp(&second[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let all = first.len() + second.len() - shared;
    if all == 0 {
        0.0
    } else {
        shared as f64 / all as f64
    }
}

/// The text's bucket in each band: the band's minimum hashes, with the band and the group.
fn bucket_keys(group: i64, words: &[u64]) -> [u64; BANDS] {
    let mut keys = [0; BANDS];
    for (band, key) in keys.iter_mut().enumerate() {
        let mut state = mix(group as u64 ^ mix(band as u64 + 1));
        for row in 0..ROWS {
            let seed = mix((band * ROWS + row) as u64 ^ 0x9E37_79B9_7F4A_7C15);
            let least = words.iter().map(|word| mix(word ^ seed)).min().unwrap_or(0);
            state = mix(state ^ least);
        }
        *key = state;
    }
    keys
}

/// SplitMix64's finaliser: a fast, well-spread 64-bit mixing function, the same on every
/// platform and in every process.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a: a stable hash of a stem (std's hasher is seeded differently in every process).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restated_text_is_found_and_a_different_one_is_not() {
        let mut index = DuplicateIndex::new();
        assert!(
            index
                .insert(1, 7, "Widen Smallhouse Road to three lanes")
                .is_empty()
        );
        assert!(
            index
                .insert(2, 7, "More parks and green space downtown")
                .is_empty()
        );
        let found = index.insert(3, 7, "Smallhouse road should be widened to three lanes");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, 1);
        assert!((found[0].similarity - 1.0).abs() < 1e-9, "{found:?}");
        assert!(
            index
                .insert(4, 7, "Plant trees along the river walk")
                .is_empty()
        );
    }

    #[test]
    fn texts_of_other_groups_never_match() {
        let mut index = DuplicateIndex::new();
        index.insert(1, 1, "Refillable gas canisters for the camp stove");
        assert!(
            index
                .insert(2, 2, "Refillable gas canisters for the camp stove")
                .is_empty()
        );
        assert_eq!(
            index
                .insert(3, 1, "Refillable gas canisters for a camp stove")
                .len(),
            1
        );
    }

    #[test]
    fn short_texts_are_not_compared() {
        let mut index = DuplicateIndex::new();
        assert!(index.insert(1, 1, "Parking").is_empty());
        assert!(index.insert(2, 1, "Parking").is_empty());
        assert!(index.insert(3, 1, "the and of").is_empty());
        assert!(index.insert(5, 1, "Parking, parking!").is_empty());
        assert!(index.insert(4, 1, "").is_empty());
        assert!(index.is_empty());
    }

    #[test]
    fn a_removed_or_replaced_text_no_longer_matches() {
        let mut index = DuplicateIndex::new();
        index.insert(1, 1, "Free bus rides for students after school");
        index.insert(1, 1, "A farmers market on Saturdays by the library");
        assert!(
            index
                .insert(2, 1, "Free bus rides for students after school")
                .is_empty()
        );
        index.remove(2);
        assert!(
            index
                .insert(3, 1, "Free bus rides for students after school")
                .is_empty()
        );
        assert_eq!(index.len(), 2);
        assert_eq!(
            index.insert(4, 1, "A Saturday farmers market near the library")[0].key,
            1
        );
    }

    #[test]
    fn a_text_reports_only_its_closest_few() {
        let mut index = DuplicateIndex::new();
        for key in 0..10 {
            index.insert(key, 1, "Solar lanterns for every tent site");
        }
        let found = index.insert(10, 1, "Solar lanterns for every tent site");
        assert_eq!(found.len(), MATCHES_PER_TEXT);
        // The latest first among equals.
        assert_eq!(found.iter().map(|m| m.key).collect::<Vec<_>>(), [9, 8, 7]);
    }

    #[test]
    fn similarity_is_the_share_of_stems_in_common() {
        assert_eq!(
            similarity("bike lanes downtown", "downtown bike lanes"),
            1.0
        );
        assert_eq!(similarity("bike lanes downtown", "bike lanes uptown"), 0.5);
        assert_eq!(similarity("", ""), 0.0);
    }
}
