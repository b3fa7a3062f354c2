//! Mentions: the amounts, percentages, counts, dates and years of a document, found by regular
//! expressions, each with where it stands and its value in full units.
//!
//! A mention is a checklist item for the sheet's author, not a fact: the scanner prefers listing
//! a number too many to missing one. Number words are read in the languages researchers meet
//! (Korean 조/억/만, Japanese and Chinese 兆/億/亿/万, Arabic مليار/مليون/تريليون, German Mio./Mrd./
//! Milliarden/Billionen, French, Spanish, English), digits in any script the [`super::number`]
//! module knows, with the decimal separator of the document's language when it is ambiguous.
//! Pure functions: text in, mentions out.

use super::number::{ascii_digits, Number, DIGIT};
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

/// What a mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Amount,
    Percentage,
    Count,
    Date,
    Year,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Amount => "amount",
            Kind::Percentage => "percentage",
            Kind::Count => "count",
            Kind::Date => "date",
            Kind::Year => "year",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a mention says, read into full units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A number or a range, with its unit: a currency code (`JPY`), `%`, or the counted noun.
    Quantity {
        low: Number,
        high: Option<Number>,
        unit: Option<String>,
    },
    /// A date as far as the text gives it: `2025-12-19`, `--12-17` (no year), `2026`.
    Date(String),
    /// Wording with no number to read: "수천억엔", "Friday", "last year"; the note says why.
    Vague(String),
}

/// One mention in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub kind: Kind,
    /// The mention's text, verbatim.
    pub text: String,
    /// Byte offsets in the document.
    pub start: usize,
    pub end: usize,
    /// 1-based line and column (in characters).
    pub line: u64,
    pub column: u64,
    pub value: Value,
    /// A few words before and after, on the same line.
    pub before: String,
    pub after: String,
}

impl Mention {
    /// The value in full units as a hint: `1000000000000 JPY`, `80–90 %`, `2025-12-19`.
    pub fn hint(&self) -> String {
        match &self.value {
            Value::Quantity { low, high, unit } => {
                let number = match high {
                    Some(h) => format!("{low}–{h}"),
                    None => low.to_string(),
                };
                match unit {
                    Some(u) => format!("{number} {u}"),
                    None => number,
                }
            }
            Value::Date(d) => d.clone(),
            Value::Vague(note) => note.clone(),
        }
    }
}

/// Every mention of the text in document order. `language` (a BCP 47 tag, may be empty) decides
/// what "1.500" and "billion" mean where the text alone does not.
pub fn scan(text: &str, language: &str) -> Vec<Mention> {
    let conventions = Conventions::of(language);
    let mut found: Vec<(usize, usize, Kind, Value)> = Vec::new();
    for (re, reader) in DATES.iter() {
        for caps in re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            if let Some(value) = reader(&caps, conventions) {
                push_if_free(&mut found, m.start(), m.end(), Kind::Date, value);
            }
        }
    }
    for m in VAGUE.find_iter(text) {
        let kind = if PERCENT_AT.is_match(&text[m.end()..]) {
            Kind::Percentage
        } else {
            Kind::Amount
        };
        let note = vague_note(m.as_str(), conventions);
        push_if_free(&mut found, m.start(), m.end(), kind, Value::Vague(note));
    }
    let mut pos = 0;
    while let Some(m) = NUMBER.find_at(text, pos) {
        pos = m.end().max(pos + 1);
        if found
            .iter()
            .any(|(s, e, ..)| m.start() < *e && *s < m.end())
        {
            continue;
        }
        if let Some((start, end, kind, value)) =
            read_quantity(text, m.start(), m.end(), conventions)
        {
            if !found.iter().any(|(s, e, ..)| start < *e && *s < end) {
                found.push((start, end, kind, value));
                pos = pos.max(end);
            }
        }
    }
    found.sort_by_key(|(s, e, ..)| (*s, *e));
    let lines = LineIndex::new(text);
    found
        .into_iter()
        .map(|(start, end, kind, value)| {
            let (line, column) = lines.locate(text, start);
            let (before, after) = context(text, start, end);
            Mention {
                kind,
                text: text[start..end].to_owned(),
                start,
                end,
                line,
                column,
                value,
                before,
                after,
            }
        })
        .collect()
}

fn push_if_free(
    found: &mut Vec<(usize, usize, Kind, Value)>,
    s: usize,
    e: usize,
    k: Kind,
    v: Value,
) {
    if !found.iter().any(|(fs, fe, ..)| s < *fe && *fs < e) {
        found.push((s, e, k, v));
    }
}

/// What a language writes that the digits do not say.
#[derive(Debug, Clone, Copy)]
struct Conventions {
    /// "1,5" is one and a half (German, French, Spanish, …) rather than "1.5" (English, Korean, Arabic, …).
    comma_decimal: bool,
    /// "billion" / "Billion" / "billón" is 10^12 (the long scale of continental Europe).
    long_scale: bool,
    /// "¥" is the yuan rather than the yen.
    chinese: bool,
    /// "12/19/2025" is month first.
    us_dates: bool,
}

