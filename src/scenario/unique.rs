//! Maps in RON files with each key once: serde's own map reading keeps the last of two equal
//! keys without a word, so a scenario could say two things and `check` call it valid. Used as
//! `#[serde(deserialize_with = "unique::map")]`; the RON reader adds the line and column.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};

/// Reads a map, refusing a key given twice.
pub fn map<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + fmt::Debug,
    V: Deserialize<'de>,
{
    struct Unique<K, V>(PhantomData<(K, V)>);
    impl<'de, K, V> Visitor<'de> for Unique<K, V>
    where
        K: Deserialize<'de> + Ord + fmt::Debug,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map with each key once")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = access.next_entry::<K, V>()? {
                if out.contains_key(&k) {
                    return Err(A::Error::custom(format!(
                        "the key {k:?} is given twice in this map"
                    )));
                }
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Holder {
        #[serde(deserialize_with = "map")]
        m: BTreeMap<String, f64>,
    }

    #[test]
    fn a_key_given_twice_is_refused_with_its_position() {
        let ok: Holder = ron::from_str(r#"(m: {"a": 1, "b": 2})"#).expect("valid");
        assert_eq!(ok.m.len(), 2);
        let err = ron::from_str::<Holder>("(m: {\"a\": 1,\n \"a\": 2})").expect_err("refused");
        assert!(err.to_string().contains("given twice"), "{err}");
        assert_eq!(err.span.start.line, 2, "{err}");
    }
}
