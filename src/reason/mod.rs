//! A materialising reasoner: RDFS and the OWL 2 RL/RDF rules, by forward chaining over
//! dictionary-encoded triples.
//!
//! Every triple, asserted or derived, enters a work list once; taking it from the list fires each
//! rule in which it can be a premise, looking the other premises up in indexes that hold every
//! triple known so far. For any two premises, the one taken later finds the other, so the
//! fixpoint is complete, and each triple is derived from triples that existed before it: the first
//! derivation recorded for it is a finite, well-founded explanation.
//!
//! Rule names are the W3C's (RDF 1.1 Semantics for `rdfs`, the OWL 2 RL/RDF tables for `owl-rl`).
//! Left out on purpose, because they add a triple per term and answer no question: the axiomatic
//! triples, `x a rdfs:Resource` (rdfs4a/b), rdfs1/6/8/10/12/13, eq-ref, cls-thing, cls-nothing1,
//! prp-ap, the reflexive conclusions of scm-cls/scm-op/scm-dp and the dt-* datatype rules. Not
//! supported: prp-key, prp-npa*, cls-maxc*/cls-maxqc*, cls-oo, eq-diff2/3. Lists (`owl:intersectionOf`,
//! `owl:unionOf`, `owl:propertyChainAxiom`) are read from the triples present when `run` starts.

use oxigraph::model::{NamedNode, Term, Triple, TripleRef};
use rustc_hash::{FxHashMap, FxHashSet};
use std::time::{Duration, Instant};

/// Which entailment rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Rdfs,
    OwlRl,
}

impl Profile {
    pub fn name(&self) -> &'static str {
        match self {
            Profile::Rdfs => "rdfs",
            Profile::OwlRl => "owl-rl",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A profile name that is not one of ours.
#[derive(Debug)]
pub struct ProfileError(String);

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown reasoning profile '{}' (expected rdfs or owl-rl)",
            self.0
        )
    }
}

impl std::str::FromStr for Profile {
    type Err = ProfileError;

    fn from_str(s: &str) -> Result<Self, ProfileError> {
        match s {
            "rdfs" => Ok(Profile::Rdfs),
            "owl-rl" | "owl2-rl" | "owlrl" => Ok(Profile::OwlRl),
            other => Err(ProfileError(other.to_owned())),
        }
    }
}

/// How a triple follows.
#[derive(Debug, Clone, PartialEq)]
pub enum Explanation {
    Asserted(Triple),
    Inferred {
        triple: Triple,
        rule: &'static str,
        premises: Vec<Explanation>,
    },
}

/// Triples that cannot all hold under the profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Inconsistency {
    pub rule: &'static str,
    pub message: String,
    pub triples: Vec<Triple>,
}

/// What one `run` did.
#[derive(Debug, Clone, Copy)]
pub struct RunReport {
    pub new_inferred: usize,
    pub elapsed: Duration,
}

type T = (u32, u32, u32);

/// Where an incremental run finds the triples it has not been given: the store holding the old
/// closure. Looked up by pattern as the rules need them, so an update reads what its new
/// triples touch rather than the whole store.
pub trait Source {
    /// Appends the triples held that match (`None`: any term), each with whether it is asserted
    /// (false: an entailment already materialised).
    fn matching(
        &mut self,
        subject: Option<&Term>,
        predicate: Option<&NamedNode>,
        object: Option<&Term>,
        out: &mut Vec<(Triple, bool)>,
    ) -> Result<(), String>;
}

/// What an incremental run has read from its source, by the patterns the rules looked up.
struct Lazy {
    source: Box<dyn Source>,
    sp: FxHashSet<(u32, u32)>,
    op: FxHashSet<(u32, u32)>,
    p: FxHashSet<u32>,
    s: FxHashSet<u32>,
    o: FxHashSet<u32>,
    error: Option<String>,
}

/// A pattern the rules look up: (subject, predicate), (object, predicate), a predicate, every
/// triple about a subject or about an object.
#[derive(Clone, Copy)]
enum Key {
    Sp(u32, u32),
    Op(u32, u32),
    P(u32),
    S(u32),
    O(u32),
}

impl Lazy {
    fn covers(&self, key: Key) -> bool {
        match key {
            Key::Sp(s, p) => {
                self.p.contains(&p) || self.s.contains(&s) || self.sp.contains(&(s, p))
            }
            Key::Op(o, p) => {
                self.p.contains(&p) || self.o.contains(&o) || self.op.contains(&(o, p))
            }
            Key::P(p) => self.p.contains(&p),
            Key::S(s) => self.s.contains(&s),
            Key::O(o) => self.o.contains(&o),
        }
    }

    fn mark(&mut self, key: Key) {
        match key {
            Key::Sp(s, p) => self.sp.insert((s, p)),
            Key::Op(o, p) => self.op.insert((o, p)),
            Key::P(p) => self.p.insert(p),
            Key::S(s) => self.s.insert(s),
            Key::O(o) => self.o.insert(o),
        };
    }
}

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const OWL: &str = "http://www.w3.org/2002/07/owl#";

/// The vocabulary's ids, interned first so they are the same in every reasoner.
#[derive(Clone, Copy)]
struct Vocab {
    ty: u32,
    sco: u32,
    spo: u32,
    dom: u32,
    rng: u32,
    inv: u32,
    eqc: u32,
    eqp: u32,
    same: u32,
    diff: u32,
    trans: u32,
    sym: u32,
    asym: u32,
    irr: u32,
    on_prop: u32,
    svf: u32,
    avf: u32,
    has_value: u32,
    inter: u32,
    union: u32,
    chain: u32,
    first: u32,
    rest: u32,
    nil: u32,
    disj: u32,
    pdisj: u32,
    nothing: u32,
    thing: u32,
    complement: u32,
    functional: u32,
    inv_functional: u32,
}

