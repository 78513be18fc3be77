//! `[views]`: the operator's own saved views (`NAME = "PATTERN"`), kept in the order the file
//! lists them and checked when the file is read (a bad pattern names its key, line and
//! column); the sidebar shows them after the team's.

use super::error::ValueError;
use crate::domain::pattern::Pattern;
use crate::domain::saved_view;
use crate::i18n::tf;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// `[views]` as written, in the file's order (a map would sort them by name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewsConfig(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for ViewsConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = ViewsConfig;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("NAME = \"PATTERN\" entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ViewsConfig, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(ViewsConfig(out))
            }
        }
        d.deserialize_map(InOrder)
    }
}

impl ViewsConfig {
    /// Every view checked: a usable name, once (any case), and a pattern that reads.
    pub fn check(&self) -> Result<(), ValueError> {
        let mut seen: Vec<String> = Vec::new();
        for (name, pattern) in &self.0 {
            let at = |reason: String| ValueError::new(&["views", name], reason);
            if !saved_view::valid_name(name) {
                return Err(at(tf(
                    "views.err.name",
                    &[
                        ("name", &crate::text::sanitize_line(name, 60).text),
                        ("max", &saved_view::MAX_NAME_CHARS),
                    ],
                )));
            }
            let folded = saved_view::fold(name);
            if seen.contains(&folded) {
                return Err(at(tf("views.cfg.twice", &[])));
            }
            seen.push(folded);
            Pattern::parse(pattern).map_err(|e| at(e.to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        views: ViewsConfig,
    }

    #[test]
    fn views_keep_the_file_order_and_bad_ones_are_refused() {
        let f: File = toml::from_str(
            "[views]\nzebra = \"~s new\"\n\"Доставка\" = \"доставка\"\nalpha = \"~k review\"\n",
        )
        .expect("toml");
        let names: Vec<&str> = f.views.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["zebra", "Доставка", "alpha"]);
        assert!(f.views.check().is_ok());
        let bad = ViewsConfig(vec![("x".into(), "~s nope".into())]);
        assert!(bad.check().is_err());
        let twice = ViewsConfig(vec![
            ("A".into(), "~s new".into()),
            ("a".into(), "~s done".into()),
        ]);
        assert!(twice.check().is_err());
    }
}
