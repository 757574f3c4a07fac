//! The part of an e-mail's text its sender wrote now: without the message it quotes (lines
//! opened by `>`, an "On … wrote:" line and what follows, a forwarded or original message) and
//! without the signature (after a `-- ` line).

/// Whether `line` opens what the sender quoted or signed, so that it and all after it go.
fn ends_the_reply(line: &str) -> bool {
    let trimmed = line.trim_end();
    trimmed == "--"
        || (trimmed.starts_with("On ") && trimmed.ends_with("wrote:"))
        || (trimmed.starts_with("Am ") && trimmed.ends_with("schrieb:"))
        || (trimmed.starts_with("Le ") && trimmed.ends_with("a écrit :"))
        || trimmed.starts_with("-----Original Message-----")
        || trimmed.starts_with("---------- Forwarded message")
        || (trimmed.len() >= 10 && trimmed.chars().all(|c| c == '_'))
}

/// The text the sender wrote, trimmed of what it quotes and of its signature.
pub fn reply_text(body: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for line in body.lines() {
        if ends_the_reply(line) {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    while kept.last().is_some_and(|line| line.is_empty()) {
        kept.pop();
    }
    let first = kept
        .iter()
        .position(|line| !line.is_empty())
        .unwrap_or(kept.len());
    kept[first..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_the_sender_wrote() {
        let body =
            "\nThe export button is gone.\n\nPlease bring it back.\n\n-- \nAnn Example\nACME Ltd\n";
        assert_eq!(
            reply_text(body),
            "The export button is gone.\n\nPlease bring it back."
        );
    }

    #[test]
    fn drops_the_quoted_message() {
        let body = "Yes, and the PDF too.\r\n\r\nOn Mon, 7 Dec 2026 at 09:00, Support <s@example.org> wrote:\r\n> Do you mean the CSV export?\r\n";
        assert_eq!(reply_text(body), "Yes, and the PDF too.");
        let inline = "Answers inline.\n> first question\nFine.\n> second\nAlso fine.";
        assert_eq!(reply_text(inline), "Answers inline.\nFine.\nAlso fine.");
        let outlook = "See below.\n\n-----Original Message-----\nFrom: Someone\n";
        assert_eq!(reply_text(outlook), "See below.");
    }

    #[test]
    fn a_message_of_only_quotes_has_no_text() {
        assert_eq!(reply_text("> all quoted\n> still quoted\n"), "");
    }
}
