//! Themes: what many texts of a space are about. Each text becomes a TF-IDF vector of its word
//! stems (`words`), projected to a few dozen dimensions by a fixed random projection (so memory
//! stays proportional to the texts, not to texts × vocabulary), and the texts are grouped by
//! k-means (`linfa-clustering`) on the unit sphere. A theme is labelled by the words most
//! distinctive of it (the weight they carry in the theme over their weight everywhere) and by the
//! text closest to its centre.

use std::collections::HashMap;

use linfa::DatasetBase;
use linfa::traits::{Fit, Predict};
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};

use crate::InsightsError;
use crate::words::stemmed_words;

/// Fewer texts with words in common than this make no themes.
pub const MIN_TEXTS: usize = 8;
/// The most themes found at once.
pub const MAX_THEMES: usize = 20;
/// Words shown as a theme's label.
pub const TERMS_SHOWN: usize = 4;
/// The most frequent stems kept as the vocabulary.
const VOCABULARY: usize = 4_096;
/// Dimensions texts are projected to; a smaller vocabulary is used as it is.
const DIMENSIONS: usize = 128;
/// Texts the centres are fitted on; every text is then placed by the fitted centres.
const FIT_SAMPLE: usize = 20_000;
const KMEANS_RUNS: usize = 3;
const KMEANS_ITERATIONS: u64 = 100;
const SEED: u64 = 0x7e4e5;

/// A theme: its texts (indices into the input), closest to its centre first.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub members: Vec<usize>,
    /// The most distinctive words, most distinctive first.
    pub terms: Vec<String>,
}

impl Theme {
    /// The text closest to the theme's centre.
    pub fn representative(&self) -> usize {
        self.members[0]
    }
}

/// A text as weighted vocabulary entries, of unit length.
type Sparse = Vec<(usize, f64)>;

/// Finds the themes of `texts`, largest first. Texts that share no word with others belong to no
/// theme.
pub fn find_themes(texts: &[&str]) -> Result<Vec<Theme>, InsightsError> {
    let corpus = Corpus::read(texts);
    let vectors: Vec<Sparse> = corpus.docs.iter().map(|doc| corpus.tf_idf(doc)).collect();
    let themed: Vec<usize> = (0..texts.len())
        .filter(|&text| !vectors[text].is_empty())
        .collect();
    if themed.len() < MIN_TEXTS {
        return Err(InsightsError::NotEnoughData(format!(
            "{} texts share words with others; themes need at least {MIN_TEXTS}",
            themed.len()
        )));
    }
    let projection = random_projection(corpus.vocabulary.len());
    let mut points = Array2::<f64>::zeros((themed.len(), projection.ncols()));
    for (row, &text) in themed.iter().enumerate() {
        let mut point = points.row_mut(row);
        for &(term, weight) in &vectors[text] {
            point.scaled_add(weight, &projection.row(term));
        }
        let length = point.dot(&point).sqrt();
        if length > 0.0 {
            point /= length;
        }
    }
    let k = ((themed.len() as f64 / 2.0).sqrt().round() as usize).clamp(2, MAX_THEMES);
    let stride = themed.len().div_ceil(FIT_SAMPLE);
    let sampled: Vec<usize> = (0..themed.len()).step_by(stride).collect();
    let sample = points.select(Axis(0), &sampled);
    let model = KMeans::params_with_rng(k.min(sample.nrows()), Xoshiro256Plus::seed_from_u64(SEED))
        .n_runs(KMEANS_RUNS)
        .max_n_iterations(KMEANS_ITERATIONS)
        .init_method(KMeansInit::KMeansPlusPlus)
        .fit(&DatasetBase::from(sample))
        .map_err(|error| InsightsError::NotEnoughData(format!("no themes: {error}")))?;
    let labels: Array1<usize> = model.predict(&points);
    let centres = model.centroids();

    let mut members: Vec<Vec<(f64, usize)>> = vec![Vec::new(); centres.nrows()];
    for (row, &label) in labels.iter().enumerate() {
        let closeness = points.row(row).dot(&centres.row(label));
        members[label].push((closeness, themed[row]));
    }
    let everywhere = corpus.weights(&vectors, &themed);
    let mut themes: Vec<Theme> = members
        .into_iter()
        .filter(|theme| !theme.is_empty())
        .map(|mut theme| {
            theme.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let members: Vec<usize> = theme.into_iter().map(|(_, text)| text).collect();
            let terms = corpus.distinctive(&vectors, &members, everywhere.view(), themed.len());
            Theme { members, terms }
        })
        .collect();
    themes.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members[0].cmp(&b.members[0]))
    });
    Ok(themes)
}

