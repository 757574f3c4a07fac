//! User text in Markdown, rendered to HTML that is safe to show: comrak renders (raw HTML in the
//! source is not passed through), then ammonia keeps only harmless tags and attributes.

use crate::types::ValidationError;

/// The longest Markdown body accepted.
pub const MAX_BODY_CHARS: usize = 20_000;

/// A Markdown source that passed its limits, with its safe HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown {
    pub source: String,
    pub html: String,
}

impl Markdown {
    /// Parses `source` for `field`: at most `max` characters (and at least one when `required`).
    pub fn parse(
        field: &'static str,
        source: &str,
        required: bool,
        max: usize,
    ) -> Result<Self, ValidationError> {
        let source = source.trim_end().replace("\r\n", "\n");
        let length = source.chars().count();
        if required && !crate::text::has_visible(&source) {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if length > max {
            return Err(ValidationError::new(
                field,
                format!("must be at most {max} characters (got {length})"),
            ));
        }
        if source
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(ValidationError::new(
                field,
                "must not contain control characters",
            ));
        }
        let html = render(&source);
        Ok(Self { source, html })
    }
}

/// Markdown to sanitised HTML.
pub fn render(source: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    let html = comrak::markdown_to_html(source, &options);
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(&html)
        .to_string()
}

/// How a line of a revision compares with the version before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

/// A line-by-line comparison of two texts, for the revision history.
pub fn diff_lines(old: &str, new: &str) -> Vec<(DiffKind, String)> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| {
            let kind = match change.tag() {
                similar::ChangeTag::Equal => DiffKind::Same,
                similar::ChangeTag::Insert => DiffKind::Added,
                similar::ChangeTag::Delete => DiffKind::Removed,
            };
            (kind, change.value().trim_end_matches('\n').to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn renders_markdown() {
        let html = render("# Title\n\n**bold** and a [link](https://example.org)");
        assert!(
            html.contains("<h1>Title</h1>") && html.contains("<strong>bold</strong>"),
            "{html}"
        );
        assert!(
            html.contains("rel=\"nofollow noopener noreferrer\""),
            "{html}"
        );
    }

    /// Whether any tag in `html` could run script: a dangerous element, an event-handler
    /// attribute or a `javascript:` URL. Text outside tags is escaped, so it cannot.
    fn has_active_content(html: &str) -> bool {
        html.split('<').skip(1).any(|rest| {
            let tag = rest.split('>').next().unwrap_or_default().to_lowercase();
            let name = tag
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or_default();
            [
                "script", "iframe", "svg", "object", "embed", "style", "math",
            ]
            .contains(&name)
                || tag.split_whitespace().skip(1).any(|attribute| {
                    let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
                    let value = value.trim_matches('"');
                    key.starts_with("on")
                        || (["href", "src"].contains(&key)
                            && ["javascript:", "vbscript:", "data:"]
                                .iter()
                                .any(|scheme| value.starts_with(scheme)))
                })
        })
    }

    #[test]
    fn scripts_never_survive() {
        for evil in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg/onload=alert(1)>",
            "<iframe src=https://evil.example></iframe>",
            "[x](&#106;avascript:alert(1))",
        ] {
            let html = render(evil);
            assert!(!has_active_content(&html), "{evil} -> {html}");
        }
    }

    #[test]
    fn diffs_show_what_changed() {
        let diff = diff_lines("one\ntwo\nthree\n", "one\n2\nthree\n");
        assert_eq!(
            diff,
            [
                (DiffKind::Same, "one".to_owned()),
                (DiffKind::Removed, "two".to_owned()),
                (DiffKind::Added, "2".to_owned()),
                (DiffKind::Same, "three".to_owned()),
            ]
        );
    }

    #[test]
    fn limits() {
        assert_eq!(
            Markdown::parse("body", "  ", true, 10).unwrap_err().message,
            "must not be empty"
        );
        assert!(Markdown::parse("body", "", false, 10).is_ok());
        assert_eq!(
            Markdown::parse("body", "\u{200B}\u{200D}\n\u{FEFF}", true, 10)
                .unwrap_err()
                .message,
            "must not be empty"
        );
        assert!(
            Markdown::parse("body", &"a".repeat(11), true, 10)
                .unwrap_err()
                .message
                .contains("at most 10")
        );
    }

    proptest! {
        #[test]
        fn output_never_has_active_content(source in "(\\PC|<script>|<img src=x onerror=alert(1)>|javascript:|\\[a\\]\\(|\\)){0,60}") {
            let html = render(&source);
            prop_assert!(!has_active_content(&html), "{} -> {}", source, html);
        }
    }
}
