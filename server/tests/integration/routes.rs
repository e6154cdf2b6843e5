//! The router's routes, read from its source: every `.route(path, handler)`
//! in `crates/web/src` and `server/src`, so a test that walks them cannot
//! miss one added tomorrow. A path is a declared route (`routes::x::PATH`,
//! looked up in `app::routes::ALL`). Parameters are filled with a given
//! value.

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
    let mut dirs = vec![root.join("crates/web/src"), root.join("server/src")];
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
        // The first argument: a declared route's `PATH` (a literal is
        // refused: every address is declared once, in `app::routes`).
        let Some(comma) = rest.find(',') else { break };
        let first = rest[..comma].trim();
        assert!(
            !first.starts_with('"'),
            "{file}: {first}: a route is declared in app/src/routes.rs and bound by its PATH"
        );
        let Some(name) = first
            .strip_suffix("::PATH")
            .and_then(|p| p.rsplit("::").next())
        else {
            continue;
        };
        let pattern = app::routes::ALL
            .iter()
            .find(|r| r.0 == name)
            .unwrap_or_else(|| panic!("{file}: {name} is not a declared route"))
            .1
            .to_owned();
        let q2 = comma - 1;
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

/// Every declared route is bound by the router (none is declared and
/// forgotten), and no page builds a form's address by hand.
#[test]
fn every_declared_route_is_bound_and_every_form_posts_to_one() {
    let bound: Vec<String> = all().into_iter().map(|r| r.pattern).collect();
    for (name, pattern, _) in app::routes::ALL {
        assert!(
            bound.iter().any(|b| b == pattern),
            "{name} ({pattern}) is declared but no router binds it"
        );
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut dirs = vec![root.join("pages"), root.join("components")];
    let mut by_hand = Vec::new();
    let mut pages = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            pages += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                // A post's action is a route's `to(..)` (or a variable made
                // from one); a GET filter form names its own page.
                let post = line.contains("method=\"post\"");
                if line.contains("action=format!(") || (post && line.contains("action=\"")) {
                    by_hand.push(format!("{}: {}", path.display(), line.trim()));
                }
            }
        }
    }
    assert!(pages > 10, "the walk found the pages");
    assert!(
        by_hand.is_empty(),
        "form addresses written by hand: {by_hand:#?}"
    );
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

/// A page that shows one case to staff or a bank (a `reference` in its
/// address, outside the claimant's own `/claims/…`) is a declared case page,
/// so its views are audited: a case page under a new address cannot be
/// forgotten.
#[test]
fn every_page_of_a_case_is_an_audited_case_page() {
    let pages = crate::isolation::pages();
    assert!(pages.len() > 30, "the walk found the pages");
    let of_a_case: Vec<&String> = pages
        .iter()
        .filter(|p| p.contains("{reference}") && !p.starts_with("/claims/"))
        .collect();
    assert_eq!(of_a_case.len(), app::routes::CASE_PAGES.len());
    for page in of_a_case {
        assert!(
            app::routes::CASE_PAGES.contains(&page.as_str()),
            "{page} shows a case and is not audited"
        );
    }
}