impl Conventions {
    fn of(language: &str) -> Self {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let comma = [
            "de", "fr", "es", "it", "pt", "nl", "ru", "tr", "pl", "sv", "da", "nb", "no", "fi",
            "cs", "sk", "ro", "hu", "id", "uk", "el", "ca", "hr", "sl", "bg", "sr", "vi",
        ];
        let long = [
            "de", "fr", "es", "it", "nl", "pl", "sv", "da", "nb", "no", "fi", "cs", "sk", "ro",
            "hu", "ca", "hr", "sl", "sr",
        ];
        Self {
            comma_decimal: comma.contains(&primary.as_str()),
            long_scale: long.contains(&primary.as_str()),
            chinese: primary == "zh",
            us_dates: primary == "en",
        }
    }
}

// ---- Numbers --------------------------------------------------------------------------------

/// Small numbers written as words, which a count often uses ("fünf Pole", "three plants").
const NUMBER_WORDS: &[(&str, u128)] = &[
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("twenty", 20),
    ("dozen", 12),
    ("hundred", 100),
    ("zwei", 2),
    ("drei", 3),
    ("vier", 4),
    ("fünf", 5),
    ("sechs", 6),
    ("sieben", 7),
    ("acht", 8),
    ("neun", 9),
    ("zehn", 10),
    ("elf", 11),
    ("zwölf", 12),
    ("zwanzig", 20),
    ("hundert", 100),
    ("deux", 2),
    ("trois", 3),
    ("quatre", 4),
    ("cinq", 5),
    ("sept", 7),
    ("huit", 8),
    ("neuf", 9),
    ("dix", 10),
    ("onze", 11),
    ("douze", 12),
    ("vingt", 20),
    ("cent", 100),
    ("dos", 2),
    ("tres", 3),
    ("cuatro", 4),
    ("cinco", 5),
    ("seis", 6),
    ("siete", 7),
    ("ocho", 8),
    ("nueve", 9),
    ("diez", 10),
    ("once", 11),
    ("doce", 12),
    ("veinte", 20),
    ("cien", 100),
];

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    let words = NUMBER_WORDS
        .iter()
        .map(|(w, _)| *w)
        .collect::<Vec<_>>()
        .join("|");
    re(&format!(
        r"{DIGIT}+(?:[.,\x{{066B}}\x{{066C}}'’\x{{00A0}}\x{{202F}} ]{DIGIT}+)*|\b(?i:{words})\b"
    ))
});

/// A number token read with the language's conventions; `None` when the token is a list or a
/// code rather than one number (the caller then sees a shorter token).
fn read_number(token: &str, c: Conventions) -> Option<(Number, usize)> {
    let lower = token.to_lowercase();
    if let Some((_, n)) = NUMBER_WORDS.iter().find(|(w, _)| *w == lower) {
        return Some((Number::integer(*n), token.len()));
    }
    // Split into digit groups and the separators between them.
    let mut groups: Vec<(usize, usize)> = Vec::new(); // byte ranges of digit runs
    let mut start = None;
    for (i, ch) in token.char_indices() {
        let is_digit = super::number::digit_value(ch).is_some();
        match (is_digit, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                groups.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        groups.push((s, token.len()));
    }
    let sep_at = |k: usize| {
        token[groups[k - 1].1..groups[k].0]
            .chars()
            .next()
            .unwrap_or(' ')
    };
    let digits_in = |k: usize| token[groups[k].0..groups[k].1].chars().count();
    // Keep the longest prefix of groups that reads as one number.
    let mut last = 0;
    let mut decimal_at: Option<usize> = None;
    let seps: Vec<char> = (1..groups.len()).map(sep_at).collect();
    let has_dot = seps.contains(&'.');
    let has_comma = seps.contains(&',');
    for k in 1..groups.len() {
        let sep = seps[k - 1];
        let three = digits_in(k) == 3;
        let is_decimal = match sep {
            '\u{066B}' => true,
            '.' | ',' if decimal_at.is_none() => {
                let count = seps.iter().filter(|s| **s == sep).count();
                if has_dot && has_comma {
                    // Both: the last separator is the decimal one.
                    seps.iter().rposition(|s| *s == sep) == Some(k - 1)
                        && seps.iter().rposition(|s| *s == '.' || *s == ',') == Some(k - 1)
                } else if count > 1 {
                    false
                } else if !three {
                    true
                } else {
                    (sep == ',') == c.comma_decimal
                }
            }
            _ => false,
        };
        if is_decimal {
            if decimal_at.is_some() {
                break;
            }
            decimal_at = Some(k);
        } else if !three || decimal_at.is_some() || (sep == ' ' && !c.comma_decimal) {
            break;
        }
        last = k;
    }
    let int_end = decimal_at.map_or(last, |d| d - 1);
    let int: String = (0..=int_end)
        .map(|k| ascii_digits(&token[groups[k].0..groups[k].1]))
        .collect();
    let frac = decimal_at.map_or_else(String::new, |d| {
        ascii_digits(&token[groups[d].0..groups[d].1])
    });
    let number = Number::from_parts(&int, &frac)?;
    Some((number, groups[last].1))
}

/// Scale words after a number, with their power of ten. The long-scale words depend on the language.
fn scale_of(word: &str, c: Conventions) -> Option<u32> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    let w: String = w.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match w.as_str() {
        "조" | "兆" => 12,
        "억" | "億" | "亿" => 8,
        "만" | "万" | "萬" => 4,
        "천" | "千" => 3,
        "thousand" | "tausend" | "mille" | "mil" | "mila" | "ألف" | "آلاف" | "k" => 3,
        "lakh" | "lakhs" => 5,
        "crore" | "crores" => 7,
        "million" | "millions" | "millionen" | "mio" | "mn" | "m" | "millón" | "millon"
        | "millones" | "milione" | "milioni" | "milhão" | "milhões" | "مليون" | "ملايين" | "млн" => {
            6
        }
        "billion" | "billions" if !c.long_scale => 9,
        "milliarde" | "milliarden" | "mrd" | "milliard" | "milliards" | "md" | "mds" | "bn"
        | "b" | "mil millones" | "millardo" | "millardos" | "miliardo" | "miliardi" | "bilhão"
        | "bilhões" | "mil milhões" | "مليار" | "مليارات" | "بليون" | "млрд" => {
            9
        }
        "billion" | "billions" | "billionen" | "bio" | "billón" | "billon" | "billones"
        | "trillion" | "trillions" | "tn" | "trn" | "تريليون" | "تريليونات" | "трлн" => {
            12
        }
        _ => return None,
    })
}

