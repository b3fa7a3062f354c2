//! One small SPARQL tokenizer for the REPL: highlighting, deciding whether a statement is complete,
//! and finding the completion context. It never decides what a query means; Oxigraph's parser does.

/// A token's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    /// `a`, the rdf:type shorthand.
    A,
    Iri,
    PrefixedName,
    Variable,
    String,
    Number,
    Comment,
    Punct,
    Word,
    Whitespace,
    /// An unterminated string or IRI: the statement goes on.
    Unterminated,
}

/// A token and its byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// SPARQL 1.1 keywords, upper-case.
pub const KEYWORDS: &[&str] = &[
    "ADD",
    "ALL",
    "AS",
    "ASC",
    "ASK",
    "BASE",
    "BIND",
    "BY",
    "CLEAR",
    "CONSTRUCT",
    "COPY",
    "CREATE",
    "DATA",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "EXISTS",
    "FILTER",
    "FROM",
    "GRAPH",
    "GROUP",
    "HAVING",
    "IN",
    "INSERT",
    "INTO",
    "LIMIT",
    "LOAD",
    "MINUS",
    "MOVE",
    "NAMED",
    "NOT",
    "OFFSET",
    "OPTIONAL",
    "ORDER",
    "PREFIX",
    "REDUCED",
    "SELECT",
    "SEPARATOR",
    "SERVICE",
    "SILENT",
    "TO",
    "UNDEF",
    "UNION",
    "USING",
    "VALUES",
    "WHERE",
    "WITH",
];

/// SPARQL 1.1 built-in functions and aggregates.
pub const FUNCTIONS: &[&str] = &[
    "ABS",
    "AVG",
    "BNODE",
    "BOUND",
    "CEIL",
    "COALESCE",
    "CONCAT",
    "CONTAINS",
    "COUNT",
    "DATATYPE",
    "DAY",
    "ENCODE_FOR_URI",
    "FLOOR",
    "GROUP_CONCAT",
    "HOURS",
    "IF",
    "IRI",
    "isBLANK",
    "isIRI",
    "isLITERAL",
    "isNUMERIC",
    "isURI",
    "LANG",
    "LANGMATCHES",
    "LCASE",
    "MAX",
    "MD5",
    "MIN",
    "MINUTES",
    "MONTH",
    "NOW",
    "RAND",
    "REGEX",
    "REPLACE",
    "ROUND",
    "SAMPLE",
    "SECONDS",
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "STR",
    "STRAFTER",
    "STRBEFORE",
    "STRDT",
    "STRENDS",
    "STRLANG",
    "STRLEN",
    "STRSTARTS",
    "STRUUID",
    "SUBSTR",
    "SUM",
    "TIMEZONE",
    "TZ",
    "UCASE",
    "URI",
    "UUID",
    "YEAR",
    "sameTerm",
];

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS
        .iter()
        .chain(FUNCTIONS)
        .any(|k| k.eq_ignore_ascii_case(word))
        || word == "true"
        || word == "false"
}

