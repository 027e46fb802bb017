//! Named data entries shipped in the binary and extendable from a folder: deployment contexts
//! (`profiles/`) and implementation presets (`implementations/`) are both a [`Catalog`].

use crate::yaml::ReadError;
use std::path::Path;

/// An entry known by its name (the `--context` or `--implementation` value).
pub trait Named {
    fn name(&self) -> &str;
}

/// The entries in order: built-in ones first, then those added from a folder.
#[derive(Debug, Clone)]
pub struct Catalog<T> {
    list: Vec<T>,
}

impl<T: Named> Catalog<T> {
    /// Parses embedded `(name, text)` entries, which are valid by construction (tests parse them all).
    pub fn embedded<E: std::fmt::Debug>(
        texts: &[(&str, &str)],
        parse: fn(&str, &str) -> Result<T, E>,
    ) -> Catalog<T> {
        let list = texts
            .iter()
            .map(|(name, text)| parse(text, name).expect("embedded entries are valid"))
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
                Some(slot) => *slot = entry,
                None => self.list.push(entry),
            }
        }
        Ok(self)
    }

    pub fn get(&self, name: &str) -> Option<&T> {
        self.list.iter().find(|e| e.name() == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(Named::name).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.list.iter()
    }
}
