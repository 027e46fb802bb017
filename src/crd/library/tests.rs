//! Each library function evaluated through a registered environment, valid and invalid inputs.

use super::*;
use cel::{Context, Program, Value};
use std::sync::{Arc, OnceLock};

/// The standard environment with the library, built once for all tests.
fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    Arc::clone(ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        register(&mut env).expect("the library registers on the standard environment");
        Arc::new(env)
    }))
}

fn compile(expr: &str) -> Program {
    env()
        .compile(expr)
        .unwrap_or_else(|error| panic!("{expr}: {error}"))
}

fn eval(expr: &str) -> Result<Value, ExecutionError> {
    compile(expr).execute(&Context::with_env(env()))
}

/// Asserts that each expression evaluates to `true`.
fn assert_true(exprs: &[&str]) {
    for expr in exprs {
        assert_eq!(eval(expr), Ok(Value::Bool(true)), "{expr}");
    }
}

/// Asserts that `expr` fails, with an error whose message contains
/// `message`.
fn assert_error(expr: &str, message: &str) {
    match eval(expr) {
        Err(error) => assert!(
            error.to_string().contains(message),
            "{expr}: {error} does not contain {message}"
        ),
        Ok(value) => panic!("{expr}: expected an error, got {value:?}"),
    }
}

fn strings(items: &[&str]) -> Value {
    Value::List(Arc::new(
        items
            .iter()
            .map(|item| Value::String(Arc::new((*item).to_owned())))
            .collect(),
    ))
}

/// Asserts that `<format>.validate(value)` reports exactly `errors`.
fn assert_format_errors(format: &str, value: &str, errors: &[&str]) {
    let expr = format!("format.{format}().validate({})", go_quote(value));
    let result = eval(&format!("{expr}.orValue([])"));
    assert_eq!(result, Ok(strings(errors)), "{expr}");
}

#[test]
fn registering_twice_is_an_error() {
    let mut env = Env::stdlib();
    assert_eq!(env.add_extension(register), Ok(()));
    assert!(matches!(
        register(&mut env),
        Err(DeclarationError::DuplicateOverload { .. })
    ));
}

#[test]
fn env_programs_and_contexts_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Env>();
    assert_send_sync::<Program>();
    assert_send_sync::<Context<'static, 'static>>();
}

#[test]
fn a_program_evaluates_on_several_threads() {
    let program = Arc::new(compile("isIP(self) && ip(self).family() == 4"));
    let threads: Vec<_> = ["10.0.0.1", "::1", "nope", "192.168.1.1"]
        .into_iter()
        .map(|address| {
            let program = Arc::clone(&program);
            std::thread::spawn(move || {
                let mut context = Context::with_env(env());
                context.add_variable_from_value("self", address);
                program.execute(&context)
            })
        })
        .collect();
    let results: Vec<_> = threads
        .into_iter()
        .map(|thread| thread.join().expect("the thread doesn't panic"))
        .collect();
    let expected = [true, false, false, true].map(|b| Ok(Value::Bool(b)));
    assert_eq!(results, expected);
}

#[test]
fn strings_extension() {
    assert_true(&[
        "'abc'.charAt(1) == 'b'",
        "'hello mellow'.indexOf('ello') == 1",
        "'hello mellow'.indexOf('ello', 2) == 7",
        "'hello mellow'.lastIndexOf('ello') == 7",
        "'TacoCat'.lowerAscii() == 'tacocat'",
        "'TacoCat'.upperAscii() == 'TACOCAT'",
        "'hello hello'.replace('he', 'we') == 'wello wello'",
        "'hello hello'.replace('he', 'we', 1) == 'wello hello'",
        "'a,b,c'.split(',') == ['a', 'b', 'c']",
        "'a,b,c'.split(',', 2) == ['a', 'b,c']",
        "'tacocat'.substring(4) == 'cat'",
        "'tacocat'.substring(0, 4) == 'taco'",
        "'  trim\\t'.trim() == 'trim'",
        "['a', 'b'].join() == 'ab'",
        "['a', 'b'].join('-') == 'a-b'",
        "'%s is %d'.format(['x', 1]) == 'x is 1'",
        "strings.quote('a\"b') == '\"a\\\\\"b\"'",
    ]);
    assert_error("'abc'.charAt(4)", "index out of range: 4");
}

#[test]
fn lists_is_sorted() {
    assert_true(&[
        "[1, 2, 3].isSorted()",
        "['a', 'b', 'b', 'c'].isSorted()",
        "![2.0, 1.0].isSorted()",
        "[1u, 2u].isSorted()",
        "[false, true].isSorted()",
        "[b'a', b'b'].isSorted()",
        "[duration('1s'), duration('1m')].isSorted()",
        "[timestamp('2020-01-01T00:00:00Z'), timestamp('2021-01-01T00:00:00Z')].isSorted()",
        "[1].isSorted()",
        "[].isSorted()",
    ]);
    assert_error("[[1], [2]].isSorted()", "isSorted");
    assert_error("[{}].isSorted()", "isSorted");
}