/// Splits text into tokens. Never fails: anything unknown is a one-character `Punct`.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        let start = i;
        let kind = if c.is_whitespace() {
            i += c.len_utf8();
            while let Some(c) = text[i..].chars().next().filter(|c| c.is_whitespace()) {
                i += c.len_utf8();
            }
            TokenKind::Whitespace
        } else if c == '#' {
            i = text[i..].find('\n').map_or(text.len(), |n| i + n);
            TokenKind::Comment
        } else if c == '<' && looks_like_iri(&text[i..]) {
            match text[i + 1..].find(['>', '\n']) {
                Some(n) if bytes[i + 1 + n] == b'>' => {
                    i += n + 2;
                    TokenKind::Iri
                }
                _ => {
                    i = text.len();
                    TokenKind::Unterminated
                }
            }
        } else if c == '"' || c == '\'' {
            let long = text[i..].starts_with(if c == '"' { "\"\"\"" } else { "'''" });
            let quote_len = if long { 3 } else { 1 };
            let mut j = i + quote_len;
            let mut closed = false;
            while j < text.len() {
                let b = bytes[j];
                if b == b'\\' {
                    j += 2;
                    continue;
                }
                if !long && b == b'\n' {
                    break;
                }
                if b == c as u8 && (!long || text[j..].starts_with(&text[i..i + 3])) {
                    j += quote_len;
                    closed = true;
                    break;
                }
                j += 1;
            }
            i = j.min(text.len());
            if closed {
                TokenKind::String
            } else {
                TokenKind::Unterminated
            }
        } else if (c == '?' || c == '$') && text[i + 1..].chars().next().is_some_and(is_name_char) {
            i += 1;
            while let Some(c) = text[i..].chars().next().filter(|c| is_name_char(*c)) {
                i += c.len_utf8();
            }
            TokenKind::Variable
        } else if c.is_ascii_digit() {
            while i < text.len()
                && (bytes[i].is_ascii_digit()
                    || bytes[i] == b'.'
                    || bytes[i] == b'e'
                    || bytes[i] == b'E')
            {
                i += 1;
            }
            TokenKind::Number
        } else if is_name_char(c) || c == ':' {
            while let Some(c) = text[i..]
                .chars()
                .next()
                .filter(|c| is_name_char(*c) || *c == ':' || *c == '.' || *c == '-')
            {
                i += c.len_utf8();
            }
            // A trailing dot ends a triple, it is not part of the name.
            while text[start..i].ends_with('.') {
                i -= 1;
            }
            let word = &text[start..i];
            if word.contains(':') {
                TokenKind::PrefixedName
            } else if word == "a" {
                TokenKind::A
            } else if is_keyword(word) {
                TokenKind::Keyword
            } else {
                TokenKind::Word
            }
        } else {
            i += c.len_utf8();
            TokenKind::Punct
        };
        if i == start {
            i += c.len_utf8();
        }
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `<` starts an IRI unless it is a comparison (`?a < 3`): IRIs contain no spaces.
fn looks_like_iri(rest: &str) -> bool {
    let body = &rest[1..];
    match body.find(|c: char| c == '>' || c.is_whitespace()) {
        Some(n) => body.as_bytes()[n] == b'>' || n > 0 && !body[..n].contains(['(', ')', '?', '"']),
        None => !body.contains(['(', ')', '?', '"']),
    }
}

/// Whether brackets balance and no string or IRI is left open: the first test of a complete statement.
pub fn is_balanced(text: &str) -> bool {
    let mut depth: i64 = 0;
    for t in tokenize(text) {
        match t.kind {
            TokenKind::Unterminated => return false,
            TokenKind::Punct => match &text[t.start..t.end] {
                "{" | "(" | "[" => depth += 1,
                "}" | ")" | "]" => depth -= 1,
                _ => {}
            },
            _ => {}
        }
    }
    depth <= 0
}

/// The text without its comments and surrounding whitespace, for deciding whether anything is there.
pub fn strip_comments(text: &str) -> String {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Comment)
        .map(|t| &text[t.start..t.end])
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Whether the text ends with the statement terminator `;` (outside strings and comments).
pub fn ends_with_terminator(text: &str) -> bool {
    tokenize(text)
        .iter()
        .rev()
        .find(|t| !matches!(t.kind, TokenKind::Whitespace | TokenKind::Comment))
        .is_some_and(|t| t.kind == TokenKind::Punct && &text[t.start..t.end] == ";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Whitespace)
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("SELECT ?x WHERE { ?x a schema:Country . } # hi"),
            vec![
                (Keyword, "SELECT"),
                (Variable, "?x"),
                (Keyword, "WHERE"),
                (Punct, "{"),
                (Variable, "?x"),
                (A, "a"),
                (PrefixedName, "schema:Country"),
                (Punct, "."),
                (Punct, "}"),
                (Comment, "# hi")
            ]
        );
        assert_eq!(
            kinds("\"a # b\" <http://x/#y>"),
            vec![(String, "\"a # b\""), (Iri, "<http://x/#y>")]
        );
        assert_eq!(kinds("FILTER(?a < 3)")[3], (Punct, "<"));
    }

    #[test]
    fn balance() {
        assert!(is_balanced("SELECT * { ?s ?p ?o }"));
        assert!(!is_balanced("SELECT * { ?s ?p ?o "));
        assert!(!is_balanced("SELECT * { ?s ?p \"open"));
        assert!(!is_balanced("SELECT * { ?s ?p '''long\n"));
        assert!(is_balanced("SELECT * { ?s ?p \"}\" }"));
        assert!(ends_with_terminator("SELECT * {} ; # done"));
        assert!(!ends_with_terminator("SELECT * { ?s ?p ?o ; }"));
    }
}
