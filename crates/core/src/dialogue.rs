//! Rules of the dialogue on ideas: how deep replies nest and how long a comment may be edited.

/// Replies nest at most this deep (0 is a comment on the idea itself).
pub const MAX_COMMENT_DEPTH: i64 = 3;
/// The longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// How long after writing a comment its author may still edit it.
pub const EDIT_WINDOW_MINUTES: i64 = 15;

/// Where a reply to a comment goes: under it, or — when the thread is already as deep as it may
/// get — beside it, under the same parent, so deeper replies flatten.
pub fn reply_placement(
    parent_id: i64,
    parent_depth: i64,
    grandparent_id: Option<i64>,
) -> (Option<i64>, i64) {
    if parent_depth >= MAX_COMMENT_DEPTH {
        (grandparent_id, MAX_COMMENT_DEPTH)
    } else {
        (Some(parent_id), parent_depth + 1)
    }
}

/// Orders a thread for display: each comment followed by its replies, depth-first, oldest first.
/// Takes `(id, parent_id)` pairs in the order written; returns indexes into the input.
pub fn thread_order(comments: &[(i64, Option<i64>)]) -> Vec<usize> {
    fn visit(parent: Option<i64>, comments: &[(i64, Option<i64>)], order: &mut Vec<usize>) {
        for (index, (id, comment_parent)) in comments.iter().enumerate() {
            if *comment_parent == parent {
                order.push(index);
                visit(Some(*id), comments, order);
            }
        }
    }
    let mut order = Vec::with_capacity(comments.len());
    visit(None, comments, &mut order);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn deep_replies_flatten() {
        assert_eq!(reply_placement(7, 0, None), (Some(7), 1));
        assert_eq!(
            reply_placement(9, MAX_COMMENT_DEPTH, Some(8)),
            (Some(8), MAX_COMMENT_DEPTH)
        );
    }

    #[test]
    fn threads_read_depth_first() {
        let comments = [
            (1, None),
            (2, None),
            (3, Some(1)),
            (4, Some(3)),
            (5, Some(1)),
        ];
        let order: Vec<i64> = thread_order(&comments)
            .iter()
            .map(|i| comments[*i].0)
            .collect();
        assert_eq!(order, [1, 3, 4, 5, 2]);
    }

    proptest! {
        /// Every comment of a well-formed thread appears exactly once.
        #[test]
        fn every_comment_is_shown_once(parents in proptest::collection::vec(proptest::option::of(0usize..50), 0..50)) {
            let comments: Vec<(i64, Option<i64>)> = parents
                .iter()
                .enumerate()
                .map(|(i, parent)| (i as i64 + 1, parent.filter(|p| *p < i).map(|p| p as i64 + 1)))
                .collect();
            let mut order = thread_order(&comments);
            order.sort_unstable();
            prop_assert_eq!(order, (0..comments.len()).collect::<Vec<_>>());
        }
    }
}
