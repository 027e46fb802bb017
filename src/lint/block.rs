//! A fast reader for the block YAML that manifests and CRDs are written in, straight into the
//! [`Node`] tree.
//!
//! Full YAML parsers read about 10–25 MB/s on one core here (see the README's Performance section);
//! this reader takes the lines of a document one at a time and reads several times faster. It
//! accepts only a plain subset: block mappings and sequences (indented or not, `- key: value`
//! items, and `-` alone with its item on the lines below), plain keys of `[A-Za-z0-9._/-]`,
//! plain, single- and double-quoted scalars (on one line or, as map values, folded over several;
//! double-quoted ones with the escapes `\n`, `\t`, `\"`, `\\`, `\/` and `\ ` only), one-line flow
//! collections (JSON's too: `{"port":80}`), literal and folded block scalars as map values and
//! sequence items (any chomping, no indentation indicator) and comments. Anything else (tabs,
//! indentation indicators, anchors, aliases, tags, merge keys, other escapes, numbers other than
//! plain decimal integers, duplicate keys, every syntax error) returns `None`, and the caller
//! reads the document with the full parser ([`crate::yaml`]), so results and error messages are
//! exactly those of serde-saphyr with the crate's options. Tests compare the two readers on every
//! example, on every Gateway API CRD and on generated documents.

use super::node::{Node, Text, Value};

/// Deeper documents go to the full parser, which enforces its own depth budget (64).
const MAX_DEPTH: usize = 40;
/// Larger documents go to the full parser, which enforces its node budget.
const MAX_NODES: usize = 100_000;
/// Maps with more keys go to the full parser (duplicate keys are looked for by a linear scan).
const MAX_KEYS: usize = 256;
/// Longer keys go to the full parser (its simple-key look-ahead is 1024 characters).
const MAX_KEY_LEN: usize = 512;

/// The document in `text` (one document, no `---` except on its first line), or `None` when it
/// is not in the subset this reader is sure of.
pub fn read(text: &str) -> Option<Node> {
    read_at(text, 0)
}

/// [`read`] for a document that starts after line `first_line` of its file: lines are numbered
/// as in the file.
pub fn read_at(text: &str, first_line: u64) -> Option<Node> {
    if !plain_text(text) {
        return None;
    }
    let bytes = text.as_bytes();
    // Sized once: counting the lines is a fast scan, growing the vector was a copy per doubling.
    let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
    // Line ends found with memchr: `str::split` searched for each one with a per-call set-up that
    // cost more than the short lines of a manifest.
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    let mut start = 0;
    for (i, end) in ends.enumerate() {
        let raw = &text[start..end];
        start = end + 1;
        let body = skip_spaces(raw);
        let indent = raw.len() - body.len();
        let body = drop_trailing_spaces(body);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if indent == 0 && (body.starts_with("---") || body.starts_with("...")) {
            // Only the first content line may be a marker: the document's start, alone or with a
            // comment after a space.
            let rest = &body[3..];
            let start_only = body.starts_with("---")
                && (rest.is_empty()
                    || (rest.starts_with(' ') && rest.trim_start().starts_with('#')));
            if start_only && lines.is_empty() {
                continue;
            }
            return None;
        }
        lines.push(Line {
            indent,
            text: body,
            number: first_line + i as u64 + 1,
        });
    }
    let mut reader = Reader {
        src: text,
        lines,
        pos: 0,
        nodes: 0,
        depth: 0,
    };
    let Some(first) = reader.lines.first() else {
        return Some(Node {
            line: 0,
            value: Value::Null,
        });
    };
    let node = reader.block(first.indent)?;
    (reader.pos == reader.lines.len()).then_some(node)
}

/// No tab, carriage return, control character or character a YAML parser treats specially
/// (byte-order mark, NEL, line and paragraph separators, non-characters).
fn plain_text(text: &str) -> bool {
    // Whole chunks without an early exit, so that the compiler checks many bytes at a time.
    let ascii_ok = text.as_bytes().chunks(64).all(|chunk| {
        chunk.iter().fold(true, |ok, &b| {
            ok & ((b >= 0x20 && b != 0x7f) | (b == b'\n'))
        })
    });
    ascii_ok
        && (text.is_ascii()
            || !text.chars().any(|c| {
                matches!(
                    c,
                    '\u{80}'
                        ..='\u{9f}'
                            | '\u{2028}'
                            | '\u{2029}'
                            | '\u{feff}'
                            | '\u{fffe}'
                            | '\u{ffff}'
                )
            }))
}

#[derive(Clone, Copy)]
struct Line<'t> {
    indent: usize,
    /// Without the indentation and trailing spaces; never empty, never a whole-line comment.
    text: &'t str,
    number: u64,
}

struct Reader<'t> {
    lines: Vec<Line<'t>>,
    /// The document, which block scalars read line by line.
    src: &'t str,
    pos: usize,
    nodes: usize,
    depth: usize,
}

