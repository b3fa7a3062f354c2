//! Completion: statement text + cursor + a cached vocabulary → candidates.
//!
//! Pure and fast: the vocabulary is computed once from the store (and refreshed when it changes);
//! nothing here queries the store, so a keystroke never waits on it.

use super::lexer::{tokenize, Token, TokenKind, FUNCTIONS, KEYWORDS};
use crate::prefixes::PrefixTable;
use std::collections::{BTreeMap, BTreeSet};

/// What completion knows about the graph.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CompletionVocabulary {
    /// Class IRIs (declared or used with `rdf:type`).
    pub classes: BTreeSet<String>,
    /// Property IRIs with their usage count, most used first when ranking.
    pub properties: BTreeMap<String, u64>,
    /// Class IRI → properties its instances use.
    pub class_properties: BTreeMap<String, BTreeSet<String>>,
    /// Other named resources worth completing (individuals, entities).
    pub individuals: BTreeSet<String>,
    /// (label in any language, IRI), for completing a label to the entity's name.
    pub labels: Vec<(String, String)>,
}

/// One completion: what to insert, and what to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub replacement: String,
    pub display: String,
}

/// Where the candidates replace text (byte offset of the word's start) and the candidates, best first.
pub fn complete(
    text: &str,
    cursor: usize,
    vocabulary: &CompletionVocabulary,
    prefixes: &PrefixTable,
) -> (usize, Vec<Candidate>) {
    let cursor = cursor.min(text.len());
    let before = &text[..cursor];
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.' | '?' | '$'))
        .last()
        .map_or(cursor, |(i, _)| i);
    let word = &text[start..cursor];
    let tokens: Vec<Token> = tokenize(&text[..start])
        .into_iter()
        .filter(|t| !matches!(t.kind, TokenKind::Whitespace | TokenKind::Comment))
        .collect();
    let mut out = Vec::new();
    if let Some(var) = word.strip_prefix(['?', '$']) {
        let mut seen = BTreeSet::new();
        for t in tokenize(text) {
            if t.kind == TokenKind::Variable && t.start != start {
                let name = &text[t.start + 1..t.end];
                if name.starts_with(var) && name != var && seen.insert(name.to_owned()) {
                    out.push(simple(&format!("{}{name}", &word[..1])));
                }
            }
        }
        return (start, out);
    }
    let position = position(text, &tokens, prefixes);
    let shorten = |iri: &str| prefixes.shorten(iri).unwrap_or_else(|| format!("<{iri}>"));
    if let Some((p, local)) = word.split_once(':') {
        let Some(ns) = prefixes.get(p) else {
            return (start, out);
        };
        let matches = |iri: &&String| iri.starts_with(ns) && iri[ns.len()..].starts_with(local);
        let push_all = |iris: Vec<&String>, out: &mut Vec<Candidate>| {
            for iri in iris {
                if let Some(s) = prefixes.shorten(iri) {
                    let c = simple(&s);
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
        };
        match &position {
            Position::Class => {
                push_all(
                    vocabulary.classes.iter().filter(matches).collect(),
                    &mut out,
                );
            }
            Position::Predicate { subject_class } => {
                push_all(
                    ranked_properties(vocabulary, subject_class.as_deref())
                        .into_iter()
                        .filter(matches)
                        .collect(),
                    &mut out,
                );
            }
            Position::Other => {}
        }
        push_all(
            vocabulary.classes.iter().filter(matches).collect(),
            &mut out,
        );
        push_all(
            ranked_properties(vocabulary, None)
                .into_iter()
                .filter(matches)
                .collect(),
            &mut out,
        );
        push_all(
            vocabulary.individuals.iter().filter(matches).collect(),
            &mut out,
        );
        return (start, out);
    }
    if word.is_empty() {
        // With nothing typed, offer what fits the position (classes after `a`, properties as predicates).
        match &position {
            Position::Class => out.extend(vocabulary.classes.iter().map(|c| simple(&shorten(c)))),
            Position::Predicate { subject_class } => out.extend(
                ranked_properties(vocabulary, subject_class.as_deref())
                    .into_iter()
                    .map(|p| simple(&shorten(p))),
            ),
            Position::Other => {}
        }
        return (start, out);
    }
    let upper = word.to_uppercase();
    let lower_typed = word.chars().next().is_some_and(char::is_lowercase);
    for k in KEYWORDS.iter().chain(FUNCTIONS) {
        if k.to_uppercase().starts_with(&upper) && !k.eq_ignore_ascii_case(word) {
            let k = if lower_typed {
                k.to_lowercase()
            } else {
                (*k).to_owned()
            };
            out.push(simple(&k));
        }
    }
    for (p, _) in prefixes.iter() {
        if p.starts_with(word) {
            out.push(simple(&format!("{p}:")));
        }
    }
    let folded = word.to_lowercase();
    let mut by_label: Vec<Candidate> = Vec::new();
    for (label, iri) in &vocabulary.labels {
        if label.to_lowercase().starts_with(&folded) {
            let name = shorten(iri);
            let c = Candidate {
                replacement: name.clone(),
                display: format!("{label} → {name}"),
            };
            if !by_label.contains(&c) {
                by_label.push(c);
            }
        }
    }
    by_label.sort_by(|a, b| a.display.cmp(&b.display));
    out.extend(by_label.into_iter().take(50));
    (start, out)
}

fn simple(s: &str) -> Candidate {
    Candidate {
        replacement: s.to_owned(),
        display: s.to_owned(),
    }
}

/// Properties used with the class first, then the rest, each group most-used first.
fn ranked_properties<'a>(
    vocabulary: &'a CompletionVocabulary,
    class: Option<&str>,
) -> Vec<&'a String> {
    let with_class = class.and_then(|c| vocabulary.class_properties.get(c));
    let mut all: Vec<&String> = vocabulary.properties.keys().collect();
    all.sort_by_key(|p| {
        (
            !with_class.is_some_and(|s| s.contains(*p)),
            std::cmp::Reverse(vocabulary.properties.get(*p).copied().unwrap_or(0)),
            (*p).clone(),
        )
    });
    all
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    Class,
    Predicate { subject_class: Option<String> },
    Other,
}

