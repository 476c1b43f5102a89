//! Stage 2a: parse every equation, then expand arrays, modules and macros into scalar
//! variables, so that the later stages see one flat model (an array is a run of element
//! variables, a module instance a block of `module.var` variables, a macro call its own copy of
//! the macro's variables). Nothing of this survives into the time loop.
//!
//! Naming: element `e1, e2` of array `x` is the variable `x[e1,e2]` (CSV column
//! `x[e1,e2]`); variable `v` of module instance `m` is `m.v`; a macro's variables and
//! arguments are hidden variables `\0macro#n.v` (no CSV column).

mod array_fns;

use std::collections::HashMap;

use super::ast::*;
use super::error::{Diagnostic, EngineError, Location, Result};
use super::expr::{BinOp, Expr, Index, Span, bin, ite, num};

/// Elements in one dimension.
pub const MAX_DIMENSION_SIZE: usize = 100_000;
/// Scalar variables a file may expand to (arrays times elements, module instances, macro copies).
pub const MAX_FLAT_VARIABLES: usize = 1_000_000;
/// Modules inside modules.
pub const MAX_MODULE_DEPTH: usize = 32;
/// Macros calling macros.
pub const MAX_MACRO_DEPTH: usize = 32;
/// Internal call `ACTIVE_INITIAL(active, initial)` that this stage writes for a variable with
/// an `<init_eqn>`, and [`super::lower`] reads.
pub const ACTIVE_INITIAL: &str = "\u{0}ACTIVE_INITIAL";

/// Names that mean something without being declared.
const RESERVED: [&str; 8] = [
    "time",
    "dt",
    "starttime",
    "stoptime",
    "pi",
    "self",
    "inf",
    "nan",
];

/// Parses and expands `model` into a model of scalar variables with parsed equations.
pub fn flatten(model: &ModelFile) -> Result<ModelFile> {
    let mut f = Flattener {
        model,
        dims: model
            .dimensions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.ident.clone(), i))
            .collect(),
        out: Vec::new(),
        hidden: Vec::new(),
        gfs: Vec::new(),
        errors: Vec::new(),
        macro_stack: Vec::new(),
        macro_count: 0,
        module_stack: Vec::new(),
        current: None,
        self_ident: None,
    };
    let root = Scope::new(
        String::new(),
        String::new(),
        &model.variables,
        &model.modules,
    );
    f.instance(&root, &model.named_gfs, &HashMap::new());
    if f.errors.is_empty() {
        f.check_size(model.location_root());
    }
    if !f.errors.is_empty() {
        return Err(if f.errors.len() == 1 {
            EngineError::Model(f.errors.remove(0))
        } else {
            EngineError::Many(f.errors)
        });
    }
    let mut variables = f.out;
    variables.extend(f.hidden);
    Ok(ModelFile {
        file: model.file.clone(),
        name: model.name.clone(),
        sim_specs: model.sim_specs.clone(),
        variables,
        named_gfs: f.gfs,
        units: model.units.clone(),
        views: model.views.clone(),
        dimensions: model.dimensions.clone(),
        modules: Vec::new(),
        submodels: Vec::new(),
        macros: Vec::new(),
    })
}

impl ModelFile {
    fn location_root(&self) -> Location {
        Location::new(1, 1)
    }
}

/// One model instance's names: the root model, a module instance or a macro copy.
pub(super) struct Scope<'m> {
    /// Prefix of every variable identifier in this instance (`""`, `"hares."`).
    ident_prefix: String,
    /// Prefix of display names (`""`, `"hares."`).
    name_prefix: String,
    vars: HashMap<String, &'m Variable>,
    modules: &'m [Module],
    /// Names bound to expressions (a macro's parameters, when substituted).
    bindings: HashMap<String, Expr>,
    variables: &'m [Variable],
}

impl<'m> Scope<'m> {
    fn new(
        ident_prefix: String,
        name_prefix: String,
        variables: &'m [Variable],
        modules: &'m [Module],
    ) -> Self {
        Scope {
            ident_prefix,
            name_prefix,
            vars: variables.iter().map(|v| (v.ident.clone(), v)).collect(),
            modules,
            bindings: HashMap::new(),
            variables,
        }
    }
}

/// An expression over zero or more free dimensions: `elems` in row-major order of `axes`.
#[derive(Clone, Debug)]
pub(super) struct AVal {
    pub axes: Vec<Axis>,
    pub elems: Vec<Expr>,
}

/// A free dimension of an array value, and which of its elements it holds (all, or a range).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Axis {
    pub dim: usize,
    pub elems: Vec<usize>,
}

impl AVal {
    pub(super) fn scalar(e: Expr) -> Self {
        AVal {
            axes: Vec::new(),
            elems: vec![e],
        }
    }
    fn is_scalar(&self) -> bool {
        self.axes.is_empty()
    }
}

/// The element each bound dimension stands at, while expanding one element's equation.
type Ctx = [(usize, usize)];

/// How one subscript position selects.
enum Sel {
    Fixed(usize),
    Free(Vec<usize>),
    Dynamic(Expr),
    /// All elements, zero outside the computed 1-based range `lo..=hi`.
    Masked(Vec<usize>, Expr, Expr),
}

pub(super) struct Flattener<'m> {
    model: &'m ModelFile,
    dims: HashMap<String, usize>,
    out: Vec<Variable>,
    hidden: Vec<Variable>,
    gfs: Vec<NamedGf>,
    errors: Vec<Diagnostic>,
    macro_stack: Vec<String>,
    macro_count: usize,
    module_stack: Vec<String>,
    /// The variable and equation being expanded (for error locations).
    current: Option<(String, Equation)>,
    /// The identifier of the (element) variable being expanded, which SELF names.
    self_ident: Option<String>,
}

/// Identifier of element `tuple` of the array `ident`.
pub fn element_ident(ident: &str, elements: &[&str]) -> String {
    let parts: Vec<String> = elements.iter().map(|e| canonical_name(e)).collect();
    format!("{ident}[{}]", parts.join(","))
}