static SCALE_AT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[ \x{00A0}\x{202F}]?(?:(?i:mio|mrd|bio|md|mds)\.|(?i:mil\s+millones|mil\s+milhões|thousand|tausend|mille|mil|mila|lakhs?|crores?|millions?|millionen|mio\b|mn\b|millón|millon|millones|milione|milioni|milhão|milhões|milliarden|milliarde|milliards?|mrd\b|mds?\b|bn\b|millardos?|miliardo|miliardi|bilhão|bilhões|billionen|billions?|billón|billon|billones|bio\b|trillions?|tn\b|trn\b|млн|млрд|трлн)\b|ألف|آلاف|مليون|ملايين|مليارات|مليار|بليون|تريليونات|تريليون)",
    )
});

/// Short scale letters only count right after a currency sign ("$5m", "€3bn").
static SHORT_SCALE_AT: LazyLock<Regex> = LazyLock::new(|| re(r"^(?i:[kmb])\b"));

static CJK_SCALE_AT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[ ]?([천백십千百十]?)(조|억|만|兆|億|亿|万|萬)?"));

/// Currencies: ISO code and the words and signs that name it, longest first when built.
const CURRENCIES: &[(&str, &[&str])] = &[
    (
        "USD",
        &[
            "US$",
            "US-Dollar",
            "dollars américains",
            "dollar américain",
            "dollars",
            "dollar",
            "Dollar",
            "dólares",
            "dólar",
            "dolares",
            "dolar",
            "달러화",
            "달러",
            "美元",
            "美金",
            "ドル",
            "دولارات",
            "دولارا",
            "دولار",
            "USD",
            "$",
        ],
    ),
    (
        "EUR",
        &[
            "euros",
            "euro",
            "Euro",
            "유로화",
            "유로",
            "欧元",
            "ユーロ",
            "يورو",
            "EUR",
            "€",
        ],
    ),
    (
        "JPY",
        &[
            "yens", "yen", "Yen", "엔화", "엔", "円", "日元", "日圆", "ينات", "ينا", "ين", "JPY",
            "¥", "￥",
        ],
    ),
    (
        "KRW",
        &[
            "won",
            "Won",
            "wons",
            "원화",
            "원",
            "韩元",
            "韓元",
            "ウォン",
            "وون",
            "KRW",
            "₩",
        ],
    ),
    (
        "CNY",
        &[
            "yuan",
            "renminbi",
            "위안화",
            "위안",
            "人民币",
            "元",
            "人民元",
            "يوان",
            "RMB",
            "CNY",
        ],
    ),
    (
        "GBP",
        &[
            "pounds sterling",
            "pound sterling",
            "pounds",
            "pound",
            "Pfund",
            "livres sterling",
            "libras esterlinas",
            "파운드",
            "ポンド",
            "英镑",
            "جنيه إسترليني",
            "GBP",
            "£",
        ],
    ),
    ("CHF", &["Franken", "francs suisses", "CHF"]),
    ("INR", &["rupees", "rupee", "₹", "INR"]),
    ("SAR", &["ريال", "riyals", "SAR"]),
    ("AED", &["درهم", "dirhams", "AED"]),
    ("TWD", &["新台币", "新台幣", "대만달러", "NT$", "TWD"]),
    ("HKD", &["港元", "港币", "HK$", "HKD"]),
];

