//! The model as read from XMILE, before any name is resolved.

use super::error::Location;
// Names are read by the equation parser too: the rule lives there.
pub use super::expr::canonical_name;

/// Integration method from `<sim_specs method=...>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Euler,
    Rk4,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimSpecs {
    pub start: f64,
    pub stop: f64,
    pub dt: f64,
    pub save_step: f64,
    pub method: Method,
    pub time_units: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    Stock,
    Flow,
    Aux,
}

impl VarKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VarKind::Stock => "stock",
            VarKind::Flow => "flow",
            VarKind::Aux => "aux",
        }
    }
}

/// How a graphical function reads between and beyond its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GfKind {
    Continuous,
    Extrapolate,
    Discrete,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GraphicalFunction {
    pub kind: GfKind,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
}

/// An equation's text and where it starts in the file, so that errors inside it can be located.
#[derive(Clone, Debug, PartialEq)]
pub struct Equation {
    pub text: String,
    /// Location of each byte of `text` is derived from this start and `raw`.
    pub start: Location,
    /// The text as it appears in the file (entities not expanded), for locating offsets.
    pub raw: String,
}

impl Equation {
    /// Line and column in the file of byte `offset` of the (unescaped) text.
    pub fn location_of(&self, offset: usize) -> Location {
        let raw_offset = raw_offset(&self.raw, offset);
        let mut loc = self.start;
        for ch in self.raw[..raw_offset.min(self.raw.len())].chars() {
            if ch == '\n' {
                loc.line += 1;
                loc.col = 1;
            } else {
                loc.col += 1;
            }
        }
        loc
    }
}

/// Maps an offset in entity-expanded text to the offset in the raw XML text.
fn raw_offset(raw: &str, unescaped: usize) -> usize {
    let bytes = raw.as_bytes();
    let (mut r, mut u) = (0, 0);
    while r < bytes.len() && u < unescaped {
        if bytes[r] == b'&'
            && let Some(end) = raw[r..].find(';')
        {
            r += end + 1;
            u += 1; // entities used in equations expand to one ASCII character
            continue;
        }
        let ch_len = raw[r..].chars().next().map_or(1, char::len_utf8);
        r += ch_len;
        u += ch_len;
    }
    r
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    /// The name as written in the file (display form).
    pub name: String,
    /// Canonical identifier: lower case, spaces and underscores alike.
    pub ident: String,
    pub kind: VarKind,
    pub eqn: Option<Equation>,
    pub inflows: Vec<(String, Location)>,
    pub outflows: Vec<(String, Location)>,
    pub non_negative: bool,
    pub gf: Option<GraphicalFunction>,
    pub units: Option<String>,
    pub doc: Option<String>,
    pub location: Location,
    /// `<init_eqn>`: the initial value when it differs from the equation (Vensim's ACTIVE
    /// INITIAL, through xmutil).
    pub init_eqn: Option<Equation>,
    /// Dimension names (as written) of an arrayed variable; empty for a scalar.
    pub dims: Vec<String>,
    /// Non-apply-to-all arrays: one equation (and graphical function) per element.
    pub elements: Vec<ElementEqn>,
    /// `access="input"` or `"output"` on a module's variable.
    pub access: Access,
    /// The equation already parsed (set by [`super::flatten`]; the reader leaves it empty).
    pub parsed: Option<super::expr::Expr>,
    /// Set by [`super::flatten`] on each element variable: the arrayed or module variable it
    /// comes from, and the element (`Some("a,b")`) if any.
    pub origin: Option<Origin>,
}

/// Where a flattened variable came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The array's name as written (for a module variable, `module.name`).
    pub array: String,
    /// The element names joined by commas, for an element of an array.
    pub element: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Access {
    #[default]
    Private,
    Input,
    Output,
}

/// One `<element subscript="a, b">` of a non-apply-to-all array.
#[derive(Clone, Debug, PartialEq)]
pub struct ElementEqn {
    /// Element names, one per dimension, as written.
    pub subscript: Vec<String>,
    pub eqn: Option<Equation>,
    pub gf: Option<GraphicalFunction>,
    pub location: Location,
}