impl<'m> Flattener<'m> {
    fn error_at(&mut self, location: Location, message: String) {
        // An apply-to-all equation is expanded once per element: report each place once.
        if self.errors.iter().any(|e| e.location == location) {
            return;
        }
        self.errors.push(Diagnostic {
            file: self.model.file.clone(),
            location,
            message,
        });
    }

    /// An error inside the equation being expanded, at `span`.
    fn error(&mut self, span: Span, message: String) {
        let (location, owner) = match &self.current {
            Some((owner, eqn)) => (eqn.location_of(span.start), owner.clone()),
            None => (Location::new(1, 1), String::new()),
        };
        self.error_at(location, format!("in the equation of {owner:?}: {message}"));
    }

    fn check_size(&mut self, at: Location) {
        let n = self.out.len() + self.hidden.len();
        if n > MAX_FLAT_VARIABLES {
            self.error_at(
                at,
                format!(
                    "the model expands to {n} variables, over the limit of {MAX_FLAT_VARIABLES}"
                ),
            );
        }
    }

    fn too_big(&self) -> bool {
        self.out.len() + self.hidden.len() > MAX_FLAT_VARIABLES
    }

    fn dim(&self, name: &str) -> Option<usize> {
        self.dims.get(&canonical_name(name)).copied()
    }

