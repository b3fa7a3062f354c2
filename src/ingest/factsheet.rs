//! Fact sheets: TOML files a researcher edits by hand, checked against the ontology and turned into quads.
//!
//! Every mistake is collected with its file, line and column before anything is written;
//! the format is described in `seeds/README.md`.

use super::ontology::Vocabulary;
use crate::error::{Diagnostic, Error, Location, Result};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Where kg's own resources live.
pub const ID_NS: &str = "https://w3id.org/kg/id/";
pub const DOC_NS: &str = "https://w3id.org/kg/doc/";
pub const GRAPH_NS: &str = "https://w3id.org/kg/graph/";
pub const KG_NS: &str = "https://w3id.org/kg/ns#";

const PROV_DERIVED: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";
const KG_EVIDENCE: &str = "https://w3id.org/kg/ns#evidence";
const OA_SPECIFIC: &str = "http://www.w3.org/ns/oa#SpecificResource";
const OA_SOURCE: &str = "http://www.w3.org/ns/oa#hasSource";
const OA_SELECTOR: &str = "http://www.w3.org/ns/oa#hasSelector";
const OA_QUOTE_SELECTOR: &str = "http://www.w3.org/ns/oa#TextQuoteSelector";
const OA_EXACT: &str = "http://www.w3.org/ns/oa#exact";
const DCT: &str = "http://purl.org/dc/terms/";
const DOCUMENT_CLASS: &str = "https://schema.org/NewsArticle";

/// A compiled fact sheet.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The document's named graph; loading a sheet replaces it.
    pub graph: NamedNode,
    pub document: NamedNode,
    /// The source file name the sheet describes.
    pub file: String,
    pub quads: Vec<Quad>,
    /// Every evidence quote with where it stands in the sheet, for `check-evidence`.
    pub quotes: Vec<(String, Location)>,
    pub prefixes: Vec<(String, String)>,
}

/// Parses, validates and converts one fact sheet. On any mistake, returns all of them.
pub fn compile(text: &str, source: &str, vocabulary: &Vocabulary) -> Result<Sheet> {
    let root = DeTable::parse(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| locate(text, s.start));
        Error::Syntax {
            location: Location {
                source: source.to_owned(),
                line,
                column,
            },
            message: e.message().trim().to_owned(),
            snippet: Some(text.to_owned()),
        }
    })?;
    let mut c = Compiler {
        text,
        source,
        vocabulary,
        diagnostics: Vec::new(),
        quads: Vec::new(),
        quotes: Vec::new(),
        ids: BTreeMap::new(),
        prefixes: vocabulary.prefixes.iter().cloned().collect(),
        graph: NamedNode::new_unchecked(GRAPH_NS),
        document: NamedNode::new_unchecked(DOC_NS),
        language: String::new(),
        blank_counter: 0,
        stem: String::new(),
    };
    for (p, iri) in crate::prefixes::STANDARD {
        c.prefixes
            .entry((*p).to_owned())
            .or_insert_with(|| (*iri).to_owned());
    }
    c.prefixes.insert("kgi".to_owned(), ID_NS.to_owned());
    let root = root.get_ref();
    for (key, value) in root {
        match key.get_ref().as_ref() {
            "document" | "entity" | "fact" => {}
            other => c.error(
                key.span().start,
                format!("unknown section '{other}' (expected [document], [[entity]] or [[fact]])"),
            ),
        }
        let _ = value;
    }
    let Some(doc) = root.get("document") else {
        c.error(0, "missing [document] section".to_owned());
        return Err(Error::Invalid(c.diagnostics));
    };
    let file = c.document(doc);
    let records = c.collect_records(root);
    c.document_properties(doc);
    for (kind, record) in &records {
        c.record(kind, record);
    }
    if !c.diagnostics.is_empty() {
        return Err(Error::Invalid(c.diagnostics));
    }
    Ok(Sheet {
        graph: c.graph,
        document: c.document,
        file,
        quads: c.quads,
        quotes: c.quotes,
        prefixes: vec![
            ("kg".to_owned(), KG_NS.to_owned()),
            ("kgi".to_owned(), ID_NS.to_owned()),
        ],
    })
}

type Table<'a> = DeTable<'a>;

