//! A bound on how deeply an HTML page nests its elements, applied before main-text extraction.
//!
//! The extractor's dependencies walk the element tree recursively, so a page nested some
//! thousands of elements deep (`<div>` ten thousand times) overflows the thread's stack, and a
//! stack overflow aborts the whole process, not just the page (issue 17, row 1). No real page
//! nests anywhere near [`MAX_HTML_DEPTH`] deep, so below that depth tags are dropped and their
//! text kept: the page still reads the same, only its innermost structure is flattened.
//!
//! The scan is one linear pass over the tags, tracking the open elements roughly as an HTML
//! parser does (void elements never open, raw-text elements hide their content, a closing tag
//! closes up to the innermost open element of its name, a stray one closes nothing, an open `p`
//! or list item is closed by the next one). Where it cannot tell, it counts an element as open,
//! so its depth is never less than the parser's by more than the parser's own repairs add.

use std::borrow::Cow;

/// Elements nested deeper than this are flattened: their tags are dropped, their text kept.
pub const MAX_HTML_DEPTH: usize = 512;

/// Elements that never have content, so never open a level.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose content is text up to their own closing tag, never tags.
const RAW_TEXT: &[&str] =
    &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"];

/// Elements an opening tag of the same name closes when one is open (`<p>a<p>b`, `<li>`).
const SELF_CLOSING_SIBLINGS: &[&str] =
    &["p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "rb", "rt", "rp"];

/// The result of [`limit_nesting`].
#[derive(Debug)]
pub struct Nesting<'a> {
    /// The page, flattened below [`MAX_HTML_DEPTH`] where it went deeper.
    pub html: Cow<'a, str>,
    /// The deepest nesting seen, counting every element the page opened (up to the limit and
    /// beyond it).
    pub depth: usize,
    /// How many opening tags were dropped.
    pub dropped: usize,
}

/// Drops the tags of elements nested more than `max` deep, keeping all text. Returns the page
/// unchanged (borrowed) when it nests no deeper than `max`.
pub fn limit_nesting(html: &str, max: usize) -> Nesting<'_> {
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    // Opening tags dropped and not yet closed, by name, with the depth they would have had.
    let mut dropped_open: Vec<String> = Vec::new();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `html` already handled into `out`
    let (mut depth, mut dropped) = (0, 0);
    let mut i = 0;
    while let Some(lt) = memchr(b'<', &bytes[i..]).map(|p| p + i) {
        let Some(tag) = scan_tag(bytes, lt) else {
            i = lt + 1;
            continue;
        };
        let mut drop_tag = false;
        match &tag.kind {
            TagKind::Other => {}
            TagKind::Close(name) => {
                // Dropped elements lie deeper than every kept one, so they close first.
                if let Some(at) = dropped_open.iter().rposition(|n| n == name) {
                    dropped_open.remove(at);
                    drop_tag = true;
                } else if let Some(at) = open.iter().rposition(|n| n == name) {
                    open.truncate(at);
                }
            }
            TagKind::Open(name) => {
                // `<p>a<p>b`, `<li>a<li>b`; and a block closes an open `p`.
                let closes_top = open.last().is_some_and(|top| {
                    (top == name && SELF_CLOSING_SIBLINGS.contains(&name.as_str()))
                        || (top == "p" && is_block(name))
                });
                if closes_top {
                    open.pop();
                }
                if RAW_TEXT.contains(&name.as_str()) {
                    // Holds no elements: kept whatever its depth, its content skipped.
                    depth = depth.max(open.len() + dropped_open.len() + 1);
                } else if !VOID.contains(&name.as_str()) {
                    if open.len() >= max {
                        dropped_open.push(name.clone());
                        drop_tag = true;
                        dropped += 1;
                    } else {
                        open.push(name.clone());
                    }
                    depth = depth.max(open.len() + dropped_open.len());
                }
            }
        }
        let mut end = tag.end;
        if let TagKind::Open(name) = &tag.kind {
            if RAW_TEXT.contains(&name.as_str()) {
                // Its content is text up to its own closing tag, which closes it.
                end = find_closing(bytes, end, name).unwrap_or(bytes.len());
            }
        }
        if drop_tag {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..lt]);
            copied = tag.end;
        }
        i = end;
    }
    let html = match out {
        None => Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Cow::Owned(o)
        }
    };
    Nesting { html, depth, dropped }
}

enum TagKind {
    Open(String),
    Close(String),
    /// A comment, doctype or processing instruction.
    Other,
}

struct Tag {
    kind: TagKind,
    /// Byte offset just past the tag's `>`.
    end: usize,
}

