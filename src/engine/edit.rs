//! Edits a constant's equation (and its `<doc>`) in XMILE text in place, keeping every other
//! byte of the file: calibration writes fitted values back into the model people read.

use roxmltree::{Document, Node};

use super::ast::canonical_name;
use super::error::{EngineError, Result};

/// New text for one variable: its equation and, if given, its documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstantEdit {
    pub name: String,
    pub eqn: String,
    pub doc: Option<String>,
}

/// Returns `text` with each edited variable's `<eqn>` (and `<doc>`) replaced. Fails, naming the
/// file, if a variable is missing or has no equation to replace.
pub fn set_equations(text: &str, file: &str, edits: &[ConstantEdit]) -> Result<String> {
    let doc = Document::parse_with_options(text, super::xml::options()).map_err(|e| {
        let pos = e.pos();
        EngineError::at(
            file,
            super::Location::new(pos.row, pos.col),
            format!("XML is not well formed: {e}"),
        )
    })?;
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for edit in edits {
        let key = canonical_name(&edit.name);
        let var = doc
            .descendants()
            .filter(|n| n.is_element())
            .filter(|n| matches!(n.tag_name().name(), "aux" | "flow" | "stock"))
            .find(|n| n.attribute("name").map(canonical_name).as_deref() == Some(&key))
            .ok_or_else(|| {
                EngineError::Run(format!("{file}: no variable named {:?}", edit.name))
            })?;
        let eqn = child(var, "eqn").ok_or_else(|| {
            EngineError::Run(format!("{file}: {:?} has no <eqn> to replace", edit.name))
        })?;
        let empty = || EngineError::Run(format!("{file}: {:?} has an empty <eqn/>", edit.name));
        replacements.push((inner_range(text, eqn).ok_or_else(empty)?, escape(&edit.eqn)));
        if let Some(new_doc) = &edit.doc {
            match child(var, "doc") {
                Some(d) => match inner_range(text, d) {
                    Some(range) => replacements.push((range, escape(new_doc))),
                    None => {
                        replacements.push((d.range(), format!("<doc>{}</doc>", escape(new_doc))))
                    }
                },
                None => {
                    let at = eqn.range().start;
                    let indent = line_indent(text, at);
                    replacements
                        .push((at..at, format!("<doc>{}</doc>\n{indent}", escape(new_doc))));
                }
            }
        }
    }
    replacements.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (range, new) in replacements {
        out.replace_range(range, &new);
    }
    Ok(out)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The bytes between an element's start and end tags; None for a self-closing `<eqn/>`.
fn inner_range(text: &str, node: Node) -> Option<std::ops::Range<usize>> {
    let whole = node.range();
    let element = &text[whole.clone()];
    if element.ends_with("/>") {
        return None;
    }
    let start = whole.start + element.find('>')? + 1;
    let end = whole.start + element.rfind("</")?;
    Some(start..end)
}

fn line_indent(text: &str, at: usize) -> &str {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..at];
    &line[..line.len() - line.trim_start().len()]
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