struct Compiler<'a> {
    text: &'a str,
    source: &'a str,
    vocabulary: &'a Vocabulary,
    diagnostics: Vec<Diagnostic>,
    quads: Vec<Quad>,
    quotes: Vec<(String, Location)>,
    /// Record id → its classes (full IRIs).
    ids: BTreeMap<String, Vec<String>>,
    prefixes: BTreeMap<String, String>,
    graph: NamedNode,
    document: NamedNode,
    language: String,
    blank_counter: usize,
    stem: String,
}

impl<'a> Compiler<'a> {
    fn error(&mut self, offset: usize, message: String) {
        let (line, column) = locate(self.text, offset);
        self.diagnostics.push(Diagnostic {
            location: Location {
                source: self.source.to_owned(),
                line,
                column,
            },
            message,
        });
    }

    fn location(&self, offset: usize) -> Location {
        let (line, column) = locate(self.text, offset);
        Location {
            source: self.source.to_owned(),
            line,
            column,
        }
    }

    fn emit(&mut self, s: impl Into<NamedOrBlankNode>, p: &str, o: impl Into<Term>) {
        self.quads.push(Quad::new(
            s,
            NamedNode::new_unchecked(p),
            o,
            GraphName::NamedNode(self.graph.clone()),
        ));
    }

