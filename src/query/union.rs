//! kg's default graph on an engine whose own union is not what kg means: the merge of every
//! graph as a set (Oxigraph's `union-default-graph` repeats a triple once per graph holding it;
//! Virtuoso's default graph also holds its system graphs; other engines differ).
//!
//! The query's algebra is rewritten so that each triple pattern of the default graph matches the
//! set of triples of the chosen graphs: `{ SELECT DISTINCT vars { { tp } UNION { GRAPH ?g { tp } } } }`
//! (or `GRAPH ?g { tp } VALUES ?g { … }` over a list of graphs). Blank nodes of the patterns become
//! variables first, so the patterns still join on them; sequence paths become joins of their steps,
//! so a path may cross graphs as in a merge; `EXISTS` patterns are rewritten too. Patterns inside
//! `GRAPH` and `SERVICE` are left as written. It costs the engine a distinct per pattern, so `Remote` uses it only where
//! needed: when some triple is in two graphs, or always on an engine that cannot be told.

use oxigraph::model::{NamedNode, Variable};
use spargebra::algebra::{Expression, GraphPattern, PropertyPathExpression};
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, TriplePattern};
use spargebra::{GraphUpdateOperation, Query, Update};

/// Which graphs make up kg's default graph on the engine.
pub(crate) enum Sources {
    /// The engine's own default graph and every named graph.
    DefaultAndNamed,
    /// These named graphs only: the engine's default graph is the union of every graph, with
    /// some kg leaves out (Virtuoso's system graphs).
    Graphs(Vec<NamedNode>),
    /// The engine's default graph is already the union of the right graphs, with a triple once
    /// per graph holding it (Oxigraph's own union, embedded): each pattern is made distinct.
    Copies,
}

impl Sources {
    /// Whether the engine's default graph already holds every chosen graph's triples.
    fn default_holds_all(&self) -> bool {
        !matches!(self, Sources::DefaultAndNamed)
    }
}

pub(crate) fn rewrite(query: Query, sources: &Sources) -> Query {
    let mut r = Rewriter::new(sources);
    match query {
        Query::Select {
            dataset,
            pattern,
            base_iri,
        } => Query::Select {
            dataset,
            pattern: r.pattern(pattern),
            base_iri,
        },
        Query::Construct {
            template,
            dataset,
            pattern,
            base_iri,
        } => Query::Construct {
            template,
            dataset,
            pattern: r.pattern(pattern),
            base_iri,
        },
        Query::Describe {
            dataset,
            pattern,
            base_iri,
        } => Query::Describe {
            dataset,
            pattern: r.pattern(pattern),
            base_iri,
        },
        Query::Ask {
            dataset,
            pattern,
            base_iri,
        } => Query::Ask {
            dataset,
            pattern: r.pattern(pattern),
            base_iri,
        },
    }
}

/// An update whose `WHERE` clauses read kg's default graph, rewritten as `rewrite` does queries.
/// Operations that name their dataset (`USING`, `WITH`) are left as written.
pub(crate) fn rewrite_update(update: Update, sources: &Sources) -> Update {
    let operations = update
        .operations
        .into_iter()
        .map(|op| match op {
            GraphUpdateOperation::DeleteInsert {
                delete,
                insert,
                using: None,
                pattern,
            } => {
                let mut r = Rewriter::new(sources);
                GraphUpdateOperation::DeleteInsert {
                    delete,
                    insert,
                    using: None,
                    pattern: Box::new(r.pattern(*pattern)),
                }
            }
            other => other,
        })
        .collect();
    Update {
        operations,
        ..update
    }
}

/// Whether an update writes something that depends on how many times a `WHERE` solution
/// repeats: an aggregate, a slice or `REDUCED` in the pattern, or a blank node in the template (a
/// fresh one per solution). Anything else writes the same set of triples whatever the copies.
pub(crate) fn counts_copies(update: &Update) -> bool {
    update.operations.iter().any(|op| match op {
        GraphUpdateOperation::DeleteInsert {
            insert,
            using: None,
            pattern,
            ..
        } => {
            insert.iter().any(|q| {
                matches!(q.subject, TermPattern::BlankNode(_))
                    || matches!(q.object, TermPattern::BlankNode(_))
            }) || counts_in(pattern)
        }
        _ => false,
    })
}