fn currency_alternation() -> String {
    let mut names: Vec<&str> = CURRENCIES
        .iter()
        .flat_map(|(_, n)| n.iter().copied())
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names
        .iter()
        .map(|n| {
            let escaped = regex::escape(n);
            if n.chars().last().is_some_and(|c| c.is_ascii_alphabetic()) {
                format!(r"{escaped}\b")
            } else {
                escaped
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

static CURRENCY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^[ \x{{00A0}}\x{{202F}}]?(?:de\s+|of\s+|d['’]\s*)?(?:{})",
        currency_alternation()
    ))
});

static CURRENCY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:US\$|NT\$|HK\$|\$|€|¥|￥|₩|£|₹|\b(?:USD|EUR|JPY|KRW|CNY|RMB|GBP|CHF|INR))[ \x{00A0}]?$")
});

fn currency_code(name: &str, c: Conventions) -> &'static str {
    let name = name.trim();
    let name = name
        .strip_prefix("de ")
        .or_else(|| name.strip_prefix("of "))
        .or_else(|| name.strip_prefix("d'"))
        .or_else(|| name.strip_prefix("d’"))
        .unwrap_or(name)
        .trim();
    if matches!(name, "¥" | "￥") && c.chinese {
        return "CNY";
    }
    CURRENCIES
        .iter()
        .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        .map_or("?", |(code, _)| code)
}

static PERCENT_AT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[ \x{00A0}\x{202F}]?(?:%|％|٪|‰|(?i:percentage points|percent|per cent|prozentpunkte|prozent|pour cent|por ciento|por cento|per cento|procent)\b|퍼센트|프로|パーセント|في المائة|في المئة|بالمائة|بالمئة)",
    )
});

static RANGE_AT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:~|～|〜|-|–|—|(?i:bis|to|à|a|al|au)\b|إلى|에서)\s*"));

static COUNTER_AT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:개국|개사|개소|개|명|곳|건|회|대|척|가지|편|社|人|件|台|カ所|か所|ヶ所|か国|カ国|ヵ国|个|家|名|座|项|所)",
    )
});

static WORD_AT: LazyLock<Regex> = LazyLock::new(|| re(r"^[ \x{00A0}]?([\p{L}][\p{L}\p{M}\-]*)"));

/// Words after a number that are not the thing counted.
const NOT_NOUNS: &[&str] = &[
    "bis", "to", "and", "und", "or", "oder", "et", "ou", "y", "o", "of", "von", "de", "del", "des",
    "du", "la", "le", "les", "the", "der", "die", "das", "zum", "zur", "in", "im", "en", "à", "a",
    "al", "para", "für", "for", "per", "pro", "mit", "with", "from", "auf", "at",
];