#[test]
fn lists_sum() {
    assert_true(&[
        "[1, 3].sum() == 4",
        "[1.0, 3.0].sum() == 4.0",
        "[1u, 3u].sum() == 4u",
        "[duration('1m'), duration('1s')].sum() == duration('61s')",
        "[].sum() == 0",
        "[5].sum() == 5",
    ]);
    assert_error("['a', 'b'].sum()", "sum");
    assert_error("[9223372036854775807, 1].sum()", "Overflow");
}

#[test]
fn lists_min_and_max() {
    assert_true(&[
        "[1, 3].min() == 1",
        "[1, 3].max() == 3",
        "[3, 1, 2].min() == 1",
        "['b', 'c', 'a'].max() == 'c'",
        "[2.5, -1.0].min() == -1.0",
        "[1].min() == 1",
        "([0] + []).min() == 0",
    ]);
    assert_error("[].min()", "min called on empty list");
    assert_error("[].max()", "max called on empty list");
    assert_error("[[1]].max()", "max");
}

#[test]
fn lists_index_of() {
    assert_true(&[
        "[1, 2, 2, 3].indexOf(2) == 1",
        "['a', 'b', 'b', 'c'].lastIndexOf('b') == 2",
        "[1.0].indexOf(1.1) == -1",
        "[].indexOf('string') == -1",
        "[].lastIndexOf('string') == -1",
        "[[1], [2]].indexOf([2]) == 1",
        // the strings extension's overloads are still there
        "'abcb'.indexOf('b') == 1",
        "'abcb'.lastIndexOf('b') == 3",
    ]);
}

#[test]
fn regex_find() {
    assert_true(&[
        "'abc 123'.find('[0-9]+') == '123'",
        "'abc 123'.find('[0-9]*') == ''",
        "'abc 123'.find('xyz') == ''",
        "'123 abc 456'.findAll('[0-9]+') == ['123', '456']",
        // Go's FindAllString: an empty match right after a match isn't one
        "'123 abc 456'.findAll('[0-9]*') == ['123', '', '', '', '', '456']",
        "'123 abc 456'.findAll('[0-9]+', 1) == ['123']",
        "'123 abc 456'.findAll('[0-9]+', 0) == []",
        "'123 abc 456'.findAll('[0-9]+', -1) == ['123', '456']",
        "'123 abc 456'.findAll('xyz') == []",
        "'abc'.matches('^[a-z]+$')",
    ]);
    assert_error("'abc'.find('[')", "Illegal regex");
    assert_error("'abc'.findAll('(', 2)", "Illegal regex");
}

#[test]
fn matches_is_the_standard_one_cached() {
    let standard = Arc::new(Env::stdlib());
    for expr in [
        "'abc'.matches('^[a-z]+$')",
        "'abc'.matches('^[0-9]+$')",
        "matches('abc', 'b')",
        "['a', 'b'].all(s, s.matches('[a-z]'))",
        "'abc'.matches('[')",
        "1.matches('1')",
        "matches('a', 1)",
    ] {
        let expected = standard
            .compile(expr)
            .unwrap()
            .execute(&Context::with_env(Arc::clone(&standard)));
        assert_eq!(eval(expr), expected, "{expr}");
    }
}

#[test]
fn is_url() {
    assert_true(&[
        "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
        "isURL('/absolute-path')",
        "isURL('*')",
        "isURL('http://[::1]:80/')",
        "isURL('http://[fe80::1%25en0]/')",
        "isURL('mailto:user@example.com')",
        "isURL('//example.com/path')",
        "isURL('HTTP://EXAMPLE.COM')",
        "!isURL('https://a:b:c/')",
        "!isURL('../relative-path')",
        "!isURL('example.com')",
        "!isURL('example.com/path')",
        "!isURL('')",
        "!isURL(':no-scheme')",
        "!isURL('http://[1.2.3.4]/')",
        "!isURL('http://[example.com]/')",
        "!isURL('http://[::1/')",
        "!isURL('http://exa mple.com/')",
        "!isURL('http://example.com/%zz')",
        "!isURL('http://host:port/')",
        "!isURL('http://user^@host/')",
        "!isURL('http://example.com/\\n')",
    ]);
}

