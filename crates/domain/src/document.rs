//! Documents: the seed's file rules, and the wire types of document-service.
//!
//! The rules are quoted from the vendor's `InformationText`: a name without
//! `, * | : " < > ? / \ [ ] % = ;`, with an extension, not beginning with a
//! space, and content of at most 2 MiB (configurable). We add: the content
//! is not empty, is valid base64 when sent as text, is of an allowed type,
//! and is what its declared type says.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The characters a file name may not contain.
pub const FORBIDDEN_NAME_CHARACTERS: &[char] = &[
    ',', '*', '|', ':', '"', '<', '>', '?', '/', '\\', '[', ']', '%', '=', ';',
];

/// Characters that look like one of [`FORBIDDEN_NAME_CHARACTERS`] (a
/// slash, a backslash, a colon) and would pass for it where the name is
/// shown: refused as that character would be.
pub const LOOKALIKE_NAME_CHARACTERS: &[char] = &[
    '\u{2044}', // fraction slash
    '\u{2215}', // division slash
    '\u{29F8}', // big solidus
    '\u{FF0F}', // fullwidth solidus
    '\u{2216}', // set minus
    '\u{29F5}', // reverse solidus operator
    '\u{29F9}', // big reverse solidus
    '\u{FE68}', // small reverse solidus
    '\u{FF3C}', // fullwidth reverse solidus
    '\u{2236}', // ratio
    '\u{FE13}', // presentation form for vertical colon
    '\u{FE55}', // small colon
    '\u{FF1A}', // fullwidth colon
];

/// Whether `c` changes how a name is shown without being seen itself: a
/// control character, a bidirectional override, embedding, isolate or mark
/// (U+202E turns `gpj.exe` into what reads as `exe.jpg`), a line or
/// paragraph separator, or a zero-width space or no-break space. (The
/// zero-width joiner and non-joiner stay: Persian and Indic names need
/// them.)
pub fn is_hidden_name_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// The longest file name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// The name of a file rule: what document-service refuses a file for and
/// its callers read back, one value on both sides of the call. On the wire
/// it is the rule's stable `slug`, the last part of the refusal's problem
/// `type` (`urn:onboarding:problem:<slug>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileRuleName {
    /// The name contains a forbidden character.
    NameCharacters,
    /// The name has no extension.
    NameExtension,
    /// The name begins with a space.
    NameLeadingSpace,
    /// The name is empty, too long, or has control characters.
    NameInvalid,
    /// The content is larger than the limit.
    TooLarge,
    /// The content is empty.
    Empty,
    /// The content is not valid base64.
    BadBase64,
    /// The declared type is not one of the allowed types.
    TypeNotAllowed,
    /// The content is not of the declared type.
    TypeMismatch,
    /// The virus scanner rejected the content.
    Infected,
}

impl FileRuleName {
    /// Every rule.
    pub const ALL: [Self; 10] = [
        Self::NameCharacters,
        Self::NameExtension,
        Self::NameLeadingSpace,
        Self::NameInvalid,
        Self::TooLarge,
        Self::Empty,
        Self::BadBase64,
        Self::TypeNotAllowed,
        Self::TypeMismatch,
        Self::Infected,
    ];

    /// The rule's stable name on the wire. Never change one: callers and
    /// their clients' metrics tell the rules apart by it.
    pub fn slug(self) -> &'static str {
        match self {
            Self::NameCharacters => "file-name-characters",
            Self::NameExtension => "file-name-extension",
            Self::NameLeadingSpace => "file-name-leading-space",
            Self::NameInvalid => "file-name-invalid",
            Self::TooLarge => "file-too-large",
            Self::Empty => "file-empty",
            Self::BadBase64 => "file-bad-base64",
            Self::TypeNotAllowed => "file-type-not-allowed",
            Self::TypeMismatch => "file-type-mismatch",
            Self::Infected => "file-infected",
        }
    }

    /// The rule a slug names; `None` for any other slug (another kind of
    /// problem, or a rule this build does not know).
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.slug() == slug)
    }

    /// The HTTP status a broken rule answers with: 413 for size, 400 otherwise.
    pub fn status(self) -> u16 {
        match self {
            Self::TooLarge => 413,
            _ => 400,
        }
    }
}

