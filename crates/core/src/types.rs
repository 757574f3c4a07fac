//! Validated value types: parse, don't validate. Each constructor either returns a value that
//! satisfies its rule or a `ValidationError` naming the field and saying what is wrong.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why an input was refused, and which field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Trims `value` of what shows nothing and checks its length in characters and that it holds no
/// control characters; text that shows nothing at all (zero-width characters, say) is empty.
fn bounded_text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, ValidationError> {
    let trimmed = value.trim_matches(crate::text::is_invisible);
    let length = trimmed.chars().count();
    if length < min {
        return Err(if min == 1 {
            ValidationError::new(field, "must not be empty")
        } else {
            ValidationError::new(field, format!("must be at least {min} characters"))
        });
    }
    if length > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters (got {length})"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:expr, $max:expr, single_line = $single:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(value: &str) -> Result<Self, ValidationError> {
                let text = bounded_text($field, value, $min, $max)?;
                if $single && text.contains(['\n', '\r']) {
                    return Err(ValidationError::new($field, "must be a single line"));
                }
                Ok(Self(text))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A person's public name: 1–80 characters on one line.
    DisplayName, "name", 1, 80, single_line = true
);
text_type!(
    /// The organisation's name: 1–120 characters on one line.
    OrgName, "name", 1, 120, single_line = true
);
text_type!(
    /// A space's name: 1–120 characters on one line.
    SpaceName, "name", 1, 120, single_line = true
);
text_type!(
    /// An idea's or a challenge's title: 1–140 characters on one line.
    Title, "title", 1, 140, single_line = true
);
text_type!(
    /// A statement people vote on in a challenge: 1–2,000 characters of plain text.
    StatementText, "body", 1, 2_000, single_line = false
);
text_type!(
    /// A public reason for a decision: 1–2,000 characters.
    Rationale, "rationale", 1, 2_000, single_line = false
);
text_type!(
    /// A free-text description: up to 4,000 characters.
    Description, "description", 0, 4_000, single_line = false
);