#[test]
fn url_components() {
    assert_true(&[
        "url('/path').getScheme() == ''",
        "url('https://example.com/').getScheme() == 'https'",
        "url('HTTPS://example.com/').getScheme() == 'https'",
        "url('https://example.com:80/').getHost() == 'example.com:80'",
        "url('https://example.com/').getHost() == 'example.com'",
        "url('https://[::1]:80/').getHost() == '[::1]:80'",
        "url('https://[::1]/').getHost() == '[::1]'",
        "url('/path').getHost() == ''",
        // `url.Parse` reads an authority `ParseRequestURI` reads as path
        "url('//example.com/x').getHost() == 'example.com'",
        "url('https://example.com:80/').getHostname() == 'example.com'",
        "url('https://127.0.0.1:80/').getHostname() == '127.0.0.1'",
        "url('https://[::1]:80/').getHostname() == '::1'",
        "url('/path').getHostname() == ''",
        "url('https://example.com:80/').getPort() == '80'",
        "url('https://example.com/').getPort() == ''",
        "url('/path').getPort() == ''",
        "url('https://example.com/path').getEscapedPath() == '/path'",
        "url('https://example.com/path with spaces/').getEscapedPath() == \
         '/path%20with%20spaces/'",
        "url('https://example.com').getEscapedPath() == ''",
        "url('https://example.com/a%2Fb').getEscapedPath() == '/a%2Fb'",
        // a valid escaping is kept as written
        "url('https://example.com/%41').getEscapedPath() == '/%41'",
        "url('*').getEscapedPath() == '*'",
        "url('https://example.com/path#frag').getEscapedPath() == '/path'",
    ]);
}

#[test]
fn url_query() {
    assert_true(&[
        "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == \
         {'k1': ['a'], 'k2': ['b', 'c']}",
        "url('https://example.com/path?key with spaces=value with spaces').getQuery() == \
         {'key with spaces': ['value with spaces']}",
        "url('https://example.com/path?a+b=c%20d').getQuery() == {'a b': ['c d']}",
        "url('https://example.com/path?').getQuery() == {}",
        "url('https://example.com/path').getQuery() == {}",
        "url('https://example.com/path?a=1#b=2').getQuery() == {'a': ['1']}",
        "url('https://example.com/path?a=1;b=2&c').getQuery() == {'c': ['']}",
        "url('https://example.com/path?a=%zz&b=1').getQuery() == {'b': ['1']}",
    ]);
}

#[test]
fn url_values() {
    assert_true(&[
        "url('https://example.com/') == url('https://example.com/')",
        "url('https://example.com/') != url('https://example.com/x')",
        "type(url('/')) == kubernetes.URL",
    ]);
    assert_error(
        "url('../relative-path')",
        "URL parse error during conversion from string: parse \"../relative-path\": \
         invalid URI for request",
    );
    assert_error("url('https://a:b:c/')", "invalid port \":c\" after host");
    assert_error("url('')", "empty url");
}

#[test]
fn ip_parsing() {
    assert_true(&[
        "isIP('127.0.0.1')",
        "isIP('0.0.0.0')",
        "isIP('::1')",
        "isIP('2001:DB8::1')",
        // IPv4-compatible (not -mapped) IPv6 is an IPv6 address
        "isIP('::1.2.3.4')",
        "!isIP('127.0.0.256')",
        "!isIP(':::1')",
        "!isIP('1.2.3')",
        "!isIP('')",
        "!isIP('localhost')",
        // Kubernetes refuses leading zeros, mapped addresses and zones
        "!isIP('01.2.3.4')",
        "!isIP('127.0.0.01')",
        "!isIP('::1.2.3.04')",
        "!isIP('::ffff:1.2.3.4')",
        "!isIP('::FFFF:102:304')",
        "!isIP('fe80::1%eth0')",
        "!isIP('fe80::1%')",
    ]);
    assert_error(
        "ip('fe80::1%eth0')",
        "IP address \"fe80::1%eth0\" with zone value is not allowed",
    );
    assert_error(
        "ip('::ffff:1.2.3.4')",
        "IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed",
    );
    assert_error(
        "ip('01.2.3.4')",
        "IP Address \"01.2.3.4\" parse error during conversion from string: \
         ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero",
    );
    assert_error(
        "ip('127.0.0.256')",
        "parse error during conversion from string",
    );
}

#[test]
fn ip_canonical_form() {
    assert_true(&[
        "ip.isCanonical('127.0.0.1')",
        "ip.isCanonical('2001:db8::abcd')",
        "ip.isCanonical('::')",
        "ip.isCanonical('1:0:0:1::1')",
        "!ip.isCanonical('2001:DB8::ABCD')",
        "!ip.isCanonical('2001:db8::0:0:0:abcd')",
        "!ip.isCanonical('1:0:0:1:0:0:0:1')",
        "!ip.isCanonical('::1.2.3.4')",
        "string(ip('2001:db8::0:0:1')) == '2001:db8::1'",
        "string(ip('::1.2.3.4')) == '::102:304'",
        "string(ip('10.0.0.1')) == '10.0.0.1'",
    ]);
    assert_error("ip.isCanonical('nope')", "parse error");
}