/// Restriction and list axioms, compiled from the schema when a run starts.
#[derive(Default)]
struct Tables {
    /// property → (restriction, filler) for `owl:someValuesFrom`.
    svf_by_prop: FxHashMap<u32, Vec<(u32, u32)>>,
    /// filler → (restriction, property).
    svf_by_filler: FxHashMap<u32, Vec<(u32, u32)>>,
    /// restriction → (property, value) for `owl:hasValue`, and property → (restriction, value).
    hv_by_restriction: FxHashMap<u32, Vec<(u32, u32)>>,
    hv_by_prop: FxHashMap<u32, Vec<(u32, u32)>>,
    /// restriction → (property, filler) for `owl:allValuesFrom`, and property → (restriction, filler).
    avf_by_restriction: FxHashMap<u32, Vec<(u32, u32)>>,
    avf_by_prop: FxHashMap<u32, Vec<(u32, u32)>>,
    /// filler → (restriction, property) for `owl:allValuesFrom`.
    avf_by_filler: FxHashMap<u32, Vec<(u32, u32)>>,
    /// class → its intersection's members; member → classes it is a conjunct of.
    intersections: FxHashMap<u32, Vec<u32>>,
    conjunct_of: FxHashMap<u32, Vec<u32>>,
    /// member → union classes it belongs to.
    union_of: FxHashMap<u32, Vec<u32>>,
    /// property chains: property → chain of properties.
    chains: Vec<(u32, Vec<u32>)>,
}

/// The reasoner: add triples, run, read the entailments and their explanations.
pub struct Reasoner {
    profile: Profile,
    terms: indexmap::IndexSet<Term, rustc_hash::FxBuildHasher>,
    literal: Vec<bool>,
    v: Vocab,
    facts: FxHashSet<T>,
    asserted: FxHashSet<T>,
    /// (subject, predicate) → objects and (object, predicate) → subjects.
    out: FxHashMap<(u32, u32), Vec<u32>>,
    inn: FxHashMap<(u32, u32), Vec<u32>>,
    /// predicate → (subject, object).
    by_p: FxHashMap<u32, Vec<(u32, u32)>>,
    /// subject → (predicate, object) and object → (subject, predicate), for `owl:sameAs` only.
    by_s: FxHashMap<u32, Vec<(u32, u32)>>,
    by_o: FxHashMap<u32, Vec<(u32, u32)>>,
    /// The first derivation of each inferred triple: rule and premises.
    origin: FxHashMap<T, (&'static str, Vec<T>)>,
    queue: Vec<T>,
    inconsistencies: Vec<Inconsistency>,
    seen_problems: FxHashSet<Vec<T>>,
    tables: Tables,
    /// Set for an incremental run over a store: indexes are filled from it on first use.
    lazy: Option<Lazy>,
    /// The entailments of a previous materialisation, compared with at the end (`changes`).
    previous: FxHashSet<T>,
}

/// The "rule" of a triple read back from a materialised graph.
const PREVIOUSLY_INFERRED: &str = "previously-inferred";

impl Reasoner {
    pub fn new(profile: Profile) -> Self {
        let mut r = Self {
            profile,
            terms: Default::default(),
            literal: Vec::new(),
            v: Vocab {
                ty: 0,
                sco: 0,
                spo: 0,
                dom: 0,
                rng: 0,
                inv: 0,
                eqc: 0,
                eqp: 0,
                same: 0,
                diff: 0,
                trans: 0,
                sym: 0,
                asym: 0,
                irr: 0,
                on_prop: 0,
                svf: 0,
                avf: 0,
                has_value: 0,
                inter: 0,
                union: 0,
                chain: 0,
                first: 0,
                rest: 0,
                nil: 0,
                disj: 0,
                pdisj: 0,
                nothing: 0,
                thing: 0,
                complement: 0,
                functional: 0,
                inv_functional: 0,
            },
            facts: Default::default(),
            asserted: Default::default(),
            out: Default::default(),
            inn: Default::default(),
            by_p: Default::default(),
            by_s: Default::default(),
            by_o: Default::default(),
            origin: Default::default(),
            queue: Vec::new(),
            inconsistencies: Vec::new(),
            seen_problems: Default::default(),
            tables: Tables::default(),
            lazy: None,
            previous: Default::default(),
        };
        let mut iri = |ns: &str, local: &str| {
            r.intern_term(NamedNode::new_unchecked(format!("{ns}{local}")).into())
        };
        let v = Vocab {
            ty: iri(RDF, "type"),
            sco: iri(RDFS, "subClassOf"),
            spo: iri(RDFS, "subPropertyOf"),
            dom: iri(RDFS, "domain"),
            rng: iri(RDFS, "range"),
            inv: iri(OWL, "inverseOf"),
            eqc: iri(OWL, "equivalentClass"),
            eqp: iri(OWL, "equivalentProperty"),
            same: iri(OWL, "sameAs"),
            diff: iri(OWL, "differentFrom"),
            trans: iri(OWL, "TransitiveProperty"),
            sym: iri(OWL, "SymmetricProperty"),
            asym: iri(OWL, "AsymmetricProperty"),
            irr: iri(OWL, "IrreflexiveProperty"),
            on_prop: iri(OWL, "onProperty"),
            svf: iri(OWL, "someValuesFrom"),
            avf: iri(OWL, "allValuesFrom"),
            has_value: iri(OWL, "hasValue"),
            inter: iri(OWL, "intersectionOf"),
            union: iri(OWL, "unionOf"),
            chain: iri(OWL, "propertyChainAxiom"),
            first: iri(RDF, "first"),
            rest: iri(RDF, "rest"),
            nil: iri(RDF, "nil"),
            disj: iri(OWL, "disjointWith"),
            pdisj: iri(OWL, "propertyDisjointWith"),
            nothing: iri(OWL, "Nothing"),
            thing: iri(OWL, "Thing"),
            complement: iri(OWL, "complementOf"),
            functional: iri(OWL, "FunctionalProperty"),
            inv_functional: iri(OWL, "InverseFunctionalProperty"),
        };
        r.v = v;
        r
    }

    /// A reasoner for an incremental run: the old closure stays in `source`, settled, and is
    /// read as the new triples' consequences need it. The schema is read whole at once (the
    /// rules compile it into tables); new triples are given with `insert_new`.
    pub fn over(profile: Profile, source: Box<dyn Source>) -> Self {
        let mut r = Self::new(profile);
        r.lazy = Some(Lazy {
            source,
            sp: Default::default(),
            op: Default::default(),
            p: Default::default(),
            s: Default::default(),
            o: Default::default(),
            error: None,
        });
        let v = r.v;
        for p in [
            v.sco,
            v.spo,
            v.dom,
            v.rng,
            v.eqc,
            v.eqp,
            v.inv,
            v.on_prop,
            v.svf,
            v.avf,
            v.has_value,
            v.inter,
            v.union,
            v.chain,
            v.first,
            v.rest,
            v.disj,
            v.pdisj,
            v.complement,
            v.same,
        ] {
            r.ensure(Key::P(p));
        }
        r
    }

    /// The first error met reading the source, if any: the run's result is then incomplete.
    pub fn source_error(&self) -> Option<&str> {
        self.lazy.as_ref().and_then(|l| l.error.as_deref())
    }