fn counts_in(p: &GraphPattern) -> bool {
    use GraphPattern as G;
    match p {
        G::Group { .. } | G::Slice { .. } | G::Reduced { .. } => true,
        G::Join { left, right }
        | G::LeftJoin { left, right, .. }
        | G::Lateral { left, right }
        | G::Union { left, right }
        | G::Minus { left, right } => counts_in(left) || counts_in(right),
        G::Filter { inner, .. }
        | G::Extend { inner, .. }
        | G::OrderBy { inner, .. }
        | G::Project { inner, .. }
        | G::Distinct { inner }
        | G::Graph { inner, .. }
        | G::Service { inner, .. } => counts_in(inner),
        G::Bgp { .. } | G::Path { .. } | G::Values { .. } => false,
    }
}

struct Rewriter<'a> {
    sources: &'a Sources,
    fresh: usize,
    /// Blank node label → its variable. The parser names blank nodes uniquely in a query (also
    /// the ones it makes for sequence paths), so one table serves the whole query.
    blanks: std::collections::HashMap<String, Variable>,
    /// Inside an `EXISTS` on an engine whose default graph holds every graph: blank nodes still
    /// become variables and sequences joins (what the engine accepts), but no pattern is wrapped.
    plain: bool,
}

impl<'a> Rewriter<'a> {
    fn new(sources: &'a Sources) -> Self {
        Rewriter {
            sources,
            fresh: 0,
            blanks: Default::default(),
            plain: false,
        }
    }

    fn fresh(&mut self) -> Variable {
        self.fresh += 1;
        Variable::new_unchecked(format!("_kg_v{}", self.fresh))
    }

    fn pattern(&mut self, p: GraphPattern) -> GraphPattern {
        use GraphPattern as G;
        let b = |p: GraphPattern| Box::new(p);
        match p {
            G::Bgp { patterns } => self.bgp(patterns),
            G::Path {
                subject,
                path,
                object,
            } => self.path(subject, path, object),
            G::Join { left, right } => G::Join {
                left: b(self.pattern(*left)),
                right: b(self.pattern(*right)),
            },
            G::LeftJoin {
                left,
                right,
                expression,
            } => G::LeftJoin {
                left: b(self.pattern(*left)),
                right: b(self.pattern(*right)),
                expression: expression.map(|e| self.expression(e)),
            },
            G::Lateral { left, right } => G::Lateral {
                left: b(self.pattern(*left)),
                right: b(self.pattern(*right)),
            },
            G::Filter { expr, inner } => G::Filter {
                expr: self.expression(expr),
                inner: b(self.pattern(*inner)),
            },
            G::Union { left, right } => G::Union {
                left: b(self.pattern(*left)),
                right: b(self.pattern(*right)),
            },
            G::Extend {
                inner,
                variable,
                expression,
            } => G::Extend {
                inner: b(self.pattern(*inner)),
                variable,
                expression: self.expression(expression),
            },
            G::Minus { left, right } => G::Minus {
                left: b(self.pattern(*left)),
                right: b(self.pattern(*right)),
            },
            G::OrderBy { inner, expression } => G::OrderBy {
                inner: b(self.pattern(*inner)),
                expression,
            },
            G::Project { inner, variables } => G::Project {
                inner: b(self.pattern(*inner)),
                variables,
            },
            G::Distinct { inner } => G::Distinct {
                inner: b(self.pattern(*inner)),
            },
            G::Reduced { inner } => G::Reduced {
                inner: b(self.pattern(*inner)),
            },
            G::Slice {
                inner,
                start,
                length,
            } => G::Slice {
                inner: b(self.pattern(*inner)),
                start,
                length,
            },
            G::Group {
                inner,
                variables,
                aggregates,
            } => G::Group {
                inner: b(self.pattern(*inner)),
                variables,
                aggregates,
            },
            // GRAPH names its graph; SERVICE is another engine's business; VALUES has no pattern.
            other => other,
        }
    }

