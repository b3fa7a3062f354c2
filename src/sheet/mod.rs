//! Help for writing the fact sheet of a new document: what can be read from the file itself
//! (name, SHA-256, language, headline), the checklist of its mentions ([`mentions`]), a sheet
//! skeleton in TOML, whether a sheet's quotes cover the mentions ([`coverage`]), and the
//! ontology's terms as a sheet author needs them ([`terms`]).
//!
//! Pure functions over text; reading files and printing belong to `kg sheet` (`cmd/sheet.rs`).

pub mod coverage;
pub mod mentions;
pub mod number;
pub mod terms;

use mentions::Mention;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// What kg can tell about a document before anyone reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentInfo {
    pub file: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// A BCP 47 tag, when detection is confident enough to offer one.
    pub language: Option<String>,
    /// Detection's confidence, 0 to 1.
    pub language_confidence: f64,
    /// Headline candidates, best first: (1-based line, text as it stands, cleaned of bullets and a leading date).
    pub headlines: Vec<(u64, String)>,
    /// A full date near the top of the document, with its line: perhaps the publication date.
    pub date: Option<(u64, String)>,
}

/// Reads what the file says about itself.
pub fn describe(file: &str, bytes: &[u8]) -> DocumentInfo {
    let text = String::from_utf8_lossy(bytes);
    let sha256 = sha256_hex(bytes);
    let (language, language_confidence) = detect_language(&text);
    let headlines = headline_candidates(&text);
    let language_tag = language.clone().unwrap_or_default();
    let top_lines = headlines.first().map_or(5, |(l, _)| *l + 2);
    let date = mentions::scan(&text, &language_tag)
        .into_iter()
        .filter(|m| m.line <= top_lines)
        .find_map(|m| match m.value {
            mentions::Value::Date(d) if is_full_date(&d) => Some((m.line, d)),
            _ => None,
        });
    DocumentInfo {
        file: file.to_owned(),
        sha256,
        language,
        language_confidence,
        headlines,
        date,
    }
}

/// The SHA-256 of some bytes, as `describe` writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A sheet skeleton: `[document]` filled in, the mentions as a checklist of comments in document
/// order, and commented record templates. Valid TOML; every string is TOML-escaped.
pub fn skeleton(info: &DocumentInfo, mentions: &[Mention]) -> String {
    let mut out = String::new();
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let file = &info.file;
    let _ = writeln!(
        out,
        "# Fact sheet for {}, started by `kg sheet new`.",
        comment(file)
    );
    out.push_str("# The format is in seeds/README.md; `kg sheet terms` lists the classes, `kg sheet terms CLASS` their properties.\n");
    let _ = writeln!(
        out,
        "# Check it with: kg sheet check THIS_SHEET.toml --doc {} [--strict]",
        comment(file)
    );
    out.push_str("\n[document]\n");
    let _ = writeln!(out, "file = {}", q(file));
    let _ = writeln!(out, "sha256 = {}", q(&info.sha256));
    match info.headlines.first() {
        Some((line, title)) => {
            let others: Vec<String> = info.headlines[1..]
                .iter()
                .map(|(l, t)| format!("line {l} \"{}\"", comment(&shorten(t, 40))))
                .collect();
            let _ = write!(
                out,
                "title = {}  # headline candidate, line {line}",
                q(title)
            );
            if !others.is_empty() {
                let _ = write!(out, "; others: {}", others.join(", "));
            }
            out.push('\n');
        }
        None => out.push_str("title = \"\"  # the headline, verbatim: none was recognised\n"),
    }
    out.push_str("# title_en = \"\"\n");
    match &info.language {
        Some(tag) => {
            let _ = writeln!(
                out,
                "language = {}  # detected, confidence {:.2}",
                q(tag),
                info.language_confidence
            );
        }
        None => {
            out.push_str("language = \"und\"  # not detected: give the BCP 47 tag of the text\n")
        }
    }
    if let Some((line, date)) = &info.date {
        let _ = writeln!(
            out,
            "# published = {date}  # the date on line {line}: keep it only if it is the document's own date"
        );
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "# Mentions ({}), in document order: each usually becomes a fact or a value of one.",
        mentions.len()
    );
    out.push_str("# Quote the words that state it in a record; `kg sheet check` reports the ones no quote covers.\n");
    for m in mentions {
        let _ = writeln!(
            out,
            "# [ ] {}:{} {} \"{}\" → {}    …{}⟨{}⟩{}…",
            m.line,
            m.column,
            m.kind,
            comment(&m.text),
            comment(&m.hint()),
            comment(&m.before),
            comment(&m.text),
            comment(&m.after)
        );
    }
    let lang = info.language.as_deref().unwrap_or("und");
    let _ = write!(
        out,
        "
# [[entity]]
# id = \"\"                          # lowercase letters, digits and '-'
# a = \"schema:Organization\"
# label = {{ en = \"\", {lang} = \"\" }}
# quote = \"\"                       # verbatim from the document

# [[fact]]
# id = \"\"
# a = \"kg:BudgetAllocation\"
# label = {{ en = \"\", {lang} = \"\" }}
# quote = \"\"
# \"kg:amount\" = {{ \"schema:value\" = 0, \"schema:currency\" = \"\" }}
"
    );
    out
}