/// The vocabulary of a set of texts, and each text as counts of its vocabulary entries.
struct Corpus {
    /// Each entry's most frequent spelling and inverse document frequency.
    vocabulary: Vec<(String, f64)>,
    docs: Vec<Vec<(usize, u32)>>,
}

impl Corpus {
    fn read(texts: &[&str]) -> Self {
        let mut stem_ids: HashMap<String, usize> = HashMap::new();
        let mut spellings: Vec<HashMap<String, u32>> = Vec::new();
        let mut frequency: Vec<u32> = Vec::new();
        let mut stemmed: Vec<Vec<usize>> = Vec::with_capacity(texts.len());
        for text in texts {
            let mut ids = Vec::new();
            for (stem, word) in stemmed_words(text) {
                if word.chars().all(|c| c.is_numeric()) {
                    continue;
                }
                let next = stem_ids.len();
                let id = *stem_ids.entry(stem).or_insert(next);
                if id == spellings.len() {
                    spellings.push(HashMap::new());
                    frequency.push(0);
                }
                *spellings[id].entry(word).or_default() += 1;
                ids.push(id);
            }
            let mut distinct = ids.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for &id in &distinct {
                frequency[id] += 1;
            }
            stemmed.push(ids);
        }
        // Words in at least two texts and, in a larger set, in at most half of them (words every
        // text uses tell no theme apart).
        let n = texts.len() as u32;
        let most = if n >= 20 { n / 2 } else { n };
        let mut kept: Vec<usize> = (0..frequency.len())
            .filter(|&id| (2..=most).contains(&frequency[id]))
            .collect();
        kept.sort_by(|&a, &b| frequency[b].cmp(&frequency[a]).then(a.cmp(&b)));
        kept.truncate(VOCABULARY);
        let mut entry_of = vec![None; frequency.len()];
        let vocabulary = kept
            .iter()
            .enumerate()
            .map(|(entry, &id)| {
                entry_of[id] = Some(entry);
                let spelling = spellings[id]
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(word, _)| word.clone())
                    .unwrap_or_default();
                let idf = ((1.0 + n as f64) / (1.0 + frequency[id] as f64)).ln() + 1.0;
                (spelling, idf)
            })
            .collect();
        let docs = stemmed
            .into_iter()
            .map(|ids| {
                let mut counts: HashMap<usize, u32> = HashMap::new();
                for entry in ids.into_iter().filter_map(|id| entry_of[id]) {
                    *counts.entry(entry).or_default() += 1;
                }
                let mut counts: Vec<(usize, u32)> = counts.into_iter().collect();
                counts.sort_unstable();
                counts
            })
            .collect();
        Self { vocabulary, docs }
    }

    fn tf_idf(&self, doc: &[(usize, u32)]) -> Sparse {
        let mut vector: Sparse = doc
            .iter()
            .map(|&(entry, count)| {
                (
                    entry,
                    (1.0 + f64::from(count).ln()) * self.vocabulary[entry].1,
                )
            })
            .collect();
        let length = vector.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        for (_, weight) in &mut vector {
            *weight /= length;
        }
        vector
    }

    /// The summed weight of each vocabulary entry over `texts`.
    fn weights(&self, vectors: &[Sparse], texts: &[usize]) -> Array1<f64> {
        let mut sum = Array1::<f64>::zeros(self.vocabulary.len());
        for &text in texts {
            for &(entry, weight) in &vectors[text] {
                sum[entry] += weight;
            }
        }
        sum
    }

    /// The words whose mean weight in `members` most exceeds their mean weight in all texts.
    fn distinctive(
        &self,
        vectors: &[Sparse],
        members: &[usize],
        everywhere: ArrayView1<'_, f64>,
        all: usize,
    ) -> Vec<String> {
        let here = self.weights(vectors, members) / members.len() as f64;
        let lift = here - &everywhere / all as f64;
        let mut entries: Vec<usize> = (0..lift.len()).filter(|&entry| lift[entry] > 0.0).collect();
        entries.sort_by(|&a, &b| lift[b].total_cmp(&lift[a]).then(a.cmp(&b)));
        entries
            .into_iter()
            .take(TERMS_SHOWN)
            .map(|entry| self.vocabulary[entry].0.clone())
            .collect()
    }
}

