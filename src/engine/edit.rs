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
        // `name[a, b]`: one element of an array, whose <element subscript="a, b"> holds its
        // equation.
        let (base, element) = match edit.name.split_once('[') {
            Some((b, rest)) => (b, Some(rest.trim_end().trim_end_matches(']'))),
            None => (edit.name.as_str(), None),
        };
        let key = canonical_name(base);
        let var = doc
            .descendants()
            .filter(|n| n.is_element())
            .filter(|n| matches!(n.tag_name().name(), "aux" | "flow" | "stock"))
            .find(|n| n.attribute("name").map(canonical_name).as_deref() == Some(&key))
            .ok_or_else(|| {
                EngineError::Run(format!("{file}: no variable named {:?}", edit.name))
            })?;
        let holder = match element {
            None => var,
            Some(sub) => {
                let want: Vec<String> = sub.split(',').map(canonical_name).collect();
                var.children()
                    .filter(|c| c.is_element() && c.tag_name().name() == "element")
                    .find(|c| {
                        c.attribute("subscript").is_some_and(|s| {
                            s.split(',').map(canonical_name).collect::<Vec<_>>() == want
                        })
                    })
                    .ok_or_else(|| {
                        EngineError::Run(format!(
                            "{file}: {:?} has no <element subscript> for [{sub}]: an apply-to-all array's elements share one equation",
                            base
                        ))
                    })?
            }
        };
        let eqn = child(holder, "eqn").ok_or_else(|| {
            EngineError::Run(format!("{file}: {:?} has no <eqn> to replace", edit.name))
        })?;
        let empty = || EngineError::Run(format!("{file}: {:?} has an empty <eqn/>", edit.name));
        replacements.push((inner_range(text, eqn).ok_or_else(empty)?, escape(&edit.eqn)));
        // The documentation is the array's, shared by its elements: left as it is for one.
        if let Some(new_doc) = edit.doc.as_ref().filter(|_| element.is_none()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_element_of_an_array_is_edited_in_place() {
        let text = r#"<xmile><model><variables>
<aux name="k"><dimensions><dim name="R"/></dimensions>
  <element subscript="North"><eqn>1</eqn></element>
  <element subscript="New York"><eqn>2</eqn></element></aux>
<aux name="all"><dimensions><dim name="R"/></dimensions><eqn>3</eqn></aux>
</variables></model></xmile>"#;
        let edit = |name: &str| ConstantEdit {
            name: name.into(),
            eqn: "42".into(),
            doc: Some("fitted".into()),
        };
        let out = set_equations(text, "m.xmile", &[edit("k[New_York]")]).expect("edits");
        assert!(
            out.contains(r#"<element subscript="New York"><eqn>42</eqn>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<element subscript="North"><eqn>1</eqn>"#),
            "{out}"
        );
        let err = set_equations(text, "m.xmile", &[edit("all[North]")]).expect_err("shared");
        assert!(err.to_string().contains("apply-to-all"), "{err}");
    }
}
