//! A passage of a search hit with its matches marked apart from the text, so that nothing a
//! person wrote (a literal `[[word]]`, say) can pass for a mark.

/// What the database puts before each match. A control character: the text people write never
/// holds one (core refuses them), so every mark is the database's.
pub const MATCH_START: char = '\u{2}';
/// What the database puts after each match.
pub const MATCH_END: char = '\u{3}';

/// A passage in parts, each either a match of the query or the text between matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    parts: Vec<SnippetPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetPart {
    pub text: String,
    pub matched: bool,
}

impl Snippet {
    /// Reads a passage as the database marked it with [`MATCH_START`] and [`MATCH_END`]. A mark
    /// out of place (an end with no start) is dropped rather than shown.
    pub fn from_marked(marked: &str) -> Self {
        let mut parts: Vec<SnippetPart> = Vec::new();
        let mut matched = false;
        let mut text = String::new();
        for c in marked.chars() {
            let boundary = match c {
                MATCH_START => Some(true),
                MATCH_END => Some(false),
                _ => None,
            };
            match boundary {
                Some(next) => {
                    if !text.is_empty() {
                        parts.push(SnippetPart {
                            text: std::mem::take(&mut text),
                            matched,
                        });
                    }
                    matched = next;
                }
                None => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(SnippetPart { text, matched });
        }
        Self { parts }
    }

    /// A passage already split, as a search index's highlighter gives it.
    pub fn from_parts(parts: Vec<SnippetPart>) -> Self {
        Self {
            parts: parts
                .into_iter()
                .filter(|part| !part.text.is_empty())
                .collect(),
        }
    }

    pub fn parts(&self) -> &[SnippetPart] {
        &self.parts
    }

    /// The passage as plain text, without marks.
    pub fn text(&self) -> String {
        self.parts.iter().map(|part| part.text.as_str()).collect()
    }

    /// Whether any part matched the query.
    pub fn has_match(&self) -> bool {
        self.parts.iter().any(|part| part.matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_split_the_text_and_user_brackets_stay_text() {
        let snippet = Snippet::from_marked("a [[b]] \u{2}lamp\u{3} c\u{3}");
        let parts: Vec<(&str, bool)> = snippet
            .parts()
            .iter()
            .map(|part| (part.text.as_str(), part.matched))
            .collect();
        assert_eq!(parts, [("a [[b]] ", false), ("lamp", true), (" c", false)]);
        assert_eq!(snippet.text(), "a [[b]] lamp c");
        assert!(snippet.has_match());
        assert!(!Snippet::from_marked("[[x]]").has_match());
    }
}
