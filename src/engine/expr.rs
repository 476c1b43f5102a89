//! Stage 2a: parse an equation into an expression tree (XMILE 1.0 §3.3 operator precedence).

pub mod chain;

/// Byte range of a token or subexpression within its equation text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Mod,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    /// A name, canonical form.
    Var(String, Span),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A function call; the name is upper case (builtins) or canonical (graphical functions).
    Call(String, Vec<Expr>, Span),
    /// `name[i, j]`: an arrayed variable's element(s). Only [`super::flatten`] sees these; it
    /// turns every subscript into a reference to one element variable.
    Subscript(String, Vec<Index>, Span),
}

/// One position of a subscript.
#[derive(Clone, Debug, PartialEq)]
pub enum Index {
    /// `*`: every element of that position's dimension.
    Star,
    /// An element name, a dimension name, a number or an expression (a computed index).
    At(Expr),
    /// `lo:hi`: a contiguous range of elements.
    Range(Expr, Expr),
}

/// Builders for expressions that stages write themselves (expanded arrays, lowered built-ins).
pub fn num(v: f64) -> Expr {
    Expr::Num(v)
}
pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}
pub fn ite(c: Expr, a: Expr, b: Expr) -> Expr {
    Expr::If(Box::new(c), Box::new(a), Box::new(b))
}

/// A syntax error at a byte offset of the equation.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// Deeper nesting than this is refused rather than risking the stack.
pub const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Quoted(String),
    Op(&'static str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Colon,
    Comma,
    End,
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Num(v) => format!("number {v}"),
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Quoted(s) => format!("\"{s}\""),
        Tok::Op(o) => format!("'{o}'"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Colon => "':'".into(),
        Tok::Comma => "','".into(),
        Tok::End => "the end of the equation".into(),
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, Span)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // Comments in braces, as Stella writes them.
        if c == b'{' {
            match text[i..].find('}') {
                Some(end) => {
                    i += end + 1;
                    continue;
                }
                None => {
                    return Err(SyntaxError {
                        offset: i,
                        message: "comment '{' is never closed with '}'".into(),
                    });
                }
            }
        }
        let tok = if c.is_ascii_digit()
            || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
                let mut j = i + 1;
                if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                    j += 1;
                }
                if j < bytes.len() && bytes[j].is_ascii_digit() {
                    i = j;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            match text[start..i].parse::<f64>() {
                Ok(v) => Tok::Num(v),
                Err(_) => {
                    return Err(SyntaxError {
                        offset: start,
                        message: format!("malformed number '{}'", &text[start..i]),
                    });
                }
            }
        } else if c == b'"' {
            match text[i + 1..].find('"') {
                Some(end) => {
                    i += end + 2;
                    Tok::Quoted(text[start + 1..i - 1].to_string())
                }
                None => {
                    return Err(SyntaxError {
                        offset: i,
                        message: "quoted name is never closed with '\"'".into(),
                    });
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < bytes.len() {
                let b = bytes[i];
                // Apostrophes inside names (`farmer's income`), never at the start.
                let inner = b == b'_' || b == b'.' || b == b'$' || b == b'\'' || b >= 0x80;
                if b.is_ascii_alphanumeric() || inner {
                    i += 1;
                } else {
                    break;
                }
            }
            Tok::Ident(text[start..i].to_string())
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            let (op, len) = match two {
                "<=" => ("<=", 2),
                ">=" => (">=", 2),
                "<>" => ("<>", 2),
                "!=" => ("<>", 2),
                "==" => ("=", 2),
                "&&" => ("and", 2),
                // Stella files written by other tools use `//` for division.
                "//" => ("/", 2),
                "||" => ("or", 2),
                _ => match c {
                    b'(' => ("(", 1),
                    b')' => (")", 1),
                    b'[' => ("[", 1),
                    b']' => ("]", 1),
                    b':' => (":", 1),
                    b',' => (",", 1),
                    b'+' => ("+", 1),
                    b'-' => ("-", 1),
                    b'*' => ("*", 1),
                    b'/' => ("/", 1),
                    b'^' => ("^", 1),
                    b'<' => ("<", 1),
                    b'>' => (">", 1),
                    b'=' => ("=", 1),
                    b'!' => ("not", 1),
                    _ => {
                        let ch = text[i..].chars().next().unwrap_or('?');
                        return Err(SyntaxError {
                            offset: i,
                            message: format!("unexpected character '{ch}'"),
                        });
                    }
                },
            };
            i += len;
            match op {
                "(" => Tok::LParen,
                ")" => Tok::RParen,
                "[" => Tok::LBracket,
                "]" => Tok::RBracket,
                ":" => Tok::Colon,
                "," => Tok::Comma,
                _ => Tok::Op(op),
            }
        };
        toks.push((tok, Span { start, end: i }));
    }
    toks.push((
        Tok::End,
        Span {
            start: text.len(),
            end: text.len(),
        },
    ));
    Ok(toks)
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    depth: usize,
}