    fn document(&mut self, doc: &Spanned<DeValue<'_>>) -> String {
        let Some(table) = doc.get_ref().as_table() else {
            self.error(doc.span().start, "[document] must be a table".to_owned());
            return String::new();
        };
        for key in table.keys() {
            if ![
                "file",
                "title",
                "title_en",
                "language",
                "published",
                "publisher",
                "url",
                "a",
                "sha256",
            ]
            .contains(&key.get_ref().as_ref())
                // Properties of the document itself (such as the counts its page shows).
                && !key.get_ref().contains(':')
            {
                self.error(
                    key.span().start,
                    format!(
                        "unknown document field '{}' (expected file, title, title_en, language, published, publisher, url, sha256, a, or a property of the ontology such as \"schema:interactionStatistic\")",
                        key.get_ref()
                    ),
                );
            }
        }
        let file = self.required_str(table, "file", doc.span().start, "[document]");
        let title = self.required_str(table, "title", doc.span().start, "[document]");
        let language = self.required_str(table, "language", doc.span().start, "[document]");
        let stem = file
            .rsplit_once('.')
            .map_or(file.as_str(), |(s, _)| s)
            .to_owned();
        if !stem.is_empty()
            && !stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            if let Some((_, v)) = table.get_key_value("file") {
                self.error(v.span().start, format!("file name '{file}' must use only ASCII letters, digits, '_', '-' and '.' so it can name the document's IRI"));
            }
        }
        if let Some((_, v)) = table.get_key_value("language") {
            if !language.is_empty() && Literal::new_language_tagged_literal("x", &language).is_err()
            {
                self.error(
                    v.span().start,
                    format!("'{language}' is not a valid BCP 47 language tag"),
                );
            }
        }
        self.stem = stem.clone();
        self.language = language.clone();
        self.graph = NamedNode::new_unchecked(format!("{GRAPH_NS}{stem}"));
        self.document = NamedNode::new_unchecked(format!("{DOC_NS}{stem}"));
        let doc_node = self.document.clone();
        let class = match table.get("a") {
            Some(v) => match v.get_ref().as_str().and_then(|s| self.prefixed(s)) {
                Some(iri) if self.vocabulary.classes.contains_key(&iri) => iri,
                _ => {
                    self.error(
                        v.span().start,
                        "document class 'a' must be a class of the ontology".to_owned(),
                    );
                    DOCUMENT_CLASS.to_owned()
                }
            },
            None => DOCUMENT_CLASS.to_owned(),
        };
        self.emit(
            doc_node.clone(),
            rdf::TYPE.as_str(),
            NamedNode::new_unchecked(class),
        );
        if !title.is_empty() && !language.is_empty() {
            if let Ok(l) = Literal::new_language_tagged_literal(title, &language) {
                self.emit(doc_node.clone(), &format!("{DCT}title"), l);
            }
        }
        if let Some(v) = table.get("title_en") {
            match v.get_ref().as_str() {
                Some(t) => self.emit(
                    doc_node.clone(),
                    &format!("{DCT}title"),
                    Literal::new_language_tagged_literal_unchecked(t, "en"),
                ),
                None => self.error(v.span().start, "title_en must be a string".to_owned()),
            }
        }
        if !language.is_empty() {
            self.emit(
                doc_node.clone(),
                &format!("{DCT}language"),
                Literal::new_simple_literal(&language),
            );
        }
        self.emit(
            doc_node.clone(),
            &format!("{DCT}identifier"),
            Literal::new_simple_literal(&file),
        );
        if let Some(v) = table.get("published") {
            match date_text(v.get_ref()) {
                Some(d) => self.emit(
                    doc_node.clone(),
                    &format!("{DCT}date"),
                    Literal::new_typed_literal(d, xsd::DATE),
                ),
                None => self.error(
                    v.span().start,
                    "published must be a date such as 2025-12-19".to_owned(),
                ),
            }
        }
        if let Some(v) = table.get("url") {
            match v.get_ref().as_str().map(NamedNode::new) {
                Some(Ok(n)) => self.emit(doc_node.clone(), &format!("{DCT}source"), n),
                _ => self.error(v.span().start, "url must be an absolute IRI".to_owned()),
            }
        }
        // The file's SHA-256 as `kg sheet new` wrote it: `kg sheet check` compares it with the document.
        if let Some(v) = table.get("sha256") {
            let ok = v
                .get_ref()
                .as_str()
                .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
            if !ok {
                self.error(
                    v.span().start,
                    "sha256 must be 64 hexadecimal digits (the document's SHA-256)".to_owned(),
                );
            }
        }
        file
    }

    /// The document's own properties (`"schema:…" = …` in `[document]`), after the records are
    /// known so they can name them.
    fn document_properties(&mut self, doc: &Spanned<DeValue<'_>>) {
        let Some(table) = doc.get_ref().as_table() else {
            return;
        };
        let doc_node = self.document.clone();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if !name.contains(':') {
                continue;
            }
            match self.prefixed(name) {
                Some(iri) if self.vocabulary.properties.contains_key(&iri) => {
                    self.property(
                        &doc_node.clone().into(),
                        &iri,
                        name,
                        value,
                        Some(key.span().start),
                    );
                }
                Some(iri) => {
                    let hint = self.did_you_mean(self.vocabulary.nearest_properties(&iri));
                    self.error(
                        key.span().start,
                        format!(
                            "unknown property '{name}': it is not defined in the ontology{hint}"
                        ),
                    )
                }
                None => self.error(
                    key.span().start,
                    format!("'{name}' is not a prefixed name with a known prefix"),
                ),
            }
        }
    }

    fn required_str(&mut self, table: &Table<'_>, key: &str, at: usize, section: &str) -> String {
        match table.get_key_value(key) {
            Some((_, v)) => match v.get_ref().as_str() {
                Some(s) if !s.trim().is_empty() => s.to_owned(),
                _ => {
                    self.error(v.span().start, format!("{key} must be a non-empty string"));
                    String::new()
                }
            },
            None => {
                self.error(at, format!("{section} is missing '{key}'"));
                String::new()
            }
        }
    }

    /// First pass: every record's id and classes, so references can point forward.
    fn collect_records<'t>(
        &mut self,
        root: &'t Table<'a>,
    ) -> Vec<(&'static str, &'t Spanned<DeValue<'a>>)> {
        let mut out = Vec::new();
        for kind in ["entity", "fact"] {
            let Some(v) = root.get(kind) else { continue };
            let Some(array) = v.get_ref().as_array() else {
                self.error(
                    v.span().start,
                    format!("'{kind}' must be an array of tables: write [[{kind}]]"),
                );
                continue;
            };
            for item in array {
                let Some(table) = item.get_ref().as_table() else {
                    self.error(
                        item.span().start,
                        format!("each [[{kind}]] must be a table"),
                    );
                    continue;
                };
                let id = match table.get_key_value("id") {
                    Some((_, v)) => match v.get_ref().as_str() {
                        Some(s) if is_valid_id(s) => Some(s.to_owned()),
                        _ => {
                            self.error(v.span().start, "id must be lowercase letters, digits and '-' (e.g. \"bank-of-japan\")".to_owned());
                            None
                        }
                    },
                    None => {
                        self.error(item.span().start, format!("[[{kind}]] is missing 'id'"));
                        None
                    }
                };
                let classes = self.classes(table, item.span().start);
                if let Some(id) = id {
                    match self.ids.entry(id) {
                        std::collections::btree_map::Entry::Occupied(e) => {
                            let at = table
                                .get_key_value("id")
                                .map_or(item.span().start, |(_, v)| v.span().start);
                            let message = format!("duplicate id '{}'", e.key());
                            self.error(at, message);
                        }
                        std::collections::btree_map::Entry::Vacant(e) => {
                            e.insert(classes);
                        }
                    }
                }
                out.push((kind, item));
            }
        }
        out
    }

    fn classes(&mut self, table: &Table<'_>, at: usize) -> Vec<String> {
        let Some((_, v)) = table.get_key_value("a") else {
            self.error(
                at,
                "record is missing its class 'a' (e.g. a = \"schema:Organization\")".to_owned(),
            );
            return Vec::new();
        };
        let values: Vec<&Spanned<DeValue<'_>>> = match v.get_ref() {
            DeValue::Array(items) => items.iter().collect(),
            _ => vec![v],
        };
        let mut out = Vec::new();
        for v in values {
            match v.get_ref().as_str() {
                Some(name) => {
                    match self.prefixed(name) {
                        Some(iri) if self.vocabulary.classes.contains_key(&iri) => out.push(iri),
                        Some(iri) => {
                            let hint = self.did_you_mean(self.vocabulary.nearest_classes(&iri));
                            self.error(
                            v.span().start,
                            format!("unknown class '{name}': it is not defined in the ontology{hint}"),
                        )
                        }
                        None => self.error(
                            v.span().start,
                            format!("'{name}' is not a prefixed name with a known prefix"),
                        ),
                    }
                }
                None => self.error(
                    v.span().start,
                    "a class must be a string such as \"schema:Organization\"".to_owned(),
                ),
            }
        }
        out
    }

    fn record(&mut self, _kind: &str, item: &Spanned<DeValue<'_>>) {
        let Some(table) = item.get_ref().as_table() else {
            return;
        };
        let Some(id) = table
            .get("id")
            .and_then(|v| v.get_ref().as_str())
            .filter(|s| is_valid_id(s))
        else {
            return;
        };
        let node = NamedNode::new_unchecked(format!("{ID_NS}{id}"));
        for class in self.ids.get(id).cloned().unwrap_or_default() {
            self.emit(
                node.clone(),
                rdf::TYPE.as_str(),
                NamedNode::new_unchecked(class),
            );
        }
        self.emit(node.clone(), PROV_DERIVED, self.document.clone());
        // Quotes.
        match table.get("quote") {
            None => self.error(item.span().start, format!("record '{id}' has no quote: every record needs verbatim evidence from its document")),
            Some(v) => {
                let values: Vec<&Spanned<DeValue<'_>>> = match v.get_ref() {
                    DeValue::Array(items) if !items.is_empty() => items.iter().collect(),
                    DeValue::Array(_) => {
                        self.error(v.span().start, "quote list is empty".to_owned());
                        Vec::new()
                    }
                    _ => vec![v],
                };
                for (n, q) in values.into_iter().enumerate() {
                    match q.get_ref().as_str() {
                        Some(text) if !text.trim().is_empty() => {
                            let location = self.location(q.span().start);
                            self.quotes.push((text.to_owned(), location));
                            self.evidence(&node, id, n, text);
                        }
                        _ => self.error(q.span().start, "quote must be a non-empty string".to_owned()),
                    }
                }
            }
        }
        for (key, value) in table {
            let key_name = key.get_ref().as_ref();
            match key_name {
                "id" | "a" | "quote" => {}
                "label" => self.property(&node.clone().into(), rdfs::LABEL.as_str(), "label", value, Some(key.span().start)),
                name => match self.prefixed(name) {
                    Some(iri) if self.vocabulary.properties.contains_key(&iri) => {
                        self.property(&node.clone().into(), &iri, name, value, Some(key.span().start));
                    }
                    Some(iri) => {
                        let hint = self.did_you_mean(self.vocabulary.nearest_properties(&iri));
                        self.error(key.span().start, format!("unknown property '{name}': it is not defined in the ontology{hint}"))
                    }
                    None => self.error(key.span().start, format!("unknown key '{name}' (properties are prefixed names such as \"schema:location\")")),
                },
            }
        }
    }

    fn evidence(&mut self, node: &NamedNode, id: &str, n: usize, text: &str) {
        let resource = self.blank(&format!("{id}-ev{n}"));
        let selector = self.blank(&format!("{id}-sel{n}"));
        self.emit(node.clone(), KG_EVIDENCE, resource.clone());
        self.emit(
            resource.clone(),
            rdf::TYPE.as_str(),
            NamedNode::new_unchecked(OA_SPECIFIC),
        );
        self.emit(resource.clone(), OA_SOURCE, self.document.clone());
        self.emit(resource, OA_SELECTOR, selector.clone());
        self.emit(
            selector.clone(),
            rdf::TYPE.as_str(),
            NamedNode::new_unchecked(OA_QUOTE_SELECTOR),
        );
        let quote = Literal::new_language_tagged_literal(text, &self.language)
            .unwrap_or_else(|_| Literal::new_simple_literal(text));
        self.emit(selector, OA_EXACT, quote);
    }

    /// Blank nodes get ids derived from the sheet and record, so seeding twice yields the same store.
    fn blank(&mut self, hint: &str) -> BlankNode {
        self.blank_counter += 1;
        let id: String = format!("{}-{hint}-{}", self.stem, self.blank_counter)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        BlankNode::new(format!("k{id}")).unwrap_or_default()
    }

    fn prefixed(&self, name: &str) -> Option<String> {
        let (p, local) = name.split_once(':')?;
        if local.starts_with("//") {
            return None;
        }
        Some(format!("{}{local}", self.prefixes.get(p)?))
    }

    fn property(
        &mut self,
        subject: &NamedOrBlankNode,
        iri: &str,
        name: &str,
        value: &Spanned<DeValue<'_>>,
        _key_at: Option<usize>,
    ) {
        let range = self
            .vocabulary
            .properties
            .get(iri)
            .and_then(|p| p.range.clone());
        if let DeValue::Array(items) = value.get_ref() {
            if items.is_empty() {
                self.error(value.span().start, format!("'{name}' has an empty list"));
            }
            for item in items {
                self.value(subject, iri, name, range.as_deref(), item);
            }
        } else {
            self.value(subject, iri, name, range.as_deref(), value);
        }
    }

    fn value(
        &mut self,
        subject: &NamedOrBlankNode,
        iri: &str,
        name: &str,
        range: Option<&str>,
        value: &Spanned<DeValue<'_>>,
    ) {
        let at = value.span().start;
        let v = value.get_ref();
        let range = range.unwrap_or(rdfs::LITERAL.as_str());
        let xsd_ns = "http://www.w3.org/2001/XMLSchema#";
        if range == rdf::LANG_STRING.as_str() {
            match v {
                DeValue::String(s) => {
                    self.lang_literal(subject, iri, s, &self.language.clone(), at)
                }
                DeValue::Table(t) => {
                    for (lang, text) in t {
                        match text.get_ref().as_str() {
                            Some(s) => self.lang_literal(
                                subject,
                                iri,
                                s,
                                lang.get_ref(),
                                text.span().start,
                            ),
                            None => self.error(
                                text.span().start,
                                format!(
                                    "'{name}' in language '{}' must be a string",
                                    lang.get_ref()
                                ),
                            ),
                        }
                    }
                }
                _ => self.error(
                    at,
                    format!("'{name}' takes text: a string, or a table of language = \"text\""),
                ),
            }
            return;
        }
        if range == rdfs::LITERAL.as_str() {
            let literal = match v {
                DeValue::String(s) => Some(Literal::new_simple_literal(s.as_ref())),
                DeValue::Integer(i) => {
                    integer_text(i).map(|t| Literal::new_typed_literal(t, xsd::INTEGER))
                }
                DeValue::Float(f) => Some(Literal::new_typed_literal(f.as_str(), xsd::DOUBLE)),
                DeValue::Boolean(b) => Some(Literal::from(*b)),
                DeValue::Datetime(_) => {
                    date_text(v).map(|d| Literal::new_typed_literal(d, xsd::DATE))
                }
                _ => None,
            };
            match literal {
                Some(l) => self.emit(subject.clone(), iri, l),
                None => self.error(at, format!("'{name}' takes a literal value")),
            }
            return;
        }
        if let Some(datatype) = range.strip_prefix(xsd_ns) {
            let text: Option<String> = match (datatype, v) {
                ("string", DeValue::String(s)) => Some(s.to_string()),
                ("anyURI", DeValue::String(s)) if NamedNode::new(s.as_ref()).is_ok() => {
                    Some(s.to_string())
                }
                ("decimal", DeValue::Integer(i)) => integer_text(i),
                ("decimal", DeValue::Float(f)) if is_decimal(f.as_str()) => {
                    Some(f.as_str().replace('_', ""))
                }
                ("decimal", DeValue::String(s)) if is_decimal(s) => Some(s.to_string()),
                (
                    "integer" | "nonNegativeInteger" | "positiveInteger" | "int" | "long",
                    DeValue::Integer(i),
                ) => integer_text(i).filter(|t| match datatype {
                    "nonNegativeInteger" => !t.starts_with('-'),
                    "positiveInteger" => {
                        !t.starts_with('-') && !t.trim_start_matches('0').is_empty()
                    }
                    _ => true,
                }),
                ("double" | "float", DeValue::Float(f)) => Some(f.as_str().replace('_', "")),
                ("double" | "float", DeValue::Integer(i)) => integer_text(i),
                ("boolean", DeValue::Boolean(b)) => Some(b.to_string()),
                ("date", _) => date_text(v),
                ("dateTime", DeValue::Datetime(d)) if d.date.is_some() && d.time.is_some() => {
                    Some(d.to_string().replace(' ', "T"))
                }
                ("gYear", DeValue::Integer(i)) => integer_text(i).filter(|t| t.len() == 4),
                ("gYear", DeValue::String(s))
                    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) =>
                {
                    Some(s.to_string())
                }
                ("gYearMonth", DeValue::String(s)) if is_year_month(s) => Some(s.to_string()),
                _ => None,
            };
            match text {
                Some(t) => {
                    let dt = NamedNode::new_unchecked(range);
                    self.emit(subject.clone(), iri, Literal::new_typed_literal(t, dt));
                }
                None => self.error(
                    at,
                    format!(
                        "'{name}' expects {} (xsd:{datatype}), found {}",
                        describe_datatype(datatype),
                        describe(v)
                    ),
                ),
            }
            return;
        }
        // The range is a class: the value names a node.
        match v {
            DeValue::String(s) => {
                if let Some(id) = s.strip_prefix('@') {
                    match self.ids.get(id).cloned() {
                        Some(classes) => {
                            if !classes.is_empty() && !classes.iter().any(|c| self.vocabulary.is_subclass(c, range)) {
                                let short = |iri: &str| self.short(iri);
                                let msg = format!(
                                    "'{name}' expects a {}, but @{id} is a {}",
                                    short(range),
                                    classes.iter().map(|c| short(c)).collect::<Vec<_>>().join(", ")
                                );
                                self.error(at, msg);
                            }
                            self.emit(subject.clone(), iri, NamedNode::new_unchecked(format!("{ID_NS}{id}")));
                        }
                        None => self.error(at, format!("reference to undefined record '@{id}': no [[entity]] or [[fact]] in this sheet has that id")),
                    }
                } else if let Some(full) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
                    match NamedNode::new(full) {
                        Ok(n) => self.emit(subject.clone(), iri, n),
                        Err(e) => self.error(at, format!("invalid IRI <{full}>: {e}")),
                    }
                } else if let Some(target) = self.prefixed(s) {
                    if self.vocabulary.defines(&target) {
                        self.emit(subject.clone(), iri, NamedNode::new_unchecked(target));
                    } else {
                        self.error(at, format!("'{s}' is not defined in the ontology"));
                    }
                } else {
                    self.error(at, format!("'{name}' expects a reference to a {}: write \"@id\" for a record of this sheet, \"prefix:name\" for an ontology term, or \"<http://…>\"", self.short(range)));
                }
            }
            DeValue::Table(t) => {
                let node = self.blank("n");
                let class = match t.get("a") {
                    Some(a) => match a.get_ref().as_str().and_then(|s| self.prefixed(s)) {
                        Some(c) if self.vocabulary.classes.contains_key(&c) => c,
                        other => {
                            let hint = other
                                .map(|c| self.did_you_mean(self.vocabulary.nearest_classes(&c)))
                                .unwrap_or_default();
                            self.error(
                                a.span().start,
                                format!("unknown class in inline node{hint}"),
                            );
                            range.to_owned()
                        }
                    },
                    None => range.to_owned(),
                };
                self.emit(subject.clone(), iri, node.clone());
                self.emit(
                    node.clone(),
                    rdf::TYPE.as_str(),
                    NamedNode::new_unchecked(class),
                );
                let node: NamedOrBlankNode = node.into();
                for (key, value) in t {
                    let key_name = key.get_ref().as_ref();
                    if key_name == "a" {
                        continue;
                    }
                    if key_name == "label" {
                        self.property(&node, rdfs::LABEL.as_str(), "label", value, None);
                        continue;
                    }
                    match self.prefixed(key_name) {
                        Some(p) if self.vocabulary.properties.contains_key(&p) => {
                            self.property(&node, &p, key_name, value, None)
                        }
                        other => {
                            let hint = other
                                .map(|p| self.did_you_mean(self.vocabulary.nearest_properties(&p)))
                                .unwrap_or_default();
                            self.error(
                                key.span().start,
                                format!(
                                    "unknown property '{key_name}': it is not defined in the ontology{hint}"
                                ),
                            )
                        }
                    }
                }
            }
            other => self.error(
                at,
                format!(
                    "'{name}' expects a reference to a {}, found {}",
                    self.short(range),
                    describe(other)
                ),
            ),
        }
    }

    fn lang_literal(
        &mut self,
        subject: &NamedOrBlankNode,
        iri: &str,
        text: &str,
        lang: &str,
        at: usize,
    ) {
        if text.trim().is_empty() {
            self.error(at, "text must not be empty".to_owned());
            return;
        }
        match Literal::new_language_tagged_literal(text, lang) {
            Ok(l) => self.emit(subject.clone(), iri, l),
            Err(_) => self.error(at, format!("'{lang}' is not a valid language tag")),
        }
    }

    /// "; did you mean kg:BudgetAllocation?" for the nearest terms, or nothing.
    fn did_you_mean(&self, candidates: Vec<String>) -> String {
        if candidates.is_empty() {
            return String::new();
        }
        let names: Vec<String> = candidates.iter().map(|c| self.short(c)).collect();
        format!(
            "; did you mean {}? (`kg sheet terms` lists them)",
            names.join(", ")
        )
    }

    fn short(&self, iri: &str) -> String {
        self.prefixes
            .iter()
            .filter(|(_, ns)| iri.starts_with(ns.as_str()))
            .max_by_key(|(_, ns)| ns.len())
            .map_or_else(
                || format!("<{iri}>"),
                |(p, ns)| format!("{p}:{}", &iri[ns.len()..]),
            )
    }
}

fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}

fn integer_text(i: &toml::de::DeInteger<'_>) -> Option<String> {
    let digits = i.as_str().replace('_', "");
    let value = match i.radix() {
        10 => digits.parse::<i128>().ok()?,
        r => {
            let body = digits.get(2..)?;
            i128::from_str_radix(body, r).ok()?
        }
    };
    Some(value.to_string())
}

fn is_decimal(s: &str) -> bool {
    let s = s.replace('_', "");
    let s = s.strip_prefix(['+', '-']).unwrap_or(&s);
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    !(int.is_empty() && frac.is_empty())
        && int.chars().all(|c| c.is_ascii_digit())
        && !frac.is_empty()
        && frac.chars().all(|c| c.is_ascii_digit())
}

fn is_year_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && s[..4].chars().all(|c| c.is_ascii_digit())
        && s[5..].chars().all(|c| c.is_ascii_digit())
        && matches!(s[5..].parse::<u8>(), Ok(1..=12))
}

fn date_text(v: &DeValue<'_>) -> Option<String> {
    match v {
        DeValue::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
            d.date.map(|d| d.to_string())
        }
        DeValue::String(s) => is_iso_date(s).then(|| s.to_string()),
        _ => None,
    }
}

fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        parts[0].parse::<u32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return false;
    };
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("the integer {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

fn describe_datatype(dt: &str) -> &'static str {
    match dt {
        "decimal" => "a number without exponent",
        "integer" | "int" | "long" => "an integer",
        "nonNegativeInteger" => "a non-negative integer",
        "positiveInteger" => "a positive integer",
        "date" => "a date such as 2025-12-19",
        "dateTime" => "a date and time",
        "gYear" => "a four-digit year such as 2030",
        "gYearMonth" => "a year and month such as \"2026-01\"",
        "boolean" => "true or false",
        "anyURI" => "an absolute IRI",
        "double" | "float" => "a number",
        _ => "a string",
    }
}

/// Byte offset → 1-based line and character column.
fn locate(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary_compat(offset)];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    (line, column)
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}