/// The tag starting at `bytes[lt] == b'<'`, or `None` when the `<` is text.
fn scan_tag(bytes: &[u8], lt: usize) -> Option<Tag> {
    let rest = &bytes[lt + 1..];
    if rest.starts_with(b"!--") {
        let end = find(bytes, lt + 4, b"-->").map_or(bytes.len(), |p| p + 3);
        return Some(Tag { kind: TagKind::Other, end });
    }
    if rest.first().is_some_and(|&c| c == b'!' || c == b'?') {
        let end = memchr(b'>', rest).map_or(bytes.len(), |p| lt + 1 + p + 1);
        return Some(Tag { kind: TagKind::Other, end });
    }
    let (closing, name_start) = if rest.first() == Some(&b'/') { (true, 2) } else { (false, 1) };
    let start = lt + name_start;
    if !bytes.get(start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut j = start;
    while j < bytes.len()
        && !matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>')
    {
        j += 1;
    }
    let name = String::from_utf8_lossy(&bytes[start..j]).to_ascii_lowercase();
    // The end of the tag: the first `>` outside a quoted attribute value.
    let mut quote = None;
    while j < bytes.len() {
        match (quote, bytes[j]) {
            (None, b'>') => break,
            (None, q @ (b'"' | b'\'')) if bytes[j - 1] == b'=' || is_space(bytes[j - 1]) => {
                quote = Some(q)
            }
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        j += 1;
    }
    let end = (j + 1).min(bytes.len());
    let kind = if closing { TagKind::Close(name) } else { TagKind::Open(name) };
    Some(Tag { kind, end })
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Elements whose opening tag closes an open `p`.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "details"
            | "div"
            | "dl"
            | "fieldset"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "pre"
            | "section"
            | "table"
            | "ul"
    )
}

/// The offset just past `</name ...>` at or after `from`, case-insensitively.
fn find_closing(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut i = from;
    while let Some(p) = find(bytes, i, b"</") {
        let after = p + 2;
        let candidate = bytes.get(after..after + name.len())?;
        if candidate.eq_ignore_ascii_case(name.as_bytes())
            && bytes.get(after + name.len()).is_none_or(|&c| c == b'>' || is_space(c) || c == b'/')
        {
            return Some(memchr(b'>', &bytes[after..]).map_or(bytes.len(), |q| after + q + 1));
        }
        i = after;
    }
    None
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&c| c == needle)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_page_is_left_alone() {
        let page = "<!doctype html><html><head><title>a<b></title><meta charset=utf-8>\
            <script>if (a<b) { x = '<div>'; }</script></head><body><div class=\"x>y\"><p>Eins<p>Zwei\
            <br><img src=a.png><ul><li>a<li>b</ul><!-- <div><div> --></div></body></html>";
        let n = limit_nesting(page, 8);
        assert!(matches!(n.html, Cow::Borrowed(_)));
        assert_eq!((n.depth, n.dropped), (5, 0), "html body div p ul… never deeper than 5");
    }

    #[test]
    fn deep_nesting_is_flattened_and_the_text_kept() {
        let page = format!(
            "<html><body>{}<p>Die Regierung hat beschlossen.</p>{}</body></html>",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let n = limit_nesting(&page, MAX_HTML_DEPTH);
        assert_eq!(n.depth, 10_003);
        assert_eq!(n.dropped, 10_003 - MAX_HTML_DEPTH);
        let again = limit_nesting(&n.html, MAX_HTML_DEPTH);
        assert_eq!((again.depth, again.dropped), (MAX_HTML_DEPTH, 0), "flat enough now");
        assert!(
            n.html.contains("<div>Die Regierung hat beschlossen.</div>"),
            "text kept, <p> dropped"
        );
        assert!(n.html.ends_with("</body></html>"), "the outer closing tags are kept");
        assert_eq!(n.html.matches("<div>").count(), n.html.matches("</div>").count());
    }

    #[test]
    fn stray_closing_tags_do_not_hide_depth() {
        let page = "<div></span>".repeat(2_000);
        let n = limit_nesting(&page, 100);
        assert_eq!(n.depth, 2_000);
        assert_eq!(limit_nesting(&n.html, 100).depth, 100);
    }

    #[test]
    fn unclosed_tags_and_text_angles_do_not_break_the_scan() {
        let page = "a < b <3 <div title='>'>x<span>y</span><script>'<b>'</script>";
        let n = limit_nesting(page, 1);
        assert_eq!((n.depth, n.dropped), (2, 1));
        assert_eq!(n.html, "a < b <3 <div title='>'>xy<script>'<b>'</script>");
    }
}
