//! How far two ways of dividing the same people into groups agree.

use std::collections::HashMap;

/// The adjusted Rand index of two labellings of the same items: 1 when they divide the items
/// identically (whatever the labels' names), near 0 when they agree no more than chance would.
/// `None` when the items are fewer than two or both labellings put every item in one group.
pub fn adjusted_rand_index<A, B>(first: &[A], second: &[B]) -> Option<f64>
where
    A: Eq + std::hash::Hash,
    B: Eq + std::hash::Hash,
{
    if first.len() != second.len() || first.len() < 2 {
        return None;
    }
    let pairs = |count: usize| (count * count.saturating_sub(1) / 2) as f64;
    let mut cells: HashMap<(&A, &B), usize> = HashMap::new();
    let mut rows: HashMap<&A, usize> = HashMap::new();
    let mut columns: HashMap<&B, usize> = HashMap::new();
    for (a, b) in first.iter().zip(second) {
        *cells.entry((a, b)).or_default() += 1;
        *rows.entry(a).or_default() += 1;
        *columns.entry(b).or_default() += 1;
    }
    let together: f64 = cells.values().map(|&n| pairs(n)).sum();
    let in_rows: f64 = rows.values().map(|&n| pairs(n)).sum();
    let in_columns: f64 = columns.values().map(|&n| pairs(n)).sum();
    let expected = in_rows * in_columns / pairs(first.len());
    let most = (in_rows + in_columns) / 2.0;
    if most == expected {
        return None;
    }
    Some((together - expected) / (most - expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_division_under_other_names_agrees_fully() {
        let ari = adjusted_rand_index(&[0, 0, 1, 1, 2], &["b", "b", "a", "a", "c"]).unwrap();
        assert!((ari - 1.0).abs() < 1e-12, "{ari}");
    }

    #[test]
    fn a_known_case_matches_its_worked_value() {
        // Hubert and Arabie's index for these labellings is 0.242424… (= 8/33).
        let ari = adjusted_rand_index(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]).unwrap();
        assert!((ari - 8.0 / 33.0).abs() < 1e-12, "{ari}");
    }

    #[test]
    fn crossing_divisions_agree_less_than_chance() {
        let ari = adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1]).unwrap();
        assert!(ari < 0.0, "{ari}");
    }

    #[test]
    fn nothing_to_compare_has_no_index() {
        assert_eq!(adjusted_rand_index(&[0], &[1]), None);
        assert_eq!(adjusted_rand_index(&[0, 0, 0], &[1, 1, 1]), None);
        assert_eq!(adjusted_rand_index(&[0, 1], &[0]), None);
    }
}
