//! Stage 1: read an XMILE document into a [`ModelFile`]. Strict: XML that is not well formed is
//! rejected (no silent repair), DTDs are refused (so no external entity is ever resolved and no
//! entity expands), and features we do not support yet are refused by name, never misread.

use roxmltree::{Document, Node, ParsingOptions};

use super::ast::*;
use super::error::{EngineError, Location, Result};

/// XMILE's namespace; elements in other namespaces (vendor extensions such as `isee:`) are skipped.
const XMILE_NS: &str = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0";
/// Bounds the work any file can cause while parsing.
const NODES_LIMIT: u32 = 5_000_000;

pub(super) fn options<'a>() -> ParsingOptions<'a> {
    ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    }
}

/// Reads and parses the XMILE file at `path`.
pub fn read_file(path: &std::path::Path) -> Result<ModelFile> {
    let file = path.display().to_string();
    let text = super::error::read_text(path)?;
    parse_str(&text, &file)
}

/// Parses XMILE text; `file` names the source in diagnostics.
pub fn parse_str(text: &str, file: &str) -> Result<ModelFile> {
    // Comments carry no model content; hand-written test models put `--` inside them, which XML
    // forbids. Those dashes are blanked (same length, so every location holds).
    let uncommented = comments_without_double_dashes(text);
    let text = uncommented.as_deref().unwrap_or(text);
    let declared;
    let text = match Document::parse_with_options(text, options()) {
        Err(roxmltree::Error::UnknownNamespace(prefix, _)) => {
            // Vendor files (Stella, xmutil) use `isee:` without declaring it. Declaring it on the
            // root element keeps every line number; the rest of the XML must still be well formed.
            declared = declare_prefix(text, &prefix);
            declared.as_deref().unwrap_or(text)
        }
        _ => text,
    };
    let doc = Document::parse_with_options(text, options()).map_err(|e| {
        let pos = e.pos();
        match e {
            roxmltree::Error::DtdDetected => {
                let at = text.find("<!DOCTYPE").unwrap_or(0);
                EngineError::at(
                    file,
                    LineIndex::new(text).location(at),
                    "a DTD (<!DOCTYPE>) is not allowed in XMILE: external entities are never resolved",
                )
            }
            other => EngineError::at(
                file,
                Location::new(pos.row, pos.col),
                format!("XML is not well formed: {other}"),
            ),
        }
    })?;
    let lines = LineIndex::new(doc.input_text());
    Reader {
        doc: &doc,
        file,
        lines,
    }
    .model_file()
}

/// `text` with every `--` inside an XML comment turned into `~~`; None if there is none.
fn comments_without_double_dashes(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    let mut at = 0;
    while let Some(open) = text[at..].find("<!--") {
        let body_start = at + open + 4;
        let Some(close) = text[body_start..].find("-->") else {
            break; // unclosed: the parser reports it
        };
        let body_end = body_start + close;
        let body = &text[body_start..body_end];
        if body.contains("--") {
            let o = out.get_or_insert_with(|| text.to_string());
            o.replace_range(body_start..body_end, &body.replace("--", "~~"));
        }
        at = body_end + 3;
    }
    out
}

/// Adds `xmlns:prefix` to the root `<xmile ...>` start tag (same line), for vendor prefixes that
/// files use without declaring. Up to a few prefixes; None if there is no root tag to extend.
fn declare_prefix(text: &str, prefix: &str) -> Option<String> {
    let start = text.find("<xmile")?;
    let end = start + text[start..].find('>')?;
    let insert_at = if text[..end].ends_with('/') {
        end - 1
    } else {
        end
    };
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..insert_at]);
    out.push_str(&format!(
        " xmlns:{prefix}=\"urn:borderflow:undeclared:{prefix}\""
    ));
    out.push_str(&text[insert_at..]);
    match Document::parse_with_options(&out, options()) {
        Err(roxmltree::Error::UnknownNamespace(next, _))
            if next != prefix && out.len() < text.len() + 512 =>
        {
            declare_prefix(&out, &next)
        }
        _ => Some(out),
    }
}

/// What a `<variables>` block holds.
#[derive(Default)]
struct Contents {
    variables: Vec<Variable>,
    named_gfs: Vec<NamedGf>,
    modules: Vec<Module>,
}