fn is_entry(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

impl<'t> Reader<'t> {
    fn current(&self) -> Option<Line<'t>> {
        self.lines.get(self.pos).copied()
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    /// The map or sequence starting at the current line, which is indented by `indent`.
    fn block(&mut self, indent: usize) -> Option<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let line = self.current()?;
        let node = if is_entry(line.text) {
            self.sequence(indent)
        } else {
            self.map(indent)
        };
        self.depth -= 1;
        node
    }

    /// After a value written on its line, a deeper line would continue it (or be an error).
    fn value_ends(&self, indent: usize) -> Option<()> {
        match self.current() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    fn map(&mut self, indent: usize) -> Option<Node> {
        self.count()?;
        let first = self.current()?.number;
        let mut entries: Vec<(Text, Node)> = Vec::new();
        while let Some(line) = self.current() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_entry(line.text) || entries.len() >= MAX_KEYS {
                return None;
            }
            let (key, rest) = split_key(line.text)?;
            let key = match plain(key)? {
                Value::Str(s) => s,
                _ => return None, // `80:`, `true:`, `null:`: the full parser names them
            };
            if entries.iter().any(|(k, _)| *k == key) {
                return None; // the full parser reports the duplicate
            }
            self.pos += 1;
            let value = if rest.is_empty() || rest.starts_with('#') {
                match self.current() {
                    Some(next) if next.indent > indent => self.block(next.indent)?.value,
                    Some(next) if next.indent == indent && is_entry(next.text) => {
                        self.sequence(indent)?.value
                    }
                    _ => {
                        self.count()?;
                        Value::Null
                    }
                }
            } else if rest.starts_with(['|', '>']) {
                self.block_scalar(rest, indent, line.number)?
            } else if self.current().is_some_and(|next| next.indent > indent)
                || (rest.starts_with(['\'', '"']) && quoted(rest).is_none())
            {
                self.continued(rest, indent, line.number)?
            } else {
                let value = self.inline(rest, line.number)?;
                self.value_ends(indent)?;
                value
            };
            entries.push((
                key,
                Node {
                    line: line.number,
                    value,
                },
            ));
        }
        Some(Node {
            line: first,
            value: Value::Map(entries),
        })
    }

    fn sequence(&mut self, indent: usize) -> Option<Node> {
        self.count()?;
        let first = self.current()?.number;
        let mut items = Vec::new();
        while let Some(line) = self.current() {
            if line.indent < indent || (line.indent == indent && !is_entry(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let rest = skip_spaces(&line.text[1..]);
            let column = indent + line.text.len() - rest.len();
            let below = self
                .lines
                .get(self.pos + 1)
                .filter(|next| next.indent > indent);
            let item = if let (true, Some(next)) = (rest.is_empty(), below) {
                // `-` alone, its item on the deeper lines below (what templates write when
                // every field of the item is optional)
                self.pos += 1;
                self.block(next.indent)?
            } else if rest.is_empty() || rest.starts_with('#') || is_entry(rest) {
                return None; // a null item or `- - x`: the full parser knows their lines
            } else if split_key(rest).is_some() {
                // `- key: value`: a map whose keys are in the column of this first key.
                self.lines[self.pos] = Line {
                    indent: column,
                    text: rest,
                    ..line
                };
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return None;
                }
                let map = self.map(column)?;
                self.depth -= 1;
                map
            } else {
                self.pos += 1;
                if rest.starts_with(['|', '>']) {
                    // serde-saphyr places a block scalar item on its first content line, which
                    // `block_scalar` requires right after the `-`.
                    Node {
                        line: line.number + 1,
                        value: self.block_scalar(rest, indent, line.number)?,
                    }
                } else {
                    let value = self.inline(rest, line.number)?;
                    self.value_ends(indent)?;
                    Node {
                        line: line.number,
                        value,
                    }
                }
            };
            items.push(item);
        }
        Some(Node {
            line: first,
            value: Value::Seq(items),
        })
    }

    /// A value written on the line of its key or `-`: a quoted or plain scalar, or a flow
    /// collection that ends on the line.
    fn inline(&mut self, text: &str, line: u64) -> Option<Value> {
        let (value, rest) = match text.as_bytes()[0] {
            b'"' | b'\'' => {
                self.count()?;
                let (value, used) = quoted(text)?;
                (value, &text[used..])
            }
            b'[' | b'{' => {
                let (value, used) = self.flow(text, line)?;
                (value, &text[used..])
            }
            _ => {
                self.count()?;
                // One pass over the spaces (`find` and `contains` were two searches per scalar):
                // the first ` #` ends the scalar; a `: ` before it makes this no scalar at all.
                // A plain loop: values are short, too short to repay a vector search's set-up.
                let bytes = text.as_bytes();
                let mut end = text.len();
                let spaces = (0..bytes.len()).filter(|&i| bytes[i] == b' ');
                for i in spaces {
                    if bytes.get(i + 1) == Some(&b'#') {
                        end = i;
                        break;
                    }
                    if i > 0 && bytes[i - 1] == b':' {
                        return None;
                    }
                }
                let scalar = drop_trailing_spaces(&text[..end]);
                if scalar.ends_with(':') || !plain_start(scalar) {
                    return None;
                }
                return plain(scalar);
            }
        };
        // After a quoted scalar or a collection only a comment may follow, after a space.
        let after = skip_spaces(rest);
        (after.is_empty() || (after.starts_with('#') && after.len() < rest.len())).then_some(value)
    }
}

impl Reader<'_> {
    /// A flow collection on one line (`[a, "b"]`, `{name: x, port: 80}`, nested), with the byte
    /// length it takes; `None` for anything else (trailing commas, `:` or `#` in plain scalars,
    /// several lines, `[a: b]` pairs).
    fn flow(&mut self, text: &str, line: u64) -> Option<(Value, usize)> {
        self.count()?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let bytes = text.as_bytes();
        let is_map = bytes[0] == b'{';
        let close = if is_map { b'}' } else { b']' };
        let spaces = |mut i: usize| {
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            i
        };
        let mut items = Vec::new();
        let mut entries: Vec<(Text, Node)> = Vec::new();
        let mut i = spaces(1);
        if bytes.get(i) != Some(&close) {
            loop {
                let key = if is_map {
                    let (key, rest) = flow_key(&text[i..])?;
                    if entries.iter().any(|(k, _)| *k == key) || entries.len() >= MAX_KEYS {
                        return None;
                    }
                    i = text.len() - rest.len();
                    Some(key)
                } else {
                    None
                };
                let (value, used) = self.flow_value(&text[i..], line)?;
                i = spaces(i + used);
                let node = Node { line, value };
                match key {
                    Some(key) => entries.push((key, node)),
                    None => items.push(node),
                }
                match bytes.get(i) {
                    Some(b',') => i = spaces(i + 1),
                    Some(&c) if c == close => break,
                    _ => return None,
                }
                if bytes.get(i) == Some(&close) {
                    return None; // a trailing comma
                }
            }
        }
        self.depth -= 1;
        let value = match is_map {
            true => Value::Map(entries),
            false => Value::Seq(items),
        };
        Some((value, i + 1))
    }

    fn flow_value(&mut self, text: &str, line: u64) -> Option<(Value, usize)> {
        match text.as_bytes().first()? {
            b'[' | b'{' => self.flow(text, line),
            b'"' | b'\'' => {
                self.count()?;
                quoted(text)
            }
            _ => {
                self.count()?;
                let end = text
                    .find([',', '[', ']', '{', '}', ':', '#'])
                    .unwrap_or(text.len());
                let scalar = drop_trailing_spaces(&text[..end]);
                if !plain_start(scalar) || text[end..].starts_with([':', '#']) {
                    return None;
                }
                Some((plain(scalar)?, scalar.len()))
            }
        }
    }

    /// `key: |` or `key: >`, clipped, stripped (`-`) or kept (`+`), and the lines after it that
    /// are blank or indented at least as the first (whose indentation, deeper than `indent`, is the
    /// content's), read by YAML's block scalar rules: lines more indented keep their extra spaces,
    /// blank lines are line breaks, `>` folds a line break between two lines of text into a space
    /// (none when blank lines are between them, which stay line breaks) and keeps those around more
    /// indented lines, and the final line breaks are chomped. Left to the full parser: indentation
    /// indicators, blank lines before the first line of text, blank lines of more spaces than the
    /// content's indentation, trailing spaces and a last line without line break.
    fn block_scalar(&mut self, header: &str, indent: usize, key_line: u64) -> Option<Value> {
        let src = self.src;
        let offset = (header.as_ptr() as usize).checked_sub(src.as_ptr() as usize)?;
        debug_assert!(offset <= src.len(), "the header is a slice of the document");
        let header = header.split(" #").next()?.trim_end_matches(' ');
        let (literal, chomp) = match header.as_bytes() {
            [b'|', chomp @ ..] => (true, chomp),
            [b'>', chomp @ ..] => (false, chomp),
            _ => return None,
        };
        if !matches!(chomp, [] | [b'-'] | [b'+']) {
            return None;
        }
        self.count()?;
        let after_header = &src[offset..];
        let mut rest = &after_header[after_header.find('\n')? + 1..];
        let mut number = key_line + 1;
        // The content's indentation, set by its first line.
        let mut content: Option<usize> = None;
        let mut text = String::new();
        // Blank lines since the last line of text, and whether that line is more indented.
        let (mut blank, mut spaced) = (0usize, false);
        let mut last = key_line;
        loop {
            let (line, next) = match rest.find('\n') {
                Some(end) => (&rest[..end], Some(&rest[end + 1..])),
                None => (rest, None),
            };
            let body = skip_spaces(line);
            let spaces = line.len() - body.len();
            if body.is_empty() {
                match (next, content) {
                    (None, _) if line.is_empty() => break, // after the text's last line break
                    (None, _) | (_, None) => return None,
                    (_, Some(n)) if spaces > n => return None,
                    _ => blank += 1,
                }
            } else {
                let n = *content.get_or_insert(spaces);
                if spaces <= indent || spaces < n {
                    break; // the parent's next line, or a comment after the scalar
                }
                if next.is_none() || body.ends_with(' ') {
                    return None;
                }
                let line_text = &line[n..];
                let more = line_text.starts_with(' ');
                if last > key_line {
                    if literal || spaced || more || blank > 0 {
                        let breaks = blank + usize::from(literal || spaced || more);
                        text.extend(std::iter::repeat_n('\n', breaks));
                    } else {
                        text.push(' ');
                    }
                }
                text.push_str(line_text);
                (blank, spaced, last) = (0, more, number);
            }
            rest = next?;
            number += 1;
        }
        if last == key_line {
            return None; // an empty scalar
        }
        match chomp {
            [] => text.push('\n'),
            [b'+'] => text.extend(std::iter::repeat_n('\n', blank + 1)),
            _ => {}
        }
        while self.current().is_some_and(|l| l.number <= last) {
            self.pos += 1;
        }
        Some(Value::Str(text.into()))
    }
}

