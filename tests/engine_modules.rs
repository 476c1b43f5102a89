//! The engine's modules form a DAG: no module of `src/engine` imports one that imports it back,
//! directly or not. Read from the source: every `super::m` and `crate::engine::m` path outside
//! test modules is an edge. A submodule in `src/engine/m/` (a private helper of `m`) counts as
//! part of `m`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The source without its `#[cfg(test)]` modules and `//` comments.
fn without_tests_and_comments(code: &str) -> String {
    let mut code = code.to_string();
    while let Some(at) = code.find("#[cfg(test)]") {
        let Some(open) = code[at..].find('{').map(|i| at + i) else {
            code.truncate(at);
            break;
        };
        let mut depth = 0;
        let mut end = code.len();
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        code.replace_range(at..end, "");
    }
    code.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first segment of every path after `prefix` (`prefix::a`, `prefix::{a, b::c}`).
fn segments_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        // `super::super::x` is seen again at its second `super::`; only whole words count.
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(group.split(',').map(|item| ident(item.trim()).to_string()));
        } else {
            found.insert(ident(rest).to_string());
        }
    }
    found
}

/// Module → the sibling modules it refers to.
fn engine_graph(dir: &Path) -> Graph {
    let mut modules: BTreeMap<String, Vec<(std::path::PathBuf, bool)>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("src/engine is readable") {
        let path = entry.expect("directory entry").path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
            modules
                .entry(stem.to_string())
                .or_default()
                .push((path, false));
        }
    }
    for (name, files) in modules.iter_mut() {
        let sub = dir.join(name);
        if let Ok(entries) = std::fs::read_dir(&sub) {
            for entry in entries {
                files.push((entry.expect("directory entry").path(), true));
            }
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = Graph::new();
    for (name, files) in &modules {
        let mut refs = BTreeSet::new();
        for (path, is_child) in files {
            let code = std::fs::read_to_string(path).expect("source is readable");
            let code = without_tests_and_comments(&code);
            refs.extend(segments_after(&code, "crate::engine::"));
            // In a submodule `super` is the parent itself; its siblings are `super::super`.
            let prefix = if *is_child {
                "super::super::"
            } else {
                "super::"
            };
            refs.extend(segments_after(&code, prefix));
        }
        refs.retain(|r| r != name && names.contains(r));
        graph.insert(name.clone(), refs);
    }
    graph
}

/// A cycle, as the modules along it (first = last), or None for a DAG.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

fn graph_of(edges: &[(&str, &str)]) -> Graph {
    let mut g = Graph::new();
    for (a, b) in edges {
        g.entry(a.to_string()).or_default().insert(b.to_string());
        g.entry(b.to_string()).or_default();
    }
    g
}

#[test]
fn the_engine_modules_import_each_other_without_a_cycle() {
    let graph = engine_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "engine modules import each other in a circle: {}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn the_program_is_a_leaf_of_the_run_stages() {
    let graph = engine_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine"));
    // The scan must see the edges that exist, or a DAG verdict would mean nothing.
    for (from, to) in [
        ("compile", "program"),
        ("jit", "program"),
        ("jit", "interp"),
        ("run", "program"),
        ("run", "jit"),
        ("lower", "flatten"),
    ] {
        assert!(
            graph[from].contains(to),
            "{from} -> {to} not found: {graph:?}"
        );
    }
    for stage in ["compile", "jit", "run", "interp", "results", "finite"] {
        assert!(
            !graph["program"].contains(stage),
            "program imports {stage}: {:?}",
            graph["program"]
        );
    }
}

#[test]
fn the_scan_finds_imports_and_ignores_tests_and_comments() {
    let code = "use super::{ast::X, error};\nuse super::lower::Y;\n// super::jit in a comment\n\
                fn f() { crate::engine::run::go(); }\n\
                #[cfg(test)]\nmod tests { use super::compile; fn g() { if x { } } }\n";
    let code = without_tests_and_comments(code);
    let found: Vec<String> = segments_after(&code, "super::").into_iter().collect();
    assert_eq!(found, ["ast", "error", "lower"]);
    let found: Vec<String> = segments_after(&code, "crate::engine::")
        .into_iter()
        .collect();
    assert_eq!(found, ["run"]);
}

#[test]
fn the_cycle_finder_finds_cycles() {
    assert_eq!(
        find_cycle(&graph_of(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
    let cycle = find_cycle(&graph_of(&[("a", "b"), ("b", "c"), ("c", "a")])).expect("a cycle");
    assert_eq!(cycle, ["a", "b", "c", "a"]);
}