struct Reader<'a, 'input> {
    doc: &'a Document<'input>,
    file: &'a str,
    lines: LineIndex<'a>,
}

/// Byte offset to line and column in O(log lines) (roxmltree's own lookup rescans the text,
/// which is quadratic over a large model).
struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    fn location(&self, offset: usize) -> Location {
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        // Columns count characters; on a very long line (machine-written files) bytes, to stay linear.
        let col = match self.text.get(start..offset) {
            Some(t) if t.len() <= 4096 => t.chars().count(),
            _ => offset.saturating_sub(start),
        };
        Location::new(line as u32 + 1, col as u32 + 1)
    }
}

/// XMILE elements: no namespace, the OASIS one, or the root's (older drafts used another URI).
fn is_ours(node: &Node) -> bool {
    if !node.is_element() {
        return false;
    }
    let root_ns = node.document().root_element().tag_name().namespace();
    match node.tag_name().namespace() {
        None => true,
        Some(ns) => ns == XMILE_NS || Some(ns) == root_ns,
    }
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| is_ours(c) && c.tag_name().name() == name)
}

fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| is_ours(c) && c.tag_name().name() == name)
}

fn text_of(node: Node) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect::<String>()
}

impl<'a, 'i> Reader<'a, 'i> {
    fn loc(&self, node: Node) -> Location {
        self.lines.location(node.range().start)
    }

    fn err<T>(&self, node: Node, message: impl Into<String>) -> Result<T> {
        Err(EngineError::at(self.file, self.loc(node), message))
    }