/// Reads a quantity from the number token at `start..end`: its range, scale words, currency,
/// percent sign or counted noun. `None` when the token is part of a word or code ("H100", "5G").
fn read_quantity(
    text: &str,
    start: usize,
    token_end: usize,
    c: Conventions,
) -> Option<(usize, usize, Kind, Value)> {
    let prev = text[..start].chars().next_back();
    if prev.is_some_and(|p| p.is_ascii_alphabetic() || p == '#' || p == '_' || p == '/') {
        return None;
    }
    let (mut low, len) = read_number(&text[start..token_end], c)?;
    let mut end = start + len;
    let plain_digits = text[start..end]
        .chars()
        .all(|ch| super::number::digit_value(ch).is_some());
    let digit_count = text[start..end].chars().count();
    // A currency sign or code before the number.
    let window_start = floor_boundary(text, start.saturating_sub(12));
    let mut start = start;
    let mut currency: Option<&'static str> = None;
    if let Some(m) = CURRENCY_BEFORE.find(&text[window_start..start]) {
        currency = Some(currency_code(m.as_str().trim(), c));
        start = window_start + m.start();
    }
    // A range: "80~90%", "1,5 bis 2 Milliarden Euro"; kept only if a unit follows.
    let mut high: Option<Number> = None;
    if let Some(r) = RANGE_AT.find(&text[end..]) {
        let second_at = end + r.end();
        if let Some(m) = NUMBER
            .find_at(text, second_at)
            .filter(|m| m.start() == second_at)
        {
            if let Some((h, hlen)) = read_number(m.as_str(), c) {
                let after = second_at + hlen;
                let rest = &text[after..];
                if PERCENT_AT.is_match(rest)
                    || CURRENCY_AFTER.is_match(rest)
                    || SCALE_AT.is_match(rest)
                    || scale_cjk(rest)
                {
                    high = Some(h);
                    end = after;
                }
            }
        }
    }
    // Scale words: CJK (with combinations such as "1조 2000억", "9조 5000억원") or Latin/Arabic.
    let mut scaled = false;
    let mut total: Option<(Number, Option<Number>)> = None;
    let mut magnitude = u32::MAX;
    while let Some(caps) = CJK_SCALE_AT.captures(&text[end..]) {
        let sub = caps.get(1).map_or("", |m| m.as_str());
        let Some(unit) = caps.get(2) else {
            break;
        };
        let sub_pow = match sub {
            "천" | "千" => 3,
            "백" | "百" => 2,
            "십" | "十" => 1,
            _ => 0,
        };
        let pow = scale_of(unit.as_str(), c)?;
        if pow >= magnitude {
            break;
        }
        magnitude = pow;
        let scale = |n: Number| n.times_pow10(pow + sub_pow);
        let part = (
            scale(low)?,
            match high {
                Some(h) => Some(scale(h)?),
                None => None,
            },
        );
        total = Some(match total {
            None => part,
            Some((t, th)) => (
                t.plus(part.0)?,
                match (th, part.1) {
                    (Some(a), Some(b)) => Some(a.plus(b)?),
                    (a, _) => a,
                },
            ),
        });
        end += caps.get(0).map_or(0, |m| m.end());
        scaled = true;
        // Another number with a smaller unit may follow: "1조 2000억".
        let next_at = end + text[end..].len() - text[end..].trim_start_matches(' ').len();
        let Some(m) = NUMBER
            .find_at(text, next_at)
            .filter(|m| m.start() == next_at)
        else {
            break;
        };
        let Some((n, nlen)) = read_number(m.as_str(), c) else {
            break;
        };
        let after = next_at + nlen;
        let Some(next) = CJK_SCALE_AT.captures(&text[after..]) else {
            break;
        };
        match next.get(2).and_then(|u| scale_of(u.as_str(), c)) {
            Some(p) if p < magnitude => {
                low = n;
                high = None;
                end = after;
            }
            _ => break,
        }
    }
    if let Some((t, th)) = total {
        low = t;
        high = th;
    } else if let Some(m) = SCALE_AT.find(&text[end..]) {
        if let Some(pow) = scale_of(m.as_str().trim(), c) {
            low = low.times_pow10(pow)?;
            high = match high {
                Some(h) => Some(h.times_pow10(pow)?),
                None => None,
            };
            end += m.end();
            scaled = true;
        }
    } else if currency.is_some() {
        if let Some(m) = SHORT_SCALE_AT.find(&text[end..]) {
            if let Some(pow) = scale_of(m.as_str(), c) {
                low = low.times_pow10(pow)?;
                high = match high {
                    Some(h) => Some(h.times_pow10(pow)?),
                    None => None,
                };
                end += m.end();
                scaled = true;
            }
        }
    }
    let quantity = |unit: Option<String>| Value::Quantity { low, high, unit };
    if currency.is_none() {
        if let Some(m) = CURRENCY_AFTER.find(&text[end..]) {
            currency = Some(currency_code(m.as_str(), c));
            end += m.end();
        }
    }
    if let Some(code) = currency {
        return Some((start, end, Kind::Amount, quantity(Some(code.to_owned()))));
    }
    if let Some(m) = PERCENT_AT.find(&text[end..]) {
        let unit = if m.as_str().to_lowercase().contains("punkte") || m.as_str().contains("points")
        {
            "percentage points"
        } else {
            "%"
        };
        end += m.end();
        return Some((
            start,
            end,
            Kind::Percentage,
            quantity(Some(unit.to_owned())),
        ));
    }
    // Glued to Latin letters it is a code ("5G", "3D", "2nd"), not a number.
    if !scaled
        && text[end..]
            .chars()
            .next()
            .is_some_and(|n| n.is_ascii_alphabetic())
    {
        return None;
    }
    if !scaled && high.is_none() && plain_digits && digit_count == 4 {
        if let Some(y) = low.as_integer().filter(|y| (1800..=2100).contains(y)) {
            return Some((start, end, Kind::Year, Value::Date(y.to_string())));
        }
    }
    if let Some(m) = COUNTER_AT.find(&text[end..]) {
        let unit = m.as_str().to_owned();
        end += m.end();
        return Some((start, end, Kind::Count, quantity(Some(unit))));
    }
    let noun = WORD_AT
        .captures(&text[end..])
        .and_then(|caps| caps.get(1))
        .map(|w| w.as_str())
        .filter(|w| !NOT_NOUNS.contains(&w.to_lowercase().as_str()));
    match noun {
        Some(w) => {
            let noun_end = end + text[end..].find(w).map_or(0, |i| i + w.len());
            Some((start, noun_end, Kind::Count, quantity(Some(w.to_owned()))))
        }
        None => Some((start, end, Kind::Count, quantity(None))),
    }
}

