//! Rules of the dialogue on ideas and challenges: how deep replies nest, how long a comment may be
//! edited, and how people are named and mentioned with `@handle`.

/// Replies nest at most this deep (0 is a comment on the idea itself).
pub const MAX_COMMENT_DEPTH: i64 = 3;
/// The longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// How long after writing a comment its author may still edit it.
pub const EDIT_WINDOW_MINUTES: i64 = 15;

/// The most people one comment may mention.
pub const MAX_MENTIONS: usize = 10;
/// The longest handle, in characters.
pub const MAX_HANDLE_CHARS: usize = 30;

fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The handle a display name suggests: its ASCII letters and digits, lowercased, at most
/// [`MAX_HANDLE_CHARS`] long; `member` when none are left. Never contains `-`, which the store
/// uses to tell apart people who would otherwise share one.
pub fn handle_for(name: &str) -> String {
    let handle: String = name
        .chars()
        .filter(|c| is_handle_char(*c))
        .map(|c| c.to_ascii_lowercase())
        .take(MAX_HANDLE_CHARS)
        .collect();
    if handle.is_empty() {
        "member".to_owned()
    } else {
        handle
    }
}

/// Where a text mentions someone: the byte range of each `@handle` (the `@` included, trailing
/// `-` left out) and the handle, lowercased. An `@` inside a word (an e-mail address) is not a
/// mention.
pub fn mention_spans(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut spans = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts_mention =
            c == '@' && !previous.is_some_and(|p| is_handle_char(p) || ".+-".contains(p));
        previous = Some(c);
        if !starts_mention {
            continue;
        }
        let rest = &text[at + 1..];
        let length = rest
            .find(|c: char| !(is_handle_char(c) || c == '-'))
            .unwrap_or(rest.len());
        let handle = rest[..length].trim_end_matches('-');
        if !handle.is_empty() {
            spans.push((at..at + 1 + handle.len(), handle.to_ascii_lowercase()));
        }
    }
    spans
}

/// The handles mentioned in a text as `@handle`, lowercased, each once, in order of first
/// mention.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (_, handle) in mention_spans(text) {
        if !found.contains(&handle) {
            found.push(handle);
        }
    }
    found
}

/// The text with every mention of `handle` (any case) naming `replacement` instead; `None` when
/// it mentions `handle` nowhere (an `@handle` inside a longer handle or an address is no mention).
pub fn replace_mentions(text: &str, handle: &str, replacement: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (span, mentioned) in mention_spans(text) {
        if mentioned.eq_ignore_ascii_case(handle) {
            out.push_str(&text[copied..span.start]);
            out.push('@');
            out.push_str(replacement);
            copied = span.end;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

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

    #[test]
    fn only_mentions_of_the_handle_are_replaced() {
        let text = "Thanks @Casey and @caseyfan; mail casey@example.org, cc @casey.";
        assert_eq!(
            replace_mentions(text, "casey", "erased_7").as_deref(),
            Some("Thanks @erased_7 and @caseyfan; mail casey@example.org, cc @erased_7.")
        );
        assert_eq!(replace_mentions("Ask @caseyfan", "casey", "erased_7"), None);
        assert_eq!(replace_mentions("casey@example.org", "casey", "x"), None);
    }
    use proptest::prelude::*;

    #[test]
    fn handles_come_from_names() {
        assert_eq!(handle_for("Ada Lovelace"), "adalovelace");
        assert_eq!(handle_for("Zoë O'Brien-Smith"), "zoobriensmith");
        assert_eq!(handle_for("李雷"), "member");
        assert_eq!(handle_for(&"x".repeat(50)).len(), MAX_HANDLE_CHARS);
    }

    #[test]
    fn mentions_are_found_once_and_not_in_addresses() {
        assert_eq!(
            mentions("@Ada, ask @grace-7 and @ada. Mail ada@example.org or @ – @bob_b-"),
            ["ada", "grace-7", "bob_b"]
        );
        assert!(mentions("no one here").is_empty());
        let text = "Hi @Ada-, see @grace_7.";
        let spans = mention_spans(text);
        assert_eq!(
            spans
                .iter()
                .map(|(range, handle)| (&text[range.clone()], handle.as_str()))
                .collect::<Vec<_>>(),
            [("@Ada", "ada"), ("@grace_7", "grace_7")]
        );
    }

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
        /// Whatever the text, mentions are well-formed handles and never repeat.
        #[test]
        fn mentions_are_well_formed(text in ".{0,200}") {
            let found = mentions(&text);
            for handle in &found {
                prop_assert!(!handle.is_empty() && !handle.ends_with('-'));
                prop_assert!(handle.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'));
                prop_assert_eq!(found.iter().filter(|h| *h == handle).count(), 1);
            }
        }

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