/// The key of a flow map entry and the text after its `:`: a plain key as in block maps, or a
/// double-quoted one without escapes, which JSON writes and after which YAML lets the value
/// follow the `:` without a space (`{"port":80}`).
fn flow_key(text: &str) -> Option<(Text, &str)> {
    if text.starts_with('"') {
        let (Value::Str(key), used) = quoted(text)? else {
            return None;
        };
        let rest = skip_spaces(&text[used..]).strip_prefix(':')?;
        return Some((key, skip_spaces(rest)));
    }
    let (key, rest) = split_key(text)?;
    match plain(key)? {
        Value::Str(key) => Some((key, rest)),
        _ => None,
    }
}

impl Reader<'_> {
    /// A plain or quoted scalar on the line of its key that may go on over the next lines,
    /// indented deeper than `indent`, with YAML's line folding: the spaces around each line break
    /// dropped, the break read as a space, or as a line break per blank line when blank lines
    /// follow it. Double-quoted scalars may have the escapes `\n`, `\t`, `\"`, `\\`, `\/` and `\ `.
    /// Left to the full parser: a comment or `: ` in a plain scalar, a continuation line starting
    /// with `#` or `:` in a plain scalar, a continuation line not indented deeper than `indent`
    /// in a quoted one, other escapes, an escaped line break, and a last line without line break.
    fn continued(&mut self, first: &str, indent: usize, key_line: u64) -> Option<Value> {
        let src = self.src;
        let offset = (first.as_ptr() as usize).checked_sub(src.as_ptr() as usize)?;
        debug_assert!(offset <= src.len(), "the value is a slice of the document");
        let quote = first
            .as_bytes()
            .first()
            .copied()
            .filter(|&b| b == b'\'' || b == b'"');
        if quote.is_none() && !plain_start(first) {
            return None;
        }
        self.count()?;
        let mut rest = &src[offset + usize::from(quote.is_some())..];
        let (mut number, mut last) = (key_line, key_line);
        let mut text = String::new();
        let mut blank = 0;
        loop {
            let (line, next) = match rest.find('\n') {
                Some(end) => (&rest[..end], Some(&rest[end + 1..])),
                None => (rest, None),
            };
            let mut body = line;
            if number > key_line {
                body = skip_spaces(line);
                if body.is_empty() {
                    match next {
                        None if line.is_empty() && quote.is_none() => break,
                        None => return None,
                        Some(_) => blank += 1,
                    }
                    rest = next?;
                    number += 1;
                    continue;
                }
                if line.len() - body.len() <= indent {
                    if quote.is_some() {
                        return None;
                    }
                    break; // the parent's next line
                }
                match blank {
                    0 => text.push(' '),
                    _ => text.extend(std::iter::repeat_n('\n', blank)),
                }
                blank = 0;
            }
            last = number;
            match quote {
                Some(quote) => {
                    let (inner, end, escaped) = match quote {
                        b'"' => double_quoted_until(body)?,
                        _ => {
                            let (inner, end) = single_quoted_until(body);
                            (inner, end, 0)
                        }
                    };
                    let Some(end) = end else {
                        // Spaces before a line break are dropped, unless escaped.
                        text.push_str(&inner[..escaped]);
                        text.push_str(drop_trailing_spaces(&inner[escaped..]));
                        rest = next?;
                        number += 1;
                        continue;
                    };
                    text.push_str(&inner);
                    let after = &body[end..];
                    let after_text = skip_spaces(after);
                    let comment = after_text.starts_with('#') && after_text.len() < after.len();
                    if !(after_text.is_empty() || comment) || next.is_none() {
                        return None;
                    }
                    break;
                }
                None => {
                    let content = drop_trailing_spaces(body);
                    let start_ok = number == key_line || !content.starts_with(['#', ':']);
                    if !start_ok
                        || content.contains(": ")
                        || content.ends_with(':')
                        || content.contains(" #")
                    {
                        return None;
                    }
                    text.push_str(content);
                }
            }
            rest = next?;
            number += 1;
        }
        while self.current().is_some_and(|l| l.number <= last) {
            self.pos += 1;
        }
        match quote {
            Some(_) => Some(Value::Str(text.into())),
            None => plain(&text),
        }
    }
}