    /// Reads what the source holds for `key`, once.
    fn ensure(&mut self, key: Key) {
        let Some(lazy) = self.lazy.as_ref() else {
            return;
        };
        if lazy.covers(key) {
            return;
        }
        let term = |i: u32| self.terms[i as usize].clone();
        let predicate = |i: u32| match term(i) {
            Term::NamedNode(n) => Some(n),
            _ => None,
        };
        let (s, p, o) = match key {
            Key::Sp(s, p) => (Some(term(s)), predicate(p), None),
            Key::Op(o, p) => (None, predicate(p), Some(term(o))),
            Key::P(p) => (None, predicate(p), None),
            Key::S(s) => (Some(term(s)), None, None),
            Key::O(o) => (None, None, Some(term(o))),
        };
        let lazy = self.lazy.as_mut().expect("checked above");
        lazy.mark(key);
        // A literal subject or a predicate that is not an IRI matches nothing stored.
        if matches!(s, Some(Term::Literal(_)))
            || matches!(key, Key::Sp(..) | Key::Op(..) | Key::P(_)) && p.is_none()
        {
            return;
        }
        let mut found = Vec::new();
        if let Err(e) = lazy
            .source
            .matching(s.as_ref(), p.as_ref(), o.as_ref(), &mut found)
        {
            lazy.error.get_or_insert(e);
        }
        for (triple, asserted) in found {
            let t = self.intern(triple);
            if asserted {
                self.asserted.insert(t);
                self.add_fact(t);
            } else if self.add_fact(t) {
                self.origin.insert(t, (PREVIOUSLY_INFERRED, Vec::new()));
            }
        }
    }

    fn intern_term(&mut self, term: Term) -> u32 {
        let is_literal = matches!(term, Term::Literal(_));
        let (id, new) = self.terms.insert_full(term);
        if new {
            self.literal.push(is_literal);
        }
        id as u32
    }

    /// Owned triples move their terms into the dictionary: the store's decoder made them already.
    fn intern(&mut self, t: impl Into<Triple>) -> T {
        let t = t.into();
        let s = self.intern_term(t.subject.into());
        let p = self.intern_term(t.predicate.into());
        let o = self.intern_term(t.object);
        (s, p, o)
    }

    fn lookup(&self, t: TripleRef<'_>) -> Option<T> {
        let s = self
            .terms
            .get_index_of(&Term::from(t.subject.into_owned()))?;
        let p = self
            .terms
            .get_index_of(&Term::from(t.predicate.into_owned()))?;
        let o = self.terms.get_index_of(&t.object.into_owned())?;
        Some((s as u32, p as u32, o as u32))
    }

    fn triple(&self, (s, p, o): T) -> Triple {
        let term = |i: u32| self.terms[i as usize].clone();
        let subject: oxigraph::model::NamedOrBlankNode = match term(s) {
            Term::NamedNode(n) => n.into(),
            Term::BlankNode(b) => b.into(),
            Term::Literal(_) => unreachable!("literal subjects are never stored"),
        };
        let Term::NamedNode(predicate) = term(p) else {
            unreachable!("predicates are IRIs")
        };
        Triple::new(subject, predicate, term(o))
    }

    /// Asserted triples, schema and data alike; they are reasoned from at the next `run`.
    pub fn insert(&mut self, triple: impl Into<Triple>) {
        let t = self.intern(triple);
        self.asserted.insert(t);
        if self.add_fact(t) {
            self.queue.push(t);
        }
    }

    /// An asserted triple whose consequences are to be derived: the new part of an
    /// incremental update.
    pub fn insert_new(&mut self, triple: impl Into<Triple>) {
        let t = self.intern(triple);
        self.asserted.insert(t);
        self.add_fact(t);
        self.queue.push(t);
    }

    fn add_fact(&mut self, t: T) -> bool {
        if !self.facts.insert(t) {
            return false;
        }
        let (s, p, o) = t;
        self.out.entry((s, p)).or_default().push(o);
        self.inn.entry((o, p)).or_default().push(s);
        self.by_p.entry(p).or_default().push((s, o));
        if self.profile == Profile::OwlRl {
            self.by_s.entry(s).or_default().push((p, o));
            self.by_o.entry(o).or_default().push((s, p));
        }
        true
    }

    /// Derives `t` by `rule` from `premises`, unless it is known already or cannot be a triple.
    fn derive(&mut self, t: T, rule: &'static str, premises: &[T]) {
        let (s, p, _) = t;
        if self.literal[s as usize] || self.literal[p as usize] {
            return;
        }
        // Over a store, a conclusion may be held there already: read its pattern first.
        if self.lazy.is_some() && !self.facts.contains(&t) {
            self.ensure(Key::Sp(s, p));
        }
        if self.add_fact(t) {
            self.origin.insert(t, (rule, premises.to_vec()));
            self.queue.push(t);
        }
    }

    fn objects(&mut self, s: u32, p: u32) -> Vec<u32> {
        self.ensure(Key::Sp(s, p));
        self.out.get(&(s, p)).cloned().unwrap_or_default()
    }

    fn subjects(&mut self, o: u32, p: u32) -> Vec<u32> {
        self.ensure(Key::Op(o, p));
        self.inn.get(&(o, p)).cloned().unwrap_or_default()
    }

    fn pairs(&mut self, p: u32) -> Vec<(u32, u32)> {
        self.ensure(Key::P(p));
        self.by_p.get(&p).cloned().unwrap_or_default()
    }

    /// Every (predicate, object) about `s`; kept for the equality rules (OWL 2 RL only).
    fn about_subject(&mut self, s: u32) -> Vec<(u32, u32)> {
        self.ensure(Key::S(s));
        self.by_s.get(&s).cloned().unwrap_or_default()
    }

    fn about_object(&mut self, o: u32) -> Vec<(u32, u32)> {
        self.ensure(Key::O(o));
        self.by_o.get(&o).cloned().unwrap_or_default()
    }

    fn has(&mut self, t: T) -> bool {
        if self.facts.contains(&t) {
            return true;
        }
        self.ensure(Key::Sp(t.0, t.1));
        self.facts.contains(&t)
    }

    /// Runs the rules to the fixpoint over everything inserted so far.
    pub fn run(&mut self) -> RunReport {
        let start = Instant::now();
        let before = self.origin.len();
        if self.profile == Profile::OwlRl {
            self.compile_tables();
        }
        while let Some(t) = self.queue.pop() {
            self.rdfs_rules(t);
            if self.profile == Profile::OwlRl {
                self.owl_rules(t);
            }
        }
        RunReport {
            new_inferred: self.origin.len() - before,
            elapsed: start.elapsed(),
        }
    }