/// A fixed random ±1 vector per vocabulary entry (scaled so projected lengths are kept), or,
/// for a vocabulary no larger than the projection, each entry as its own dimension.
fn random_projection(entries: usize) -> Array2<f64> {
    if entries <= DIMENSIONS {
        return Array2::eye(entries.max(1));
    }
    let mut rng = Xoshiro256Plus::seed_from_u64(SEED);
    let scale = 1.0 / (DIMENSIONS as f64).sqrt();
    let mut projection = Array2::<f64>::zeros((entries, DIMENSIONS));
    for mut row in projection.axis_iter_mut(Axis(0)) {
        for value in row.iter_mut() {
            *value = if rng.next_u32() & 1 == 0 {
                scale
            } else {
                -scale
            };
        }
    }
    projection
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENTS: [&str; 8] = [
        "A lighter tent with carbon poles",
        "Tent poles that fold shorter",
        "Tent pegs that hold in sand",
        "A tent that pitches in one minute",
        "Repair kit for tent fabric and poles",
        "Tent with a second door",
        "Ultralight tent for two with short poles",
        "Tent fabric that does not flap in the wind",
    ];
    const BIKES: [&str; 8] = [
        "Bike racks at the station",
        "Protected bike lanes on the high street",
        "Bike lanes to the school",
        "Covered bike parking by the library",
        "Bike repair stand in the park",
        "Bike lanes that connect to the river path",
        "Secure bike parking at the station",
        "Bike share docks near the park",
    ];
    const FOOD: [&str; 8] = [
        "Farmers market with fresh bread",
        "Fresh vegetables at the Saturday market",
        "Market stalls for local bakers and bread",
        "Fresh fish at the market",
        "A bread and cheese market on Sundays",
        "Cheaper fresh vegetables for families",
        "Market with fresh fruit and vegetables",
        "Local bakers selling bread at the market",
    ];

    #[test]
    fn texts_on_three_subjects_fall_into_themes_of_one_subject_each() {
        let texts: Vec<&str> = TENTS.iter().chain(&BIKES).chain(&FOOD).copied().collect();
        let themes = find_themes(&texts).unwrap();
        assert!((2..=MAX_THEMES).contains(&themes.len()), "{themes:#?}");
        for theme in &themes {
            let subjects: std::collections::BTreeSet<usize> =
                theme.members.iter().map(|&text| text / 8).collect();
            assert_eq!(subjects.len(), 1, "a theme mixes subjects: {theme:#?}");
            let expected = ["tent", "bike", "market"][theme.members[0] / 8];
            assert!(
                theme.terms.iter().any(|term| term.starts_with(expected))
                    || theme.members.len() < 4,
                "{expected} not among {:?}",
                theme.terms
            );
        }
        let covered: usize = themes.iter().map(|theme| theme.members.len()).sum();
        assert_eq!(covered, texts.len());
    }

    #[test]
    fn the_same_texts_give_the_same_themes() {
        let texts: Vec<&str> = BIKES.iter().chain(&FOOD).copied().collect();
        assert_eq!(find_themes(&texts).unwrap(), find_themes(&texts).unwrap());
    }

    #[test]
    fn too_few_texts_with_words_in_common_make_no_themes() {
        for texts in [
            vec![],
            vec!["Parking"; 3],
            vec!["", "12345", "!!!", "the and of", "a", "b", "c", "d", "e"],
        ] {
            assert!(
                matches!(find_themes(&texts), Err(InsightsError::NotEnoughData(_))),
                "{texts:?}"
            );
        }
    }
}