fn scale_cjk(rest: &str) -> bool {
    CJK_SCALE_AT
        .captures(rest)
        .is_some_and(|c| c.get(2).is_some())
}

// ---- Vague amounts --------------------------------------------------------------------------

static VAGUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:수|몇)(?:십|백|천)?(?:조|억|만)(?:[ ]?(?:{cur}))?|(?:数|幾)(?:十|百|千)?(?:兆|億|亿|万)(?:{cur})?|\b(?i:several|a few|hundreds of|tens of|mehrere|einige|hunderte|zig|plusieurs|des centaines de|varios|cientos de|decenas de)\s+(?i:millions?|billions?|trillions?|millionen|milliarden|billionen|milliards?|millones|mil millones)\b(?:\s+(?:of\s+|de\s+)?(?:{cur}))?",
        cur = currency_alternation()
    ))
});

fn vague_note(text: &str, c: Conventions) -> String {
    let code = CURRENCIES
        .iter()
        .flat_map(|(code, names)| names.iter().map(move |n| (*code, *n)))
        .filter(|(_, n)| text.ends_with(n))
        .max_by_key(|(_, n)| n.len())
        .map(|(code, _)| {
            if code == "JPY" && c.chinese && text.ends_with('¥') {
                "CNY"
            } else {
                code
            }
        });
    let magnitude = ["조", "兆"]
        .iter()
        .map(|u| (u, 12))
        .chain(["억", "億", "亿"].iter().map(|u| (u, 8)))
        .chain(["만", "万"].iter().map(|u| (u, 4)))
        .find(|(u, _)| text.contains(**u))
        .map(|(_, p)| {
            let sub = if text.contains('천') || text.contains('千') {
                3
            } else if text.contains('백') || text.contains('百') {
                2
            } else if text.contains('십') || text.contains('十') {
                1
            } else {
                0
            };
            p + sub
        });
    let number = match magnitude {
        Some(p) => format!("several × 1{}", "0".repeat(p as usize)),
        None => "several".to_owned(),
    };
    match code {
        Some(code) => format!("{number} {code} (vague: give the weakest reading and kg:valueText)"),
        None => format!("{number} (vague: give the weakest reading and kg:valueText)"),
    }
}

// ---- Dates ----------------------------------------------------------------------------------