/// A file rule a document broke, with what makes its message. Each has a
/// stable name ([`FileRuleName`]), which the APIs expose so that callers
/// can tell the rules apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRule {
    /// The name contains a forbidden character.
    NameCharacters,
    /// The name has no extension.
    NameExtension,
    /// The name begins with a space.
    NameLeadingSpace,
    /// The name is empty, too long, or has control characters.
    NameInvalid,
    /// The content is larger than the limit (bytes).
    TooLarge(usize),
    /// The content is empty.
    Empty,
    /// The content is not valid base64.
    BadBase64,
    /// The declared type is not one of the allowed types.
    TypeNotAllowed(String),
    /// The content is not of the declared type (it sniffs as the other one,
    /// or as nothing recognisable).
    TypeMismatch {
        /// The type the caller declared.
        declared: String,
        /// What the content is, if recognisable.
        sniffed: Option<String>,
    },
    /// The virus scanner rejected the content.
    Infected,
}

impl FileRule {
    /// The rule's name.
    pub fn name(&self) -> FileRuleName {
        match self {
            Self::NameCharacters => FileRuleName::NameCharacters,
            Self::NameExtension => FileRuleName::NameExtension,
            Self::NameLeadingSpace => FileRuleName::NameLeadingSpace,
            Self::NameInvalid => FileRuleName::NameInvalid,
            Self::TooLarge(_) => FileRuleName::TooLarge,
            Self::Empty => FileRuleName::Empty,
            Self::BadBase64 => FileRuleName::BadBase64,
            Self::TypeNotAllowed(_) => FileRuleName::TypeNotAllowed,
            Self::TypeMismatch { .. } => FileRuleName::TypeMismatch,
            Self::Infected => FileRuleName::Infected,
        }
    }

    /// The rule's stable name ([`FileRuleName::slug`]).
    pub fn slug(&self) -> &'static str {
        self.name().slug()
    }

    /// The HTTP status the rule answers with: 413 for size, 400 otherwise.
    pub fn status(&self) -> u16 {
        self.name().status()
    }

    /// The field the rule concerns, as the seed names it.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NameCharacters
            | Self::NameExtension
            | Self::NameLeadingSpace
            | Self::NameInvalid => "fileName",
            Self::TypeNotAllowed(_) | Self::TypeMismatch { .. } => "fileType",
            Self::TooLarge(_) | Self::Empty | Self::BadBase64 | Self::Infected => "fileContents",
        }
    }

    /// What is wrong, as a sentence for the caller.
    pub fn message(&self) -> String {
        match self {
            Self::NameCharacters => {
                "cannot contain any of these characters: , * | : \" < > ? / \\ [ ] % = ;".to_owned()
            }
            Self::NameExtension => {
                "must have an extension (for example .pdf, .jpg, .png)".to_owned()
            }
            Self::NameLeadingSpace => "cannot begin with a space".to_owned(),
            Self::NameInvalid => {
                format!("must be 1 to {MAX_NAME_CHARS} characters without control, bidirectional or invisible characters")
            }
            Self::TooLarge(limit) => format!("must not exceed {limit} bytes"),
            Self::Empty => "must not be empty".to_owned(),
            Self::BadBase64 => "must be valid base64".to_owned(),
            Self::TypeNotAllowed(declared) => format!("{declared} is not an allowed type"),
            Self::TypeMismatch {
                declared,
                sniffed: Some(sniffed),
            } => {
                format!("is {declared} but the content is {sniffed}")
            }
            Self::TypeMismatch {
                declared,
                sniffed: None,
            } => {
                format!("is {declared} but the content is not of a recognisable type")
            }
            Self::Infected => "was rejected by the virus scanner".to_owned(),
        }
    }
}

/// Checks a file name against the rules.
pub fn check_file_name(name: &str) -> Result<(), FileRule> {
    if name.is_empty()
        || crate::text::longer_than(name, MAX_NAME_CHARS)
        || name.chars().any(is_hidden_name_character)
    {
        return Err(FileRule::NameInvalid);
    }
    if name.starts_with(' ') {
        return Err(FileRule::NameLeadingSpace);
    }
    if name.contains(FORBIDDEN_NAME_CHARACTERS) || name.contains(LOOKALIKE_NAME_CHARACTERS) {
        return Err(FileRule::NameCharacters);
    }
    match name.rsplit_once('.') {
        Some((stem, extension))
            if !stem.trim().is_empty() && !extension.is_empty() && !extension.contains(' ') =>
        {
            Ok(())
        }
        _ => Err(FileRule::NameExtension),
    }
}

/// Who owns a document: the calling system and the subject within it (for
/// user-action-service, the end user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The owning system, for example `user-action`.
    pub system: String,
    /// The subject within it, for example the end user's id.
    pub subject: String,
}

/// The schema of a caller's file id: a number or a string (or null).
pub fn number_or_string() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Number,
            Type::String,
            Type::Null,
        ]))
        .description(Some(
            "The caller's id of the file: a number or a string, returned as sent.",
        ))
        .build()
}