    fn rdfs_rules(&mut self, t: T) {
        let v = self.v;
        let (s, p, o) = t;
        let owl = self.profile == Profile::OwlRl;
        let name = |rdfs: &'static str, rl: &'static str| if owl { rl } else { rdfs };
        if p == v.ty {
            for c in self.objects(o, v.sco) {
                self.derive((s, v.ty, c), name("rdfs9", "cax-sco"), &[t, (o, v.sco, c)]);
            }
        }
        if p == v.sco {
            for x in self.subjects(s, v.ty) {
                self.derive((x, v.ty, o), name("rdfs9", "cax-sco"), &[(x, v.ty, s), t]);
            }
            for c in self.objects(o, v.sco) {
                if c != s {
                    self.derive(
                        (s, v.sco, c),
                        name("rdfs11", "scm-sco"),
                        &[t, (o, v.sco, c)],
                    );
                }
            }
            for c in self.subjects(s, v.sco) {
                if c != o {
                    self.derive(
                        (c, v.sco, o),
                        name("rdfs11", "scm-sco"),
                        &[(c, v.sco, s), t],
                    );
                }
            }
        }
        for q in self.objects(p, v.spo) {
            self.derive((s, q, o), name("rdfs7", "prp-spo1"), &[t, (p, v.spo, q)]);
        }
        if p == v.spo {
            for (x, y) in self.pairs(s) {
                self.derive((x, o, y), name("rdfs7", "prp-spo1"), &[(x, s, y), t]);
            }
            for q in self.objects(o, v.spo) {
                if q != s {
                    self.derive((s, v.spo, q), name("rdfs5", "scm-spo"), &[t, (o, v.spo, q)]);
                }
            }
            for r in self.subjects(s, v.spo) {
                if r != o {
                    self.derive((r, v.spo, o), name("rdfs5", "scm-spo"), &[(r, v.spo, s), t]);
                }
            }
        }
        for c in self.objects(p, v.dom) {
            self.derive((s, v.ty, c), name("rdfs2", "prp-dom"), &[t, (p, v.dom, c)]);
        }
        if !self.literal[o as usize] {
            for c in self.objects(p, v.rng) {
                self.derive((o, v.ty, c), name("rdfs3", "prp-rng"), &[t, (p, v.rng, c)]);
            }
        }
        if p == v.dom {
            for (x, y) in self.pairs(s) {
                self.derive((x, v.ty, o), name("rdfs2", "prp-dom"), &[(x, s, y), t]);
            }
        }
        if p == v.rng {
            for (x, y) in self.pairs(s) {
                if !self.literal[y as usize] {
                    self.derive((y, v.ty, o), name("rdfs3", "prp-rng"), &[(x, s, y), t]);
                }
            }
        }
        if owl {
            // scm-dom2 / scm-rng2: a subproperty inherits its superproperty's domain and range.
            if p == v.spo {
                for c in self.objects(o, v.dom) {
                    self.derive((s, v.dom, c), "scm-dom2", &[(o, v.dom, c), t]);
                }
                for c in self.objects(o, v.rng) {
                    self.derive((s, v.rng, c), "scm-rng2", &[(o, v.rng, c), t]);
                }
            }
            if p == v.dom || p == v.rng {
                for q in self.subjects(s, v.spo) {
                    let rule = if p == v.dom { "scm-dom2" } else { "scm-rng2" };
                    self.derive((q, p, o), rule, &[t, (q, v.spo, s)]);
                }
                // scm-dom1 / scm-rng1: a domain's or range's superclasses are domains and ranges too.
                for c in self.objects(o, v.sco) {
                    let rule = if p == v.dom { "scm-dom1" } else { "scm-rng1" };
                    self.derive((s, p, c), rule, &[t, (o, v.sco, c)]);
                }
            }
            if p == v.sco {
                for q in self.subjects(s, v.dom) {
                    self.derive((q, v.dom, o), "scm-dom1", &[(q, v.dom, s), t]);
                }
                for q in self.subjects(s, v.rng) {
                    self.derive((q, v.rng, o), "scm-rng1", &[(q, v.rng, s), t]);
                }
            }
        }
    }

