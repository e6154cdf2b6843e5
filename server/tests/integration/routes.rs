//! The router's routes, read from its source: every `.route(path, handler)`
//! in `app/src/server` and `server/src`, so a test that walks them cannot
//! miss one added tomorrow. Parameters are filled with a given value.

/// One route: its path pattern and the methods it answers.
#[derive(Clone, Debug)]
pub struct Route {
    pub pattern: String,
    pub methods: Vec<&'static str>,
}

impl Route {
    pub fn writes(&self) -> bool {
        self.methods.iter().any(|m| *m != "GET")
    }

    pub fn reads(&self) -> bool {
        self.methods.contains(&"GET")
    }

    /// The path with each `{name}` replaced by `fill(name)`.
    pub fn path(&self, fill: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        let mut rest = self.pattern.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').unwrap() + open;
            out.push_str(&rest[..open]);
            out.push_str(&fill(&rest[open + 1..close]));
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Every route the server declares, read from the source files.
pub fn all() -> Vec<Route> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut routes = Vec::new();
    // Every file below the two folders (the REST API is a folder of its
    // own), the tools' binaries aside (`make bench` serves a router of its own).
    let mut dirs = vec![root.join("app/src/server"), root.join("server/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("bin") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let file = path.file_name().unwrap().to_string_lossy().into_owned();
                routes.extend(parse(&text, &file));
            }
        }
    }
    routes.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    routes
}

/// The `.route("...", handler)` calls in `text`.
fn parse(text: &str, file: &str) -> Vec<Route> {
    let mut routes = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let Some(q1) = rest.find('"') else { break };
        // Only a literal first argument (skip whitespace before it).
        if !rest[..q1].trim().is_empty() {
            continue;
        }
        let q2 = rest[q1 + 1..].find('"').unwrap() + q1 + 1;
        let pattern = rest[q1 + 1..q2].to_owned();
        // The handler: up to the parenthesis closing `.route(`.
        let mut depth = 1;
        let mut end = q2 + 1;
        for (i, c) in rest[q2 + 1..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = q2 + 1 + i;
                break;
            }
        }
        let handler = &rest[q2 + 1..end];
        let mut methods = Vec::new();
        for (word, method) in [
            ("get(", "GET"),
            ("post(", "POST"),
            ("put(", "PUT"),
            ("patch(", "PATCH"),
            ("delete(", "DELETE"),
            ("any(", "GET"),
            ("any(", "POST"),
        ] {
            let found = handler.match_indices(word).any(|(i, _)| {
                // `get(` itself, not `forget(` or `widget(`.
                !handler[..i]
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if found && !methods.contains(&method) {
                methods.push(method);
            }
        }
        assert!(
            !methods.is_empty(),
            "{file}: no method found for {pattern}: {handler}"
        );
        routes.push(Route { pattern, methods });
        rest = &rest[end..];
    }
    routes
}

#[test]
fn the_route_table_is_read_from_the_source() {
    let routes = all();
    let find = |p: &str| routes.iter().find(|r| r.pattern == p);
    assert!(find("/register").is_some_and(|r| r.methods == ["POST"]));
    assert!(find("/bank/queue.csv").is_some_and(|r| r.methods == ["GET"]));
    assert!(find("/metrics").is_some());
    assert!(
        routes.iter().filter(|r| r.writes()).count() >= 60,
        "{routes:#?}"
    );
}