    fn dimension(&self, i: usize) -> &'m Dimension {
        &self.model.dimensions[i]
    }

    /// Index of element `name` in dimension `d` (by name, or by number for numbered ones).
    fn element_of(&self, d: usize, name: &str) -> Option<usize> {
        let dim = self.dimension(d);
        let ident = canonical_name(name);
        let ident = match ident.split_once('.') {
            Some((qual, rest)) if qual == dim.ident => rest.to_string(),
            _ => ident,
        };
        dim.elements.iter().position(|e| canonical_name(e) == ident)
    }

    /// Expands every variable of one model instance (root, module) into `self.out`.
    /// `inputs`: this instance's variables that a `<connect>` feeds, with the full identifier
    /// of the variable that feeds each.
    fn instance(
        &mut self,
        scope: &Scope<'m>,
        named_gfs: &'m [NamedGf],
        inputs: &HashMap<String, String>,
    ) {
        for g in named_gfs {
            self.gfs.push(NamedGf {
                name: format!("{}{}", scope.name_prefix, g.name),
                ident: format!("{}{}", scope.ident_prefix, g.ident),
                gf: g.gf.clone(),
                location: g.location,
            });
        }
        let (module_inputs, own_inputs) = self.connections(scope);
        let mut inputs = inputs.clone();
        inputs.extend(own_inputs);
        for v in scope.variables {
            if self.too_big() {
                return;
            }
            match inputs.get(&v.ident) {
                Some(from) => self.alias(scope, v, from),
                None => self.variable(scope, v),
            }
        }
        for m in scope.modules {
            if self.too_big() {
                return;
            }
            let fed = module_inputs.get(&m.ident).cloned().unwrap_or_default();
            self.module(scope, m, &fed);
        }
    }

    /// An input fed by a connection: an aux (per element, if arrayed) equal to its source.
    fn alias(&mut self, scope: &Scope<'m>, v: &'m Variable, from: &str) {
        let dims: Vec<usize> = v.dims.iter().filter_map(|d| self.dim(d)).collect();
        let sizes: Vec<usize> = dims
            .iter()
            .map(|&d| self.dimension(d).elements.len())
            .collect();
        let total: usize = if dims.is_empty() {
            1
        } else {
            sizes.iter().product()
        };
        for flat in 0..total {
            let (mut alias, source) = if dims.is_empty() {
                (self.scalar_copy(scope, v, None), from.to_string())
            } else {
                let tuple = unflatten(flat, &sizes);
                let names = self.element_names(&v.dims, &tuple);
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                (
                    self.scalar_copy(scope, v, Some(&tuple)),
                    element_ident(from, &refs),
                )
            };
            alias.kind = VarKind::Aux;
            alias.non_negative = false;
            alias.gf = None;
            alias.parsed = Some(Expr::Var(source, Span { start: 0, end: 0 }));
            self.out.push(alias);
        }
    }

    /// The `<connect>`s of a scope's modules: per module, the inputs they feed (local name →
    /// full identifier of the source), and the scope's own variables fed by module outputs.
    /// Both spellings are read: `to="m.x" from=".y"` and Stella 10's bare `to="m.x" from="y"`;
    /// a `to` outside the module (`.y`, or a bare name the module lacks) feeds the scope itself.
    #[allow(clippy::type_complexity)]
    fn connections(
        &mut self,
        scope: &Scope<'m>,
    ) -> (
        HashMap<String, HashMap<String, String>>,
        HashMap<String, String>,
    ) {
        let mut per_module: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut own = HashMap::new();
        let module_of = |seg: &str| scope.modules.iter().find(|m| m.ident == seg);
        for m in scope.modules {
            let sub = self
                .model
                .submodels
                .iter()
                .find(|s| s.ident == canonical_name(&m.model));
            for (to, from, loc) in &m.connects {
                let to_parts = dotted(to);
                let from_parts = dotted(from);
                let source = format!("{}{}", scope.ident_prefix, from_parts.join("."));
                match to_parts.as_slice() {
                    [first, rest @ ..] if !rest.is_empty() && module_of(first).is_some() => {
                        let target = module_of(first).expect("checked");
                        let target_model = self
                            .model
                            .submodels
                            .iter()
                            .find(|s| s.ident == canonical_name(&target.model));
                        let local = rest.join(".");
                        let known = target_model
                            .is_some_and(|s| s.variables.iter().any(|v| v.ident == local));
                        if !known && target_model.is_some() {
                            self.error_at(
                                *loc,
                                format!("module {:?}: <connect to={to:?}> names no variable of model {:?}", target.name, target.model),
                            );
                            continue;
                        }
                        per_module
                            .entry(target.ident.clone())
                            .or_default()
                            .insert(local, source);
                    }
                    [single]
                        if sub.is_some_and(|s| {
                            s.variables
                                .iter()
                                .any(|v| v.ident == *single && v.access == Access::Input)
                        }) && !to.trim_start().starts_with('.') =>
                    {
                        per_module
                            .entry(m.ident.clone())
                            .or_default()
                            .insert(single.clone(), source);
                    }
                    parts => {
                        let local = parts.join(".");
                        if !scope.vars.contains_key(&local) {
                            self.error_at(
                                *loc,
                                format!("module {:?}: <connect to={to:?}> names no variable of the model that holds it", m.name),
                            );
                            continue;
                        }
                        own.insert(local, source);
                    }
                }
            }
        }
        (per_module, own)
    }

    /// A copy of `v` renamed into `scope` (and to `element`, if any), without an equation yet.
    fn scalar_copy(&self, scope: &Scope<'m>, v: &Variable, element: Option<&[usize]>) -> Variable {
        let (name, ident, origin) = match element {
            None => (
                format!("{}{}", scope.name_prefix, v.name),
                format!("{}{}", scope.ident_prefix, v.ident),
                (!scope.ident_prefix.is_empty()).then(|| Origin {
                    array: format!("{}{}", scope.name_prefix, v.name),
                    element: None,
                }),
            ),
            Some(tuple) => {
                let names = self.element_names(&v.dims, tuple);
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                (
                    format!("{}{}[{}]", scope.name_prefix, v.name, names.join(",")),
                    element_ident(&format!("{}{}", scope.ident_prefix, v.ident), &refs),
                    Some(Origin {
                        array: format!("{}{}", scope.name_prefix, v.name),
                        element: Some(names.join(",")),
                    }),
                )
            }
        };
        Variable {
            name,
            ident,
            kind: v.kind,
            eqn: v.eqn.clone(),
            inflows: Vec::new(),
            outflows: Vec::new(),
            non_negative: v.non_negative,
            gf: v.gf.clone(),
            units: v.units.clone(),
            doc: v.doc.clone(),
            location: v.location,
            init_eqn: None,
            dims: Vec::new(),
            elements: Vec::new(),
            access: v.access,
            parsed: None,
            origin,
        }
    }

    fn element_names(&self, dims: &[String], tuple: &[usize]) -> Vec<String> {
        dims.iter()
            .zip(tuple)
            .map(|(d, &i)| match self.dim(d) {
                Some(d) => self.dimension(d).elements[i].clone(),
                None => i.to_string(),
            })
            .collect()
    }

    /// Parses an equation, reporting a syntax error at its place.
    fn parse(&mut self, owner: &str, eqn: &Equation) -> Option<Expr> {
        match super::limits::parse_equation(&eqn.text) {
            Ok(e) => Some(e),
            Err(err) => {
                self.error_at(
                    eqn.location_of(err.offset),
                    format!("in the equation of {owner:?}: {}", err.message),
                );
                None
            }
        }
    }

    fn variable(&mut self, scope: &Scope<'m>, v: &'m Variable) {
        let display = format!("{}{}", scope.name_prefix, v.name);
        let dims: Option<Vec<usize>> = v
            .dims
            .iter()
            .map(|d| {
                let found = self.dim(d);
                if found.is_none() {
                    self.error_at(
                        v.location,
                        format!(
                            "{display:?} is arrayed over {d:?}, which is not a declared dimension"
                        ),
                    );
                }
                found
            })
            .collect();
        let Some(dims) = dims else { return };
        if dims.is_empty() {
            if !v.elements.is_empty() {
                self.error_at(
                    v.elements[0].location,
                    format!("{display:?} has <element> equations but no <dimensions>"),
                );
                return;
            }
            let mut out = self.scalar_copy(scope, v, None);
            out.inflows = self.flow_names(scope, v, &v.inflows, &[]);
            out.outflows = self.flow_names(scope, v, &v.outflows, &[]);
            let eqn = v.eqn.as_ref().expect("the reader requires an equation");
            self.self_ident = Some(out.ident.clone());
            out.parsed = self.expand_equation(scope, &display, eqn, v.init_eqn.as_ref(), &[], v);
            self.out.push(out);
            return;
        }
        // Element equations of a non-apply-to-all array, by element tuple.
        let mut by_element: HashMap<Vec<usize>, &'m ElementEqn> = HashMap::new();
        for el in &v.elements {
            if el.subscript.len() != dims.len() {
                self.error_at(
                    el.location,
                    format!(
                        "<element subscript={:?}> of {display:?}: {} subscripts for {} dimensions",
                        el.subscript.join(","),
                        el.subscript.len(),
                        dims.len()
                    ),
                );
                continue;
            }
            let mut tuple = Vec::with_capacity(dims.len());
            for (s, &d) in el.subscript.iter().zip(&dims) {
                match self.element_of(d, s) {
                    Some(i) => tuple.push(i),
                    None => {
                        self.error_at(
                            el.location,
                            format!(
                                "<element> of {display:?}: {s:?} is not an element of dimension {:?}",
                                self.dimension(d).name
                            ),
                        );
                    }
                }
            }
            if tuple.len() == dims.len() {
                by_element.insert(tuple, el);
            }
        }
        let sizes: Vec<usize> = dims
            .iter()
            .map(|&d| self.dimension(d).elements.len())
            .collect();
        let total: usize = sizes.iter().product();
        if total > MAX_FLAT_VARIABLES {
            self.error_at(
                v.location,
                format!("{display:?} has {total} elements, over the limit of {MAX_FLAT_VARIABLES}"),
            );
            return;
        }
        for flat in 0..total {
            if self.too_big() {
                return;
            }
            let tuple = unflatten(flat, &sizes);
            let ctx: Vec<(usize, usize)> =
                dims.iter().copied().zip(tuple.iter().copied()).collect();
            let mut out = self.scalar_copy(scope, v, Some(&tuple));
            out.inflows = self.flow_names(scope, v, &v.inflows, &ctx);
            out.outflows = self.flow_names(scope, v, &v.outflows, &ctx);
            let (eqn, gf) = match by_element.get(&tuple) {
                Some(el) => (
                    el.eqn.as_ref().or(v.eqn.as_ref()),
                    el.gf.clone().or(v.gf.clone()),
                ),
                None if v.elements.is_empty() => (v.eqn.as_ref(), v.gf.clone()),
                None => (v.eqn.as_ref(), v.gf.clone()),
            };
            out.gf = gf;
            let Some(eqn) = eqn else {
                self.error_at(
                    v.location,
                    format!(
                        "{:?} has no equation: expected an <element subscript> for it",
                        out.name
                    ),
                );
                continue;
            };
            out.eqn = Some(eqn.clone());
            self.self_ident = Some(out.ident.clone());
            out.parsed = self.expand_equation(scope, &out.name, eqn, v.init_eqn.as_ref(), &ctx, v);
            self.out.push(out);
        }
    }

    /// A stock's inflow or outflow names in the flat model: the matching element of an arrayed
    /// flow, the flow itself if scalar.
    fn flow_names(
        &mut self,
        scope: &Scope<'m>,
        stock: &Variable,
        flows: &[(String, Location)],
        ctx: &Ctx,
    ) -> Vec<(String, Location)> {
        let mut out = Vec::new();
        for (name, loc) in flows {
            let ident = canonical_name(name);
            let full = format!("{}{}", scope.ident_prefix, ident);
            let Some(flow) = scope.vars.get(&ident) else {
                out.push((full, *loc)); // resolve reports the unknown name
                continue;
            };
            if flow.dims.is_empty() {
                out.push((full, *loc));
                continue;
            }
            let mut names = Vec::new();
            for d in &flow.dims {
                let bound = self
                    .dim(d)
                    .and_then(|d| ctx.iter().find(|(cd, _)| *cd == d).map(|&(_, e)| (d, e)));
                match bound {
                    Some((d, e)) => names.push(self.dimension(d).elements[e].clone()),
                    None => {
                        self.error_at(
                            *loc,
                            format!(
                                "stock {:?}: flow {name:?} is arrayed over {d:?}, which the stock is not",
                                stock.name
                            ),
                        );
                        return out;
                    }
                }
            }
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            out.push((element_ident(&full, &refs), *loc));
        }
        out
    }

    /// Parses and expands one (element's) equation; `init_eqn` wraps it as ACTIVE INITIAL.
    fn expand_equation(
        &mut self,
        scope: &Scope<'m>,
        owner: &str,
        eqn: &Equation,
        init_eqn: Option<&Equation>,
        ctx: &Ctx,
        v: &Variable,
    ) -> Option<Expr> {
        let parsed = self.parse(owner, eqn)?;
        self.current = Some((owner.to_string(), eqn.clone()));
        let e = self.scalar(scope, &parsed, ctx);
        let init = match init_eqn {
            Some(ie) => {
                let p = self.parse(owner, ie)?;
                self.current = Some((owner.to_string(), ie.clone()));
                Some(self.scalar(scope, &p, ctx))
            }
            None => None,
        };
        self.current = None;
        match (init, v.kind) {
            (None, _) => Some(e),
            // A stock's initial value is its <init_eqn>.
            (Some(i), VarKind::Stock) => Some(i),
            (Some(i), _) => Some(Expr::Call(
                ACTIVE_INITIAL.into(),
                vec![e, i],
                Span { start: 0, end: 0 },
            )),
        }
    }

    /// Expands an expression that must give one value.
    fn scalar(&mut self, scope: &Scope<'m>, e: &Expr, ctx: &Ctx) -> Expr {
        let v = self.expand(scope, e, ctx, false);
        if v.is_scalar() {
            return v.elems.into_iter().next().unwrap_or(num(0.0));
        }
        let dims: Vec<String> = v
            .axes
            .iter()
            .map(|a| self.dimension(a.dim).name.clone())
            .collect();
        self.error(
            span_of(e),
            format!(
                "this gives an array over {} where one value is expected (use SUM, MEAN, … or a subscript)",
                dims.join(", ")
            ),
        );
        num(0.0)
    }

    /// Expands `e` in the context `ctx`. With `whole`, a dimension name in a subscript means
    /// the whole dimension even when the context binds it (arguments that take arrays).
    pub(super) fn expand(&mut self, scope: &Scope<'m>, e: &Expr, ctx: &Ctx, whole: bool) -> AVal {
        match e {
            Expr::Num(_) => AVal::scalar(e.clone()),
            Expr::Var(name, span) => self.reference(scope, name, None, *span, ctx, whole),
            Expr::Subscript(name, idx, span) => {
                self.reference(scope, name, Some(idx), *span, ctx, whole)
            }
            Expr::Unary(op, a) => {
                let a = self.expand(scope, a, ctx, whole);
                map1(a, |x| Expr::Unary(*op, Box::new(x)))
            }
            Expr::Binary(op, a, b) => {
                let a = self.expand(scope, a, ctx, whole);
                let b = self.expand(scope, b, ctx, whole);
                self.zip(vec![a, b], span_of(e), |mut xs| {
                    let b = xs.pop().expect("two");
                    let a = xs.pop().expect("two");
                    bin(*op, a, b)
                })
            }
            Expr::If(c, a, b) => {
                let c = self.expand(scope, c, ctx, whole);
                let a = self.expand(scope, a, ctx, whole);
                let b = self.expand(scope, b, ctx, whole);
                self.zip(vec![c, a, b], span_of(e), |mut xs| {
                    let b = xs.pop().expect("three");
                    let a = xs.pop().expect("three");
                    let c = xs.pop().expect("three");
                    ite(c, a, b)
                })
            }
            Expr::Call(name, args, span) => self.call(scope, name, args, *span, ctx, whole),
        }
    }

    /// Elementwise combination with broadcasting by dimension.
    fn zip(&mut self, vals: Vec<AVal>, span: Span, f: impl Fn(Vec<Expr>) -> Expr) -> AVal {
        let mut axes: Vec<Axis> = Vec::new();
        for v in &vals {
            for a in &v.axes {
                match axes.iter().find(|x| x.dim == a.dim) {
                    Some(x) if x.elems.len() != a.elems.len() => {
                        let name = self.dimension(a.dim).name.clone();
                        self.error(
                            span,
                            format!("arrays over {name:?} of different lengths ({} and {}) cannot be combined", x.elems.len(), a.elems.len()),
                        );
                        return AVal::scalar(num(0.0));
                    }
                    Some(_) => {}
                    None => axes.push(a.clone()),
                }
            }
        }
        if axes.is_empty() {
            return AVal::scalar(f(vals
                .into_iter()
                .map(|v| v.elems.into_iter().next().unwrap_or(num(0.0)))
                .collect()));
        }
        let sizes: Vec<usize> = axes.iter().map(|a| a.elems.len()).collect();
        let total: usize = sizes.iter().product();
        let mut elems = Vec::with_capacity(total);
        for flat in 0..total {
            let pos = unflatten(flat, &sizes);
            let args = vals
                .iter()
                .map(|v| {
                    let mut k = 0;
                    for a in &v.axes {
                        let at = axes.iter().position(|x| x.dim == a.dim).expect("collected");
                        k = k * a.elems.len() + pos[at];
                    }
                    v.elems[k].clone()
                })
                .collect();
            elems.push(f(args));
        }
        AVal { axes, elems }
    }

    /// A name, with or without a subscript.
    fn reference(
        &mut self,
        scope: &Scope<'m>,
        name: &str,
        idx: Option<&Vec<Index>>,
        span: Span,
        ctx: &Ctx,
        whole: bool,
    ) -> AVal {
        if idx.is_none()
            && let Some(bound) = scope.bindings.get(name)
        {
            return AVal::scalar(bound.clone());
        }
        let Some(v) = scope.vars.get(name).copied() else {
            if idx.is_some() {
                self.error(
                    span,
                    format!("'{name}' is not an arrayed variable of this model"),
                );
                return AVal::scalar(num(0.0));
            }
            return AVal::scalar(self.undeclared(scope, name, span, ctx));
        };
        let full = format!("{}{}", scope.ident_prefix, v.ident);
        if v.dims.is_empty() {
            if idx.is_some() {
                self.error(
                    span,
                    format!("'{}' is not arrayed: it takes no subscript", v.name),
                );
            }
            return AVal::scalar(Expr::Var(full, span));
        }
        let dims: Vec<usize> = match v.dims.iter().map(|d| self.dim(d)).collect() {
            Some(d) => d,
            None => return AVal::scalar(num(0.0)), // reported where the variable is expanded
        };
        let mut sels = Vec::with_capacity(dims.len());
        match idx {
            None => {
                for &d in &dims {
                    sels.push(match bound_in(ctx, d, self.model) {
                        Some(e) if !whole => Sel::Fixed(e),
                        _ => Sel::Free((0..self.dimension(d).elements.len()).collect()),
                    });
                }
            }
            Some(idx) => {
                if idx.len() != dims.len() {
                    self.error(
                        span,
                        format!(
                            "'{}' has {} dimension(s) but is subscripted with {}",
                            v.name,
                            dims.len(),
                            idx.len()
                        ),
                    );
                    return AVal::scalar(num(0.0));
                }
                for (ix, &d) in idx.iter().zip(&dims) {
                    match self.selector(scope, ix, d, ctx, whole, span) {
                        Some(s) => sels.push(s),
                        None => return AVal::scalar(num(0.0)),
                    }
                }
            }
        }
        self.select(&full, &dims, sels, span)
    }

    /// A name that is no variable of the scope: SELF, `Dimension.element` or a dimension's
    /// name as a value (a 1-based position), a reserved name, or a module output or unknown
    /// name (resolved, or reported, later).
    fn undeclared(&self, scope: &Scope<'m>, name: &str, span: Span, ctx: &Ctx) -> Expr {
        if name == "self"
            && let Some(me) = &self.self_ident
        {
            return Expr::Var(me.clone(), span);
        }
        if let Some((d, e)) = name.split_once('.')
            && let Some(d) = self.dims.get(d).copied()
            && let Some(e) = self.element_of(d, e)
        {
            return num((e + 1) as f64);
        }
        if let Some(d) = self.dims.get(name).copied()
            && let Some(&(_, e)) = ctx.iter().find(|(cd, _)| *cd == d)
        {
            return num((e + 1) as f64);
        }
        if RESERVED.contains(&name) {
            return Expr::Var(name.to_string(), span);
        }
        Expr::Var(format!("{}{}", scope.ident_prefix, name), span)
    }

    /// What one subscript position selects in dimension `d`.
    fn selector(
        &mut self,
        scope: &Scope<'m>,
        ix: &Index,
        d: usize,
        ctx: &Ctx,
        whole: bool,
        span: Span,
    ) -> Option<Sel> {
        let len = self.dimension(d).elements.len();
        let all = || (0..len).collect::<Vec<_>>();
        match ix {
            Index::Star => Some(Sel::Free(all())),
            Index::Range(lo, hi) => {
                match (self.static_position(lo, d), self.static_position(hi, d)) {
                    (Some(l), Some(h)) if h >= l => Some(Sel::Free((l..=h).collect())),
                    (Some(_), Some(_)) => {
                        self.error(
                            span,
                            "a subscript range must run from lower to higher".into(),
                        );
                        None
                    }
                    // Computed bounds: every element, those outside the range as 0 (so SUM
                    // over it sums the range).
                    (l, h) => {
                        let bound = |f: &mut Self, fixed: Option<usize>, e: &Expr| match fixed {
                            Some(p) => num((p + 1) as f64),
                            None => f.scalar(scope, e, ctx),
                        };
                        let lo = bound(self, l, lo);
                        let hi = bound(self, h, hi);
                        Some(Sel::Masked(all(), lo, hi))
                    }
                }
            }
            Index::At(Expr::Var(name, _)) => {
                if let Some(e) = self.element_of(d, name) {
                    return Some(Sel::Fixed(e));
                }
                if let Some(nd) = self.dims.get(name.as_str()).copied() {
                    // The dimension's current element (mapped by position if another dimension
                    // of the same size), or the whole dimension when nothing binds it.
                    return Some(match ctx.iter().find(|(cd, _)| *cd == nd) {
                        Some(&(_, e)) if !whole || nd != d => {
                            if e < self.dimension(d).elements.len() {
                                Sel::Fixed(e)
                            } else {
                                self.error(
                                    span,
                                    format!(
                                        "element {} of {name:?} has no match in {:?}",
                                        e + 1,
                                        self.dimension(d).name
                                    ),
                                );
                                return None;
                            }
                        }
                        _ if nd == d
                            || self.dimension(nd).elements.len()
                                == self.dimension(d).elements.len() =>
                        {
                            Sel::Free(all())
                        }
                        _ => {
                            self.error(
                                span,
                                format!(
                                    "dimension {name:?} does not match {:?} here",
                                    self.dimension(d).name
                                ),
                            );
                            return None;
                        }
                    });
                }
                let is_var = scope.vars.contains_key(name.as_str())
                    || scope.bindings.contains_key(name.as_str());
                if !is_var {
                    self.error(
                        span,
                        format!(
                            "{name:?} is not an element of dimension {:?} (elements: {})",
                            self.dimension(d).name,
                            preview(&self.dimension(d).elements)
                        ),
                    );
                    return None;
                }
                let e = self.scalar(scope, ix_expr(ix), ctx);
                Some(Sel::Dynamic(e))
            }
            Index::At(Expr::Num(n)) => {
                let len = self.dimension(d).elements.len();
                if n.fract() == 0.0 && *n >= 1.0 && (*n as usize) <= len {
                    Some(Sel::Fixed(*n as usize - 1))
                } else {
                    self.error(
                        span,
                        format!(
                            "subscript {n} is outside 1..{len} of dimension {:?}",
                            self.dimension(d).name
                        ),
                    );
                    None
                }
            }
            Index::At(e) => {
                let e = self.scalar(scope, e, ctx);
                Some(Sel::Dynamic(e))
            }
        }
    }

    /// A range bound written as an element name or a number; None if it is computed.
    fn static_position(&self, e: &Expr, d: usize) -> Option<usize> {
        let len = self.dimension(d).elements.len();
        match e {
            Expr::Var(name, _) => self.element_of(d, name),
            Expr::Num(n) if n.fract() == 0.0 && *n >= 1.0 && (*n as usize) <= len => {
                Some(*n as usize - 1)
            }
            _ => None,
        }
    }

    /// The elements that `sels` pick from array `ident` over `dims`.
    fn select(&mut self, ident: &str, dims: &[usize], sels: Vec<Sel>, span: Span) -> AVal {
        let axes: Vec<Axis> = sels
            .iter()
            .zip(dims)
            .filter_map(|(s, &d)| match s {
                Sel::Free(elems) | Sel::Masked(elems, ..) => Some(Axis {
                    dim: d,
                    elems: elems.clone(),
                }),
                _ => None,
            })
            .collect();
        let sizes: Vec<usize> = axes.iter().map(|a| a.elems.len()).collect();
        let total: usize = sizes.iter().product();
        let mut elems = Vec::with_capacity(total);
        for flat in 0..total {
            let pos = unflatten(flat, &sizes);
            let mut free = pos.iter();
            let mut tuple: Vec<Option<usize>> = Vec::with_capacity(dims.len());
            let mut dynamic = Vec::new();
            let mut masks = Vec::new();
            for (k, s) in sels.iter().enumerate() {
                match s {
                    Sel::Fixed(e) => tuple.push(Some(*e)),
                    Sel::Free(elems) => {
                        tuple.push(Some(elems[*free.next().expect("one per free axis")]))
                    }
                    Sel::Masked(elems, lo, hi) => {
                        let e = elems[*free.next().expect("one per free axis")];
                        tuple.push(Some(e));
                        let at = num((e + 1) as f64);
                        masks.push(bin(
                            BinOp::And,
                            bin(BinOp::Ge, at.clone(), lo.clone()),
                            bin(BinOp::Le, at, hi.clone()),
                        ));
                    }
                    Sel::Dynamic(ix) => {
                        tuple.push(None);
                        dynamic.push((k, ix.clone()));
                    }
                }
            }
            let mut e = self.pick(ident, dims, &mut tuple, &dynamic, span);
            for m in masks {
                e = ite(m, e, num(0.0));
            }
            elems.push(e);
        }
        AVal { axes, elems }
    }

    /// One element, choosing computed positions at run time with a balanced IF tree (out of
    /// range gives 0).
    fn pick(
        &self,
        ident: &str,
        dims: &[usize],
        tuple: &mut Vec<Option<usize>>,
        dynamic: &[(usize, Expr)],
        span: Span,
    ) -> Expr {
        let Some(((k, ix), rest)) = dynamic.split_first() else {
            let names: Vec<&str> = tuple
                .iter()
                .zip(dims)
                .map(|(e, &d)| self.dimension(d).elements[e.expect("all fixed")].as_str())
                .collect();
            return Expr::Var(element_ident(ident, &names), span);
        };
        let len = self.dimension(dims[*k]).elements.len();
        let choices: Vec<Expr> = (0..len)
            .map(|e| {
                tuple[*k] = Some(e);
                self.pick(ident, dims, tuple, rest, span)
            })
            .collect();
        tuple[*k] = None;
        let tree = choose(ix, &choices, 0);
        let in_range = bin(
            BinOp::And,
            bin(BinOp::Ge, ix.clone(), num(0.5)),
            bin(BinOp::Lt, ix.clone(), num(len as f64 + 0.5)),
        );
        ite(in_range, tree, num(0.0))
    }

    fn call(
        &mut self,
        scope: &Scope<'m>,
        name: &str,
        args: &[Expr],
        span: Span,
        ctx: &Ctx,
        whole: bool,
    ) -> AVal {
        let upper = name.to_ascii_uppercase();
        if let Some(result) = array_fns::call(self, scope, &upper, args, span, ctx, whole) {
            return result;
        }
        let ident = canonical_name(name);
        if let Some(m) = self.model.macros.iter().find(|m| m.ident == ident) {
            let vals: Vec<AVal> = args
                .iter()
                .map(|a| self.expand(scope, a, ctx, whole))
                .collect();
            return self
                .zip(vals, span, |xs| {
                    Expr::Call(format!("\u{1}macro:{}", m.ident), xs, span)
                })
                .map_macro(self, m, span);
        }
        // A graphical function called by name: an arrayed one picks the current element.
        if let Some(v) = scope.vars.get(&ident).copied()
            && !v.dims.is_empty()
            && v.gf.is_some() | !v.elements.is_empty()
        {
            let table = self.reference(scope, &ident, None, span, ctx, whole);
            let vals: Vec<AVal> = std::iter::once(table)
                .chain(args.iter().map(|a| self.expand(scope, a, ctx, whole)))
                .collect();
            return self.zip(vals, span, |xs| {
                let mut it = xs.into_iter();
                let table = it.next().expect("table");
                Expr::Call(
                    "LOOKUP".into(),
                    std::iter::once(table).chain(it).collect(),
                    span,
                )
            });
        }
        let callee = if scope.vars.contains_key(&ident) {
            format!("{}{}", scope.ident_prefix, ident) // a scalar graphical function
        } else {
            name.to_string()
        };
        // LOOKUP's table argument names a graphical function: expand it as a reference.
        let vals: Vec<AVal> = args
            .iter()
            .map(|a| self.expand(scope, a, ctx, whole))
            .collect();
        let bound = self.zip(vals, span, |xs| Expr::Call(callee.clone(), xs, span));
        bind_ctx(bound, ctx, whole)
    }

    /// Expands a macro call whose arguments are the scalar expressions `args`.
    pub(super) fn macro_call(&mut self, m: &'m Macro, args: Vec<Expr>, span: Span) -> Expr {
        if args.len() != m.parms.len() {
            self.error(
                span,
                format!(
                    "macro {} takes {} argument(s), found {}",
                    m.name,
                    m.parms.len(),
                    args.len()
                ),
            );
            return num(0.0);
        }
        if self.macro_stack.contains(&m.ident) {
            self.error(
                span,
                format!(
                    "macro {} calls itself (through {}): recursive macros cannot be expanded",
                    m.name,
                    self.macro_stack.join(" → ")
                ),
            );
            return num(0.0);
        }
        if self.macro_stack.len() >= MAX_MACRO_DEPTH {
            self.error(
                span,
                format!("macros nested more than {MAX_MACRO_DEPTH} deep"),
            );
            return num(0.0);
        }
        self.macro_count += 1;
        let copy = self.macro_count;
        let prefix = format!("\u{0}{}#{copy}.", m.ident);
        let mut inner = Scope::new(prefix.clone(), prefix.clone(), &m.variables, &[]);
        for (p, a) in m.parms.iter().zip(args) {
            let pid = canonical_name(p);
            match a {
                Expr::Num(_) | Expr::Var(..) if m.variables.is_empty() => {
                    inner.bindings.insert(pid, a);
                }
                other => {
                    // A hidden variable, so that the argument is computed once per step.
                    let ident = format!("{prefix}{pid}");
                    inner.bindings.insert(pid, Expr::Var(ident.clone(), span));
                    self.hidden.push(hidden_var(
                        &ident,
                        &format!("{} argument {p}", m.name),
                        other,
                        m.location,
                    ));
                }
            }
        }
        self.macro_stack.push(m.ident.clone());
        let saved = self.current.clone();
        // The macro's own stocks and flows: one hidden copy per call site.
        for v in &m.variables {
            let mut out = self.scalar_copy(&inner, v, None);
            out.inflows = v
                .inflows
                .iter()
                .map(|(n, l)| (format!("{prefix}{}", canonical_name(n)), *l))
                .collect();
            out.outflows = v
                .outflows
                .iter()
                .map(|(n, l)| (format!("{prefix}{}", canonical_name(n)), *l))
                .collect();
            out.origin = Some(Origin {
                array: m.name.clone(),
                element: None,
            });
            let eqn = v.eqn.as_ref().expect("the reader requires an equation");
            let saved_self = self.self_ident.replace(out.ident.clone());
            out.parsed = self.expand_equation(&inner, &v.name, eqn, v.init_eqn.as_ref(), &[], v);
            self.self_ident = saved_self;
            out.name = format!("{} ({} #{copy})", v.name, m.name);
            self.hidden.push(out);
        }
        let body = self.parse(&m.name, &m.eqn);
        self.current = Some((m.name.clone(), m.eqn.clone()));
        let result = match body {
            Some(b) => self.scalar(&inner, &b, &[]),
            None => num(0.0),
        };
        self.current = saved;
        self.macro_stack.pop();
        result
    }

    fn module(&mut self, parent: &Scope<'m>, m: &'m Module, inputs: &HashMap<String, String>) {
        let model_ident = canonical_name(&m.model);
        let Some(sub) = self.model.submodels.iter().find(|s| s.ident == model_ident) else {
            self.error_at(
                m.location,
                format!(
                    "module {:?} instantiates model {:?}, which this file does not define",
                    m.name, m.model
                ),
            );
            return;
        };
        if self.module_stack.contains(&sub.ident) {
            self.error_at(
                m.location,
                format!("module {:?} contains its own model {:?} (through {}): recursive modules cannot be expanded", m.name, sub.name, self.module_stack.join(" → ")),
            );
            return;
        }
        if self.module_stack.len() >= MAX_MODULE_DEPTH {
            self.error_at(
                m.location,
                format!("modules nested more than {MAX_MODULE_DEPTH} deep"),
            );
            return;
        }
        let scope = Scope::new(
            format!("{}{}.", parent.ident_prefix, m.ident),
            format!("{}{}.", parent.name_prefix, m.name.replace("\\n", " ")),
            &sub.variables,
            &sub.modules,
        );
        for v in &sub.variables {
            if v.access == Access::Input && !inputs.contains_key(&v.ident) {
                let usable = v
                    .eqn
                    .as_ref()
                    .is_some_and(|e| super::limits::parse_equation(&e.text).is_ok())
                    || !v.elements.is_empty();
                if !usable {
                    self.error_at(
                        v.location,
                        format!("module {:?}: input {:?} is connected to nothing and has no equation of its own", m.name, v.name),
                    );
                    return;
                }
            }
        }
        self.module_stack.push(sub.ident.clone());
        self.instance(&scope, &sub.named_gfs, inputs);
        self.module_stack.pop();
    }

    pub(super) fn report(&mut self, span: Span, message: String) {
        self.error(span, message);
    }
}