/// A `<dim>` of the file's `<dimensions>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub name: String,
    pub ident: String,
    /// Element names as written (a dimension given by `size="n"` has elements "1".."n").
    pub elements: Vec<String>,
    /// Whether the elements were given as a size (then only numbers name them).
    pub numbered: bool,
    /// `<dim maps_to="Other">`: positional mapping onto another dimension.
    pub maps_to: Option<String>,
    pub location: Location,
}

/// A `<module>` placed in a model: an instance of another `<model>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub name: String,
    pub ident: String,
    /// The model it instantiates (the `model` attribute, else its own name).
    pub model: String,
    /// `(to, from)` pairs as written.
    pub connects: Vec<(String, String, Location)>,
    pub location: Location,
}

/// A `<model name="...">` other than the root one (instantiated by modules).
#[derive(Clone, Debug, PartialEq)]
pub struct SubModel {
    pub name: String,
    pub ident: String,
    pub variables: Vec<Variable>,
    pub named_gfs: Vec<NamedGf>,
    pub modules: Vec<Module>,
    pub location: Location,
}

/// A `<macro>`: a user-defined function, `name(parm, ...) = eqn`, possibly with its own stocks
/// and flows (each call site gets its own copy).
#[derive(Clone, Debug, PartialEq)]
pub struct Macro {
    pub name: String,
    pub ident: String,
    pub parms: Vec<String>,
    pub eqn: Equation,
    pub variables: Vec<Variable>,
    pub location: Location,
}

/// A named `<gf>` declared among the variables, used as `name(x)` or `LOOKUP(name, x)`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedGf {
    pub name: String,
    pub ident: String,
    pub gf: GraphicalFunction,
    pub location: Location,
}

/// A unit declared in `<model_units>`, with its aliases and optional definition.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitDef {
    pub name: String,
    pub eqn: Option<String>,
    pub aliases: Vec<String>,
}

/// One element placed on the `<views>` diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewElement {
    pub kind: String,
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub width: Option<f64>,
    pub height: Option<f64>,
    /// Flow pipe points.
    pub points: Vec<(f64, f64)>,
}

/// A causal link drawn on the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewLink {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    pub elements: Vec<ViewElement>,
    pub links: Vec<ViewLink>,
}

/// A parsed XMILE file.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile {
    /// The file name used in diagnostics.
    pub file: String,
    pub name: Option<String>,
    pub sim_specs: SimSpecs,
    pub variables: Vec<Variable>,
    pub named_gfs: Vec<NamedGf>,
    pub units: Vec<UnitDef>,
    pub views: Vec<View>,
    pub dimensions: Vec<Dimension>,
    /// Modules placed in the root model.
    pub modules: Vec<Module>,
    /// The other `<model>`s, which modules instantiate.
    pub submodels: Vec<SubModel>,
    pub macros: Vec<Macro>,
}

impl ModelFile {
    /// Whether the file uses arrays, modules or macros (which [`super::flatten`] expands).
    pub fn is_structured(&self) -> bool {
        !self.modules.is_empty()
            || !self.macros.is_empty()
            || self.variables.iter().any(|v| !v.dims.is_empty())
    }

    /// The dimension named `name` (any spelling).
    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        let ident = canonical_name(name);
        self.dimensions.iter().find(|d| d.ident == ident)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_treat_spaces_and_underscores_alike() {
        assert_eq!(canonical_name("Teacup Temperature"), "teacup_temperature");
        assert_eq!(canonical_name("teacup_temperature"), "teacup_temperature");
        assert_eq!(canonical_name(" Flow\\n2 "), "flow_2");
        assert_eq!(canonical_name("a  __ b"), "a_b");
        assert_eq!(
            canonical_name("Pop[ New York, Big City ]"),
            "pop[new_york,big_city]"
        );
    }

    #[test]
    fn offsets_map_through_entities() {
        let eq = Equation {
            text: "a > b".into(),
            start: Location::new(3, 10),
            raw: "a &gt; b".into(),
        };
        assert_eq!(eq.location_of(0), Location::new(3, 10));
        assert_eq!(eq.location_of(4), Location::new(3, 17));
    }
}