    /// `EXISTS` patterns inside an expression see kg's default graph too.
    fn expression(&mut self, e: Expression) -> Expression {
        use Expression as E;
        if let E::Exists(p) = e {
            // Existence does not count copies: on an engine whose default graph already holds
            // every graph the pattern is not wrapped (Virtuoso does not correlate an outer
            // variable into the rewritten subqueries there, and answers nothing).
            let outer = self.plain;
            self.plain = outer || self.sources.default_holds_all();
            let p = self.pattern(*p);
            self.plain = outer;
            return E::Exists(Box::new(p));
        }
        let mut b = |e: Box<Expression>| Box::new(self.expression(*e));
        match e {
            E::Or(l, r) => E::Or(b(l), b(r)),
            E::And(l, r) => E::And(b(l), b(r)),
            E::Equal(l, r) => E::Equal(b(l), b(r)),
            E::SameTerm(l, r) => E::SameTerm(b(l), b(r)),
            E::Greater(l, r) => E::Greater(b(l), b(r)),
            E::GreaterOrEqual(l, r) => E::GreaterOrEqual(b(l), b(r)),
            E::Less(l, r) => E::Less(b(l), b(r)),
            E::LessOrEqual(l, r) => E::LessOrEqual(b(l), b(r)),
            E::Add(l, r) => E::Add(b(l), b(r)),
            E::Subtract(l, r) => E::Subtract(b(l), b(r)),
            E::Multiply(l, r) => E::Multiply(b(l), b(r)),
            E::Divide(l, r) => E::Divide(b(l), b(r)),
            E::UnaryPlus(x) => E::UnaryPlus(b(x)),
            E::UnaryMinus(x) => E::UnaryMinus(b(x)),
            E::Not(x) => E::Not(b(x)),
            E::If(c, t, f) => E::If(b(c), b(t), b(f)),
            E::In(x, list) => {
                let x = b(x);
                E::In(x, list.into_iter().map(|e| self.expression(e)).collect())
            }
            E::Coalesce(list) => {
                E::Coalesce(list.into_iter().map(|e| self.expression(e)).collect())
            }
            E::FunctionCall(f, args) => {
                E::FunctionCall(f, args.into_iter().map(|e| self.expression(e)).collect())
            }
            other => other,
        }
    }

    /// Blank nodes join the patterns of their group: as variables they still do once the
    /// patterns are apart (a label may not appear in two groups).
    fn term(&mut self, t: TermPattern) -> TermPattern {
        match t {
            TermPattern::BlankNode(b) => {
                if let Some(v) = self.blanks.get(b.as_str()) {
                    return TermPattern::Variable(v.clone());
                }
                let v = self.fresh();
                self.blanks.insert(b.as_str().to_owned(), v.clone());
                TermPattern::Variable(v)
            }
            other => other,
        }
    }

    fn bgp(&mut self, patterns: Vec<TriplePattern>) -> GraphPattern {
        let mut parts = Vec::with_capacity(patterns.len());
        for tp in patterns {
            let subject = self.term(tp.subject);
            let object = self.term(tp.object);
            parts.push(self.set_of(GraphPattern::Bgp {
                patterns: vec![TriplePattern {
                    subject,
                    predicate: tp.predicate,
                    object,
                }],
            }));
        }
        join_all(parts)
    }

    fn path(
        &mut self,
        subject: TermPattern,
        path: PropertyPathExpression,
        object: TermPattern,
    ) -> GraphPattern {
        let subject = self.term(subject);
        let object = self.term(object);
        match path {
            PropertyPathExpression::NamedNode(p) => self.bgp(vec![TriplePattern {
                subject,
                predicate: NamedNodePattern::NamedNode(p),
                object,
            }]),
            PropertyPathExpression::Reverse(inner) => self.path(object, *inner, subject),
            PropertyPathExpression::Sequence(first, second) => {
                let middle = TermPattern::Variable(self.fresh());
                let left = self.path(subject, *first, middle.clone());
                let right = self.path(middle, *second, object);
                GraphPattern::Join {
                    left: Box::new(left),
                    right: Box::new(right),
                }
            }
            // `*`, `+` and `?` paths answer each pair once whatever the copies, so on an engine
            // whose default graph already holds every graph they run there as written, and may
            // cross graphs as in a merge.
            closure @ (PropertyPathExpression::ZeroOrMore(_)
            | PropertyPathExpression::OneOrMore(_)
            | PropertyPathExpression::ZeroOrOne(_))
                if self.sources.default_holds_all() =>
            {
                GraphPattern::Path {
                    subject,
                    path: closure,
                    object,
                }
            }
            other => self.set_of(GraphPattern::Path {
                subject,
                path: other,
                object,
            }),
        }
    }

