//! A small fuzzy matcher for the palette and the saved-reply picker: every query character must
//! appear in order; tighter and earlier matches score higher.

use crate::domain::search::fold;

/// Score of `query` against `text`, or None when it does not match. Empty query matches all.
pub fn score(query: &str, text: &str) -> Option<i64> {
    let q: Vec<char> = fold(query).chars().filter(|c| !c.is_whitespace()).collect();
    if q.is_empty() {
        return Some(0);
    }
    let hay: Vec<char> = fold(text).chars().collect();
    let mut qi = 0;
    let mut score = 0i64;
    let mut last: Option<usize> = None;
    for (i, c) in hay.iter().enumerate() {
        if qi < q.len() && *c == q[qi] {
            score += match last {
                Some(l) if l + 1 == i => 8,
                _ => 1,
            };
            if i == 0
                || hay
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| !p.is_alphanumeric())
            {
                score += 4;
            }
            last = Some(i);
            qi += 1;
        }
    }
    (qi == q.len()).then(|| score * 100 - hay.len().min(99) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_and_prefers_tight() {
        assert!(score("mkd", "Mark done").is_some());
        assert!(score("dmk", "Mark done").is_none());
        assert!(score("done", "Mark done") > score("done", "d o n e"));
        assert!(score("спас", "Спасибо").is_some());
        assert_eq!(score("", "x"), Some(0));
    }
}
