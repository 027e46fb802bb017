//! A [`Node`] read as any serde type, as `serde_json::from_value(node.to_json())` reads it but
//! without building the JSON value first: that copy took a tenth of a `generate` (the preset,
//! the context and the rendered documents are all read this way).
//!
//! Errors carry no position: [`crate::yaml`] reads a document that fails here again with
//! serde-saphyr, whose error is the one reported.

use super::{Node, Value};
use serde::de::value::{Error, MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{self, Error as _, IntoDeserializer, Visitor};

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = Error;

    /// Scalars visit as `serde_json::Value` would: integers as `u64` when not negative, and
    /// infinities and NaN, which JSON cannot hold, as null.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            Value::Float(f) if f.is_finite() => visitor.visit_f64(*f),
            Value::Float(_) => visitor.visit_unit(),
            Value::Str(s) => visitor.visit_borrowed_str(s),
            Value::Seq(items) => {
                let mut seq = SeqDeserializer::new(items.iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Map(entries) => {
                let mut map = MapDeserializer::new(entries.iter().map(|(k, v)| (k.as_str(), v)));
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::Float(f) if !f.is_finite() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant is a string; any other variant a map of one entry, its name to its value.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Map(entries) if entries.len() == 1 => {
                let entry = entries.iter().map(|(k, v)| (k.as_str(), v));
                visitor.visit_enum(MapAccessDeserializer::new(MapDeserializer::new(entry)))
            }
            _ => Err(Error::custom(format!(
                "expected a string or a map of one entry, not {}",
                self.type_name()
            ))),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for &'de Node {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::block::read;
    use crate::lint::node::{Node, Value};
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Typed {
        port: u16,
        weight: Option<f64>,
        missing: Option<String>,
        kind: Kind,
        action: Action,
        pair: (i64, String),
        labels: BTreeMap<String, String>,
        name: Name,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Kind {
        HTTPRoute,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    enum Action {
        Redirect { status: u16 },
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Name(String);

    const TEXT: &str = "port: 8080\nweight: 3\nmissing: null\nkind: HTTPRoute\naction:\n  redirect:\n    status: 301\npair: [-1, x]\nlabels:\n  app: web\nname: web\n";

    fn via_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_value(read(text).unwrap().to_json())
    }

    fn direct<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde::de::value::Error> {
        T::deserialize(&read(text).unwrap())
    }

    #[test]
    fn reads_types_as_the_json_value_would() {
        let expected = Typed {
            port: 8080,
            weight: Some(3.0),
            missing: None,
            kind: Kind::HTTPRoute,
            action: Action::Redirect { status: 301 },
            pair: (-1, "x".into()),
            labels: BTreeMap::from([("app".into(), "web".into())]),
            name: Name("web".into()),
        };
        assert_eq!(via_json::<Typed>(TEXT).unwrap(), expected);
        assert_eq!(direct::<Typed>(TEXT).unwrap(), expected);
    }

    #[test]
    fn refuses_what_the_json_value_refuses() {
        for text in [
            TEXT.replace("8080", "70000"),
            TEXT.replace("8080", "-1"),
            TEXT.replace("kind: HTTPRoute", "kind: Gateway"),
            TEXT.replace("pair: [-1, x]", "pair: [-1, x, y]"),
            TEXT.replace("name: web", "name: web\nextra: 1"),
            TEXT.replace("redirect:\n", "redirect:\n    status: 302\n  forward:\n"),
        ] {
            assert!(via_json::<Typed>(&text).is_err(), "{text}");
            assert!(direct::<Typed>(&text).is_err(), "{text}");
        }
    }

    #[test]
    fn infinities_read_as_null() {
        // Neither reader makes these (serde-saphyr is set to refuse them), but a tree may hold them.
        let float = |f| Node {
            line: 1,
            value: Value::Float(f),
        };
        let node = &Node {
            line: 1,
            value: Value::Map(vec![
                ("a".into(), float(f64::INFINITY)),
                ("b".into(), float(f64::NEG_INFINITY)),
                ("c".into(), float(f64::NAN)),
                ("d".into(), float(1.5)),
            ]),
        };
        assert_eq!(
            serde_json::Value::deserialize(node).unwrap(),
            node.to_json()
        );
        assert_eq!(
            serde_json::Value::deserialize(node).unwrap(),
            serde_json::json!({"a": null, "b": null, "c": null, "d": 1.5})
        );
        #[derive(Debug, Deserialize, PartialEq)]
        struct Floats {
            a: Option<f64>,
            d: Option<f64>,
        }
        assert_eq!(
            Floats::deserialize(node).unwrap(),
            Floats {
                a: None,
                d: Some(1.5)
            }
        );
    }
}