    fn owl_rules(&mut self, t: T) {
        let v = self.v;
        let (s, p, o) = t;
        if p == v.sco || p == v.spo {
            self.restriction_schema_rules(t);
        }
        // Equivalence is subsumption both ways; the subsumption rules do the rest.
        if p == v.eqc {
            self.derive((s, v.sco, o), "scm-eqc1", &[t]);
            self.derive((o, v.sco, s), "scm-eqc1", &[t]);
        }
        if p == v.eqp {
            self.derive((s, v.spo, o), "scm-eqp1", &[t]);
            self.derive((o, v.spo, s), "scm-eqp1", &[t]);
        }
        // Inverses.
        if !self.literal[o as usize] {
            for q in self.objects(p, v.inv) {
                self.derive((o, q, s), "prp-inv1", &[(p, v.inv, q), t]);
            }
            for q in self.subjects(p, v.inv) {
                self.derive((o, q, s), "prp-inv2", &[(q, v.inv, p), t]);
            }
            if self.has((p, v.ty, v.sym)) {
                self.derive((o, p, s), "prp-symp", &[(p, v.ty, v.sym), t]);
            }
        }
        if p == v.inv {
            for (x, y) in self.pairs(s) {
                if !self.literal[y as usize] {
                    self.derive((y, o, x), "prp-inv1", &[t, (x, s, y)]);
                }
            }
            for (x, y) in self.pairs(o) {
                if !self.literal[y as usize] {
                    self.derive((y, s, x), "prp-inv2", &[t, (x, o, y)]);
                }
            }
        }
        // Transitivity.
        if self.has((p, v.ty, v.trans)) {
            let pt = (p, v.ty, v.trans);
            for z in self.objects(o, p) {
                self.derive((s, p, z), "prp-trp", &[pt, t, (o, p, z)]);
            }
            for w in self.subjects(s, p) {
                self.derive((w, p, o), "prp-trp", &[pt, (w, p, s), t]);
            }
        }
        if p == v.ty && o == v.trans {
            for (x, y) in self.pairs(s) {
                for z in self.objects(y, s) {
                    self.derive((x, s, z), "prp-trp", &[t, (x, s, y), (y, s, z)]);
                }
            }
        }
        if p == v.ty && o == v.sym {
            for (x, y) in self.pairs(s) {
                if !self.literal[y as usize] {
                    self.derive((y, s, x), "prp-symp", &[t, (x, s, y)]);
                }
            }
        }
        // Functional and inverse-functional properties give equalities.
        if self.has((p, v.ty, v.functional)) && !self.literal[o as usize] {
            for o2 in self.objects(s, p) {
                if o2 != o && !self.literal[o2 as usize] {
                    self.derive(
                        (o, v.same, o2),
                        "prp-fp",
                        &[(p, v.ty, v.functional), t, (s, p, o2)],
                    );
                }
            }
        }
        if self.has((p, v.ty, v.inv_functional)) {
            for s2 in self.subjects(o, p) {
                if s2 != s {
                    self.derive(
                        (s, v.same, s2),
                        "prp-ifp",
                        &[(p, v.ty, v.inv_functional), t, (s2, p, o)],
                    );
                }
            }
        }
        // Equality.
        if p == v.same && s != o {
            self.derive((o, v.same, s), "eq-sym", &[t]);
            for z in self.objects(o, v.same) {
                if z != s {
                    self.derive((s, v.same, z), "eq-trans", &[t, (o, v.same, z)]);
                }
            }
            for (q, z) in self.about_subject(s) {
                if q != v.same {
                    self.derive((o, q, z), "eq-rep-s", &[t, (s, q, z)]);
                }
            }
            for (x, q) in self.about_object(s) {
                if q != v.same {
                    self.derive((x, q, o), "eq-rep-o", &[t, (x, q, s)]);
                }
            }
            if self.has((s, v.diff, o)) || self.has((o, v.diff, s)) {
                let d = if self.has((s, v.diff, o)) {
                    (s, v.diff, o)
                } else {
                    (o, v.diff, s)
                };
                self.problem(
                    "eq-diff1",
                    "two resources are both the same and different",
                    &[t, d],
                );
            }
        }
        if p != v.same {
            for s2 in self.objects(s, v.same) {
                if s2 != s {
                    self.derive((s2, p, o), "eq-rep-s", &[(s, v.same, s2), t]);
                }
            }
            if !self.literal[o as usize] {
                for o2 in self.objects(o, v.same) {
                    if o2 != o {
                        self.derive((s, p, o2), "eq-rep-o", &[(o, v.same, o2), t]);
                    }
                }
            }
            for p2 in self.objects(p, v.same) {
                if p2 != p {
                    self.derive((s, p2, o), "eq-rep-p", &[(p, v.same, p2), t]);
                }
            }
        }
        if p == v.diff && (self.has((s, v.same, o)) || self.has((o, v.same, s))) {
            let e = if self.has((s, v.same, o)) {
                (s, v.same, o)
            } else {
                (o, v.same, s)
            };
            self.problem(
                "eq-diff1",
                "two resources are both the same and different",
                &[e, t],
            );
        }
        // Property-level problems.
        if s == o && self.has((p, v.ty, v.irr)) {
            self.problem(
                "prp-irp",
                "an irreflexive property relates a resource to itself",
                &[(p, v.ty, v.irr), t],
            );
        }
        if self.has((p, v.ty, v.asym)) && self.has((o, p, s)) && s != o {
            self.problem(
                "prp-asyp",
                "an asymmetric property holds both ways",
                &[(p, v.ty, v.asym), t, (o, p, s)],
            );
        }
        for q in self
            .objects(p, v.pdisj)
            .into_iter()
            .chain(self.subjects(p, v.pdisj))
        {
            if self.has((s, q, o)) {
                self.problem(
                    "prp-pdw",
                    "two disjoint properties relate the same pair",
                    &[t, (s, q, o)],
                );
            }
        }
        // Property chains: each new link may complete a chain in which it is any step.
        if !self.tables.chains.is_empty() {
            let chains = std::mem::take(&mut self.tables.chains);
            for (q, steps) in &chains {
                for (i, step) in steps.iter().enumerate() {
                    if *step == p {
                        self.complete_chain(*q, steps, i, t);
                    }
                }
            }
            self.tables.chains = chains;
        }
        if p == v.ty {
            self.class_rules(s, o, t);
        } else {
            self.restriction_data_rules(s, p, o, t);
        }
    }

    fn complete_chain(&mut self, q: u32, steps: &[u32], at: usize, t: T) {
        // Walk backwards from the link to the chain's start, and forwards to its end.
        let (s, _, o) = t;
        let mut starts: Vec<(u32, Vec<T>)> = vec![(s, vec![])];
        for step in steps[..at].iter().rev() {
            let mut next = Vec::new();
            for (node, path) in &starts {
                for w in self.subjects(*node, *step) {
                    let mut path = path.clone();
                    path.insert(0, (w, *step, *node));
                    next.push((w, path));
                }
            }
            starts = next;
        }
        let mut ends: Vec<(u32, Vec<T>)> = vec![(o, vec![])];
        for step in &steps[at + 1..] {
            let mut next = Vec::new();
            for (node, path) in &ends {
                for z in self.objects(*node, *step) {
                    let mut path = path.clone();
                    path.push((*node, *step, z));
                    next.push((z, path));
                }
            }
            ends = next;
        }
        for (x, before) in &starts {
            for (z, after) in &ends {
                let mut premises = before.clone();
                premises.push(t);
                premises.extend(after);
                self.derive((*x, q, *z), "prp-spo2", &premises);
            }
        }
    }