impl AVal {
    /// Turns the placeholder calls `\u{1}macro:NAME(args)` into expanded macro copies.
    fn map_macro<'m>(self, f: &mut Flattener<'m>, m: &'m Macro, span: Span) -> AVal {
        let elems = self
            .elems
            .into_iter()
            .map(|e| match e {
                Expr::Call(_, args, _) => f.macro_call(m, args, span),
                other => other,
            })
            .collect();
        AVal {
            axes: self.axes,
            elems,
        }
    }
}

fn hidden_var(ident: &str, name: &str, e: Expr, location: Location) -> Variable {
    Variable {
        name: name.to_string(),
        ident: ident.to_string(),
        kind: VarKind::Aux,
        eqn: None,
        inflows: Vec::new(),
        outflows: Vec::new(),
        non_negative: false,
        gf: None,
        units: None,
        doc: None,
        location,
        init_eqn: None,
        dims: Vec::new(),
        elements: Vec::new(),
        access: Access::Private,
        parsed: Some(e),
        origin: Some(Origin {
            array: name.to_string(),
            element: None,
        }),
    }
}

/// The canonical segments of a dotted name (`m."a/b"` → `["m", "a/b"]`); a leading dot (the
/// parent model) is dropped.
fn dotted(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in name.trim().chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                cur.push(ch);
            }
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    parts.push(cur);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| canonical_name(&p))
        .collect()
}

