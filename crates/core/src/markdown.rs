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

impl Markdown {
    /// The same text with each `@handle` of `people` (lowercased handles) linked to that person's
    /// page, outside code and existing links.
    pub fn linking_mentions(self, people: &[String]) -> Self {
        if people.is_empty() {
            return self;
        }
        let html = render_linking(&self.source, people);
        Self { html, ..self }
    }
}

/// Markdown to sanitised HTML.
pub fn render(source: &str) -> String {
    render_linking(source, &[])
}

fn render_linking(source: &str, people: &[String]) -> String {
    let mut options = comrak::Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, source, &options);
    if !people.is_empty() {
        link_mentions(&arena, root, people);
    }
    let mut html = String::new();
    // Writing to a String cannot fail.
    let _ = comrak::format_html(root, &options, &mut html);
    ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(&html)
        .to_string()
}

/// Splits text nodes around mentions of `people`, each mention becoming a link to
/// `/people/{handle}`. Text already inside a link stays as it is.
fn link_mentions<'a>(arena: &'a comrak::Arena<'a>, root: comrak::Node<'a>, people: &[String]) {
    use comrak::nodes::{NodeLink, NodeValue};
    let texts: Vec<_> = root
        .descendants()
        .filter(|node| matches!(node.data.borrow().value, NodeValue::Text(_)))
        .filter(|node| {
            !node.ancestors().any(|a| {
                matches!(
                    a.data.borrow().value,
                    NodeValue::Link(_) | NodeValue::Image(_)
                )
            })
        })
        .collect();
    for node in texts {
        let text = match &node.data.borrow().value {
            NodeValue::Text(text) => text.to_string(),
            _ => continue,
        };
        let spans: Vec<_> = crate::dialogue::mention_spans(&text)
            .into_iter()
            .filter(|(_, handle)| people.contains(handle))
            .collect();
        let Some((last, _)) = spans.last() else {
            continue;
        };
        let rest = text[last.end..].to_owned();
        let mut from = 0;
        for (range, handle) in spans {
            if range.start > from {
                let before = NodeValue::Text(text[from..range.start].to_owned().into());
                node.insert_before(arena.alloc(before.into()));
            }
            let link = NodeValue::Link(Box::new(NodeLink {
                url: format!("/people/{handle}"),
                title: String::new(),
            }));
            let link = arena.alloc(link.into());
            let shown = NodeValue::Text(text[range.clone()].to_owned().into());
            link.append(arena.alloc(shown.into()));
            node.insert_before(link);
            from = range.end;
        }
        node.data.borrow_mut().value = NodeValue::Text(rest.into());
    }
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
    fn mentions_of_people_link_to_them_outside_code_and_links() {
        let source = "Ask @Ada and @nobody, not `@ada` or [@ada](https://example.org); mail ada@example.org.\n\n**@grace**!";
        let markdown = Markdown::parse("body", source, true, 1000)
            .unwrap()
            .linking_mentions(&["ada".to_owned(), "grace".to_owned()]);
        let html = markdown.html;
        assert!(
            html.contains(r#"Ask <a href="/people/ada" rel="nofollow noopener noreferrer">@Ada</a> and @nobody, not <code>@ada</code> or <a href="https://example.org" rel="nofollow noopener noreferrer">@ada</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<strong><a href="/people/grace" rel="nofollow noopener noreferrer">@grace</a></strong>!"#),
            "{html}"
        );
        assert_eq!(html.matches("/people/").count(), 2, "{html}");
        let plain = Markdown::parse("body", source, true, 1000).unwrap();
        assert!(!plain.html.contains("/people/"));
    }

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