    /// Rules fired by `x a c`.
    fn class_rules(&mut self, x: u32, c: u32, t: T) {
        let v = self.v;
        if c == v.nothing {
            self.problem(
                "cls-nothing2",
                "a resource is a member of owl:Nothing",
                &[t],
            );
        }
        for d in self
            .objects(c, v.disj)
            .into_iter()
            .chain(self.subjects(c, v.disj))
        {
            if self.has((x, v.ty, d)) {
                let axiom = if self.has((c, v.disj, d)) {
                    (c, v.disj, d)
                } else {
                    (d, v.disj, c)
                };
                self.problem(
                    "cax-dw",
                    "a resource is a member of two disjoint classes",
                    &[axiom, t, (x, v.ty, d)],
                );
            }
        }
        for d in self
            .objects(c, v.complement)
            .into_iter()
            .chain(self.subjects(c, v.complement))
        {
            if self.has((x, v.ty, d)) {
                self.problem(
                    "cls-com",
                    "a resource is a member of a class and of its complement",
                    &[t, (x, v.ty, d)],
                );
            }
        }
        // cls-int1: every conjunct now holds; cls-int2: a member of an intersection is in each conjunct.
        for class in self.tables.conjunct_of.get(&c).cloned().unwrap_or_default() {
            let members = self
                .tables
                .intersections
                .get(&class)
                .cloned()
                .unwrap_or_default();
            if members.iter().all(|m| self.has((x, v.ty, *m))) {
                let premises: Vec<T> = members.iter().map(|m| (x, v.ty, *m)).collect();
                self.derive((x, v.ty, class), "cls-int1", &premises);
            }
        }
        for m in self
            .tables
            .intersections
            .get(&c)
            .cloned()
            .unwrap_or_default()
        {
            self.derive((x, v.ty, m), "cls-int2", &[t]);
        }
        for class in self.tables.union_of.get(&c).cloned().unwrap_or_default() {
            self.derive((x, v.ty, class), "cls-uni", &[t]);
        }
        // cls-svf1 with `c` as the filler: whoever points at x through the property is in the restriction.
        for (r, p) in self
            .tables
            .svf_by_filler
            .get(&c)
            .cloned()
            .unwrap_or_default()
        {
            for w in self.subjects(x, p) {
                self.derive(
                    (w, v.ty, r),
                    "cls-svf1",
                    &[(r, v.svf, c), (r, v.on_prop, p), (w, p, x), t],
                );
            }
        }
        for (p, value) in self
            .tables
            .hv_by_restriction
            .get(&c)
            .cloned()
            .unwrap_or_default()
        {
            self.derive(
                (x, p, value),
                "cls-hv1",
                &[(c, v.has_value, value), (c, v.on_prop, p), t],
            );
        }
        for (p, filler) in self
            .tables
            .avf_by_restriction
            .get(&c)
            .cloned()
            .unwrap_or_default()
        {
            for y in self.objects(x, p) {
                self.derive(
                    (y, v.ty, filler),
                    "cls-avf",
                    &[(c, v.avf, filler), (c, v.on_prop, p), t, (x, p, y)],
                );
            }
        }
    }

    /// Rules fired by a data triple `x p y`.
    fn restriction_data_rules(&mut self, x: u32, p: u32, y: u32, t: T) {
        let v = self.v;
        for (r, filler) in self.tables.svf_by_prop.get(&p).cloned().unwrap_or_default() {
            if filler == v.thing {
                self.derive(
                    (x, v.ty, r),
                    "cls-svf2",
                    &[(r, v.svf, filler), (r, v.on_prop, p), t],
                );
            } else if self.has((y, v.ty, filler)) {
                self.derive(
                    (x, v.ty, r),
                    "cls-svf1",
                    &[(r, v.svf, filler), (r, v.on_prop, p), t, (y, v.ty, filler)],
                );
            }
        }
        for (r, value) in self.tables.hv_by_prop.get(&p).cloned().unwrap_or_default() {
            if value == y {
                self.derive(
                    (x, v.ty, r),
                    "cls-hv2",
                    &[(r, v.has_value, value), (r, v.on_prop, p), t],
                );
            }
        }
        if !self.literal[y as usize] {
            for (r, filler) in self.tables.avf_by_prop.get(&p).cloned().unwrap_or_default() {
                if self.has((x, v.ty, r)) {
                    self.derive(
                        (y, v.ty, filler),
                        "cls-avf",
                        &[(r, v.avf, filler), (r, v.on_prop, p), (x, v.ty, r), t],
                    );
                }
            }
        }
    }

    fn problem(&mut self, rule: &'static str, message: &str, triples: &[T]) {
        let mut key = triples.to_vec();
        key.sort_unstable();
        if self.seen_problems.insert(key) {
            let triples = triples.iter().map(|t| self.triple(*t)).collect();
            self.inconsistencies.push(Inconsistency {
                rule,
                message: message.to_owned(),
                triples,
            });
        }
    }

    fn list(&mut self, mut node: u32) -> Vec<u32> {
        let mut items = Vec::new();
        let mut seen = FxHashSet::default();
        while node != self.v.nil && seen.insert(node) {
            match self.objects(node, self.v.first).first() {
                Some(item) => items.push(*item),
                None => break,
            }
            match self.objects(node, self.v.rest).first() {
                Some(next) => node = *next,
                None => break,
            }
        }
        items
    }