    fn number(&self, node: Node, what: &str) -> Result<f64> {
        let text = text_of(node);
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => self.err(
                node,
                format!("expected a number for {what}, found {:?}", text.trim()),
            ),
        }
    }

    fn attr_number(&self, node: Node, attr: &str) -> Result<Option<f64>> {
        match node.attribute(attr) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => self.err(
                    node,
                    format!("expected a number in attribute {attr}, found {v:?}"),
                ),
            },
        }
    }

    fn model_file(&self) -> Result<ModelFile> {
        let root = self.doc.root_element();
        if root.tag_name().name() != "xmile" {
            return self.err(
                root,
                format!(
                    "expected an <xmile> root element, found <{}>",
                    root.tag_name().name()
                ),
            );
        }
        let specs_node = match child(root, "sim_specs") {
            Some(n) => n,
            None => return self.err(root, "expected a <sim_specs> element in <xmile>"),
        };
        let sim_specs = self.sim_specs(specs_node)?;
        let models: Vec<_> = children(root, "model").collect();
        // The root model is the one without a name (Stella names none; some tools name all, then
        // the first is the root).
        let model = match models.iter().find(|m| m.attribute("name").is_none()) {
            Some(m) => *m,
            None => match models.first() {
                Some(m) => *m,
                None => return self.err(root, "expected a <model> element in <xmile>"),
            },
        };
        let name = child(root, "header")
            .and_then(|h| child(h, "name"))
            .map(text_of)
            .filter(|s| !s.trim().is_empty());
        let units = child(root, "model_units")
            .map(|mu| self.unit_defs(mu))
            .unwrap_or_default();
        let (stock_nn, flow_nn) = child(root, "behavior").map_or((false, false), |b| {
            let global = child(b, "non_negative").is_some();
            let for_kind =
                |k: &str| child(b, k).is_some_and(|n| child(n, "non_negative").is_some());
            (global || for_kind("stock"), global || for_kind("flow"))
        });
        let defaults = (stock_nn, flow_nn);
        let mut file = ModelFile {
            file: self.file.to_string(),
            name,
            sim_specs,
            variables: Vec::new(),
            named_gfs: Vec::new(),
            units,
            views: Vec::new(),
            dimensions: match child(root, "dimensions") {
                Some(d) => self.dimensions(d)?,
                None => Vec::new(),
            },
            modules: Vec::new(),
            submodels: Vec::new(),
            macros: Vec::new(),
        };
        if let Some(vars) = child(model, "variables") {
            let contents = self.variables(vars, defaults)?;
            file.variables = contents.variables;
            file.named_gfs = contents.named_gfs;
            file.modules = contents.modules;
        }
        if let Some(views) = child(model, "views") {
            file.views = children(views, "view").map(|v| self.view(v)).collect();
        }
        for m in models.iter().filter(|m| **m != model) {
            let name = match m.attribute("name") {
                Some(n) if !n.trim().is_empty() => n.to_string(),
                _ => return self.err(*m, "a second <model> needs a name attribute"),
            };
            let contents = match child(*m, "variables") {
                Some(vars) => self.variables(vars, defaults)?,
                None => Contents::default(),
            };
            file.submodels.push(SubModel {
                ident: canonical_name(&name),
                name,
                variables: contents.variables,
                named_gfs: contents.named_gfs,
                modules: contents.modules,
                location: self.loc(*m),
            });
        }
        for m in children(root, "macro") {
            file.macros.push(self.macro_def(m, defaults)?);
        }
        Ok(file)
    }

    /// `<dimensions>`: each `<dim>` with `<elem name>` children or a `size`.
    fn dimensions(&self, node: Node) -> Result<Vec<Dimension>> {
        let mut dims: Vec<Dimension> = Vec::new();
        for d in children(node, "dim") {
            let name = match d.attribute("name") {
                Some(n) if !n.trim().is_empty() => n.to_string(),
                _ => return self.err(d, "<dim> needs a name attribute"),
            };
            let ident = canonical_name(&name);
            if dims.iter().any(|o| o.ident == ident) {
                return self.err(d, format!("dimension {name:?} is declared twice"));
            }
            let named: Vec<String> = children(d, "elem")
                .filter_map(|e| e.attribute("name").map(|n| n.trim().to_string()))
                .collect();
            let (elements, numbered) = if !named.is_empty() {
                (named, false)
            } else {
                let size = match d.attribute("size").map(|s| s.trim().parse::<usize>()) {
                    Some(Ok(n)) if n >= 1 => n,
                    _ => {
                        return self.err(
                            d,
                            format!("<dim name={name:?}>: expected <elem name> children or a size of at least 1"),
                        );
                    }
                };
                if size > super::flatten::MAX_DIMENSION_SIZE {
                    return self.err(
                        d,
                        format!(
                            "<dim name={name:?}>: size {size} is over the limit of {} elements",
                            super::flatten::MAX_DIMENSION_SIZE
                        ),
                    );
                }
                ((1..=size).map(|i| i.to_string()).collect(), true)
            };
            if elements.len() > super::flatten::MAX_DIMENSION_SIZE {
                return self.err(
                    d,
                    format!(
                        "<dim name={name:?}>: {} elements is over the limit of {}",
                        elements.len(),
                        super::flatten::MAX_DIMENSION_SIZE
                    ),
                );
            }
            let mut seen = std::collections::HashSet::new();
            for e in &elements {
                if !seen.insert(canonical_name(e)) {
                    return self.err(d, format!("dimension {name:?} lists element {e:?} twice"));
                }
            }
            dims.push(Dimension {
                ident,
                name,
                elements,
                numbered,
                maps_to: d.attribute("maps_to").map(str::to_string),
                location: self.loc(d),
            });
        }
        Ok(dims)
    }

    /// `<macro name>` with `<parm>`s, its `<eqn>` and optional `<variables>`.
    fn macro_def(&self, node: Node, defaults: (bool, bool)) -> Result<Macro> {
        let name = match node.attribute("name") {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            _ => return self.err(node, "<macro> needs a name attribute"),
        };
        let parms: Vec<String> = children(node, "parm")
            .map(|p| text_of(p).trim().to_string())
            .collect();
        if let Some(p) = children(node, "parm").find(|p| text_of(*p).trim().is_empty()) {
            return self.err(p, format!("macro {name:?}: empty <parm>"));
        }
        let eqn = match child(node, "eqn") {
            Some(e) => self.equation(e)?,
            None => return self.err(node, format!("macro {name:?} has no <eqn>")),
        };
        let contents = match child(node, "variables") {
            Some(vars) => self.variables(vars, defaults)?,
            None => Contents::default(),
        };
        if let Some(m) = contents.modules.first() {
            return Err(EngineError::at(
                self.file,
                m.location,
                format!("macro {name:?}: modules inside macros are not supported"),
            ));
        }
        Ok(Macro {
            ident: canonical_name(&name),
            name,
            parms,
            eqn,
            variables: contents.variables,
            location: self.loc(node),
        })
    }

    /// A `<module>` among the variables, with its `<connect>`s and Stella 10's `<connect2>`s
    /// (often the same connection again; duplicates collapse when they are applied).
    fn module(&self, node: Node) -> Result<Module> {
        let name = match node.attribute("name") {
            Some(n) if !n.trim().is_empty() => n.to_string(),
            _ => return self.err(node, "<module> needs a name attribute"),
        };
        let mut connects = Vec::new();
        let written = node
            .children()
            .filter(|c| is_ours(c) && matches!(c.tag_name().name(), "connect" | "connect2"));
        for c in written {
            match (c.attribute("to"), c.attribute("from")) {
                (Some(to), Some(from)) => {
                    connects.push((to.to_string(), from.to_string(), self.loc(c)))
                }
                _ => return self.err(c, "<connect> needs to and from attributes"),
            }
        }
        Ok(Module {
            ident: canonical_name(&name),
            model: node.attribute("model").unwrap_or(&name).to_string(),
            name,
            connects,
            location: self.loc(node),
        })
    }

    fn sim_specs(&self, node: Node) -> Result<SimSpecs> {
        let start = match child(node, "start") {
            Some(n) => self.number(n, "<start>")?,
            None => return self.err(node, "expected <start> in <sim_specs>"),
        };
        let stop = match child(node, "stop") {
            Some(n) => self.number(n, "<stop>")?,
            None => return self.err(node, "expected <stop> in <sim_specs>"),
        };
        let dt = match child(node, "dt") {
            Some(n) => {
                let v = self.number(n, "<dt>")?;
                if v <= 0.0 {
                    return self.err(n, format!("expected <dt> > 0, found {v}"));
                }
                if n.attribute("reciprocal")
                    .is_some_and(|r| r.eq_ignore_ascii_case("true"))
                {
                    1.0 / v
                } else {
                    v
                }
            }
            None => 1.0,
        };
        if stop < start {
            return self.err(node, format!("<stop> ({stop}) is before <start> ({start})"));
        }
        let save_node = child(node, "save_step").or_else(|| child(node, "savestep"));
        let save_step = match (save_node, self.attr_number(node, "save_step")?) {
            (Some(n), _) => self.number(n, "<save_step>")?,
            (None, Some(v)) => v,
            (None, None) => dt,
        };
        if save_step <= 0.0 {
            return self.err(node, format!("expected save_step > 0, found {save_step}"));
        }
        let method = match node.attribute("method").map(|m| m.to_ascii_lowercase()) {
            None => Method::Euler,
            Some(m) if m == "euler" => Method::Euler,
            Some(m) if m == "rk4" => Method::Rk4,
            Some(other) => {
                return self.err(
                    node,
                    format!("integration method {other:?} is not supported: expected Euler or RK4"),
                );
            }
        };
        Ok(SimSpecs {
            start,
            stop,
            dt,
            save_step: save_step.max(dt),
            method,
            time_units: node.attribute("time_units").map(str::to_string),
        })
    }

    fn unit_defs(&self, node: Node) -> Vec<UnitDef> {
        children(node, "unit")
            .filter_map(|u| {
                let name = u.attribute("name")?.to_string();
                Some(UnitDef {
                    name,
                    eqn: child(u, "eqn")
                        .map(text_of)
                        .filter(|s| !s.trim().is_empty()),
                    aliases: children(u, "alias").map(text_of).collect(),
                })
            })
            .collect()
    }

    /// `defaults`: whether stocks and flows are non-negative unless they say otherwise
    /// (the file's `<behavior>`).
    fn variables(&self, node: Node, defaults: (bool, bool)) -> Result<Contents> {
        let mut out = Contents::default();
        for var in node.children().filter(is_ours) {
            let kind = match var.tag_name().name() {
                "stock" => VarKind::Stock,
                "flow" => VarKind::Flow,
                "aux" => VarKind::Aux,
                "gf" => {
                    let name = match var.attribute("name") {
                        Some(n) => n.to_string(),
                        None => {
                            return self
                                .err(var, "<gf> among the variables needs a name attribute");
                        }
                    };
                    let gf = self.graphical_function(var)?;
                    out.named_gfs.push(NamedGf {
                        ident: canonical_name(&name),
                        name,
                        gf,
                        location: self.loc(var),
                    });
                    continue;
                }
                "module" => {
                    out.modules.push(self.module(var)?);
                    continue;
                }
                "group" => continue,
                other => {
                    return self.err(
                        var,
                        format!("unexpected <{other}> among the variables: expected <stock>, <flow>, <aux>, <gf> or <module>"),
                    );
                }
            };
            let default_nn = match kind {
                VarKind::Stock => defaults.0,
                VarKind::Flow => defaults.1,
                VarKind::Aux => false,
            };
            out.variables.push(self.variable(var, kind, default_nn)?);
        }
        Ok(out)
    }

    fn variable(&self, node: Node, kind: VarKind, default_nn: bool) -> Result<Variable> {
        let name = match node.attribute("name") {
            Some(n) if !n.trim().is_empty() => n.to_string(),
            _ => return self.err(node, format!("<{}> needs a name attribute", kind.as_str())),
        };
        let mut var = Variable {
            ident: canonical_name(&name),
            name,
            kind,
            eqn: None,
            inflows: Vec::new(),
            outflows: Vec::new(),
            non_negative: default_nn,
            gf: None,
            units: None,
            doc: None,
            location: self.loc(node),
            init_eqn: None,
            dims: Vec::new(),
            elements: Vec::new(),
            access: match node.attribute("access") {
                Some("input") => Access::Input,
                Some("output") => Access::Output,
                _ => Access::Private,
            },
            parsed: None,
            origin: None,
        };
        for c in node.children().filter(is_ours) {
            match c.tag_name().name() {
                "eqn" => var.eqn = Some(self.equation(c)?),
                "inflow" if kind == VarKind::Stock => var.inflows.push((text_of(c), self.loc(c))),
                "outflow" if kind == VarKind::Stock => var.outflows.push((text_of(c), self.loc(c))),
                "non_negative" => {
                    let t = text_of(c);
                    var.non_negative = match t.trim().to_ascii_lowercase().as_str() {
                        "" | "true" => true,
                        "false" => false,
                        other => {
                            return self.err(
                                c,
                                format!("<non_negative>: expected true or false, found {other:?}"),
                            );
                        }
                    }
                }
                "units" => {
                    var.units = Some(text_of(c).trim().to_string()).filter(|u| !u.is_empty())
                }
                "doc" => var.doc = Some(text_of(c).trim().to_string()),
                "gf" => var.gf = Some(self.graphical_function(c)?),
                "init_eqn" => var.init_eqn = Some(self.equation(c)?),
                "dimensions" => {
                    var.dims = children(c, "dim")
                        .filter_map(|d| d.attribute("name").map(str::to_string))
                        .collect();
                    if var.dims.is_empty() {
                        return self
                            .err(c, format!("<dimensions> in {:?} names no <dim>", var.name));
                    }
                }
                "element" => var.elements.push(self.element(c)?),
                "conveyor" | "queue" => {
                    return self.err(
                        c,
                        format!(
                            "<{}> in {:?}: conveyors and queues are not supported yet",
                            c.tag_name().name(),
                            var.name
                        ),
                    );
                }
                _ => {}
            }
        }
        if var.eqn.is_none() && var.elements.is_empty() {
            return self.err(
                node,
                format!(
                    "{} {:?} has no <eqn>: expected an equation",
                    kind.as_str(),
                    var.name
                ),
            );
        }
        Ok(var)
    }

    /// `<element subscript="a, b">` with its own `<eqn>` and optional `<gf>`.
    fn element(&self, node: Node) -> Result<ElementEqn> {
        let subscript = match node.attribute("subscript") {
            Some(s) if !s.trim().is_empty() => s.split(',').map(|e| e.trim().to_string()).collect(),
            _ => return self.err(node, "<element> needs a subscript attribute"),
        };
        Ok(ElementEqn {
            subscript,
            eqn: child(node, "eqn").map(|e| self.equation(e)).transpose()?,
            gf: child(node, "gf")
                .map(|g| self.graphical_function(g))
                .transpose()?,
            location: self.loc(node),
        })
    }

    fn equation(&self, node: Node) -> Result<Equation> {
        let text = text_of(node);
        if text.trim().is_empty() {
            return self.err(node, "empty <eqn>: expected an equation");
        }
        let first_text = node.children().find(|c| c.is_text());
        let (start, raw) = match first_text {
            Some(t) => {
                let range = t.range();
                (self.loc(t), self.doc.input_text()[range].to_string())
            }
            None => (self.loc(node), text.clone()),
        };
        Ok(Equation { text, start, raw })
    }

    fn points(&self, node: Node, what: &str) -> Result<Vec<f64>> {
        let sep = node.attribute("sep").unwrap_or(",");
        let text = text_of(node);
        text.split(sep)
            .map(|p| match p.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => self.err(
                    node,
                    format!(
                        "<{what}>: expected numbers separated by {sep:?}, found {:?}",
                        p.trim()
                    ),
                ),
            })
            .collect()
    }

    fn graphical_function(&self, node: Node) -> Result<GraphicalFunction> {
        let kind = match node.attribute("type").map(|t| t.to_ascii_lowercase()) {
            None => GfKind::Continuous,
            Some(t) if t == "continuous" => GfKind::Continuous,
            Some(t) if t == "extrapolate" => GfKind::Extrapolate,
            Some(t) if t == "discrete" => GfKind::Discrete,
            Some(t) => {
                return self.err(
                    node,
                    format!("<gf type={t:?}>: expected continuous, extrapolate or discrete"),
                );
            }
        };
        let ys = match child(node, "ypts") {
            Some(n) => self.points(n, "ypts")?,
            None => return self.err(node, "<gf> has no <ypts>"),
        };
        let xs = if let Some(n) = child(node, "xpts") {
            let xs = self.points(n, "xpts")?;
            if xs.len() != ys.len() {
                return self.err(
                    n,
                    format!(
                        "<gf>: {} x points but {} y points; expected the same number",
                        xs.len(),
                        ys.len()
                    ),
                );
            }
            if let Some(i) = xs.windows(2).position(|w| w[1] < w[0]) {
                return self.err(
                    n,
                    format!(
                        "<gf>: x points must be sorted, but {} comes after {}",
                        xs[i + 1],
                        xs[i]
                    ),
                );
            }
            xs
        } else if let Some(n) = child(node, "xscale") {
            let (min, max) = match (self.attr_number(n, "min")?, self.attr_number(n, "max")?) {
                (Some(a), Some(b)) => (a, b),
                _ => return self.err(n, "<xscale> needs min and max attributes"),
            };
            if max < min {
                return self.err(n, format!("<xscale>: max ({max}) is below min ({min})"));
            }
            let n_pts = ys.len();
            (0..n_pts)
                .map(|i| {
                    if n_pts == 1 {
                        min
                    } else {
                        min + (max - min) * i as f64 / (n_pts - 1) as f64
                    }
                })
                .collect()
        } else {
            return self.err(node, "<gf> needs <xscale> or <xpts>");
        };
        Ok(GraphicalFunction { kind, xs, ys })
    }

    fn view(&self, node: Node) -> View {
        let mut view = View::default();
        for el in node.children().filter(is_ours) {
            let kind = el.tag_name().name();
            if kind == "connector" {
                let from = child(el, "from").map(text_of);
                let to = child(el, "to").map(text_of);
                if let (Some(from), Some(to)) = (from, to) {
                    view.links.push(ViewLink {
                        from: from.trim().to_string(),
                        to: to.trim().to_string(),
                    });
                }
                continue;
            }
            let Some(name) = el.attribute("name") else {
                continue;
            };
            let num = |a: &str| el.attribute(a).and_then(|v| v.parse::<f64>().ok());
            let (Some(x), Some(y)) = (num("x"), num("y")) else {
                continue;
            };
            let points = child(el, "pts")
                .map(|pts| {
                    children(pts, "pt")
                        .filter_map(|p| {
                            let px = p.attribute("x")?.parse().ok()?;
                            let py = p.attribute("y")?.parse().ok()?;
                            Some((px, py))
                        })
                        .collect()
                })
                .unwrap_or_default();
            view.elements.push(ViewElement {
                kind: kind.to_string(),
                name: name.to_string(),
                x,
                y,
                width: num("width"),
                height: num("height"),
                points,
            });
        }
        view
    }
}
