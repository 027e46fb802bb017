//! The `lists` library: k8s.io/apiserver/pkg/cel/library/lists.go.

use super::*;

/// The element kinds cel-go declares `isSorted`, `min` and `max` for.
const COMPARABLE: [Kind; 8] = [
    Kind::Int,
    Kind::UInt,
    Kind::Double,
    Kind::Boolean,
    Kind::Duration,
    Kind::Timestamp,
    Kind::String,
    Kind::Bytes,
];

/// The element kinds cel-go declares `sum` for.
const SUMMABLE: [Kind; 4] = [Kind::Int, Kind::UInt, Kind::Double, Kind::Duration];

pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    // By hand, as the macros would downcast the receiver to a `CelList`:
    // these take any `list`, like the stdlib's list overloads.
    env.add_member_overload("isSorted", "list.isSorted()", LIST_TYPE, vec![], is_sorted)?;
    env.add_member_overload("sum", "list.sum()", LIST_TYPE, vec![], sum)?;
    env.add_member_overload("min", "list.min()", LIST_TYPE, vec![], min)?;
    env.add_member_overload("max", "list.max()", LIST_TYPE, vec![], max)?;
    env.add_member_overload(
        "indexOf",
        "list.indexOf(dyn)",
        LIST_TYPE,
        vec![DYN_TYPE],
        index_of,
    )?;
    env.add_member_overload(
        "lastIndexOf",
        "list.lastIndexOf(dyn)",
        LIST_TYPE,
        vec![DYN_TYPE],
        last_index_of,
    )?;
    Ok(())
}

/// The elements of any `list`.
fn elements<'a, 'v>(
    function: &str,
    list: &'a (dyn Val + 'v),
) -> Result<Vec<&'a (dyn Val + 'v)>, ExecutionError> {
    let iterable = list
        .as_iterable()
        .ok_or_else(|| no_member_overload(function, &[list]))?;
    let mut items = iterable.iter();
    let mut elements = Vec::new();
    while let Some(item) = items.next() {
        elements.push(item);
    }
    Ok(elements)
}

/// The elements of `list`, all of one of `kinds`: cel-go declares the
/// function for lists of those only.
fn elements_of<'a, 'v>(
    function: &str,
    list: &'a (dyn Val + 'v),
    kinds: &[Kind],
) -> Result<Vec<&'a (dyn Val + 'v)>, ExecutionError> {
    let items = elements(function, list)?;
    match items
        .iter()
        .find(|item| !kinds.contains(&item.get_type().kind()))
    {
        Some(item) => Err(no_member_overload(function, &[list, *item])),
        None => Ok(items),
    }
}

fn compare(function: &str, a: &dyn Val, b: &dyn Val) -> Result<Ordering, ExecutionError> {
    a.as_comparer()
        .ok_or_else(|| no_member_overload(function, &[a, b]))?
        .compare(b)
}

/// `<list>.isSorted()`: whether each element is at most the next.
fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take_args(args)?;
    let items = elements_of("isSorted", list.as_ref(), &COMPARABLE)?;
    for pair in items.windows(2) {
        if compare("isSorted", pair[0], pair[1])? == Ordering::Greater {
            return Ok(CowVal::owned(CelBool::from(false)));
        }
    }
    Ok(CowVal::owned(CelBool::from(true)))
}

/// `<list>.sum()`: the sum of the numbers or durations, `0` for an empty
/// list (cel-go returns the zero of the list's static type, which an
/// untyped empty list doesn't have: `0` is what it returns for `[]`).
fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take_args(args)?;
    let items = elements_of("sum", list.as_ref(), &SUMMABLE)?;
    let Some((first, rest)) = items.split_first() else {
        return Ok(CowVal::owned(CelInt::from(0)));
    };
    let mut total: Box<dyn Val + 'v> = first.clone_as_boxed();
    for item in rest {
        let next = total
            .as_adder()
            .ok_or_else(|| no_member_overload("sum", &[list.as_ref(), *item]))?
            .add(*item)?
            .into_owned();
        total = next;
    }
    Ok(CowVal::Owned(total))
}

/// The first element no other is `replace_when` than: the first smallest
/// for `Greater`, the first largest for `Less`, as in cel-go.
fn extreme<'b, 'v>(
    function: &str,
    args: Vec<CowVal<'b, 'v>>,
    replace_when: Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take_args(args)?;
    let items = elements_of(function, list.as_ref(), &COMPARABLE)?;
    let Some((first, rest)) = items.split_first() else {
        return Err(ExecutionError::function_error(
            function,
            format!("{function} called on empty list"),
        ));
    };
    let mut best = *first;
    for item in rest {
        if compare(function, best, *item)? == replace_when {
            best = *item;
        }
    }
    Ok(CowVal::Owned(best.clone_as_boxed()))
}

/// `<list>.min()`: the smallest element; an error on an empty list.
fn min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme("min", args, Ordering::Greater)
}

/// `<list>.max()`: the largest element; an error on an empty list.
fn max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme("max", args, Ordering::Less)
}

/// `<list>.indexOf(x)`: the index of the first element equal to `x`, or -1.
fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, item] = take_args(args)?;
    let items = elements("indexOf", list.as_ref())?;
    let index = items
        .iter()
        .position(|element| element.equals(item.as_ref()));
    Ok(CowVal::owned(CelInt::from(index.map_or(-1, |i| i as i64))))
}

/// `<list>.lastIndexOf(x)`: the index of the last element equal to `x`, or
/// -1.
fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, item] = take_args(args)?;
    let items = elements("lastIndexOf", list.as_ref())?;
    let index = items
        .iter()
        .rposition(|element| element.equals(item.as_ref()));
    Ok(CowVal::owned(CelInt::from(index.map_or(-1, |i| i as i64))))
}