/// Whether a flattened variable is a hidden part of a macro copy (no output column).
pub fn is_hidden(v: &Variable) -> bool {
    v.ident.starts_with('\u{0}')
}

fn ix_expr(ix: &Index) -> &Expr {
    match ix {
        Index::At(e) => e,
        _ => unreachable!("only At carries one expression"),
    }
}

/// The element of dimension `d` that the context binds, directly or through `maps_to`.
fn bound_in(ctx: &Ctx, d: usize, model: &ModelFile) -> Option<usize> {
    if let Some(&(_, e)) = ctx.iter().find(|(cd, _)| *cd == d) {
        return Some(e);
    }
    let target = &model.dimensions[d];
    ctx.iter().find_map(|&(cd, e)| {
        let c = &model.dimensions[cd];
        let maps = c.maps_to.as_deref().map(canonical_name) == Some(target.ident.clone())
            || target.maps_to.as_deref().map(canonical_name) == Some(c.ident.clone());
        (maps && e < target.elements.len()).then_some(e)
    })
}

/// Fixes every axis whose dimension the context binds (a call's array result inside an
/// apply-to-all equation gives the current element).
pub(super) fn bind_ctx(v: AVal, ctx: &Ctx, whole: bool) -> AVal {
    if whole || v.axes.iter().all(|a| !ctx.iter().any(|(d, _)| *d == a.dim)) {
        return v;
    }
    let sizes: Vec<usize> = v.axes.iter().map(|a| a.elems.len()).collect();
    let keep: Vec<Axis> = v
        .axes
        .iter()
        .filter(|a| !ctx.iter().any(|(d, _)| *d == a.dim))
        .cloned()
        .collect();
    let mut elems = Vec::new();
    for (flat, e) in v.elems.into_iter().enumerate() {
        let pos = unflatten(flat, &sizes);
        let matches =
            v.axes
                .iter()
                .zip(&pos)
                .all(|(a, &p)| match ctx.iter().find(|(d, _)| *d == a.dim) {
                    Some(&(_, want)) => a.elems[p] == want,
                    None => true,
                });
        if matches {
            elems.push(e);
        }
    }
    if elems.is_empty() {
        return AVal::scalar(num(0.0));
    }
    AVal { axes: keep, elems }
}