type DateReader = fn(&regex::Captures<'_>, Conventions) -> Option<Value>;

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("jänner", 1),
    ("janvier", 1),
    ("enero", 1),
    ("gennaio", 1),
    ("janeiro", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("fevereiro", 2),
    ("march", 3),
    ("mar", 3),
    ("märz", 3),
    ("mär", 3),
    ("mars", 3),
    ("marzo", 3),
    ("março", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("may", 5),
    ("mai", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("maio", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("junio", 6),
    ("giugno", 6),
    ("junho", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("julio", 7),
    ("luglio", 7),
    ("julho", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("settembre", 9),
    ("setembro", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("okt", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("outubro", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("novembro", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("dez", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dicembre", 12),
    ("dezembro", 12),
    ("يناير", 1),
    ("كانون الثاني", 1),
    ("فبراير", 2),
    ("شباط", 2),
    ("مارس", 3),
    ("آذار", 3),
    ("أبريل", 4),
    ("إبريل", 4),
    ("نيسان", 4),
    ("مايو", 5),
    ("أيار", 5),
    ("يونيو", 6),
    ("حزيران", 6),
    ("يوليو", 7),
    ("تموز", 7),
    ("أغسطس", 8),
    ("آب", 8),
    ("سبتمبر", 9),
    ("أيلول", 9),
    ("أكتوبر", 10),
    ("تشرين الأول", 10),
    ("نوفمبر", 11),
    ("تشرين الثاني", 11),
    ("ديسمبر", 12),
    ("كانون الأول", 12),
];

fn month_alternation() -> String {
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names
        .iter()
        .map(|n| {
            if n.is_ascii() {
                // Abbreviations take an optional dot ("Dez.", "Jan.").
                format!(r"{}\b\.?", regex::escape(n))
            } else if n
                .chars()
                .all(|c| c.is_alphabetic() && !('\u{0600}'..='\u{06FF}').contains(&c))
            {
                format!(r"{}\b", regex::escape(n))
            } else {
                regex::escape(n)
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn month_number(name: &str) -> Option<u32> {
    let n = name.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(m, _)| *m == n).map(|(_, v)| *v)
}

fn int(caps: &regex::Captures<'_>, name: &str) -> Option<u32> {
    caps.name(name)
        .and_then(|m| ascii_digits(m.as_str()).parse().ok())
}

fn iso(year: Option<u32>, month: Option<u32>, day: Option<u32>) -> Option<Value> {
    if month.is_some_and(|m| !(1..=12).contains(&m)) || day.is_some_and(|d| !(1..=31).contains(&d))
    {
        return None;
    }
    Some(Value::Date(match (year, month, day) {
        (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
        (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
        (None, Some(m), Some(d)) => format!("--{m:02}-{d:02} (year not stated)"),
        (None, Some(m), None) => format!("--{m:02} (year not stated)"),
        (None, None, Some(d)) => format!("day {d} (month not stated)"),
        (Some(y), None, _) => format!("{y:04}"),
        (None, None, None) => return None,
    }))
}

static DATES: LazyLock<Vec<(Regex, DateReader)>> = LazyLock::new(|| {
    let d = DIGIT;
    let months = month_alternation();
    let time = format!(r"(?:[ T]{d}{{1,2}}:{d}{{2}}(?::{d}{{2}})?)?");
    vec![
        (
            re(&format!(
                r"(?P<y>{d}{{4}})-(?P<m>{d}{{1,2}})-(?P<d>{d}{{1,2}}){time}"
            )),
            (|c, _| iso(int(c, "y"), int(c, "m"), int(c, "d"))) as DateReader,
        ),
        (
            re(&format!(
                r"(?P<y>{d}{{4}})[./](?P<m>{d}{{1,2}})[./](?P<d>{d}{{1,2}})"
            )),
            |c, _| iso(int(c, "y"), int(c, "m"), int(c, "d")),
        ),
        (
            re(&format!(
                r"\b(?P<a>{d}{{1,2}})[./](?P<b>{d}{{1,2}})[./](?P<y>{d}{{4}})\b"
            )),
            |c, conv| {
                let (m, day) = if conv.us_dates {
                    (int(c, "a"), int(c, "b"))
                } else {
                    (int(c, "b"), int(c, "a"))
                };
                iso(int(c, "y"), m, day)
            },
        ),
        (
            // "25-05-29 00:27": a two-digit year, as forum software prints it.
            re(&format!(
                r"\b(?P<y>{d}{{2}})-(?P<m>{d}{{2}})-(?P<d>{d}{{2}}){time}"
            )),
            |c, _| {
                let y = int(c, "y")?;
                match iso(Some(2000 + y), int(c, "m"), int(c, "d"))? {
                    Value::Date(v) => Some(Value::Date(format!("{v}? (two-digit year)"))),
                    other => Some(other),
                }
            },
        ),
        (
            // Korean, Japanese, Chinese: 2025년 5월 29일, 2月7日, 28일, 3월, 2026年.
            re(&format!(
                r"(?:(?P<y>{d}{{4}})\s*[年년]\s*)?(?:(?P<m>{d}{{1,2}})\s*[月월]\s*)?(?P<d>{d}{{1,2}})\s*[日일]|(?P<y2>{d}{{4}})\s*[年년](?:\s*(?P<m2>{d}{{1,2}})\s*[月월])?|(?P<m3>{d}{{1,2}})\s*[月월]"
            )),
            |c, _| {
                if c.name("d").is_some() {
                    iso(int(c, "y"), int(c, "m"), int(c, "d"))
                } else if c.name("y2").is_some() {
                    iso(int(c, "y2"), int(c, "m2"), None)
                } else {
                    iso(None, int(c, "m3"), None)
                }
            },
        ),
        (
            // "17. Dezember 2025", "17 December", "1er janvier", "17 de diciembre de 2025", "17 ديسمبر".
            re(&format!(
                r"(?i)\b(?P<d>{d}{{1,2}})(?:\.|er|st|nd|rd|th)?\s+(?:de\s+)?(?P<m>{months})(?:,?\s+(?:de\s+)?(?P<y>{d}{{4}}))?"
            )),
            |c, _| {
                iso(
                    int(c, "y"),
                    c.name("m").and_then(|m| month_number(m.as_str())),
                    int(c, "d"),
                )
            },
        ),
        (
            // "December 17, 2025", "Dezember 2025".
            re(&format!(
                r"(?i)\b(?P<m>{months})\s+(?:(?P<d>{d}{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>{d}{{4}}))?|(?P<y2>{d}{{4}}))"
            )),
            |c, _| {
                let m = c.name("m").and_then(|m| month_number(m.as_str()));
                if c.name("y2").is_some() {
                    iso(int(c, "y2"), m, None)
                } else {
                    iso(int(c, "y"), m, int(c, "d"))
                }
            },
        ),
        (
            re(
                r"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b|[월화수목금토일]요일|[月火水木金土日]曜日?|星期[一二三四五六日天]|周[一二三四五六日]|(?:يوم\s+)?(?:الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد)",
            ),
            |_, _| {
                Some(Value::Vague(
                    "weekday: resolve only from a date the document states (kg:dateText)"
                        .to_owned(),
                ))
            },
        ),
        (
            re(
                r"(?i)\b(?:last year|this year|next year|yesterday|today|tomorrow|letztes jahr|im vergangenen jahr|vergangenes jahr|vorjahr|dieses jahr|nächstes jahr|gestern|heute|l'année dernière|l'an dernier|l'an passé|cette année|l'année prochaine|hier|aujourd'hui|demain|el año pasado|este año|el próximo año|ayer|hoy|mañana)\b|지난해|작년|올해|내년|어제|오늘|내일|昨年|去年|今年|来年|明年|昨日|今日|明日|昨天|今天|明天|العام الماضي|السنة الماضية|العام المقبل|العام القادم|هذا العام|أمس",
            ),
            |_, _| {
                Some(Value::Vague(
                    "relative date: resolve only from a date the document states (kg:dateText)"
                        .to_owned(),
                ))
            },
        ),
    ]
});

// ---- Positions and context ------------------------------------------------------------------

struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    fn locate(&self, text: &str, offset: usize) -> (u64, u64) {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text[start..offset].chars().count() + 1;
        (line as u64, column as u64)
    }
}

/// Up to four words (or 24 characters) on each side, within the mention's line.
fn context(text: &str, start: usize, end: usize) -> (String, String) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let before = &text[line_start..start];
    let after = &text[end..line_end];
    let words_before: Vec<&str> = before.split_whitespace().collect();
    let words_after: Vec<&str> = after.split_whitespace().collect();
    let mut b = words_before[words_before.len().saturating_sub(4)..].join(" ");
    let mut a = words_after[..words_after.len().min(4)].join(" ");
    if before.ends_with(char::is_whitespace) && !b.is_empty() {
        b.push(' ');
    }
    if after.starts_with(char::is_whitespace) && !a.is_empty() {
        a.insert(0, ' ');
    }
    let b = tail_chars(&b, 24);
    let a: String = a.chars().take(24).collect();
    (b, a)
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Compiles one of the scanner's fixed patterns; they are tested, so a failure is a defect of kg.
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| {
        // A fixed pattern that does not compile must not take the user's session down.
        debug_assert!(false, "bad scanner pattern: {e}");
        Regex::new("$^").unwrap_or_else(|_| unreachable!())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(text: &str, lang: &str) -> Vec<String> {
        scan(text, lang)
            .iter()
            .map(|m| format!("{} {} = {}", m.kind, m.text, m.hint()))
            .collect()
    }

    #[test]
    fn korean_number_words_and_combinations() {
        assert_eq!(
            hints(
                "최대 1조엔(약 9조 5000억원) 규모, 685억 달러(약 94조원), 1조 2000억원",
                "ko"
            ),
            [
                "amount 1조엔 = 1000000000000 JPY",
                "amount 9조 5000억원 = 9500000000000 KRW",
                "amount 685억 달러 = 68500000000 USD",
                "amount 94조원 = 94000000000000 KRW",
                "amount 1조 2000억원 = 1200000000000 KRW",
            ]
        );
        assert_eq!(hints("80~90%에", "ko"), ["percentage 80~90% = 80–90 %"]);
        assert_eq!(hints("5천만원", "ko"), ["amount 5천만원 = 50000000 KRW"]);
    }

    #[test]
    fn separators_follow_the_language() {
        assert_eq!(
            hints("1.500 Millionen Euro", "de"),
            ["amount 1.500 Millionen Euro = 1500000000 EUR"]
        );
        assert_eq!(
            hints("2,5 Mrd. Euro", "de"),
            ["amount 2,5 Mrd. Euro = 2500000000 EUR"]
        );
        assert_eq!(
            hints("$1,500 million", "en"),
            ["amount $1,500 million = 1500000000 USD"]
        );
        assert_eq!(
            hints("150 Billionen Won", "de"),
            ["amount 150 Billionen Won = 150000000000000 KRW"]
        );
        assert_eq!(
            hints("3 billion dollars", "en"),
            ["amount 3 billion dollars = 3000000000 USD"]
        );
    }

    #[test]
    fn arabic_digits_and_words() {
        assert_eq!(
            hints("٢٥٢٫٥ مليار ين", "ar"),
            ["amount ٢٥٢٫٥ مليار ين = 252500000000 JPY"]
        );
        assert_eq!(
            hints("يقارب667 مليون دولار", "ar"),
            ["amount 667 مليون دولار = 667000000 USD"]
        );
    }

    #[test]
    fn dates_years_and_codes() {
        assert_eq!(
            hints("Am 17. Dezember 2025 bis zum Jahr 2030, H100 und 5G", "de"),
            ["date 17. Dezember 2025 = 2025-12-17", "year 2030 = 2030"]
        );
        assert_eq!(
            hints("지난 2월7일", "ko"),
            ["date 2월7일 = --02-07 (year not stated)"]
        );
    }
}
