//! A structural JSON scanner: finds where each element of an array (or each field of an object)
//! starts and ends without decoding strings.
//!
//! Why not `serde_json` for the envelope: one element with a lone surrogate (`"\ud800"`), invalid
//! UTF-8 or 200 nested arrays makes `serde_json` reject the whole page, and `RawValue` is not
//! enabled in this build. The scanner only tracks strings and brackets, so each element's raw
//! bytes can then be parsed (or quarantined) on its own. It never recurses, so depth cannot
//! overflow the stack.

/// Why a body is not a JSON array/object at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError(pub String);

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at `b[i] == '"'`.
fn string_end(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Ok(j + 1),
            _ => j += 1,
        }
    }
    Err(ScanError(format!("unterminated string at byte {i}")))
}

/// End (exclusive) of the JSON value starting at `i` (after whitespace).
fn value_end(b: &[u8], i: usize) -> Result<usize, ScanError> {
    match b.get(i) {
        None => Err(ScanError("unexpected end of input".into())),
        Some(b'"') => string_end(b, i),
        Some(b'[') | Some(b'{') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(ScanError(format!("unclosed bracket at byte {i}")))
        }
        Some(b']') | Some(b'}') | Some(b',') | Some(b':') => {
            Err(ScanError(format!("unexpected byte at {i}")))
        }
        Some(_) => {
            // A scalar (number, true, false, null); its validity is checked by the element parse.
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            Ok(j)
        }
    }
}

/// The raw bytes of each element of a top-level JSON array.
pub fn split_array(b: &[u8]) -> Result<Vec<&[u8]>, ScanError> {
    let (elems, end) = array_at(b, skip_ws(b, 0))?;
    if skip_ws(b, end) != b.len() {
        return Err(ScanError(format!("trailing data after byte {end}")));
    }
    Ok(elems)
}

fn array_at(b: &[u8], start: usize) -> Result<(Vec<&[u8]>, usize), ScanError> {
    if b.get(start) != Some(&b'[') {
        return Err(ScanError("not a JSON array".into()));
    }
    let mut out = Vec::new();
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b']') {
        return Ok((out, i + 1));
    }
    loop {
        let end = value_end(b, i)?;
        out.push(&b[i..end]);
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b']') => return Ok((out, i + 1)),
            _ => return Err(ScanError(format!("expected , or ] at byte {i}"))),
        }
    }
}

/// The top-level fields of a JSON object: (key as raw JSON string, raw value).
pub fn object_fields(b: &[u8]) -> Result<Vec<(String, &[u8])>, ScanError> {
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Err(ScanError("not a JSON object".into()));
    }
    let mut out = Vec::new();
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return trailing(b, i + 1).map(|_| out);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return Err(ScanError(format!("expected a key at byte {i}")));
        }
        let kend = string_end(b, i)?;
        let key: String =
            serde_json::from_slice(&b[i..kend]).map_err(|e| ScanError(format!("bad key: {e}")))?;
        i = skip_ws(b, kend);
        if b.get(i) != Some(&b':') {
            return Err(ScanError(format!("expected : at byte {i}")));
        }
        i = skip_ws(b, i + 1);
        let vend = value_end(b, i)?;
        out.push((key, &b[i..vend]));
        i = skip_ws(b, vend);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return trailing(b, i + 1).map(|_| out),
            _ => return Err(ScanError(format!("expected , or }} at byte {i}"))),
        }
    }
}

fn trailing(b: &[u8], end: usize) -> Result<(), ScanError> {
    if skip_ws(b, end) == b.len() {
        Ok(())
    } else {
        Err(ScanError(format!("trailing data after byte {end}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_elements_keeping_raw_bytes() {
        let body = br#" [ {"a":"x,]}\"y"} , [1,[2]] ,"s", 3 ,null ] "#;
        let parts = split_array(body).unwrap();
        let parts: Vec<&str> = parts
            .iter()
            .map(|p| std::str::from_utf8(p).unwrap())
            .collect();
        assert_eq!(
            parts,
            vec![r#"{"a":"x,]}\"y"}"#, "[1,[2]]", r#""s""#, "3", "null"]
        );
        assert_eq!(split_array(b"[]").unwrap().len(), 0);
    }

    #[test]
    fn lone_surrogate_and_bad_utf8_stay_inside_their_element() {
        let mut body = br#"[{"id":"1","t":"x\ud800"},{"id":"2","t":""#.to_vec();
        body.extend_from_slice(&[0x61, 0xFF, 0x62]);
        body.extend_from_slice(br#""},{"id":"3"}]"#);
        let parts = split_array(&body).unwrap();
        assert_eq!(parts.len(), 3);
        assert!(serde_json::from_slice::<serde_json::Value>(parts[0]).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(parts[1]).is_err());
        assert!(serde_json::from_slice::<serde_json::Value>(parts[2]).is_ok());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("[{}{}, 1]", "[".repeat(100_000), "]".repeat(100_000));
        let parts = split_array(deep.as_bytes()).unwrap();
        assert_eq!(parts.len(), 2);
        assert!(serde_json::from_slice::<serde_json::Value>(parts[0]).is_err());
    }

    #[test]
    fn rejects_non_arrays_and_broken_bodies() {
        for bad in [
            &b"<html>502</html>"[..],
            b"",
            b"{\"error\":\"x\"}",
            b"[1,2",
            b"[\"abc",
            b"[1] x",
            b"[,]",
            b"]]]]",
        ] {
            assert!(
                split_array(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn object_fields_split_top_level() {
        let f = object_fields(br#"{"ancestors":[{"a":1}], "descendants" : [] ,"x":"}"}"#).unwrap();
        let keys: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["ancestors", "descendants", "x"]);
        assert_eq!(f[0].1, br#"[{"a":1}]"#);
        assert!(object_fields(b"[1]").is_err());
        assert!(object_fields(b"{}").unwrap().is_empty());
    }
}