/// A quoted scalar that ends on its line, without escapes, and its byte length.
fn quoted(text: &str) -> Option<(Value, usize)> {
    if text.starts_with('\'') {
        let (inner, used) = single_quoted(text)?;
        return Some((Value::Str(inner.into()), used));
    }
    let end = text[1..].find('"')? + 1;
    let inner = &text[1..end];
    if inner.contains('\\') {
        return None;
    }
    Some((Value::Str(inner.into()), end + 1))
}

/// `'it''s'` → `it's` and the byte length of the quoted text; `None` when it does not end on the line.
fn single_quoted(text: &str) -> Option<(String, usize)> {
    match single_quoted_until(&text[1..]) {
        (inner, Some(used)) => Some((inner, used + 1)),
        (_, None) => None,
    }
}

/// The text of a single-quoted scalar after its opening quote with `''` read as `'`, up to its
/// closing quote and the byte length to after that quote, or to the end of `text` and `None`.
fn single_quoted_until(text: &str) -> (String, Option<usize>) {
    let mut out = String::new();
    let mut rest = text;
    let mut used = 0;
    loop {
        let Some(quote) = rest.find('\'') else {
            out.push_str(rest);
            return (out, None);
        };
        out.push_str(&rest[..quote]);
        used += quote + 1;
        if rest[quote + 1..].starts_with('\'') {
            out.push('\'');
            used += 1;
            rest = &rest[quote + 2..];
        } else {
            return (out, Some(used));
        }
    }
}

/// The text of a double-quoted scalar after its opening quote with its escapes read, up to its
/// closing quote and the byte length to after that quote, or to the end of `text` and `None`;
/// `None` for escapes other than `\n`, `\t`, `\"`, `\\`, `\/` and `\ `. Last, the length of the
/// text read up to the end of its last escape.
fn double_quoted_until(text: &str) -> Option<(String, Option<usize>, usize)> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let (mut i, mut start, mut escaped) = (0, 0, 0);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                out.push_str(&text[start..i]);
                return Some((out, Some(i + 1), 0));
            }
            b'\\' => {
                out.push_str(&text[start..i]);
                out.push(match bytes.get(i + 1)? {
                    b'n' => '\n',
                    b't' => '\t',
                    b' ' => ' ',
                    &c @ (b'"' | b'\\' | b'/') => char::from(c),
                    _ => return None,
                });
                i += 2;
                start = i;
                escaped = out.len();
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[start..]);
    Some((out, None, escaped))
}

/// `text` without its leading spaces. Byte loops: `trim_start_matches(' ')` and its twin decode
/// characters, which cost more than the rest of splitting a line.
fn skip_spaces(text: &str) -> &str {
    &text[text.bytes().take_while(|&b| b == b' ').count()..]
}