    /// Compiles restrictions and lists from the schema known when a run starts. A restriction
    /// that arrives in a later, incremental run applies to the new triples only, which is why
    /// `infer::refresh` recomputes from scratch when a write adds schema triples.
    /// scm-svf1/2, scm-avf1/2 and scm-hv: subsumption between restrictions that follows from a
    /// subsumption of their fillers or properties (with it, a `ResearchAssistant`, a subclass of
    /// "works for some research group", is an `Employee`, "a person who works for some organisation").
    fn restriction_schema_rules(&mut self, t: T) {
        let v = self.v;
        let (a, p, b) = t;
        let mut found: Vec<(T, &'static str, [T; 4])> = Vec::new();
        let tables = &self.tables;
        if p == v.sco {
            // a ⊑ b: ∃P.a ⊑ ∃P.b and ∀P.a ⊑ ∀P.b.
            for &(x, px) in tables.svf_by_filler.get(&a).into_iter().flatten() {
                for &(y, py) in tables.svf_by_filler.get(&b).into_iter().flatten() {
                    if px == py && x != y {
                        let premises = [
                            (x, v.svf, a),
                            (x, v.on_prop, px),
                            (y, v.svf, b),
                            (y, v.on_prop, py),
                        ];
                        found.push(((x, v.sco, y), "scm-svf1", premises));
                    }
                }
            }
            for &(x, px) in tables.avf_by_filler.get(&a).into_iter().flatten() {
                for &(y, py) in tables.avf_by_filler.get(&b).into_iter().flatten() {
                    if px == py && x != y {
                        let premises = [
                            (x, v.avf, a),
                            (x, v.on_prop, px),
                            (y, v.avf, b),
                            (y, v.on_prop, py),
                        ];
                        found.push(((x, v.sco, y), "scm-avf1", premises));
                    }
                }
            }
        } else {
            // a ⊑ b as properties: ∃a.C ⊑ ∃b.C, ∀b.C ⊑ ∀a.C, (a value i) ⊑ (b value i).
            let pairs = |m: &FxHashMap<u32, Vec<(u32, u32)>>| -> Vec<(u32, u32, u32)> {
                let mut out = Vec::new();
                for &(x, cx) in m.get(&a).into_iter().flatten() {
                    for &(y, cy) in m.get(&b).into_iter().flatten() {
                        if cx == cy && x != y {
                            out.push((x, y, cx));
                        }
                    }
                }
                out
            };
            for (x, y, c) in pairs(&tables.svf_by_prop) {
                let premises = [
                    (x, v.svf, c),
                    (x, v.on_prop, a),
                    (y, v.svf, c),
                    (y, v.on_prop, b),
                ];
                found.push(((x, v.sco, y), "scm-svf2", premises));
            }
            for (x, y, c) in pairs(&tables.avf_by_prop) {
                let premises = [
                    (x, v.avf, c),
                    (x, v.on_prop, a),
                    (y, v.avf, c),
                    (y, v.on_prop, b),
                ];
                found.push(((y, v.sco, x), "scm-avf2", premises));
            }
            for (x, y, i) in pairs(&tables.hv_by_prop) {
                let premises = [
                    (x, v.has_value, i),
                    (x, v.on_prop, a),
                    (y, v.has_value, i),
                    (y, v.on_prop, b),
                ];
                found.push(((x, v.sco, y), "scm-hv", premises));
            }
        }
        for (derived, rule, premises) in found {
            let mut all = vec![t];
            all.extend(premises);
            self.derive(derived, rule, &all);
        }
    }

    fn compile_tables(&mut self) {
        let v = self.v;
        let mut t = Tables::default();
        for (r, p) in self.pairs(v.on_prop) {
            for c in self.objects(r, v.svf) {
                t.svf_by_prop.entry(p).or_default().push((r, c));
                t.svf_by_filler.entry(c).or_default().push((r, p));
            }
            for value in self.objects(r, v.has_value) {
                t.hv_by_restriction.entry(r).or_default().push((p, value));
                t.hv_by_prop.entry(p).or_default().push((r, value));
            }
            for c in self.objects(r, v.avf) {
                t.avf_by_restriction.entry(r).or_default().push((p, c));
                t.avf_by_prop.entry(p).or_default().push((r, c));
                t.avf_by_filler.entry(c).or_default().push((r, p));
            }
        }
        for (c, l) in self.pairs(v.inter) {
            let members = self.list(l);
            for m in &members {
                t.conjunct_of.entry(*m).or_default().push(c);
            }
            t.intersections.insert(c, members);
        }
        for (c, l) in self.pairs(v.union) {
            for m in self.list(l) {
                t.union_of.entry(m).or_default().push(c);
            }
        }
        for (q, l) in self.pairs(v.chain) {
            let steps = self.list(l);
            if !steps.is_empty() {
                t.chains.push((q, steps));
            }
        }
        self.tables = t;
    }

    /// Every entailed triple that is not asserted, in N-Triples order.
    pub fn inferred(&self) -> Vec<Triple> {
        let mut out = Vec::with_capacity(self.inferred_len());
        self.for_each_inferred(|t| out.push(t));
        out.sort_by_cached_key(ToString::to_string);
        out
    }

    /// Every entailed triple that is not asserted, in no particular order, one at a time.
    pub fn for_each_inferred(&self, mut each: impl FnMut(Triple)) {
        for t in self.facts.iter().filter(|t| !self.asserted.contains(t)) {
            each(self.triple(*t));
        }
    }

    /// A triple of a previous materialisation: not a premise, only compared with at the end.
    pub fn insert_previous(&mut self, triple: impl Into<Triple>) {
        let t = self.intern(triple);
        self.previous.insert(t);
    }

    /// What changed since the previous materialisation: entailments that are new, and previous
    /// ones that no longer are (no longer entailed, or asserted now).
    pub fn changes(&self) -> (Vec<Triple>, Vec<Triple>) {
        let added = self
            .origin
            .iter()
            .filter(|(t, (rule, _))| {
                *rule != PREVIOUSLY_INFERRED
                    && !self.asserted.contains(t)
                    && !self.previous.contains(t)
            })
            .map(|(t, _)| self.triple(*t))
            .collect();
        let removed = self
            .previous
            .iter()
            .filter(|t| !self.facts.contains(t) || self.asserted.contains(t))
            .map(|t| self.triple(*t))
            .collect();
        (added, removed)
    }

    pub fn inferred_len(&self) -> usize {
        self.facts.len() - self.asserted.len()
    }

    pub fn asserted_len(&self) -> usize {
        self.asserted.len()
    }

    pub fn is_asserted(&self, triple: TripleRef<'_>) -> bool {
        self.lookup(triple)
            .is_some_and(|t| self.asserted.contains(&t))
    }

    pub fn holds(&self, triple: TripleRef<'_>) -> bool {
        self.lookup(triple).is_some_and(|t| self.facts.contains(&t))
    }

    /// How a triple follows, down to asserted triples; `None` when it does not hold.
    pub fn explain(&self, triple: TripleRef<'_>) -> Option<Explanation> {
        let t = self.lookup(triple)?;
        self.facts.contains(&t).then(|| self.explain_id(t))
    }

    fn explain_id(&self, t: T) -> Explanation {
        if self.asserted.contains(&t) {
            return Explanation::Asserted(self.triple(t));
        }
        match self.origin.get(&t) {
            Some((rule, premises)) => Explanation::Inferred {
                triple: self.triple(t),
                rule,
                premises: premises.iter().map(|p| self.explain_id(*p)).collect(),
            },
            None => Explanation::Asserted(self.triple(t)),
        }
    }

    pub fn inconsistencies(&self) -> &[Inconsistency] {
        &self.inconsistencies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};

    fn reason(profile: Profile, ttl: &str) -> Reasoner {
        let mut r = Reasoner::new(profile);
        let text = format!(
            "@prefix : <http://e/> . @prefix rdfs: <{RDFS}> . @prefix owl: <{OWL}> . @prefix rdf: <{RDF}> .\n{ttl}"
        );
        for q in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
            let t = Triple::from(q.unwrap());
            r.insert(t.as_ref());
        }
        r.run();
        r
    }

    fn holds(r: &Reasoner, s: &str, p: &str, o: &str) -> bool {
        let n = |x: &str| {
            NamedNode::new_unchecked(if x.starts_with("http") {
                x.to_owned()
            } else {
                format!("http://e/{x}")
            })
        };
        let p = if p == "a" {
            format!("{RDF}type")
        } else {
            p.to_owned()
        };
        r.holds(Triple::new(n(s), n(&p), n(o)).as_ref())
    }

