//! Markdown rendering and sanitising, mentions, the revision diff, and every typed-text parser:
//! none may panic, and rendered Markdown never carries script.

#![no_main]

use cocreate_core::markdown::{Markdown, diff_lines, render};
use cocreate_core::{
    DisplayName, Email, Password, Slug, SupportRules, Tags, Title, dialogue, parse_date,
    search_terms,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let html = render(text).to_ascii_lowercase();
    // Text is escaped, so every `<` left in the output opens a tag the sanitiser allowed.
    for tag in html
        .split('<')
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
    {
        let name = tag.split([' ', '/', '\n', '\t']).next().unwrap_or_default();
        assert!(
            !matches!(
                name,
                "script"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "style"
                    | "base"
                    | "meta"
                    | "svg"
                    | "math"
                    | "form"
            ),
            "<{tag}> in rendered Markdown"
        );
        let attributes = tag.split_whitespace().skip(1);
        for attribute in attributes {
            assert!(!attribute.starts_with("on"), "handler in <{tag}>");
            assert!(!attribute.contains("javascript:"), "script URL in <{tag}>");
        }
    }
    let _ = Markdown::parse("body", text, true, 20_000);
    let _ = dialogue::mentions(text);
    let middle = (0..=text.len() / 2)
        .rev()
        .find(|&k| text.is_char_boundary(k))
        .unwrap_or(0);
    let (old, new) = text.split_at(middle);
    let _ = diff_lines(old, new);
    let _ = Title::parse(text);
    let _ = Tags::parse(text);
    let _ = Email::parse(text);
    let _ = DisplayName::parse(text);
    let _ = Password::parse(text);
    let _ = Slug::parse(text);
    let _ = SupportRules::parse(text);
    let _ = parse_date("date", text);
    for term in search_terms(text) {
        assert!(
            term.chars().all(char::is_alphanumeric),
            "unsafe search term {term:?}"
        );
    }
});