/// `text` without its trailing spaces (see [`skip_spaces`]).
fn drop_trailing_spaces(text: &str) -> &str {
    &text[..text.len() - text.bytes().rev().take_while(|&b| b == b' ').count()]
}

/// YAML's indicator characters.
const INDICATORS: [u8; 19] = *b"-?:,[]{}#&*!|>'\"%@`";

/// A plain scalar may start with any character but YAML's indicators (`-` only before a non-space).
fn plain_start(text: &str) -> bool {
    match text.as_bytes() {
        [] => false,
        [b'-', next, ..] => *next != b' ',
        // Compared one by one: `contains` on a byte string calls `memchr`, which cost more than
        // the rest of reading a short scalar.
        [first, ..] => !INDICATORS.iter().any(|b| b == first),
    }
}

/// The bytes of a plain key, `[A-Za-z0-9._/-]`, as a table: a lookup per byte where the
/// comparisons were a tenth of reading a document.
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'/' | b'-');
        b += 1;
    }
    table
};

/// `key: rest` with a plain key of `[A-Za-z0-9._/-]` (not starting with `-`); `rest` may be empty.
fn split_key(text: &str) -> Option<(&str, &str)> {
    // One pass: the key ends at the first `:`, and every byte before it must be a key character
    // (`:` is not one, so a text without a valid key before its first `:` fails either way).
    let colon = text
        .bytes()
        .position(|b| !KEY_BYTES[usize::from(b)])
        .filter(|&i| text.as_bytes()[i] == b':')?;
    let key = &text[..colon];
    let after = &text[colon + 1..];
    let key_ok = !key.is_empty() && key.len() <= MAX_KEY_LEN && !key.starts_with('-');
    if !key_ok || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((key, skip_spaces(after)))
}

/// Characters that may occur in a YAML 1.2 number (any radix, exponent, `.inf`, `.nan`); a plain
/// scalar starting like a number with another character in it can only be a string.
fn numeric_char(b: u8) -> bool {
    b.is_ascii_hexdigit() || b"xXoOiInN_.+-:".contains(&b)
}

/// `1.30.1`: digits in three or more dot-separated groups, which no YAML number spelling has.
fn is_dotted_version(bytes: &[u8]) -> bool {
    bytes.split(|&b| b == b'.').count() >= 3
        && bytes
            .split(|&b| b == b'.')
            .all(|group| !group.is_empty() && group.iter().all(u8::is_ascii_digit))
}