#[test]
fn ip_properties() {
    assert_true(&[
        "ip('127.0.0.1').family() == 4",
        "ip('::1').family() == 6",
        "ip('0.0.0.0').isUnspecified()",
        "!ip('127.0.0.1').isUnspecified()",
        "ip('::').isUnspecified()",
        "!ip('::1').isUnspecified()",
        "ip('127.0.0.1').isLoopback()",
        "ip('127.255.0.1').isLoopback()",
        "!ip('192.168.0.1').isLoopback()",
        "ip('::1').isLoopback()",
        "!ip('2001:db8::abcd').isLoopback()",
        "ip('224.0.0.1').isLinkLocalMulticast()",
        "!ip('224.0.1.1').isLinkLocalMulticast()",
        "ip('ff02::1').isLinkLocalMulticast()",
        "ip('ff12::1').isLinkLocalMulticast()",
        "!ip('fd00::1').isLinkLocalMulticast()",
        "ip('169.254.169.254').isLinkLocalUnicast()",
        "!ip('192.168.0.1').isLinkLocalUnicast()",
        "ip('fe80::1').isLinkLocalUnicast()",
        "ip('febf::1').isLinkLocalUnicast()",
        "!ip('fd80::1').isLinkLocalUnicast()",
        "ip('192.168.0.1').isGlobalUnicast()",
        "ip('10.0.0.1').isGlobalUnicast()",
        "!ip('255.255.255.255').isGlobalUnicast()",
        "!ip('0.0.0.0').isGlobalUnicast()",
        "!ip('224.0.0.1').isGlobalUnicast()",
        "ip('2001:db8::abcd').isGlobalUnicast()",
        "ip('fd00::1').isGlobalUnicast()",
        "!ip('ff00::1').isGlobalUnicast()",
        "!ip('fe80::1').isGlobalUnicast()",
        "ip('10.0.0.1') == ip('10.0.0.1')",
        "ip('10.0.0.1') != ip('10.0.0.2')",
        "ip('::1') == ip('0:0:0:0:0:0:0:1')",
        "type(ip('10.0.0.1')) == net.IP",
    ]);
}

#[test]
fn cidr_parsing() {
    assert_true(&[
        "isCIDR('192.168.0.0/16')",
        "isCIDR('::1/128')",
        "isCIDR('0.0.0.0/0')",
        // bits past the prefix are allowed: see `masked()`
        "isCIDR('192.168.0.1/16')",
        "!isCIDR('192.168.0.0/33')",
        "!isCIDR('::1/129')",
        "!isCIDR('192.168.0.0')",
        "!isCIDR('192.168.0.0/')",
        "!isCIDR('192.168.0.0/016')",
        "!isCIDR('192.168.0.0/+16')",
        "!isCIDR('192.168.0.0/-1')",
        "!isCIDR('192.168.00.0/16')",
        "!isCIDR('::ffff:1.2.3.4/120')",
        "!isCIDR('fe80::1%eth0/64')",
    ]);
    assert_error(
        "cidr('192.168.0.0/')",
        "network address parse error during conversion from string: network address parse \
         error during conversion from string: netip.ParsePrefix(\"192.168.0.0/\"): bad bits \
         after slash: \"\"",
    );
    assert_error("cidr('::1/129')", "prefix length out of range");
    assert_error("cidr('10.0.0.0')", "no '/'");
    assert_error(
        "cidr('::ffff:1.2.3.4/120')",
        "'cidr': network address parse error during conversion from string: IPv4-mapped \
         IPv6 address \"::ffff:1.2.3.4/120\" is not allowed",
    );
    assert_error(
        "cidr('fe80::1%eth0/64')",
        "IPv6 zones cannot be present in a prefix",
    );
    assert_error("cidr('10.0.0.0/99999999999')", "prefix length out of range");
    assert_error(
        "cidr('10.0.0.0/99999999999999999999')",
        "bad bits after slash",
    );
}

#[test]
fn cidr_operations() {
    assert_true(&[
        "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
        "!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
        "cidr('192.168.0.0/24').containsIP('192.168.0.1')",
        "!cidr('192.168.0.0/24').containsIP('192.168.1.1')",
        "cidr('2001:db8::/32').containsIP('2001:db8::1')",
        "!cidr('2001:db8::/32').containsIP('2001:dc8::1')",
        "!cidr('0.0.0.0/0').containsIP('::1')",
        "cidr('0.0.0.0/0').containsIP('1.2.3.4')",
        "cidr('192.168.0.1/24').containsIP('192.168.0.200')",
        "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))",
        "!cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))",
        "cidr('192.168.0.0/24').containsCIDR('192.168.0.0/25')",
        "!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')",
        "cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')",
        "cidr('192.168.0.0/16').containsCIDR('192.168.0.1/32')",
        "!cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')",
        "cidr('2001:db8::/32').containsCIDR('2001:db8::/33')",
        "!cidr('2001:db8::/32').containsCIDR('2001:db8::/31')",
        "!cidr('::/0').containsCIDR('10.0.0.0/8')",
        "cidr('192.168.0.1/24').ip() == ip('192.168.0.1')",
        "cidr('192.168.0.1/24').ip().family() == 4",
        "cidr('::1/128').ip().family() == 6",
        "cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')",
        "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
        "cidr('2001:db8:1::/32').masked() == cidr('2001:db8::/32')",
        "cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()",
        "cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()",
        "cidr('10.1.2.3/0').masked() == cidr('0.0.0.0/0')",
        "cidr('192.168.0.0/16').prefixLength() == 16",
        "cidr('::1/128').prefixLength() == 128",
        "string(cidr('192.168.0.0/24')) == '192.168.0.0/24'",
        "string(cidr('2001:db8:0::/32')) == '2001:db8::/32'",
        "type(cidr('192.168.0.0/24')) == net.CIDR",
    ]);
    assert_error(
        "cidr('10.0.0.0/8').containsIP('10.0.0.01')",
        "IPv4 field has octet with leading zero",
    );
    assert_error(
        "cidr('10.0.0.0/8').containsCIDR('10.0.0.0/33')",
        "out of range",
    );
}

