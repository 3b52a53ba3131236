//! The content rules: an allowed type, and content that is what its
//! declared type says (sniffed from its first bytes).

use domain::document::FileRule;

/// Checks the declared type against the allowed list and the content, and
/// returns the sniffed type.
pub fn check_type(declared: &str, content: &[u8], allowed: &[String]) -> Result<String, FileRule> {
    if content.is_empty() {
        return Err(FileRule::Empty);
    }
    let declared = declared.trim().to_ascii_lowercase();
    if !allowed.contains(&declared) {
        return Err(FileRule::TypeNotAllowed(declared));
    }
    let sniffed = infer::get(content).map(|t| t.mime_type().to_owned());
    match sniffed {
        Some(sniffed) if sniffed == declared => Ok(sniffed),
        sniffed => Err(FileRule::TypeMismatch { declared, sniffed }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec!["application/pdf".into(), "image/png".into()]
    }

    #[test]
    fn declared_types_must_be_allowed_and_true() {
        let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
        assert_eq!(
            check_type("application/pdf", pdf, &allowed()),
            Ok("application/pdf".into())
        );
        assert_eq!(
            check_type("Application/PDF", pdf, &allowed()),
            Ok("application/pdf".into())
        );
        assert_eq!(
            check_type("text/plain", b"hello", &allowed()),
            Err(FileRule::TypeNotAllowed("text/plain".into()))
        );
        assert_eq!(
            check_type("image/png", pdf, &allowed()),
            Err(FileRule::TypeMismatch {
                declared: "image/png".into(),
                sniffed: Some("application/pdf".into())
            })
        );
        assert_eq!(
            check_type("application/pdf", b"just text", &allowed()),
            Err(FileRule::TypeMismatch {
                declared: "application/pdf".into(),
                sniffed: None
            })
        );
    }
}
