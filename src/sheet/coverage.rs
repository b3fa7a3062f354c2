//! Coverage: which mentions of a document the quotes of its sheet cover.
//!
//! A mention is covered when a quote's text contains it, or when it stands inside a place where a
//! quote occurs in the document. Whitespace runs count as one space on both sides, as in the
//! evidence check (`ingest::evidence`), since documents wrap lines where quotes do not.

use super::mentions::Mention;

/// For each mention, whether some quote covers it.
pub fn covered(text: &str, mentions: &[Mention], quotes: &[&str]) -> Vec<bool> {
    let folded = Folded::new(text);
    let quotes: Vec<String> = quotes
        .iter()
        .map(|q| fold(q))
        .filter(|q| !q.is_empty())
        .collect();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for q in &quotes {
        for (at, _) in folded.text.match_indices(q.as_str()) {
            spans.push(folded.original(at, at + q.len()));
        }
    }
    mentions
        .iter()
        .map(|m| {
            let needle = fold(&m.text);
            spans.iter().any(|(s, e)| m.start >= *s && m.start < *e)
                || quotes.iter().any(|q| q.contains(&needle))
        })
        .collect()
}

/// Whitespace runs folded to one space, the ends trimmed.
pub fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folded text that remembers where each of its bytes came from.
struct Folded {
    text: String,
    /// For each byte of `text`: the original start and end of the character (or whitespace run) it stands for.
    from: Vec<(usize, usize)>,
}

impl Folded {
    fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut from = Vec::with_capacity(original.len());
        let mut pending_space: Option<(usize, usize)> = None;
        for (i, c) in original.char_indices() {
            let end = i + c.len_utf8();
            if c.is_whitespace() {
                pending_space = Some(pending_space.map_or((i, end), |(s, _)| (s, end)));
                continue;
            }
            if let Some(space) = pending_space.take() {
                if !text.is_empty() {
                    text.push(' ');
                    from.push(space);
                }
            }
            text.push(c);
            from.extend(std::iter::repeat_n((i, end), c.len_utf8()));
        }
        Self { text, from }
    }

    /// The original byte range of a folded range.
    fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.from.get(start).map_or(0, |r| r.0);
        let e = end
            .checked_sub(1)
            .and_then(|i| self.from.get(i))
            .map_or(s, |r| r.1);
        (s, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::mentions::scan;

    #[test]
    fn quotes_cover_by_text_and_by_place() {
        let text = "Es sollen 200 Milliarden\n  Dollar investiert werden. Dann 5 Mio. Euro.";
        let mentions = scan(text, "de");
        assert_eq!(mentions.len(), 2);
        assert_eq!(
            covered(
                text,
                &mentions,
                &["sollen 200 Milliarden Dollar investiert"]
            ),
            [true, false]
        );
        assert_eq!(covered(text, &mentions, &["5 Mio. Euro"]), [false, true]);
        assert_eq!(covered(text, &mentions, &[]), [false, false]);
    }
}