/// An e-mail address, trimmed and lower-cased so that uniqueness is case-insensitive.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX: usize = 254;

    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let email = value.trim().to_lowercase();
        if email.is_empty() {
            return Err(ValidationError::new("email", "must not be empty"));
        }
        if email.chars().count() > Self::MAX {
            return Err(ValidationError::new(
                "email",
                format!("must be at most {} characters", Self::MAX),
            ));
        }
        let valid = email_address::EmailAddress::from_str(&email)
            .ok()
            .is_some_and(|address| {
                let domain = address.domain();
                domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
        if !valid || email.contains(char::is_whitespace) {
            return Err(ValidationError::new(
                "email",
                "is not a valid e-mail address (expected name@example.org)",
            ));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: 10–128 characters. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 10;
    pub const MAX: usize = 128;

    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::parse_field("password", value)
    }

    /// Parses a password that arrived under another field name (e.g. `new_password`).
    pub fn parse_field(field: &'static str, value: &str) -> Result<Self, ValidationError> {
        let length = value.chars().count();
        if length < Self::MIN {
            return Err(ValidationError::new(
                field,
                format!("must be at least {} characters", Self::MIN),
            ));
        }
        if length > Self::MAX {
            return Err(ValidationError::new(
                field,
                format!("must be at most {} characters", Self::MAX),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// Up to 5 tags, each 1–30 of `a-z`, `0-9` and `-`, typed separated by commas or spaces.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tags(Vec<String>);

impl Tags {
    pub const MAX_TAGS: usize = 5;
    pub const MAX_LENGTH: usize = 30;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let mut tags: Vec<String> = Vec::new();
        for raw in text.split([',', ' ', '\n', '\t']).filter(|t| !t.is_empty()) {
            let tag = raw.trim().trim_start_matches('#').to_lowercase();
            let valid = !tag.is_empty()
                && tag.len() <= Self::MAX_LENGTH
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return Err(ValidationError::new(
                    "tags",
                    format!(
                        "“{raw}” is not a tag: use 1–{} of a–z, 0–9 and hyphens",
                        Self::MAX_LENGTH
                    ),
                ));
            }
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > Self::MAX_TAGS {
            return Err(ValidationError::new(
                "tags",
                format!("at most {} tags", Self::MAX_TAGS),
            ));
        }
        Ok(Self(tags))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// The stored form, `,a,b,`, which lets one tag be matched exactly.
    pub fn to_stored(&self) -> String {
        if self.0.is_empty() {
            String::new()
        } else {
            format!(",{},", self.0.join(","))
        }
    }

    /// The offered form, `a,b`.
    pub fn to_list(&self) -> String {
        self.0.join(",")
    }
}

/// The words of a search, as the full-text engines may safely receive them: lower-case runs of
/// letters and digits, at least 2 characters (at most 40), at most 12 of them, no repeats.
pub fn search_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        // Lower-casing can add combining marks (`İ` becomes `i` and a dot above): kept out.
        let word: String = word
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let length = word.chars().count();
        if (2..=40).contains(&length) && !terms.contains(&word) && terms.len() < 12 {
            terms.push(word);
        }
    }
    terms
}

/// A URL-safe space identifier: 1–60 of `a-z`, `0-9` and inner `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX: usize = 60;

    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let slug = value.trim();
        let valid = !slug.is_empty()
            && slug.len() <= Self::MAX
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        if valid {
            Ok(Self(slug.to_owned()))
        } else {
            Err(ValidationError::new(
                "slug",
                format!(
                    "must be 1–{} characters of a–z, 0–9 and inner hyphens",
                    Self::MAX
                ),
            ))
        }
    }

    /// Derives a slug from a name: ASCII letters and digits kept, everything else a hyphen.
    pub fn from_name(name: &str) -> Result<Self, ValidationError> {
        let mut slug = String::new();
        for c in name.to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug: String = slug.chars().take(Self::MAX).collect();
        Self::parse(slug.trim_end_matches('-'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(value: &str) -> Result<Self, ValidationError> {
                match value {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(ValidationError::new(
                        $field,
                        format!("must be one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// A vote on a statement.
    Opinion, "opinion" {
        Agree => "agree",
        Disagree => "disagree",
        Pass => "pass",
    }
);

named_enum!(
    /// An answer to "which of these two?": the first idea shown, the second, or neither.
    PairPick, "pick" {
        First => "first",
        Second => "second",
        Skip => "skip",
    }
);

impl Opinion {
    /// As stored, and as Polis counts it: agree 1, disagree -1, pass 0.
    pub const fn value(self) -> i64 {
        match self {
            Self::Agree => 1,
            Self::Disagree => -1,
            Self::Pass => 0,
        }
    }

    pub const fn from_value(value: i64) -> Option<Self> {
        match value {
            1 => Some(Self::Agree),
            -1 => Some(Self::Disagree),
            0 => Some(Self::Pass),
            _ => None,
        }
    }
}

named_enum!(
    /// Who an account belongs to.
    AccountKind, "kind" {
        Customer => "customer",
        Employee => "employee",
        Partner => "partner",
    }
);

named_enum!(
    /// What an account may do across the organisation.
    OrgRole, "role" {
        Member => "member",
        Moderator => "moderator",
        Admin => "admin",
    }
);

named_enum!(
    /// Who a space is for.
    Audience, "audience" {
        Public => "public",
        Customers => "customers",
        Internal => "internal",
        Partners => "partners",
        InviteOnly => "invite_only",
    }
);

named_enum!(
    /// Where an idea is in its life.
    Stage, "stage" {
        Draft => "draft",
        Gathering => "gathering_support",
        Review => "in_review",
        Accepted => "accepted",
        Launched => "launched",
        Declined => "declined",
        Expired => "expired",
        Merged => "merged",
    }
);

named_enum!(
    /// Where a product stands in its life.
    ProductStatus, "status" {
        Planned => "planned",
        Available => "available",
        Retired => "retired",
    }
);

named_enum!(
    /// How a piece of feedback reached the organisation.
    FeedbackChannel, "channel" {
        Web => "web",
        Api => "api",
        Email => "email",
        Import => "import",
    }
);

named_enum!(
    /// Where a piece of feedback is in triage: new until staff link it to an idea, answer it
    /// or close it.
    FeedbackStatus, "status" {
        New => "new",
        Linked => "linked",
        Answered => "answered",
        Closed => "closed",
    }
);

named_enum!(
    /// What an event on a person's timeline records, in the order that breaks ties of time
    /// (the later of two events at one instant is the one listed first).
    TimelineKind, "kind" {
        Proposed => "proposed",
        CoAuthored => "co_authored",
        Supported => "supported",
        Commented => "commented",
        Feedback => "feedback",
        Answered => "answered",
        Stage => "stage",
    }
);

text_type!(
    /// What a customer says in a piece of feedback: 1–4,000 characters.
    FeedbackText, "body", 1, 4_000, single_line = false
);

text_type!(
    /// Staff's answer to a piece of feedback, mailed to its author: 1–4,000 characters.
    FeedbackAnswer, "answer", 1, 4_000, single_line = false
);

text_type!(
    /// A product's or a service's name: 1–120 characters on one line.
    ProductName, "name", 1, 120, single_line = true
);

/// A rating given with feedback: 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 5;

    pub fn new(value: i64) -> Result<Self, ValidationError> {
        u8::try_from(value)
            .ok()
            .filter(|v| (Self::MIN..=Self::MAX).contains(&i64::from(*v)))
            .map(Self)
            .ok_or_else(|| {
                ValidationError::new(
                    "rating",
                    format!("must be a whole number from {} to {}", Self::MIN, Self::MAX),
                )
            })
    }

    /// A rating as typed into a form: empty means none.
    pub fn parse_optional(text: &str) -> Result<Option<Self>, ValidationError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let value = text.parse::<i64>().map_err(|_| {
            ValidationError::new(
                "rating",
                format!("must be a whole number from {} to {}", Self::MIN, Self::MAX),
            )
        })?;
        Self::new(value).map(Some)
    }

    pub const fn value(self) -> i64 {
        self.0 as i64
    }
}

impl Audience {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Customers => "Customers",
            Self::Internal => "Internal (employees)",
            Self::Partners => "Partners",
            Self::InviteOnly => "Invite-only",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_lowercased_and_trimmed() {
        let email = Email::parse("  Ada@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "ada@example.org");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@.org",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(Email::parse(&long).unwrap_err().message.contains("at most"));
    }

    #[test]
    fn password_bounds() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(10)).is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("supersecret1").unwrap()),
            "Password([redacted])"
        );
    }

    #[test]
    fn names_are_bounded() {
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"é".repeat(80)).is_ok());
        let err = DisplayName::parse(&"é".repeat(81)).unwrap_err();
        assert_eq!(err.field, "name");
        assert!(DisplayName::parse("two\nlines").is_err());
        assert!(DisplayName::parse("bell\u{7}").is_err());
        assert!(Description::parse("").is_ok());
        assert!(Description::parse("line one\nline two").is_ok());
        for invisible in ["\u{200B}", "\u{200D}\u{2060}", "\u{FEFF}", " \u{200B} "] {
            let err = DisplayName::parse(invisible).unwrap_err();
            assert_eq!(err.message, "must not be empty", "{invisible:?}");
            assert!(Title::parse(invisible).is_err(), "{invisible:?}");
        }
        assert_eq!(
            DisplayName::parse("\u{200B}Ada\u{FEFF}").unwrap().as_str(),
            "Ada"
        );
    }

    #[test]
    fn ratings_run_from_one_to_five() {
        assert_eq!(Rating::new(1).unwrap().value(), 1);
        assert_eq!(Rating::new(5).unwrap().value(), 5);
        for bad in [0, 6, -1, 256, i64::MAX] {
            assert_eq!(Rating::new(bad).unwrap_err().field, "rating", "{bad}");
        }
        assert_eq!(Rating::parse_optional(" ").unwrap(), None);
        assert_eq!(
            Rating::parse_optional("4").unwrap().map(Rating::value),
            Some(4)
        );
        assert!(Rating::parse_optional("four").is_err());
        assert!(Rating::parse_optional("4.5").is_err());
    }

    #[test]
    fn feedback_names_its_channel_and_status() {
        assert_eq!(
            "email".parse::<FeedbackChannel>().unwrap(),
            FeedbackChannel::Email
        );
        assert_eq!(
            "fax".parse::<FeedbackChannel>().unwrap_err().field,
            "channel"
        );
        assert_eq!(
            "closed".parse::<FeedbackStatus>().unwrap(),
            FeedbackStatus::Closed
        );
        assert_eq!(
            "retired".parse::<ProductStatus>().unwrap(),
            ProductStatus::Retired
        );
        assert!(FeedbackText::parse(" ").is_err());
        assert!(FeedbackText::parse(&"x".repeat(4_001)).is_err());
    }

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::from_name("Product Ideas 2027!").unwrap().as_str(),
            "product-ideas-2027"
        );
        assert!(Slug::parse("Bad Slug").is_err());
        assert!(Slug::parse("-x").is_err());
        assert!(Slug::from_name("!!!").is_err());
    }

    #[test]
    fn tags() {
        let tags = Tags::parse("Tents, #weight  tents").unwrap();
        assert_eq!(tags.as_slice(), ["tents", "weight"]);
        assert_eq!(tags.to_stored(), ",tents,weight,");
        assert_eq!(Tags::parse("").unwrap().to_stored(), "");
        assert!(
            Tags::parse("a,b,c,d,e,f")
                .unwrap_err()
                .message
                .contains("at most 5")
        );
        assert_eq!(Tags::parse("bad_tag").unwrap_err().field, "tags");
        assert!(Tags::parse(&"x".repeat(31)).is_err());
    }

    #[test]
    fn search_terms_are_safe_words() {
        assert_eq!(
            search_terms("Solar \"lantern\" OR strap* -x NEAR(a b)"),
            ["solar", "lantern", "or", "strap", "near"]
        );
        assert_eq!(search_terms("Zelt über Äste"), ["zelt", "über", "äste"]);
        assert!(search_terms("\"*()^:").is_empty());
        assert_eq!(search_terms(&"word ".repeat(30)).len(), 1);
        // Found by fuzzing: lower-casing `İ` gives `i` and a combining dot, which is no letter.
        assert_eq!(search_terms("İp<srcOp"), ["ip", "srcop"]);
    }

    proptest! {
        #[test]
        fn search_terms_hold_only_letters_and_digits(text in "\\PC{0,200}") {
            for term in search_terms(&text) {
                prop_assert!(term.chars().all(char::is_alphanumeric));
            }
        }
    }

    #[test]
    fn enums_round_trip() {
        for audience in Audience::ALL {
            assert_eq!(audience.as_str().parse::<Audience>().unwrap(), *audience);
        }
        assert_eq!("owner".parse::<OrgRole>().unwrap_err().field, "role");
    }

    proptest! {
        #[test]
        fn parsed_emails_are_stable(local in "[a-z0-9._%+-]{1,20}", domain in "[a-z0-9-]{1,20}\\.[a-z]{2,6}") {
            let raw = format!("{local}@{domain}");
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
                prop_assert!(email.as_str().len() <= Email::MAX);
            }
        }

        #[test]
        fn derived_slugs_are_valid(name in "\\PC{1,200}") {
            if let Ok(slug) = Slug::from_name(&name) {
                prop_assert!(Slug::parse(slug.as_str()).is_ok());
            }
        }

        #[test]
        fn display_names_never_exceed_limit(name in "\\PC{0,200}") {
            if let Ok(parsed) = DisplayName::parse(&name) {
                prop_assert!(parsed.as_str().chars().count() <= DisplayName::MAX);
                prop_assert!(!parsed.as_str().is_empty());
            }
        }
    }

    #[test]
    fn an_opinion_reads_back_as_text_and_as_its_value() {
        for &opinion in Opinion::ALL {
            assert_eq!(opinion.as_str().parse::<Opinion>(), Ok(opinion));
            assert_eq!(Opinion::from_value(opinion.value()), Some(opinion));
        }
        assert!("Agree".parse::<Opinion>().is_err());
        assert_eq!(Opinion::from_value(2), None);
    }
}