/// Parses one equation.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let toks = lex(text)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    match p.peek() {
        Tok::End => Ok(e),
        tok => {
            let t = describe(tok);
            Err(p.error(format!("unexpected {t} after a complete expression")))
        }
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn span(&self) -> Span {
        self.toks[self.pos].1
    }
    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn error(&self, message: String) -> SyntaxError {
        SyntaxError {
            offset: self.span().start,
            message,
        }
    }
    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }
    fn is_op(&self, op: &str) -> bool {
        match self.peek() {
            Tok::Op(o) => *o == op,
            Tok::Ident(s) => {
                (op == "and" || op == "or" || op == "not" || op == "mod")
                    && s.eq_ignore_ascii_case(op)
            }
            _ => false,
        }
    }
    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), SyntaxError> {
        if *self.peek() == tok {
            self.bump();
            Ok(())
        } else {
            let found = describe(self.peek());
            Err(self.error(format!("expected {what}, found {found}")))
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!(
                "expression nested more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let e = if self.keyword("if") {
            self.bump();
            let c = self.expr()?;
            if !self.keyword("then") {
                let found = describe(self.peek());
                return Err(self.error(format!("expected THEN, found {found}")));
            }
            self.bump();
            let a = self.expr()?;
            if !self.keyword("else") {
                let found = describe(self.peek());
                return Err(self.error(format!("expected ELSE, found {found}")));
            }
            self.bump();
            let b = self.expr()?;
            Expr::If(Box::new(c), Box::new(a), Box::new(b))
        } else {
            self.or()?
        };
        self.depth -= 1;
        Ok(e)
    }

    fn binary_level(
        &mut self,
        ops: &[(&str, BinOp)],
        next: fn(&mut Self) -> Result<Expr, SyntaxError>,
    ) -> Result<Expr, SyntaxError> {
        let first = next(self)?;
        // Operands are gathered flat; `chain::build` keeps long chains shallow.
        let mut rest = Vec::new();
        'outer: loop {
            for (text, op) in ops {
                if self.is_op(text) {
                    let offset = self.span().start;
                    self.bump();
                    rest.push((*op, offset, next(self)?));
                    continue 'outer;
                }
            }
            return chain::build(first, rest);
        }
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[("or", BinOp::Or)], Self::and)
    }
    fn and(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[("and", BinOp::And)], Self::equality)
    }
    fn equality(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[("=", BinOp::Eq), ("<>", BinOp::Ne)], Self::relational)
    }
    fn relational(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(
            &[
                ("<=", BinOp::Le),
                (">=", BinOp::Ge),
                ("<", BinOp::Lt),
                (">", BinOp::Gt),
            ],
            Self::additive,
        )
    }
    fn additive(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            Self::multiplicative,
        )
    }
    fn multiplicative(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("mod", BinOp::Mod)],
            Self::unary,
        )
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let e = if self.is_op("-") {
            self.bump();
            Expr::Unary(UnOp::Neg, Box::new(self.unary()?))
        } else if self.is_op("+") {
            self.bump();
            self.unary()?
        } else if self.is_op("not") {
            self.bump();
            Expr::Unary(UnOp::Not, Box::new(self.unary()?))
        } else {
            self.power()?
        };
        self.depth -= 1;
        Ok(e)
    }

    /// `^` binds tighter than unary minus (`-2^2` is -4) and is right-associative.
    fn power(&mut self) -> Result<Expr, SyntaxError> {
        let base = self.primary()?;
        if self.is_op("^") {
            self.bump();
            let exp = self.unary()?;
            return Ok(Expr::Binary(BinOp::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    /// Stella's function names written with spaces (`VECTOR ELM MAP(...)`) become one name
    /// with underscores; any other identifier is returned as it is.
    fn multi_word_function(&mut self, first: String) -> String {
        const NAMES: [&[&str]; 3] = [
            &["VECTOR", "ELM", "MAP"],
            &["VECTOR", "SORT", "ORDER"],
            &["VECTOR", "SELECT"],
        ];
        for words in NAMES {
            if !first.eq_ignore_ascii_case(words[0]) {
                continue;
            }
            let rest = &words[1..];
            let matches = rest.iter().enumerate().all(|(k, w)| {
                matches!(self.toks.get(self.pos + k).map(|t| &t.0),
                    Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(w))
            });
            let then_paren = matches!(
                self.toks.get(self.pos + rest.len()).map(|t| &t.0),
                Some(Tok::LParen)
            );
            if matches && then_paren {
                self.pos += rest.len();
                return words.join("_");
            }
        }
        first
    }

    /// `name` or `name[index, ...]`.
    fn maybe_subscript(&mut self, name: String, span: Span) -> Result<Expr, SyntaxError> {
        if *self.peek() != Tok::LBracket {
            return Ok(Expr::Var(name, span));
        }
        self.bump();
        let mut indices = Vec::new();
        loop {
            let star_alone = self.is_op("*")
                && matches!(
                    self.toks.get(self.pos + 1).map(|t| &t.0),
                    Some(Tok::Comma | Tok::RBracket)
                );
            if star_alone {
                self.bump();
                indices.push(Index::Star);
            } else {
                let at = self.expr()?;
                if *self.peek() == Tok::Colon {
                    self.bump();
                    let hi = self.expr()?;
                    indices.push(Index::Range(at, hi));
                } else {
                    indices.push(Index::At(at));
                }
            }
            if *self.peek() == Tok::Comma {
                self.bump();
            } else {
                break;
            }
        }
        self.expect(Tok::RBracket, "',' or ']' in the subscript")?;
        let end = self.toks[self.pos - 1].1.end;
        Ok(Expr::Subscript(
            name,
            indices,
            Span {
                start: span.start,
                end,
            },
        ))
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let (tok, span) = self.bump();
        match tok {
            Tok::Num(v) => Ok(Expr::Num(v)),
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(e)
            }
            Tok::Quoted(name) => self.maybe_subscript(canonical_name(&name), span),
            Tok::Ident(name) => {
                let name = self.multi_word_function(name);
                let reserved = ["then", "else", "and", "or", "not", "mod", "if"];
                let is_call = *self.peek() == Tok::LParen && name.eq_ignore_ascii_case("mod");
                if !is_call && reserved.iter().any(|r| name.eq_ignore_ascii_case(r)) {
                    self.pos -= 1;
                    return Err(self.error(format!("expected a value, found keyword '{name}'")));
                }
                if *self.peek() == Tok::LParen {
                    self.bump();
                    let mut args = Vec::new();
                    if *self.peek() != Tok::RParen {
                        loop {
                            args.push(self.expr()?);
                            if *self.peek() == Tok::Comma {
                                self.bump();
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect(Tok::RParen, "',' or ')' in the argument list")?;
                    let end = self.toks[self.pos - 1].1.end;
                    Ok(Expr::Call(
                        name,
                        args,
                        Span {
                            start: span.start,
                            end,
                        },
                    ))
                } else {
                    self.maybe_subscript(canonical_name(&name), span)
                }
            }
            other => {
                self.pos = self.pos.saturating_sub(1);
                if matches!(other, Tok::End) {
                    self.pos = self.toks.len() - 1;
                }
                Err(SyntaxError {
                    offset: span.start,
                    message: format!("expected a value, found {}", describe(&other)),
                })
            }
        }
    }
}

/// The canonical form of a variable name: trimmed, lower case, with each run of spaces,
/// underscores or escaped line breaks (`\n`) turned into one underscore; surrounding quotes
/// (as in `"Room Temperature"`) are dropped.
pub fn canonical_name(name: &str) -> String {
    let trimmed = name.trim();
    let unquoted = trimmed
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(trimmed);
    let name = unquoted.replace("\\n", " ");
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for ch in name.chars() {
        if ch.is_whitespace() || ch == '_' {
            pending_sep = true;
        } else {
            // Inside a subscript (`x[a, b]`) spaces around brackets and commas are not part of
            // any name.
            let at_bracket = out.ends_with(['[', ',']) || matches!(ch, '[' | ']' | ',');
            if pending_sep && !out.is_empty() && !at_bracket {
                out.push('_');
            }
            pending_sep = false;
            out.extend(ch.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(e: &Expr) -> f64 {
        match e {
            Expr::Num(v) => *v,
            Expr::Unary(UnOp::Neg, a) => -eval(a),
            Expr::Binary(BinOp::Pow, a, b) => eval(a).powf(eval(b)),
            Expr::Binary(BinOp::Sub, a, b) => eval(a) - eval(b),
            Expr::Binary(BinOp::Mul, a, b) => eval(a) * eval(b),
            Expr::Binary(BinOp::Add, a, b) => eval(a) + eval(b),
            Expr::Binary(BinOp::Div, a, b) => eval(a) / eval(b),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn precedence_follows_xmile() {
        assert_eq!(eval(&parse("-2^2").unwrap()), -4.0);
        assert_eq!(eval(&parse("2^3^2").unwrap()), 512.0);
        assert_eq!(eval(&parse("1 - 2 - 3").unwrap()), -4.0);
        assert_eq!(eval(&parse("2 + 3 * 4").unwrap()), 14.0);
        assert_eq!(eval(&parse("8 / 4 / 2").unwrap()), 1.0);
        assert_eq!(eval(&parse("2^-1").unwrap()), 0.5);
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let e = parse("a + * b").unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("'*'"), "{}", e.message);
        let e = parse("MIN(a, b").unwrap_err();
        assert!(e.message.contains("')'"), "{}", e.message);
        let e = parse("a b").unwrap_err();
        assert_eq!(e.offset, 2);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nested"), "{}", e.message);
        let minus = format!("{}1", "-".repeat(100_000));
        assert!(parse(&minus).is_err());
    }
}
