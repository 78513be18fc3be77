//! Typed access to the fields of a parsed JSON line, with reasons that name the field.

use serde_json::{Map, Value};

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Typed access to a JSON object's fields, with reasons naming the field (`author.id`).
pub(crate) struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    /// Prefix for field names in reasons, e.g. `author.`.
    pub path: &'static str,
}

impl<'a> Obj<'a> {
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub(crate) fn req(&self, name: &str) -> Result<&'a Value, String> {
        self.get(name)
            .ok_or_else(|| format!("missing field \"{}{name}\"", self.path))
    }

    fn wrong(&self, name: &str, want: &str, v: &Value) -> String {
        format!(
            "field \"{}{name}\" must be {want}, found {}",
            self.path,
            type_name(v)
        )
    }

    /// A required string, as is (may be empty).
    pub(crate) fn req_string(&self, name: &str) -> Result<&'a str, String> {
        match self.req(name)? {
            Value::String(s) => Ok(s),
            v => Err(self.wrong(name, "a string", v)),
        }
    }

    /// A required string that must not be blank.
    pub(crate) fn req_str(&self, name: &str) -> Result<&'a str, String> {
        let s = self.req_string(name)?;
        if s.trim().is_empty() {
            return Err(format!("field \"{}{name}\" is empty", self.path));
        }
        Ok(s)
    }

    /// An optional string; empty counts as absent.
    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok((!s.is_empty()).then(|| s.clone())),
            Some(v) => Err(self.wrong(name, "a string", v)),
        }
    }

    /// An optional id: a string or an integer; empty counts as absent.
    pub(crate) fn opt_id(&self, name: &str) -> Result<Option<String>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok((!s.trim().is_empty()).then(|| s.clone())),
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(Some(n.to_string())),
            Some(Value::Number(n)) => Err(format!(
                "field \"{}{name}\" must be a string or an integer, found {n} (quote long ids as strings)",
                self.path
            )),
            Some(v) => Err(self.wrong(name, "a string or an integer", v)),
        }
    }

    pub(crate) fn req_id(&self, name: &str) -> Result<String, String> {
        self.req(name)?;
        self.opt_id(name)?
            .ok_or_else(|| format!("field \"{}{name}\" is empty", self.path))
    }
}