    #[test]
    fn rdfs_subclass_domain_range() {
        let r = reason(Profile::Rdfs, ":A rdfs:subClassOf :B . :B rdfs:subClassOf :C . :x a :A . :p rdfs:domain :D ; rdfs:range :E . :y :p :z . :y :q \"lit\" . :q rdfs:range :E .");
        assert!(holds(&r, "x", "a", "C"));
        assert!(holds(&r, "y", "a", "D") && holds(&r, "z", "a", "E"));
        assert!(r.inconsistencies().is_empty());
        assert!(!holds(
            &r,
            "x",
            "a",
            "http://www.w3.org/2000/01/rdf-schema#Resource"
        ));
    }

    #[test]
    fn owl_properties_and_classes() {
        let r = reason(Profile::OwlRl, ":p owl:inverseOf :q . :a :p :b . :t a owl:TransitiveProperty . :a :t :b . :b :t :c . :c :t :d .
            :s a owl:SymmetricProperty . :a :s :b . :C owl:equivalentClass [ owl:intersectionOf ( :P [ a owl:Restriction ; owl:onProperty :h ; owl:someValuesFrom :D ] ) ] .
            :k a :P ; :h :m . :m a :D . :U owl:unionOf ( :X :Y ) . :u a :Y .
            :R owl:onProperty :col ; owl:hasValue :red . :w :col :red . :V owl:onProperty :f ; owl:allValuesFrom :F . :g a :V ; :f :n .
            :pc owl:propertyChainAxiom ( :p1 :p2 ) . :i :p1 :j . :j :p2 :l . :e1 owl:sameAs :e2 . :e1 :p3 :v .");
        assert!(holds(&r, "b", "q", "a"));
        assert!(holds(&r, "a", "t", "d"));
        assert!(holds(&r, "b", "s", "a"));
        assert!(holds(&r, "k", "a", "C"));
        assert!(holds(&r, "u", "a", "U"));
        assert!(holds(&r, "w", "a", "R"));
        assert!(holds(&r, "n", "a", "F"));
        assert!(holds(&r, "i", "pc", "l"));
        assert!(holds(&r, "e2", "p3", "v") && holds(&r, "e2", &format!("{OWL}sameAs"), "e1"));
    }

    #[test]
    fn restrictions_are_subsumed_through_their_fillers_and_properties() {
        // LUBM's pattern: a research assistant works for some research group, so is an employee.
        let r = reason(Profile::OwlRl, ":RA rdfs:subClassOf :Person , [ owl:onProperty :worksFor ; owl:someValuesFrom :Group ] .
            :Group rdfs:subClassOf :Org .
            :Employee owl:intersectionOf ( :Person [ owl:onProperty :worksFor ; owl:someValuesFrom :Org ] ) .
            :x a :RA .
            :headOf rdfs:subPropertyOf :worksFor . :Head owl:equivalentClass [ owl:onProperty :headOf ; owl:someValuesFrom :Org ] .
            :W owl:equivalentClass [ owl:onProperty :worksFor ; owl:someValuesFrom :Org ] . :h a :Head .
            :R1 owl:equivalentClass [ owl:onProperty :colour ; owl:hasValue :red ] . :shade rdfs:subPropertyOf :colour .
            :R2 owl:equivalentClass [ owl:onProperty :shade ; owl:hasValue :red ] . :c a :R2 .
            :A1 owl:equivalentClass [ owl:onProperty :worksFor ; owl:allValuesFrom :Group ] .
            :A2 owl:equivalentClass [ owl:onProperty :worksFor ; owl:allValuesFrom :Org ] . :y a :A1 .
            :A3 owl:equivalentClass [ owl:onProperty :headOf ; owl:allValuesFrom :Org ] . :z a :A2 .");
        assert!(holds(&r, "x", "a", "Employee"), "scm-svf1");
        assert!(holds(&r, "h", "a", "W"), "scm-svf2");
        assert!(holds(&r, "c", "a", "R1"), "scm-hv");
        assert!(holds(&r, "y", "a", "A2"), "scm-avf1");
        assert!(holds(&r, "z", "a", "A3"), "scm-avf2");
        assert!(!holds(&r, "z", "a", "A1"));
    }

    #[test]
    fn inconsistencies_are_reported_not_inferred() {
        let r = reason(Profile::OwlRl, ":A owl:disjointWith :B . :x a :A , :B . :y a owl:Nothing . :a owl:sameAs :b . :a owl:differentFrom :b . :p a owl:IrreflexiveProperty . :z :p :z .");
        let rules: Vec<&str> = r.inconsistencies().iter().map(|i| i.rule).collect();
        for rule in ["cax-dw", "cls-nothing2", "eq-diff1", "prp-irp"] {
            assert!(rules.contains(&rule), "{rule} in {rules:?}");
        }
    }

    #[test]
    fn explanations_go_down_to_asserted_triples() {
        let r = reason(
            Profile::OwlRl,
            ":w owl:inverseOf :e . :e rdfs:domain :O . :O rdfs:subClassOf :A . :al :w :i .",
        );
        let Some(Explanation::Inferred { rule, premises, .. }) = r.explain(
            Triple::new(
                NamedNode::new_unchecked("http://e/i"),
                NamedNode::new_unchecked(format!("{RDF}type")),
                NamedNode::new_unchecked("http://e/A"),
            )
            .as_ref(),
        ) else {
            panic!()
        };
        assert_eq!(rule, "cax-sco");
        let text = format!("{premises:?}");
        assert!(
            text.contains("prp-dom") && text.contains("prp-inv"),
            "{text}"
        );
    }

    #[test]
    fn incremental_runs_reach_the_same_closure() {
        let all = reason(
            Profile::OwlRl,
            ":p owl:inverseOf :q . :A rdfs:subClassOf :B . :a :p :b . :b a :A . :c :p :d .",
        );
        let mut r = Reasoner::new(Profile::OwlRl);
        let text = format!("@prefix : <http://e/> . @prefix rdfs: <{RDFS}> . @prefix owl: <{OWL}> . :p owl:inverseOf :q . :A rdfs:subClassOf :B . :a :p :b .");
        for q in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
            r.insert(Triple::from(q.unwrap()).as_ref());
        }
        r.run();
        let more = "@prefix : <http://e/> . :b a :A . :c :p :d .";
        for q in RdfParser::from_format(RdfFormat::Turtle).for_slice(more.as_bytes()) {
            r.insert(Triple::from(q.unwrap()).as_ref());
        }
        r.run();
        assert_eq!(r.inferred(), all.inferred());
    }
}
