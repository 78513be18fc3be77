//! The platforms' published API schemas, as `tests/schemas/get.sh` fetches them, and checks
//! that a request kith sent conforms: VK's method parameters (generated from VK's own JSON
//! schema, as the vk-io package publishes them) and Google's discovery document for YouTube.
//!
//! Without the files a test says so and skips, unless `KITH_REQUIRE_SCHEMAS` is set (CI sets
//! it after running the script), where a missing schema fails.

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    std::env::var_os("KITH_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/schemas"))
}

fn read(rel: &str) -> Option<String> {
    let path = dir().join(rel);
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) if std::env::var_os("KITH_REQUIRE_SCHEMAS").is_some() => {
            panic!("{} is missing: run tests/schemas/get.sh", path.display())
        }
        Err(_) => {
            eprintln!(
                "skipping the schema check: {} is missing (run tests/schemas/get.sh)",
                path.display()
            );
            None
        }
    }
}

/// One parameter of a VK method: its TypeScript type and whether it is required.
#[derive(Debug, Clone)]
pub struct VkParam {
    pub ty: String,
    pub required: bool,
}

/// VK's methods by name (`wall.createComment`) with their parameters.
pub struct VkSchema {
    methods: HashMap<String, HashMap<String, VkParam>>,
}

/// Parameters every method takes (the API's own, not listed per method).
const VK_COMMON: [&str; 5] = ["access_token", "v", "captcha_sid", "captcha_key", "lang"];

impl VkSchema {
    pub fn load() -> Option<VkSchema> {
        let params = read("vk/params.d.ts")?;
        let methods_ts = read("vk/methods.d.ts")?;
        let mut by_iface: HashMap<String, HashMap<String, VkParam>> = HashMap::new();
        let mut current: Option<(String, HashMap<String, VkParam>)> = None;
        for line in params.lines() {
            let l = line.trim();
            if let Some(rest) = l.strip_prefix("export interface ") {
                let name = rest.trim_end_matches('{').trim().to_string();
                current = Some((name, HashMap::new()));
            } else if l == "}" {
                if let Some((n, p)) = current.take() {
                    by_iface.insert(n, p);
                }
            } else if let Some((_, fields)) = current.as_mut() {
                if l.starts_with('*') || l.starts_with("/**") || l.starts_with('[') {
                    continue;
                }
                if let Some((name, ty)) = l.trim_end_matches(';').split_once(':') {
                    let required = !name.ends_with('?');
                    fields.insert(
                        name.trim_end_matches('?').trim().to_string(),
                        VkParam {
                            ty: ty.trim().to_string(),
                            required,
                        },
                    );
                }
            }
        }
        // methods.d.ts names each method with its params interface:
        // `createComment(params: Params.WallCreateCommentParams): …`; the group is what the
        // interface's name holds before the method's.
        let mut methods = HashMap::new();
        for line in methods_ts.lines() {
            let Some((m, rest)) = line.trim().split_once("(params") else {
                continue;
            };
            let m = m.trim().trim_end_matches('?');
            let Some(iface) = rest
                .split("Params.")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_alphanumeric()).next())
            else {
                continue;
            };
            let mut cap = m.to_string();
            if let Some(first) = cap.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            let Some(group) = iface
                .strip_suffix("Params")
                .and_then(|g| g.strip_suffix(cap.as_str()))
            else {
                continue;
            };
            let mut group = group.to_string();
            if let Some(first) = group.get_mut(0..1) {
                first.make_ascii_lowercase();
            }
            if let Some(p) = by_iface.get(iface) {
                methods.insert(format!("{group}.{m}"), p.clone());
            }
        }
        assert!(
            methods.contains_key("wall.createComment") && methods.len() > 300,
            "the VK schema was not understood ({} methods)",
            methods.len()
        );
        Some(VkSchema { methods })
    }

    /// What is wrong with calling `method` with `form` (empty: it conforms).
    pub fn check(&self, method: &str, form: &HashMap<String, String>) -> Vec<String> {
        let Some(params) = self.methods.get(method) else {
            return vec![format!("{method}: no such method in VK's schema")];
        };
        let mut bad = Vec::new();
        for (k, v) in form {
            if VK_COMMON.contains(&k.as_str()) {
                continue;
            }
            let Some(p) = params.get(k) else {
                bad.push(format!("{method}: {k} is not a parameter"));
                continue;
            };
            if !vk_value_fits(&p.ty, v) {
                bad.push(format!("{method}: {k}={v:?} is not a {}", p.ty));
            }
        }
        for (k, p) in params {
            if p.required && !form.contains_key(k) {
                bad.push(format!("{method}: required {k} missing"));
            }
        }
        bad
    }
}