/// A stored document's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentMetadata {
    /// The document id (a UUID).
    pub id: String,
    /// Its owner.
    pub owner: Owner,
    /// What it answers, for example a user action identifier.
    pub reference: String,
    /// The file name, as sent.
    pub file_name: String,
    /// The caller's free text about the file, as sent.
    pub file_info: String,
    /// The caller's id of the file, as sent (a number or a string).
    #[schema(schema_with = number_or_string)]
    pub file_client_id: Option<serde_json::Value>,
    /// The type the caller declared.
    pub declared_type: String,
    /// The type the content sniffs as.
    pub sniffed_type: String,
    /// The content's size in bytes.
    pub size: i64,
    /// The content's SHA-256, in lower-case hex.
    pub sha256: String,
    /// When it was stored (RFC 3339, UTC).
    pub created_at: String,
}

/// A page of an owner's documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentPage {
    /// The documents of this page, by id.
    pub items: Vec<DocumentMetadata>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_seed_rules() {
        assert_eq!(check_file_name("techspectemplate.pdf"), Ok(()));
        assert_eq!(check_file_name("salary slip 2021.PNG"), Ok(()));
        for bad in [
            "a,b.pdf",
            "a*b.pdf",
            "a|b.pdf",
            "a:b.pdf",
            "a\"b.pdf",
            "a<b.pdf",
            "a>b.pdf",
            "a?b.pdf",
            "a/b.pdf",
            "a\\b.pdf",
            "a[b.pdf",
            "a]b.pdf",
            "a%b.pdf",
            "a=b.pdf",
            "a;b.pdf",
            "../../etc/passwd.pdf",
        ] {
            assert_eq!(check_file_name(bad), Err(FileRule::NameCharacters), "{bad}");
        }
        for bad in ["noextension", "trailingdot.", ".pdf", "name. pdf"] {
            assert_eq!(check_file_name(bad), Err(FileRule::NameExtension), "{bad}");
        }
        assert_eq!(
            check_file_name(" leading.pdf"),
            Err(FileRule::NameLeadingSpace)
        );
        assert_eq!(check_file_name(""), Err(FileRule::NameInvalid));
        assert_eq!(
            check_file_name(&format!("{}.pdf", "a".repeat(252))),
            Err(FileRule::NameInvalid)
        );
        assert_eq!(check_file_name("tab\there.pdf"), Err(FileRule::NameInvalid));
        for hidden in [
            "\u{202E}fdp.exe",
            "a\u{2028}b.pdf",
            "a\u{200B}b.pdf",
            "a\u{2067}b.pdf",
        ] {
            assert_eq!(
                check_file_name(hidden),
                Err(FileRule::NameInvalid),
                "{hidden:?}"
            );
        }
        for lookalike in [
            "..\u{2215}..\u{2215}etc.pdf",
            "a\u{FF3C}b.pdf",
            "c\u{FF1A}x.pdf",
        ] {
            assert_eq!(
                check_file_name(lookalike),
                Err(FileRule::NameCharacters),
                "{lookalike:?}"
            );
        }
        // Names in other scripts, accents and spaces are names.
        assert_eq!(check_file_name("relevé de compte 2021.pdf"), Ok(()));
        assert_eq!(check_file_name("\u{8EAB}\u{5206}\u{8A3C}.png"), Ok(()));
    }

    #[test]
    fn rule_names_keep_their_slugs_both_ways() {
        // The slugs are a contract with document-service's callers.
        let slugs: Vec<&str> = FileRuleName::ALL.iter().map(|r| r.slug()).collect();
        assert_eq!(
            slugs,
            [
                "file-name-characters",
                "file-name-extension",
                "file-name-leading-space",
                "file-name-invalid",
                "file-too-large",
                "file-empty",
                "file-bad-base64",
                "file-type-not-allowed",
                "file-type-mismatch",
                "file-infected",
            ]
        );
        for rule in FileRuleName::ALL {
            assert_eq!(FileRuleName::from_slug(rule.slug()), Some(rule));
        }
        assert_eq!(FileRuleName::from_slug("invalid-input"), None);
        assert_eq!(FileRule::TooLarge(5).name(), FileRuleName::TooLarge);
        assert_eq!(FileRule::TooLarge(5).slug(), "file-too-large");
        assert_eq!(
            (FileRule::TooLarge(5).status(), FileRule::Empty.status()),
            (413, 400)
        );
        let mismatch = FileRule::TypeMismatch {
            declared: "application/pdf".into(),
            sniffed: None,
        };
        assert_eq!(mismatch.slug(), "file-type-mismatch");
    }
}