/// A plain scalar as the crate's YAML options read it (YAML 1.2 core schema, strict booleans);
/// `None` for the number spellings left to the full parser (floats, radixes, leading zeros, …).
fn plain(text: &str) -> Option<Value> {
    Some(match text {
        "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            let bytes = text.as_bytes();
            let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
            let numeric_start = matches!(bytes[0], b'0'..=b'9' | b'+' | b'-' | b'.');
            if !numeric_start {
                Value::Str(text.into())
            } else if matches!(digits, [b'1'..=b'9', ..] | [b'0'])
                && digits.len() <= 18
                && digits.iter().all(u8::is_ascii_digit)
                && text != "-0"
            {
                Value::Int(text.parse().ok()?)
            } else if is_dotted_version(bytes) {
                Value::Str(text.into())
            } else if bytes.iter().all(|&b| numeric_char(b)) {
                return None;
            } else {
                Value::Str(text.into())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    /// The reference: serde-saphyr with the crate's options.
    fn full(text: &str) -> Result<Node, crate::yaml::YamlError> {
        crate::yaml::from_str_full(text)
    }

    /// Whenever the fast reader answers, serde-saphyr reads the same tree with the same lines.
    fn same(text: &str) -> bool {
        match read(text) {
            None => false,
            Some(fast) => {
                let reference = full(text);
                if fast.is_null() {
                    assert!(
                        matches!(&reference, Ok(n) if n.is_null()),
                        "{text:?}: {reference:?}"
                    );
                } else {
                    assert_eq!(reference.as_ref(), Ok(&fast), "{text:?}");
                }
                // What `crate::yaml` reads the tree as, straight or through its JSON value.
                let direct = <serde_json::Value as serde::Deserialize>::deserialize(&fast);
                assert_eq!(direct.ok(), Some(fast.to_json()), "{text:?}");
                true
            }
        }
    }

    #[test]
    fn reads_manifests_with_key_lines() {
        let text = "---\n# c\napiVersion: v1\nkind: X # k\nmetadata:\n  name: 'it''s'\n  labels: {}\nspec:\n  ports:\n  - port: 80\n    name: \"a #b\"\n  -   port: 81\n  list:\n    - x\n    - -1\n  empty:\n  on: on\n";
        assert!(same(text));
        let n = read(text).unwrap();
        assert_eq!(n.line, 3);
        assert_eq!(n.get("spec").unwrap().items_at("ports")[1].line, 12);
        assert_eq!(n.get("spec").unwrap().str_at("on"), Some("on"));
    }

    #[test]
    fn reads_versions_and_block_scalar_items() {
        for text in [
            "version: 1.30.1\nv: [4.12.10, 1.2.3.4]\n",
            "notes:\n  - >-\n    one\n    two\n  - |\n    x\n     y\n",
            "- >-\n  a\n  b\n- c\n",
            "rules:\n-\n  matches: [{\"path\":{\"value\":\"/\"}}]\n  b: 1\n-\n    - x\n    - y\n- z\n",
            // Comments and colons in plain scalars.
            "a: b #c: d\nu: http://x:80/a#b\nv: x:y z #\nw: x  # c\n",
        ] {
            assert!(same(text), "{text:?}");
        }
        let json = "spec:\n  tls: {\"mode\":\"Terminate\",\"certificateRefs\":[{\"kind\":\"Secret\",\"name\":\"a\"}]}\n  r: {\"namespaces\": {\"from\":\"Same\"}, \"n\":80, \"b\":true, \"z\":null}\n";
        assert!(same(json), "{json:?}");
        assert!(read("a: {\"x\\\"y\":1}\n").is_none());
        assert!(read("a: {\"x\":1, \"x\":2}\n").is_none());
        assert!(read("a: 1.2\n").is_none());
        assert!(read("a: 1..2\n").is_none());
    }

    #[test]
    fn leaves_the_rest_to_the_full_parser() {
        for text in [
            "a: 1\na: 2\n",
            "a: &x 1\nb: *x\n",
            "<<: {a: 1}\n",
            "a: !t x\n",
            "a: 0755\n",
            "a: 1.5\n",
            "80: x\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: b\u{7f}\n",
            "a: b\u{1}\n",
            // past the first 64-byte chunk of the check
            "a: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\u{0}\n",
            "a: b\u{85}\n",
            "a: [x, 1.5]\n",
            "a: x: y\n",
            "a: x y: z # c\n",
            "a: x:  #c\n",
            "- \n- x\n",
            "a: 1\n---\nb: 2\n",
            "a: 1\n...\n",
            "x\n",
            "a:\n  b: 1\n c: 2\n",
            "a: |2\n   x\n",
            "a: >-1\n  x\n",
            "a: |\n\n  x\n",
            "a: |\n  x\n   \n  y\n",
            "a: |\n  x",
            "a: |\n  x  \n",
            "a: |\nb: 1\n",
            "a: b # c\n  d\n",
            "a: b\n  c: d\n",
            "a: b\n  # c\n  d\n",
            "a: b\n  c",
            "a: 'x\ny'\n",
            "a: 'x\n  y' z\n",
            "a: \"x\\\n  y\"\n",
            "a: \"\\u0041\"\n",
            "a: \"x\n",
        ] {
            assert!(read(text).is_none(), "{text:?}");
        }
    }

    /// Block scalars with blank lines, comment-like and more indented lines, every chomping, and
    /// scalars folded over several lines, as CRDs write their descriptions and rules.
    #[test]
    fn reads_block_scalars_and_multi_line_scalars() {
        for text in [
            "a: |+\n  x\n",
            "a: |+\n  x\n\n\nb: 1\n",
            "a: |+\n  x\n\n",
            "a: |-\n  x\n\n  y\n\n\nb: 1\n",
            "a: |\n  x\n  # y\nb: 1\n",
            "a: |\n  x\n\n  y\n",
            "a: |\n  x\n \n  y\n",
            "a: |\n  x\n    y\n  z\n",
            "a: | # c\n  x\n\nb: 1\n",
            "a: >\n  x\n   y\n",
            "a: >\n  x\n  y\n\n  z\n   w\n  v\n\n\n   u\n  t\n",
            "a: >-\n  x\n\n\n  y\n",
            "a: >+\n  x\n  y\n\n",
            "a: >\n  - x\n  - y\n",
            "a: |\n  x\n# c\nb: 1\n",
            "a: |\n  x\n\n # c\n\nb: 1\n",
            "- a: |\n    x\n\n    y\n  b: 1\n",
            "a:\n  b: |-\n    x\n\n    y\n  c: 2\n",
            "a: b\n  c\n",
            "a: b\n  c\n\n  d\ne: 1\n",
            "a: b\n  \"c\" - d [e] 'f'\n",
            "- m: x\n    y\n  r: 1\n",
            "a: 1\n  2\n",
            "a: true\n  x\n",
            "a: 'x\n  y''s\n\n  z'\nb: 1\n",
            "a: 'x  \n   # y'\n",
            "a: 'x\n  y' # c\n",
            "a: \"x\\ty\"\n",
            "a: \"x\\n\n  \\ y \\\"q\\\" \\\\ \\/\"\n",
            "a: \"x \n  y\" # c\n",
            "a: \"x\\t  \n  y\"\n",
        ] {
            assert!(same(text), "{text:?}");
        }
    }

    fn crd_files(channel: &str) -> Vec<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/gateway-api/crds")
            .join(channel);
        let mut files = Vec::new();
        yaml_files(&dir, &mut files);
        files.sort();
        files
    }

    /// Every document of the Gateway API CRD files of both channels is taken by the fast reader
    /// and read as serde-saphyr reads it, lines included: `lint --crds` loads them this way.
    #[test]
    fn reads_every_crd_as_serde_saphyr_does() {
        for channel in ["standard", "experimental"] {
            let files = crd_files(channel);
            if files.is_empty() {
                eprintln!(
                    "skipped the {channel} CRDs: ../shared/gateway-api/crds/{channel} is absent"
                );
                continue;
            }
            for path in files {
                let text = std::fs::read_to_string(&path).unwrap();
                for chunk in crate::lint::documents(&text) {
                    assert!(
                        same(chunk.text),
                        "{} is left to the full parser",
                        path.display()
                    );
                }
            }
        }
    }

    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }

    /// Every example of the spec, every invalid example, every fixture of the tests and every
    /// embedded data file: both readers agree on every document the fast one reads, and on streams.
    #[test]
    fn agrees_with_serde_saphyr_on_every_example() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let shared = root.join("../shared/gateway-api");
        if !shared.exists() {
            eprintln!("skipped the spec examples: {} is absent", shared.display());
        }
        let mut files = Vec::new();
        for dir in ["examples", concat!("invalid", "-examples")] {
            yaml_files(&shared.join(dir), &mut files);
        }
        for dir in ["tests", "profiles", "implementations", "examples"] {
            yaml_files(&root.join(dir), &mut files);
        }
        let (mut documents, mut fast) = (0, 0);
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            for chunk in crate::lint::documents(&text) {
                documents += 1;
                fast += usize::from(same(chunk.text));
            }
            let streams: Result<Vec<serde_json::Value>, _> =
                serde_saphyr::from_multiple_with_options(&text, crate::yaml::options());
            let ours: Result<Vec<serde_json::Value>, _> = crate::yaml::from_str_multiple(&text);
            assert_eq!(ours.ok(), streams.ok(), "{}", path.display());
        }
        eprintln!(
            "{} files, {documents} documents, {fast} read by the fast reader",
            files.len()
        );
        assert!(
            fast * 2 > documents,
            "the fast reader should take most documents"
        );
    }

    const KEYS: &[&str] = &[
        "a", "b", "name", "kind", "80", "true", "null", "~", "<<", "a.b/c", "-a", "a b", "\"q\"",
        "x-Y", "1a", "0x1", "on", "'s'", "a#b", "?", "...", "---",
    ];
    /// Scalars in the fast reader's subset.
    const SAFE: &[&str] = &[
        "[a, b]",
        "{a: b, c: 'd'}",
        "[{name: x, port: 80}, {name: y}]",
        "[ \"q\" ,  [] ]",
        "{a: {b: [c]}}",
        "a",
        "on",
        "yes",
        "NO",
        "8080",
        "-1",
        "null",
        "~",
        "Null",
        "true",
        "False",
        "TRUE",
        "tRue",
        "a #b",
        "a#b",
        "'q'",
        "\"d\"",
        "'it''s'",
        "[]",
        "{}",
        "a:b",
        "http://x",
        "\"*.example.com\"",
        "'a' #c",
        "x y",
        "[] # c",
        "é",
    ];
    /// Scalars the fast reader leaves to the full parser, and a few it takes.
    const SCALARS: &[&str] = &[
        "{\"a\":1}",
        "{\"a\": \"b\", \"c\":[1,\"x\"]}",
        "{ \"a\" : 1 }",
        "{\"a\":}",
        "{\"a\"}",
        "{\"a\":1,\"a\":2}",
        "{\"a\\\"\":1}",
        "{\"\":1}",
        "{\"a\":\"b\"}x",
        "{\"a\":-1.5}",
        "{\"a\":true,\"b\":null,\"c\":{\"d\":[]}}",
        "{\"a\":\"b\"#c}",
        "{\"a\"::1}",
        "1.2.3",
        "01.2.3",
        "1.2.3.",
        "1..2.3",
        "1.2.3e5",
        "[a,]",
        "{a: }",
        "[a: b]",
        "{a:b}",
        "[http://x]",
        "{a: [b, {c: d}]",
        "[a, b]]",
        "{a: 1, a: 2}",
        "[a #b]",
        "[a] x",
        "[0755, 1.5]",
        "{80: x}",
        "[-, a]",
        "[a, , b]",
        "0755",
        "-0",
        "+1",
        "1.5",
        "1e3",
        ".inf",
        "-.inf",
        ".nan",
        "0x1F",
        "0X1F",
        "0o17",
        "0b1",
        "1_000",
        "10s",
        "10.0.0.1",
        "x: y",
        "#c",
        "\"a\\\"b\"",
        "[ ]",
        "[a]",
        "{a: 1}",
        "-",
        "- x",
        "?",
        ":",
        "a:",
        "*.example.com",
        "&a x",
        "*a",
        "!t x",
        "|",
        ">",
        "<<",
        "%",
        "@x",
        "`x",
        "9223372036854775807",
        "9223372036854775808",
        "123456789012345678",
        "1234567890123456789",
        "-9223372036854775808",
        "1:30",
        "0",
        "00",
        "+",
        ".",
        "..",
        "a b",
        "a  b",
        "\"a\"#c",
        "'unterminated",
        "\"x",
        "{}x",
        "a,b",
        "a[0]",
        "a]",
        "-a",
        "--",
        "1-2",
        "0.",
        ".5",
        "+.5",
        "1e",
        "0x",
        "0xg",
        "infinity",
        "nan",
        "Infinity",
        "-inf",
        "0b102",
        "1__0",
        "_1",
        "1_",
        "\\",
        "a\\b",
    ];

    /// A block document from a stream of choices: maps, sequences (indented or not, compact
    /// `- k: v` items), tricky keys and scalars, comments and blank lines.
    fn render(choices: &[u16]) -> String {
        struct R<'c> {
            c: &'c [u16],
            i: usize,
            out: String,
        }
        impl R<'_> {
            fn next(&mut self, n: usize) -> usize {
                let v = self.c.get(self.i).copied().unwrap_or(0) as usize;
                self.i += 1;
                v % n
            }
            /// Half the time one the fast reader takes, so both readers are compared often.
            fn scalar(&mut self) -> &'static str {
                match self.next(2) {
                    0 => SAFE[self.next(SAFE.len())],
                    _ => SCALARS[self.next(SCALARS.len())],
                }
            }
            fn key(&mut self) -> &'static str {
                match self.next(2) {
                    0 => KEYS[self.next(4)],
                    _ => KEYS[self.next(KEYS.len())],
                }
            }
            fn pad(&mut self) {
                match self.next(12) {
                    0 => self.out.push_str(" # c"),
                    1 => self.out.push(' '),
                    _ => {}
                }
                self.out.push('\n');
                match self.next(14) {
                    0 => self.out.push('\n'),
                    1 => self.out.push_str("  # note\n"),
                    _ => {}
                }
            }
            fn node(&mut self, indent: usize, depth: usize, inline_ok: bool) {
                let kind = if depth > 3 { 2 } else { self.next(3) };
                let step = 1 + self.next(3);
                match kind {
                    0 => {
                        for n in 0..1 + self.next(3) {
                            if n > 0 || !inline_ok {
                                self.out.push_str(&" ".repeat(indent));
                            }
                            let key = self.key();
                            self.out.push_str(key);
                            self.out.push(':');
                            self.value(indent, step, depth);
                        }
                    }
                    1 => {
                        for _ in 0..1 + self.next(3) {
                            self.out.push_str(&" ".repeat(indent));
                            self.out.push('-');
                            let gap = 1 + self.next(2);
                            self.out.push_str(&" ".repeat(gap));
                            let col = self.out.len() - self.out.rfind('\n').map_or(0, |i| i + 1);
                            if self.next(2) == 0 {
                                self.node(col, depth + 1, true);
                            } else {
                                let s = self.scalar();
                                self.out.push_str(s);
                                self.pad();
                            }
                        }
                    }
                    _ => {
                        self.out.push_str(&" ".repeat(indent));
                        let key = self.key();
                        self.out.push_str(key);
                        self.out.push_str(": ");
                        let s = self.scalar();
                        self.out.push_str(s);
                        self.pad();
                    }
                }
            }
            fn value(&mut self, indent: usize, step: usize, depth: usize) {
                match self.next(6) {
                    4 => {
                        // a block scalar
                        let headers = [
                            "|", "|-", ">", ">-", "|+", ">+", "|2", "> # c", "|-1", "|#", "| x",
                        ];
                        let header = headers[self.next(headers.len())];
                        self.out.push(' ');
                        self.out.push_str(header);
                        self.out.push('\n');
                        for _ in 0..1 + self.next(5) {
                            let extra = [0, 0, 0, 1, 2][self.next(5)];
                            let texts = ["some text", "# x", "- y", "a: b", "", "t ", "[a]", "x"];
                            let text = texts[self.next(texts.len())];
                            let pad = " ".repeat(indent + step + extra);
                            match self.next(6) {
                                0 => self.out.push('\n'),
                                1 => {
                                    let spaces = self.next(indent + step + 3);
                                    self.out.push_str(&" ".repeat(spaces));
                                    self.out.push('\n');
                                }
                                2 if indent + step > 0 => {
                                    let pad = " ".repeat(indent + step - 1);
                                    self.out.push_str(&format!("{pad}{text}\n"));
                                }
                                _ => self.out.push_str(&format!("{pad}{text}\n")),
                            }
                        }
                        if self.next(4) == 0 {
                            self.out.push('\n');
                        }
                    }
                    5 => {
                        // a scalar over several lines
                        let firsts = ["x", "'x", "\"x", "'a''", "\"a\\t", "\"a\\", "x #c", "1"];
                        let first = firsts[self.next(firsts.len())];
                        self.out.push(' ');
                        self.out.push_str(first);
                        self.out.push('\n');
                        for _ in 0..1 + self.next(3) {
                            let nexts = [
                                "y", "- y", "\"q\"", "[a]", "# c", "b: c", "", "z'", "z\"", "''",
                                "\\ z\"", "y #c", "y' #c", "y\" x", "? y", "&a", "y ", "\\n",
                            ];
                            let text = nexts[self.next(nexts.len())];
                            let spaces = indent + [0, 1, 2, 2, 3][self.next(5)];
                            self.out.push_str(&" ".repeat(spaces));
                            self.out.push_str(text);
                            self.out.push('\n');
                            if self.next(5) == 0 {
                                self.out.push('\n');
                            }
                        }
                    }
                    0 => {
                        self.pad();
                        self.node(indent + step, depth + 1, false);
                    }
                    1 => {
                        self.pad();
                        // an indentless sequence
                        for _ in 0..1 + self.next(2) {
                            self.out.push_str(&" ".repeat(indent));
                            self.out.push_str("- ");
                            let s = self.scalar();
                            self.out.push_str(s);
                            self.pad();
                        }
                    }
                    2 => self.pad(),
                    _ => {
                        self.out.push(' ');
                        let s = self.scalar();
                        self.out.push_str(s);
                        self.pad();
                    }
                }
            }
        }
        let mut r = R {
            c: choices,
            i: 0,
            out: String::new(),
        };
        if r.next(4) == 0 {
            r.out.push_str("---\n");
        }
        let indent = r.next(2);
        r.node(indent, 0, false);
        r.out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn generated_documents_read_alike(choices in proptest::collection::vec(any::<u16>(), 1..120)) {
            same(&render(&choices));
        }

        /// Line soup: lines of random indentation and fragments, mostly invalid YAML.
        #[test]
        fn random_lines_read_alike(lines in proptest::collection::vec((0usize..6, 0usize..KEYS.len(), 0usize..SAFE.len() + SCALARS.len(), 0u8..5), 1..8)) {
            let mut text = String::new();
            for (indent, k, s, shape) in lines {
                let scalar = SAFE.get(s).unwrap_or_else(|| &SCALARS[s - SAFE.len()]);
                text.push_str(&" ".repeat(indent));
                match shape {
                    0 => text.push_str(&format!("{}: {scalar}", KEYS[k])),
                    1 => text.push_str(&format!("{}:", KEYS[k])),
                    2 => text.push_str(&format!("- {scalar}")),
                    3 => text.push_str(&format!("- {}: {scalar}", KEYS[k])),
                    _ => text.push_str(scalar),
                }
                text.push('\n');
            }
            same(&text);
        }

        /// Plain scalars of characters that make numbers, booleans and nulls resolve alike.
        #[test]
        fn plain_scalars_resolve_alike(s in "[-+.0-9a-fA-FxXoObBiInNulLtrsTRS_:e]{1,8}") {
            same(&format!("k: {s}\n"));
        }
    }
}
