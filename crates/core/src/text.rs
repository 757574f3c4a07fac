//! Text people type, as a reader sees it: characters that show nothing, and text whose direction
//! must not leak into what surrounds it.

/// Whether `c` is a default-ignorable code point (Unicode's `Default_Ignorable_Code_Point`,
/// DerivedCoreProperties.txt): zero-width spaces and joiners, direction marks and overrides,
/// variation selectors, the byte order mark, fillers and tags. None shows anything by itself.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Whether `c` shows nothing: whitespace or a default-ignorable code point.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace() || is_default_ignorable(c)
}

/// Whether the text has anything a reader would see.
pub fn has_visible(text: &str) -> bool {
    text.chars().any(|c| !is_invisible(c))
}

/// `text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, for places that cannot hold
/// markup (a page's `<title>`, a mail's subject): its direction, and any override it carries,
/// stay inside.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// A title quoted within a sentence (a mail's subject, a notification): “title”, isolated.
pub fn quoted(title: &str) -> String {
    format!("“{}”", isolate(title))
}

/// A count and its noun, made plural (by an `s`) unless the count is one: "1 supporter",
/// "2 supporters".
pub fn counted(count: i64, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_plural_unless_one() {
        assert_eq!(counted(1, "supporter"), "1 supporter");
        assert_eq!(counted(0, "supporter"), "0 supporters");
        assert_eq!(counted(12, "day"), "12 days");
    }

    #[test]
    fn zero_width_and_direction_characters_show_nothing() {
        for invisible in [
            "\u{200B}",
            "\u{200D}\u{2060}",
            "\u{FEFF} \u{202E}",
            " \t\n",
            "",
        ] {
            assert!(!has_visible(invisible), "{invisible:?}");
        }
        for visible in ["a", "\u{200B}a", "李", "\u{05D0}", "🙂", "-"] {
            assert!(has_visible(visible), "{visible:?}");
        }
    }

    #[test]
    fn an_isolate_closes_what_it_opens() {
        let isolated = isolate("\u{202E}evil");
        assert!(isolated.starts_with('\u{2068}') && isolated.ends_with('\u{2069}'));
        assert!(isolated.contains("\u{202E}evil"));
    }
}