#[test]
fn quantity_parsing() {
    assert_true(&[
        "isQuantity('20')",
        "isQuantity('20M')",
        "isQuantity('20Mi')",
        "isQuantity('1.5Gi')",
        "isQuantity('100m')",
        "isQuantity('1e3')",
        "isQuantity('1E-3')",
        "isQuantity('1e+3')",
        "isQuantity('-1')",
        "isQuantity('+1')",
        "isQuantity('5n')",
        "isQuantity('10u')",
        "isQuantity('1E')",
        "isQuantity('1.')",
        "isQuantity('.5')",
        "isQuantity('1.G')",
        "isQuantity('0')",
        "isQuantity('000.000')",
        "!isQuantity('20Mo')",
        "!isQuantity('10Mm')",
        "!isQuantity('')",
        "!isQuantity('Three')",
        "!isQuantity('1,3G')",
        "!isQuantity('200K')",
        "!isQuantity('1.1.M')",
        "!isQuantity('1+1.0M')",
        "!isQuantity('0.1mi')",
        "!isQuantity('0.1am')",
        "!isQuantity('.5i')",
        "!isQuantity('1i')",
        "!isQuantity('-3.01i')",
        "!isQuantity('-3.01e-')",
        "!isQuantity(' 1')",
        "!isQuantity('1 ')",
        "!isQuantity('e-20')",
        // Go's ParseQuantity reads a bare suffix as zero, whatever the
        // library's doc comment says.
        "quantity('Mi') == quantity('0')",
        "type(quantity('1')) == kubernetes.Quantity",
    ]);
    assert_error(
        "quantity('10Mo')",
        "quantities must match the regular expression \
         '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    assert_error("quantity('10Mm')", "unable to parse quantity's suffix");
    assert_error(
        "quantity('e-20')",
        "unable to parse numeric part of quantity",
    );
}

#[test]
fn quantity_equality_and_comparison() {
    assert_true(&[
        "quantity('200M') == quantity('200M')",
        "quantity('200M') == quantity('0.2G') && quantity('0.2G') == quantity('200M')",
        "quantity('2M') == quantity('0.002G') && quantity('2000k') == quantity('2M')",
        "quantity('200M') != quantity('0.3G')",
        "quantity('1Ki') == quantity('1024')",
        "quantity('1.5Gi') == quantity('1536Mi')",
        "quantity('100m') == quantity('0.1')",
        "quantity('1e3') == quantity('1k')",
        "quantity('-1') == quantity('-1000m')",
        "quantity('0') == quantity('-0.0')",
        // rounded up to nano units, away from zero
        "quantity('0.1n') == quantity('1n')",
        "quantity('1.5n') == quantity('2n')",
        "quantity('-0.1n') == quantity('-1n')",
        "quantity('0.0000000001') == quantity('1n')",
        // binary quantities are capped at 2^63-1
        "quantity('10Ei') == quantity('9223372036854775807')",
        "quantity('50M').isLessThan(quantity('50Mi'))",
        "quantity('50M').isLessThan(quantity('100M'))",
        "!quantity('100M').isLessThan(quantity('50M'))",
        "quantity('50Mi').isGreaterThan(quantity('50M'))",
        "quantity('150Mi').isGreaterThan(quantity('100Mi'))",
        "!quantity('50M').isGreaterThan(quantity('100M'))",
        "quantity('200M').compareTo(quantity('0.2G')) == 0",
        "quantity('50M').compareTo(quantity('50Mi')) == -1",
        "quantity('50Mi').compareTo(quantity('50M')) == 1",
        "quantity('-1').isLessThan(quantity('0'))",
        "quantity('-2').isLessThan(quantity('-1'))",
        "quantity('1e1000000000').isGreaterThan(quantity('9999999999999999999999'))",
        "quantity('1e-1000000000').isGreaterThan(quantity('0'))",
    ]);
}

#[test]
fn quantity_conversions() {
    assert_true(&[
        "quantity('50000000G').isInteger()",
        "quantity('50k').isInteger()",
        "quantity('50k').asInteger() == 50000",
        "quantity('-1').asInteger() == -1",
        "quantity('1Gi').asInteger() == 1073741824",
        "quantity('50').isInteger()",
        "!quantity('9999999999999999999999999999999999999G').isInteger()",
        "!quantity('1.5').isInteger()",
        // as Go's AsInt64: a negative scale, or an inf.Dec, is no integer
        "!quantity('1000m').isInteger()",
        "!quantity('1.5Gi').isInteger()",
        "quantity('50.703k').asApproximateFloat() == 50703.0",
        "quantity('1.5Gi').asApproximateFloat() == 1610612736.0",
        "quantity('100m').asApproximateFloat() == 0.1",
        // Go's Pow10 rounding: 3 × 0.1
        "quantity('0.3').asApproximateFloat() == 3.0 * 0.1",
        "quantity('1e400').asApproximateFloat() > 1.7e308",
        "quantity('-10k').sign() == -1",
        "quantity('0').sign() == 0",
        "quantity('5m').sign() == 1",
        "quantity('1.5Gi').sign() == 1",
        "sign(quantity('-1')) == -1",
    ]);
    assert_error(
        "quantity('9999999999999999999999999999999999999G').asInteger()",
        "cannot convert value to integer",
    );
}

#[test]
fn quantity_arithmetic() {
    assert_true(&[
        "quantity('50k').add(quantity('20')) == quantity('50.02k')",
        "!quantity('50k').add(20).isLessThan(quantity('50020'))",
        "quantity('50k').sub(quantity('20')) == quantity('49.98k')",
        "quantity('50k').sub(20) == quantity('49980')",
        "quantity('50k').add(20).sub(quantity('100k')).asInteger() == -49980",
        "quantity('50k').add(20).sub(quantity('100k')).sub(-50000).asInteger() == 20",
        "quantity('1.5Gi').add(quantity('0.5Gi')) == quantity('2Gi')",
        "quantity('1.5Gi').sub(quantity('1.5Gi')).sign() == 0",
        "quantity('9223372036854775807').add(1) == quantity('9223372036854775808')",
        "!quantity('9223372036854775807').add(1).isInteger()",
        "quantity('-9223372036854775807').sub(2) == quantity('-9223372036854775809')",
        "quantity('50k').mul(2) == quantity('100000')",
        "quantity('50k').mul(2).asInteger() == 100000",
        "quantity('1.5').mul(2) == quantity('3')",
        "quantity('1.5Gi').mul(-2) == quantity('-3Gi')",
        "quantity('9223372036854775807').mul(2) == quantity('18446744073709551614')",
        "quantity('5').mul(0).sign() == 0",
    ]);
    assert_error(
        "quantity('1e1000000000').add(quantity('1'))",
        "orders of magnitude",
    );
}

#[test]
fn named_formats() {
    assert_true(&[
        "format.named('dns1123Label').hasValue()",
        "!format.named('nope').hasValue()",
        "format.named('dns1123Label').value() == format.dns1123Label()",
        "format.dns1123Label() != format.dns1123Subdomain()",
        "type(format.uuid()) == kubernetes.NamedFormat",
        "format.named('uuid').value().validate('nope').hasValue()",
    ]);
    // each `format.<key>()` returns the format named `key`
    for key in [
        "dns1123Label",
        "dns1123Subdomain",
        "dns1035Label",
        "qualifiedName",
        "dns1123LabelPrefix",
        "dns1123SubdomainPrefix",
        "dns1035LabelPrefix",
        "labelValue",
        "uri",
        "uuid",
        "byte",
        "date",
        "datetime",
    ] {
        assert_true(&[&format!("format.named('{key}').value() == format.{key}()")]);
    }
}

/// Gateway API's CRDs have the rule
/// `format.dns1123Label().validate(self) == null`, which the apiserver
/// never passes: an optional is never `null`.
#[test]
fn a_validation_result_is_never_null() {
    let program = compile("format.dns1123Label().validate(self) == null");
    let valid = compile("!format.dns1123Label().validate(self).hasValue()");
    for (value, is_valid) in [("valid-name", true), ("Invalid_Name", false)] {
        let mut context = Context::with_env(env());
        context.add_variable_from_value("self", value);
        assert_eq!(program.execute(&context), Ok(Value::Bool(false)), "{value}");
        assert_eq!(
            valid.execute(&context),
            Ok(Value::Bool(is_valid)),
            "{value}"
        );
    }
}

#[test]
fn dns_formats() {
    let label_error = "a lowercase RFC 1123 label must consist of lower case alphanumeric \
        characters or '-', and must start and end with an alphanumeric character (e.g. \
        'my-name',  or '123-abc', regex used for validation is \
        '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    let subdomain_error = "a lowercase RFC 1123 subdomain must consist of lower case \
        alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
        character (e.g. 'example.com', regex used for validation is \
        '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    let dns1035_error = "a DNS-1035 label must consist of lower case alphanumeric characters \
        or '-', start with an alphabetic character, and end with an alphanumeric character \
        (e.g. 'my-name',  or 'abc-123', regex used for validation is \
        '[a-z]([-a-z0-9]*[a-z0-9])?')";
    let long_label = "a".repeat(64);
    let long_subdomain = format!("{}com", "a.".repeat(126));
    assert_format_errors("dns1123Label", "my-label-name", &[]);
    assert_format_errors("dns1123Label", "0", &[]);
    assert_format_errors("dns1123Label", "a.b", &["must not contain dots"]);
    assert_format_errors("dns1123Label", "My_Name", &[label_error]);
    assert_format_errors("dns1123Label", "-a", &[label_error]);
    assert_format_errors("dns1123Label", "", &[label_error]);
    assert_format_errors(
        "dns1123Label",
        &long_label,
        &["must be no more than 63 bytes"],
    );
    assert_format_errors("dns1123Subdomain", "apiextensions.k8s.io", &[]);
    assert_format_errors("dns1123Subdomain", "a..b", &[subdomain_error]);
    assert_format_errors("dns1123Subdomain", "A.com", &[subdomain_error]);
    assert_format_errors(
        "dns1123Subdomain",
        &long_subdomain,
        &["must be no more than 253 bytes"],
    );
    assert_format_errors("dns1035Label", "my-label-name", &[]);
    assert_format_errors("dns1035Label", "1abc", &[dns1035_error]);
    assert_format_errors("dns1123LabelPrefix", "my-label-prefix-", &[]);
    assert_format_errors("dns1123LabelPrefix", "ab-", &[]);
    assert_format_errors("dns1123LabelPrefix", "Ab-", &[label_error]);
    assert_format_errors("dns1123LabelPrefix", "-", &[label_error]);
    assert_format_errors("dns1123SubdomainPrefix", "mysubdomain.prefix.-", &[]);
    assert_format_errors("dns1123SubdomainPrefix", "my.-", &[]);
    assert_format_errors("dns1035LabelPrefix", "my-label-prefix-", &[]);
    assert_format_errors("dns1035LabelPrefix", "1a-", &[dns1035_error]);
}

#[test]
fn label_formats() {
    let name_error = "name part must consist of alphanumeric characters, '-', '_' or '.', and \
        must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or \
        '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    let value_error = "a valid label must be an empty string or consist of alphanumeric \
        characters, '-', '_' or '.', and must start and end with an alphanumeric character \
        (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is \
        '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    assert_format_errors("qualifiedName", "apiextensions.k8s.io/v1beta1", &[]);
    assert_format_errors("qualifiedName", "MyName", &[]);
    assert_format_errors("qualifiedName", "my_name.1", &[]);
    assert_format_errors("qualifiedName", "/name", &["prefix part must be non-empty"]);
    assert_format_errors(
        "qualifiedName",
        "prefix/",
        &["name part must be non-empty", name_error],
    );
    assert_format_errors(
        "qualifiedName",
        "Prefix.io/name",
        &[
            "prefix part a lowercase RFC 1123 subdomain must consist of lower case \
           alphanumeric characters, '-' or '.', and must start and end with an \
           alphanumeric character (e.g. 'example.com', regex used for validation is \
           '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ],
    );
    assert_format_errors("qualifiedName", "-name", &[name_error]);
    assert_format_errors(
        "qualifiedName",
        "a/b/c",
        &[
            "a valid label key must consist of alphanumeric characters, '-', '_' or '.', \
           and must start and end with an alphanumeric character (e.g. 'MyName',  or \
           'my.name',  or '123-abc', regex used for validation is \
           '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain \
           prefix and '/' (e.g. 'example.com/MyName')",
        ],
    );
    assert_format_errors(
        "qualifiedName",
        &"a".repeat(64),
        &["name part must be no more than 63 bytes"],
    );
    assert_format_errors("labelValue", "", &[]);
    assert_format_errors("labelValue", "my_value", &[]);
    assert_format_errors("labelValue", "-bad", &[value_error]);
    assert_format_errors(
        "labelValue",
        &"a".repeat(64),
        &["must be no more than 63 bytes"],
    );
}

#[test]
fn strfmt_formats() {
    assert_format_errors("uri", "http://example.com", &[]);
    assert_format_errors("uri", "/path", &[]);
    assert_format_errors(
        "uri",
        "example.com",
        &["parse \"example.com\": invalid URI for request"],
    );
    let not_uuid = ["does not match the UUID format"];
    assert_format_errors("uuid", "123e4567-e89b-12d3-a456-426614174000", &[]);
    assert_format_errors("uuid", "123E4567-E89B-12D3-A456-426614174000", &[]);
    assert_format_errors("uuid", "123e4567e89b12d3a456426614174000", &[]);
    assert_format_errors("uuid", "123e4567-e89b-12d3-a456-42661417400", &not_uuid);
    assert_format_errors("uuid", "123e4567-e89b-12d3-a456-4266141740000", &not_uuid);
    assert_format_errors("uuid", "g23e4567-e89b-12d3-a456-426614174000", &not_uuid);
    assert_format_errors("uuid", "", &not_uuid);
    let not_base64 = ["invalid base64"];
    assert_format_errors("byte", "aGVsbG8=", &[]);
    assert_format_errors("byte", "aGVsbA==", &[]);
    assert_format_errors("byte", "aGVs", &[]);
    assert_format_errors("byte", "a+/=", &[]);
    assert_format_errors("byte", "aGVsbG8", &not_base64);
    assert_format_errors("byte", "", &not_base64);
    assert_format_errors("byte", "aGV=bG8=", &not_base64);
    assert_format_errors("byte", "a===", &not_base64);
    assert_format_errors("byte", "aGVs_G8=", &not_base64);
    let not_date = ["invalid date"];
    assert_format_errors("date", "2021-01-01", &[]);
    assert_format_errors("date", "2020-02-29", &[]);
    assert_format_errors("date", "2000-02-29", &[]);
    assert_format_errors("date", "2021-02-29", &not_date);
    assert_format_errors("date", "1900-02-29", &not_date);
    assert_format_errors("date", "2021-04-31", &not_date);
    assert_format_errors("date", "2021-13-01", &not_date);
    assert_format_errors("date", "2021-00-01", &not_date);
    assert_format_errors("date", "2021-1-01", &not_date);
    assert_format_errors("date", "2021-01-01T00:00:00Z", &not_date);
    let not_datetime = ["invalid datetime"];
    assert_format_errors("datetime", "2021-01-01T00:00:00Z", &[]);
    assert_format_errors("datetime", "2021-01-01t00:00:00z", &[]);
    assert_format_errors("datetime", "2021-01-01T23:59:59.123+02:00", &[]);
    assert_format_errors("datetime", "2021-01-01T24:00:00Z", &not_datetime);
    assert_format_errors("datetime", "2021-01-01T00:60:00Z", &not_datetime);
    assert_format_errors("datetime", "2021-02-30T00:00:00Z", &not_datetime);
    assert_format_errors("datetime", "2021-01-01T00:00:00", &not_datetime);
    assert_format_errors("datetime", "2021-01-01 00:00:00Z", &not_datetime);
    assert_format_errors("datetime", "2021-01-01", &not_datetime);
}

#[test]
fn semver_parsing() {
    assert_true(&[
        "isSemver('1.0.0')",
        "isSemver('0.1.0-alpha.1')",
        "isSemver('1.0.0-alpha-1.x+build.5')",
        "isSemver('1.0.0+20130313144700')",
        "!isSemver('200K')",
        "!isSemver('Three')",
        "!isSemver('v1.0.0')",
        "!isSemver('1.0')",
        "!isSemver('01.0.0')",
        "!isSemver('1.0.0-01')",
        "!isSemver('1.0.0-')",
        "!isSemver('1.0.0+')",
        "!isSemver('1.0.0-a_b')",
        "!isSemver('')",
        "isSemver('v1.0', true)",
        "isSemver('1', true)",
        "isSemver('01.01.01', true)",
        "!isSemver('v1.0', false)",
        "!isSemver('1-alpha', true)",
        "semver('v1.0.0', true) == semver('1.0.0')",
        "semver('1.0', true) == semver('1.0.0')",
        "semver('01.01.01', true) == semver('1.1.1')",
        "type(semver('1.0.0')) == kubernetes.Semver",
    ]);
    assert_error("semver('Three')", "No Major.Minor.Patch elements found");
    assert_error(
        "semver('01.0.0')",
        "Major number must not contain leading zeroes \"01\"",
    );
    assert_error(
        "semver('1-alpha', true)",
        "short version cannot contain PreRelease/Build meta data",
    );
}

#[test]
fn semver_comparison() {
    assert_true(&[
        "semver('1.2.3').major() == 1",
        "semver('1.2.3').minor() == 2",
        "semver('1.2.3').patch() == 3",
        "semver('1.2.3').compareTo(semver('1.2.3')) == 0",
        "semver('1.2.3').compareTo(semver('2.0.0')) == -1",
        "semver('1.2.3').compareTo(semver('0.1.2')) == 1",
        "semver('1.2.3').isGreaterThan(semver('1.2.2'))",
        "semver('1.2.3').isLessThan(semver('1.10.0'))",
        "semver('1.0.0-alpha').isLessThan(semver('1.0.0'))",
        "semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))",
        "semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))",
        "semver('1.0.0-beta.2').isLessThan(semver('1.0.0-beta.11'))",
        "semver('1.0.0-rc.1').isLessThan(semver('1.0.0'))",
        "semver('1.0.0+a') == semver('1.0.0+b')",
        "semver('1.0.0') != semver('1.0.1')",
    ]);
}
