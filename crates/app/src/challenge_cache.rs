//! Analyses of challenges (opinion groups, pairwise rankings) kept while what they were made from
//! is unchanged, so that a page view costs a cheap check rather than a fresh analysis.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Challenges analysed most recently, at most [`CACHED_CHALLENGES`], each with the fingerprint
/// of the data it was made from.
pub(crate) struct ChallengeCache<F, V>(Mutex<HashMap<i64, (F, Arc<V>)>>);

/// Analyses kept at once; beyond this the cache starts afresh.
const CACHED_CHALLENGES: usize = 64;

impl<F, V> Default for ChallengeCache<F, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<F: PartialEq, V> ChallengeCache<F, V> {
    /// The challenge's analysis, if it was made from data with this fingerprint.
    pub(crate) fn get(&self, challenge_id: i64, fingerprint: &F) -> Option<Arc<V>> {
        let kept = self.0.lock().ok()?;
        kept.get(&challenge_id)
            .filter(|(made_from, _)| made_from == fingerprint)
            .map(|(_, analysis)| Arc::clone(analysis))
    }

    /// The challenge's latest analysis, whatever it was made from.
    pub(crate) fn latest(&self, challenge_id: i64) -> Option<Arc<V>> {
        let kept = self.0.lock().ok()?;
        kept.get(&challenge_id)
            .map(|(_, analysis)| Arc::clone(analysis))
    }

    pub(crate) fn keep(&self, challenge_id: i64, fingerprint: F, analysis: Arc<V>) {
        if let Ok(mut kept) = self.0.lock() {
            if kept.len() >= CACHED_CHALLENGES && !kept.contains_key(&challenge_id) {
                kept.clear();
            }
            kept.insert(challenge_id, (fingerprint, analysis));
        }
    }
}
