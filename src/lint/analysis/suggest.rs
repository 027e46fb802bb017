//! "Did you mean": the name of the set closest to a name that refers to nothing, when it is close
//! enough to be a typo (`strsim`'s normalized Damerau-Levenshtein similarity).

/// Similarity from which a name is offered: one or two edits in a name of ordinary length.
const CLOSE: f64 = 0.7;

/// The candidate most like `name`, when it is close enough; never `name` itself.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::normalized_damerau_levenshtein(name, c), c))
        .filter(|(score, _)| *score >= CLOSE)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// `"; did you mean X?"` when a candidate is close, else nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .map(|c| format!("; did you mean {c:?}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_strangers_find_none() {
        // (Single words: the rule-id scan of the lint sources reads kebab-case literals as ids.)
        let names = ["sharedgateway", "internal", "taskapi"];
        assert_eq!(closest("sharedgatway", names), Some("sharedgateway"));
        assert_eq!(closest("task_api", names), Some("taskapi"));
        assert_eq!(closest("billing", names), None);
        assert_eq!(closest("internal", names), None);
    }
}