    /// The distinct answers of `inner` over kg's default graph.
    fn set_of(&mut self, inner: GraphPattern) -> GraphPattern {
        if self.plain {
            return inner;
        }
        let mut variables = Vec::new();
        inner.on_in_scope_variable(|v| {
            if !variables.contains(v) {
                variables.push(v.clone());
            }
        });
        let union = match self.sources {
            // One triple pattern's solution names its triple: distinct solutions, distinct triples.
            Sources::Copies => inner,
            Sources::DefaultAndNamed => {
                let in_graph = GraphPattern::Graph {
                    name: NamedNodePattern::Variable(self.fresh()),
                    inner: Box::new(inner.clone()),
                };
                GraphPattern::Union {
                    left: Box::new(inner),
                    right: Box::new(in_graph),
                }
            }
            Sources::Graphs(graphs) => {
                let graph = self.fresh();
                GraphPattern::Join {
                    left: Box::new(GraphPattern::Values {
                        variables: vec![graph.clone()],
                        bindings: graphs
                            .iter()
                            .map(|g| vec![Some(GroundTerm::NamedNode(g.clone()))])
                            .collect(),
                    }),
                    right: Box::new(GraphPattern::Graph {
                        name: NamedNodePattern::Variable(graph),
                        inner: Box::new(inner),
                    }),
                }
            }
        };
        GraphPattern::Distinct {
            inner: Box::new(GraphPattern::Project {
                inner: Box::new(union),
                variables,
            }),
        }
    }
}

fn join_all(parts: Vec<GraphPattern>) -> GraphPattern {
    parts
        .into_iter()
        .reduce(|left, right| GraphPattern::Join {
            left: Box::new(left),
            right: Box::new(right),
        })
        .unwrap_or(GraphPattern::Bgp {
            patterns: Vec::new(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(text: &str, sources: &Sources) -> String {
        let q = spargebra::SparqlParser::new().parse_query(text).unwrap();
        rewrite(q, sources).to_string()
    }

    #[test]
    fn each_pattern_matches_a_set_and_reparses() {
        let text = rewritten(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://x/C> ; <http://x/p> [ <http://x/q> ?o ] }",
            &Sources::DefaultAndNamed,
        );
        assert_eq!(text.matches("DISTINCT").count(), 3, "{text}");
        assert!(text.contains("GRAPH ?_kg_v"), "{text}");
        // The blank node became one variable shared by two patterns.
        assert!(
            spargebra::SparqlParser::new().parse_query(&text).is_ok(),
            "{text}"
        );
    }

    #[test]
    fn sequence_paths_cross_graphs_and_graph_patterns_stay() {
        let text = rewritten(
            "SELECT * WHERE { ?r a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <http://x/F> GRAPH ?g { ?r ?p ?o } }",
            &Sources::Graphs(vec![NamedNode::new_unchecked("http://x/g1")]),
        );
        assert!(text.contains("VALUES"), "{text}");
        assert!(text.contains("GRAPH ?g"), "{text}");
        assert!(
            spargebra::SparqlParser::new().parse_query(&text).is_ok(),
            "{text}"
        );
    }

    #[test]
    fn updates_are_rewritten_only_where_copies_change_what_is_written() {
        let parse = |t: &str| spargebra::SparqlParser::new().parse_update(t).unwrap();
        let counting = parse(
            "INSERT { <http://x/r> <http://x/n> ?n } WHERE { SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://x/C> } }",
        );
        assert!(counts_copies(&counting));
        let text = rewrite_update(counting, &Sources::Copies).to_string();
        assert_eq!(text.matches("DISTINCT").count(), 1, "{text}");
        assert!(!text.contains("GRAPH"), "{text}");
        assert!(
            spargebra::SparqlParser::new().parse_update(&text).is_ok(),
            "{text}"
        );
        assert!(counts_copies(&parse(
            "INSERT { [] <http://x/about> ?s } WHERE { ?s a <http://x/C> }"
        )));
        assert!(!counts_copies(&parse(
            "INSERT { ?s a <http://x/D> } WHERE { ?s a <http://x/C> }"
        )));
        // A dataset named by the update is its own business.
        assert!(!counts_copies(&parse(
            "INSERT { [] <http://x/about> ?s } USING <http://x/g> WHERE { ?s a <http://x/C> }"
        )));
    }
}