/// Text safe inside a TOML comment: no control characters, no line breaks.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

fn is_full_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-'
}

/// The document's language as a BCP 47 tag (ISO 639-1 where there is one), with whatlang's confidence.
pub fn detect_language(text: &str) -> (Option<String>, f64) {
    let Some(info) = whatlang::detect(text) else {
        return (None, 0.0);
    };
    let code = info.lang().code();
    let tag = ISO_639_1
        .iter()
        .find(|(three, _)| *three == code)
        .map_or(code, |(_, two)| two);
    (Some(tag.to_owned()), info.confidence())
}

/// whatlang's ISO 639-3 codes and their two-letter forms, which BCP 47 prefers.
const ISO_639_1: &[(&str, &str)] = &[
    ("afr", "af"),
    ("aka", "ak"),
    ("amh", "am"),
    ("ara", "ar"),
    ("aze", "az"),
    ("bel", "be"),
    ("ben", "bn"),
    ("bul", "bg"),
    ("cat", "ca"),
    ("ces", "cs"),
    ("cmn", "zh"),
    ("dan", "da"),
    ("deu", "de"),
    ("ell", "el"),
    ("eng", "en"),
    ("epo", "eo"),
    ("est", "et"),
    ("fin", "fi"),
    ("fra", "fr"),
    ("guj", "gu"),
    ("heb", "he"),
    ("hin", "hi"),
    ("hrv", "hr"),
    ("hun", "hu"),
    ("hye", "hy"),
    ("ind", "id"),
    ("ita", "it"),
    ("jav", "jv"),
    ("jpn", "ja"),
    ("kan", "kn"),
    ("kat", "ka"),
    ("khm", "km"),
    ("kor", "ko"),
    ("lat", "la"),
    ("lav", "lv"),
    ("lit", "lt"),
    ("mal", "ml"),
    ("mar", "mr"),
    ("mkd", "mk"),
    ("mya", "my"),
    ("nep", "ne"),
    ("nld", "nl"),
    ("nob", "nb"),
    ("ori", "or"),
    ("pan", "pa"),
    ("pes", "fa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("ron", "ro"),
    ("rus", "ru"),
    ("sin", "si"),
    ("slk", "sk"),
    ("slv", "sl"),
    ("sna", "sn"),
    ("spa", "es"),
    ("srp", "sr"),
    ("swe", "sv"),
    ("tam", "ta"),
    ("tel", "te"),
    ("tgl", "tl"),
    ("tha", "th"),
    ("tuk", "tk"),
    ("tur", "tr"),
    ("ukr", "uk"),
    ("urd", "ur"),
    ("uzb", "uz"),
    ("vie", "vi"),
    ("yid", "yi"),
    ("zul", "zu"),
];

/// Lines that read like a headline: at least four words (or twelve characters of a script
/// without spaces), not a whole paragraph, bullets and a leading bracketed date removed.
fn headline_candidates(text: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut t = line
            .trim()
            .trim_start_matches(['•', '·', '*', '-', '–', '#', '>'])
            .trim();
        if t.starts_with('[') {
            if let Some(close) = t.find(']') {
                if t[..close].chars().any(|c| c.is_ascii_digit()) {
                    t = t[close + 1..].trim();
                }
            }
        }
        let words = t.split_whitespace().count();
        let chars = t.chars().count();
        if chars > 200 || chars == 0 {
            continue;
        }
        if words >= 4 || (words <= 2 && chars >= 12 && t.chars().any(|c| c as u32 > 0x2E80)) {
            out.push((i as u64 + 1, t.to_owned()));
            if out.len() == 3 {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_is_valid_toml_with_escaped_strings() {
        let text = "Zum Inhalt\n\n[2025-12-19]Ein \"Titel\" mit \\ Zeichen hier\n\nEs geht um 5 Mio. Euro.\n";
        let info = describe("x.txt", text.as_bytes());
        assert_eq!(
            info.headlines[0],
            (3, "Ein \"Titel\" mit \\ Zeichen hier".to_owned())
        );
        assert_eq!(info.date, Some((3, "2025-12-19".to_owned())));
        let m = mentions::scan(text, "de");
        let sheet = skeleton(&info, &m);
        let parsed: toml::Table = toml::from_str(&sheet).unwrap();
        assert_eq!(
            parsed["document"]["title"].as_str(),
            Some("Ein \"Titel\" mit \\ Zeichen hier")
        );
        assert!(sheet.contains("\"5 Mio. Euro\" → 5000000 EUR"), "{sheet}");
    }
}