pub(super) fn map1(v: AVal, f: impl Fn(Expr) -> Expr) -> AVal {
    AVal {
        axes: v.axes,
        elems: v.elems.into_iter().map(f).collect(),
    }
}

/// Row-major position of flat index `flat` in an array of `sizes`.
pub(super) fn unflatten(mut flat: usize, sizes: &[usize]) -> Vec<usize> {
    let mut pos = vec![0; sizes.len()];
    for k in (0..sizes.len()).rev() {
        pos[k] = flat % sizes[k];
        flat /= sizes[k];
    }
    pos
}

/// Balanced IF tree choosing `choices[i]` when `ix` rounds to `first + i + 1`.
fn choose(ix: &Expr, choices: &[Expr], first: usize) -> Expr {
    if choices.len() == 1 {
        return choices[0].clone();
    }
    let mid = choices.len() / 2;
    let threshold = (first + mid) as f64 + 0.5;
    ite(
        bin(BinOp::Lt, ix.clone(), num(threshold)),
        choose(ix, &choices[..mid], first),
        choose(ix, &choices[mid..], first + mid),
    )
}

pub(super) fn span_of(e: &Expr) -> Span {
    match e {
        Expr::Var(_, s) | Expr::Call(_, _, s) | Expr::Subscript(_, _, s) => *s,
        Expr::Unary(_, a) => span_of(a),
        Expr::Binary(_, a, _) | Expr::If(a, _, _) => span_of(a),
        Expr::Num(_) => Span { start: 0, end: 0 },
    }
}

fn preview(elements: &[String]) -> String {
    let shown: Vec<&str> = elements.iter().take(6).map(String::as_str).collect();
    if elements.len() > 6 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