/// Reads the tokens before the word: after `a`/`rdf:type` a class is wanted; after `;`, or after a
/// subject that starts a triple, a predicate.
fn position(text: &str, tokens: &[Token], prefixes: &PrefixTable) -> Position {
    let tok = |t: &Token| &text[t.start..t.end];
    let Some(last) = tokens.last() else {
        return Position::Other;
    };
    let is_type = |t: &Token| {
        t.kind == TokenKind::A
            || (t.kind == TokenKind::PrefixedName
                && prefixes.expand(tok(t)).as_deref() == Some(RDF_TYPE))
    };
    if is_type(last) {
        return Position::Class;
    }
    let is_term = |t: &Token| {
        matches!(
            t.kind,
            TokenKind::Variable | TokenKind::Iri | TokenKind::PrefixedName
        )
    };
    let starts_triple = |i: usize| i == 0 || matches!(tok(&tokens[i - 1]), "." | "{" | "}");
    let subject = if last.kind == TokenKind::Punct && tok(last) == ";" {
        // Walk back to the start of this triple to find its subject.
        let mut i = tokens.len() - 1;
        while i > 0 && !matches!(tok(&tokens[i - 1]), "." | "{" | "}") {
            i -= 1;
        }
        Some(tok(&tokens[i]).to_owned())
    } else if is_term(last) && starts_triple(tokens.len() - 1) {
        Some(tok(last).to_owned())
    } else {
        None
    };
    let Some(subject) = subject else {
        return Position::Other;
    };
    // Find `subject a Class` anywhere in the statement.
    let all: Vec<Token> = tokenize(text)
        .into_iter()
        .filter(|t| !matches!(t.kind, TokenKind::Whitespace | TokenKind::Comment))
        .collect();
    let subject_class = all.windows(3).find_map(|w| {
        (tok(&w[0]) == subject && is_type(&w[1]) && w[2].kind == TokenKind::PrefixedName)
            .then(|| prefixes.expand(tok(&w[2])))
            .flatten()
            .or_else(|| {
                (tok(&w[0]) == subject && is_type(&w[1]) && w[2].kind == TokenKind::Iri)
                    .then(|| tok(&w[2]).trim_matches(['<', '>']).to_owned())
            })
    });
    Position::Predicate { subject_class }
}

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> CompletionVocabulary {
        let mut v = CompletionVocabulary::default();
        v.classes.insert("https://schema.org/Country".into());
        v.classes.insert("https://schema.org/Organization".into());
        v.properties.insert("https://schema.org/name".into(), 10);
        v.properties
            .insert("https://schema.org/addressCountry".into(), 2);
        v.properties.insert("https://schema.org/founder".into(), 1);
        v.class_properties.insert(
            "https://schema.org/Organization".into(),
            ["https://schema.org/founder".to_owned()].into(),
        );
        v.labels
            .push(("엔비디아".into(), "https://schema.org/Nvidia".into()));
        v
    }

    fn check(text: &str, expected_first: &[&str]) {
        let (_, c) = complete(text, text.len(), &vocab(), &PrefixTable::standard());
        let got: Vec<&str> = c
            .iter()
            .map(|c| c.replacement.as_str())
            .take(expected_first.len())
            .collect();
        assert_eq!(got, expected_first, "completing {text:?}");
    }

    #[test]
    fn keywords_prefixes_classes_properties_labels() {
        check("SEL", &["SELECT"]);
        check("sel", &["select"]);
        check("SELECT * { ?s a sch", &["schema:"]);
        check("SELECT * { ?s a schema:C", &["schema:Country"]);
        check(
            "SELECT * { ?s a schema:Organization ; schema:",
            &["schema:founder", "schema:name"],
        );
        check(
            "SELECT * { ?s schema:",
            &["schema:name", "schema:addressCountry"],
        );
        check(
            "SELECT ?name { ?s schema:name ?name . FILTER(?na",
            &["?name"],
        );
        check("SELECT * { ?s ?p 엔비", &["schema:Nvidia"]);
    }
}
