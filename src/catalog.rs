//! Named data entries shipped in the binary and extendable from a folder: deployment contexts
//! (`profiles/`) and implementation presets (`implementations/`) are both a [`Catalog`].

use crate::yaml::ReadError;
use std::path::Path;
use std::sync::OnceLock;

/// An entry known by its name (the `--context` or `--implementation` value).
pub trait Named: Sized {
    fn name(&self) -> &str;

    /// Parses an entry embedded in the binary, which is valid by construction (the tests parse
    /// every one and check that it carries the name it is listed under).
    fn embedded(text: &str, origin: &str) -> Self;
}

/// The entries in order: built-in ones first, then those added from a folder.
///
/// A built-in entry is parsed when first used: a run of `generate` needs one context of four,
/// and parsing them all was a tenth of its work.
#[derive(Debug, Clone)]
pub struct Catalog<T> {
    list: Vec<Slot<T>>,
}

#[derive(Debug, Clone)]
enum Slot<T> {
    BuiltIn {
        name: &'static str,
        text: &'static str,
        parsed: OnceLock<T>,
    },
    Loaded(T),
}

impl<T: Named> Slot<T> {
    fn name(&self) -> &str {
        match self {
            Slot::BuiltIn { name, .. } => name,
            Slot::Loaded(entry) => entry.name(),
        }
    }

    fn entry(&self) -> &T {
        match self {
            Slot::BuiltIn { name, text, parsed } => parsed.get_or_init(|| T::embedded(text, name)),
            Slot::Loaded(entry) => entry,
        }
    }
}

impl<T: Named> Catalog<T> {
    /// The embedded `(name, text)` entries, each parsed when first used.
    pub fn embedded(texts: &'static [(&'static str, &'static str)]) -> Catalog<T> {
        let list = texts
            .iter()
            .map(|&(name, text)| Slot::BuiltIn {
                name,
                text,
                parsed: OnceLock::new(),
            })
            .collect();
        Catalog { list }
    }

    /// These entries, with each `*.yaml`/`*.yml` of `dir` (in path order) replacing the entry of the
    /// same name or added after them.
    pub fn overlay<E: From<ReadError>>(
        mut self,
        dir: Option<&Path>,
        parse: fn(&str, &str) -> Result<T, E>,
    ) -> Result<Catalog<T>, E> {
        let Some(dir) = dir else { return Ok(self) };
        let read_err = |path: &Path| {
            let path = path.display().to_string();
            move |source| ReadError { path, source }
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(read_err(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(read_err(&path))?;
            let entry = parse(&text, &path.display().to_string())?;
            match self.list.iter_mut().find(|e| e.name() == entry.name()) {
                Some(slot) => *slot = Slot::Loaded(entry),
                None => self.list.push(Slot::Loaded(entry)),
            }
        }
        Ok(self)
    }

    pub fn get(&self, name: &str) -> Option<&T> {
        self.list.iter().find(|e| e.name() == name).map(Slot::entry)
    }

    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(Slot::name).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.list.iter().map(Slot::entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry whose text is its name; parsing `broken` panics.
    #[derive(Debug, Clone)]
    struct Entry(String);

    impl Named for Entry {
        fn name(&self) -> &str {
            &self.0
        }

        fn embedded(text: &str, _origin: &str) -> Self {
            assert_ne!(text, "broken", "an entry nobody asked for was parsed");
            Entry(text.to_string())
        }
    }

    static TEXTS: [(&str, &str); 3] = [("a", "a"), ("broken", "broken"), ("c", "c")];

    #[test]
    fn built_in_entries_are_parsed_only_when_used() {
        let catalog = Catalog::<Entry>::embedded(&TEXTS);
        assert_eq!(catalog.names(), ["a", "broken", "c"]);
        assert_eq!(catalog.get("c").unwrap().0, "c");
        assert!(catalog.get("d").is_none());
        let every = std::panic::catch_unwind(|| catalog.iter().count());
        assert!(every.is_err(), "iterating parses every entry");
    }
}