fn vk_value_fits(ty: &str, v: &str) -> bool {
    let one = |t: &str, x: &str| match t.trim() {
        "number" => x.parse::<i64>().is_ok() || x.parse::<f64>().is_ok(),
        "boolean" => matches!(x, "0" | "1" | "true" | "false"),
        "string" => true,
        t if t.starts_with('\'') || t.starts_with('"') => t.trim_matches(['\'', '"']) == x,
        _ => true,
    };
    ty.split('|').any(|alt| {
        let alt = alt.trim();
        match alt.strip_suffix("[]") {
            Some(el) => v.split(',').all(|x| one(el, x)),
            None => one(alt, v),
        }
    })
}

/// Google's discovery document for the YouTube Data API v3.
pub struct YoutubeSchema {
    doc: Value,
}

impl YoutubeSchema {
    pub fn load() -> Option<YoutubeSchema> {
        let text = read("youtube/youtube.v3.json")?;
        let doc: Value = serde_json::from_str(&text).expect("youtube discovery document");
        Some(YoutubeSchema { doc })
    }

    /// The discovery method for an HTTP method and a path (`/youtube/v3/comments`).
    fn method(&self, http: &str, path: &str) -> Option<(&str, &Value)> {
        let rel = path.trim_start_matches('/');
        let resources = self.doc.get("resources")?.as_object()?;
        for (rname, r) in resources {
            for (mname, m) in r.get("methods")?.as_object()? {
                if m.get("httpMethod")?.as_str()? == http && m.get("path")?.as_str()? == rel {
                    let _ = (rname, mname);
                    return Some((m.get("id")?.as_str()?, m));
                }
            }
        }
        None
    }

    /// What is wrong with a request (empty: it conforms): the method exists, every query
    /// parameter is the method's (or a standard one), enums hold, required ones are there, and
    /// a JSON body's fields are the resource's.
    pub fn check(
        &self,
        http: &str,
        path: &str,
        query: &[(String, String)],
        body: &[u8],
    ) -> Vec<String> {
        let Some((id, m)) = self.method(http, path) else {
            return vec![format!(
                "{http} {path}: no such method in the discovery document"
            )];
        };
        let mut bad = Vec::new();
        let params = m.get("parameters").and_then(Value::as_object);
        let standard = self.doc.get("parameters").and_then(Value::as_object);
        for (k, v) in query {
            let spec = params
                .and_then(|p| p.get(k))
                .or_else(|| standard.and_then(|p| p.get(k)));
            let Some(spec) = spec else {
                bad.push(format!("{id}: {k} is not a parameter"));
                continue;
            };
            if let Some(values) = spec.get("enum").and_then(Value::as_array) {
                let ok = v
                    .split(',')
                    .all(|x| values.iter().any(|e| e.as_str() == Some(x)));
                if !ok {
                    bad.push(format!("{id}: {k}={v} is not one of its values"));
                }
            }
            let ty = spec.get("type").and_then(Value::as_str).unwrap_or("string");
            let fits = match ty {
                "integer" => v.parse::<i64>().is_ok(),
                "boolean" => matches!(v.as_str(), "true" | "false"),
                _ => true,
            };
            if !fits {
                bad.push(format!("{id}: {k}={v} is not a {ty}"));
            }
        }
        for (k, spec) in params.into_iter().flatten() {
            let required = spec.get("required").and_then(Value::as_bool) == Some(true);
            if required && !query.iter().any(|(q, _)| q == k) {
                bad.push(format!("{id}: required {k} missing"));
            }
        }
        if let Some(schema) = m.pointer("/request/$ref").and_then(Value::as_str) {
            match serde_json::from_slice::<Value>(body) {
                Ok(v) => self.body(id, schema, &v, &mut bad),
                Err(_) => bad.push(format!("{id}: the body is not JSON")),
            }
        }
        bad
    }

    fn body(&self, at: &str, schema: &str, v: &Value, bad: &mut Vec<String>) {
        let Some(s) = self.doc.pointer(&format!("/schemas/{schema}")) else {
            bad.push(format!("{at}: no schema {schema}"));
            return;
        };
        self.value(at, s, v, bad);
    }

    fn value(&self, at: &str, s: &Value, v: &Value, bad: &mut Vec<String>) {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return self.body(at, r, v, bad);
        }
        match (s.get("type").and_then(Value::as_str), v) {
            (Some("object"), Value::Object(fields)) => {
                let props = s.get("properties").and_then(Value::as_object);
                for (k, fv) in fields {
                    match props.and_then(|p| p.get(k)) {
                        Some(ps) => self.value(&format!("{at}.{k}"), ps, fv, bad),
                        None => bad.push(format!("{at}: {k} is not a field")),
                    }
                }
            }
            (Some("string"), Value::String(_))
            | (Some("boolean"), Value::Bool(_))
            | (Some("integer"), Value::Number(_))
            | (Some("array"), Value::Array(_)) => {}
            (Some(t), other) => bad.push(format!("{at}: {other} is not a {t}")),
            (None, _) => {}
        }
    }
}
