//! Quantities against the examples of `k8s.io/apimachinery/pkg/api/resource`: the
//! `Quantity` doc comment (`quantity.go`: "1.5 will be serialized as 1500m", "1.5Gi will
//! be serialized as 1536Mi", "0.1m will rounded up to 1m") and `TestQuantityParse` in
//! `quantity_test.go`.

use super::*;

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn the_doc_comment_examples() {
    assert_eq!(q("1.5").millis(), 1500);
    assert_eq!(q("1.5Gi").units(), 1536 << 20);
    assert_eq!(q("0.1m").millis(), 1);
}

#[test]
fn the_parse_test_examples() {
    // TestQuantityParse: zeros of every suffix, the binary and decimal suffixes.
    for zero in [
        "0", "0n", "0u", "0m", "0Ki", "0k", "0Mi", "0M", "0Gi", "0G", "0Ti", "0T",
    ] {
        assert_eq!(q(zero), Quantity::ZERO, "{zero}");
    }
    let cases: [(&str, u64); 14] = [
        ("1Ki", 1024),
        ("8Ki", 8 * 1024),
        ("7Mi", 7 << 20),
        ("6Gi", 6 << 30),
        ("5Ti", 5 << 40),
        ("4Pi", 4 << 50),
        ("3Ei", 3 << 60),
        ("100Ti", 100 << 40),
        ("9", 9),
        ("8k", 8_000),
        ("50k", 50_000),
        ("7M", 7_000_000),
        ("6G", 6_000_000_000),
        ("5T", 5_000_000_000_000),
    ];
    for (text, units) in cases {
        assert_eq!(q(text).units(), units, "{text}");
    }
    assert_eq!(q("3m").millis(), 3);
    assert_eq!(q("5n").millis(), 1, "a nano-unit rounds up to a milli-unit");
    assert_eq!(q("4u").millis(), 1);
    assert_eq!(q("1e3").units(), 1000);
    assert_eq!(q("1E3").units(), 1000);
    assert_eq!(q("1e-3").millis(), 1);
    assert_eq!(q("+2").units(), 2);
    assert_eq!(q(".5").millis(), 500);
    assert_eq!(q("5.").units(), 5);
}

#[test]
fn what_nodes_and_liqo_report() {
    // A k3s node's allocatable CPU and memory, and a ResourceSlice's round numbers.
    assert_eq!(q("3920m").millis(), 3920);
    assert_eq!(q("4").millis(), 4000);
    assert_eq!(q("16374556Ki").units(), 16_374_556 * 1024);
    assert_eq!(q("15Gi").units(), 15 << 30);
    assert_eq!(q("16767893504").units(), 16_767_893_504);
    assert_eq!(q("128Gi").units(), 128 << 30);
}

#[test]
fn bad_quantities_are_refused_with_the_reason() {
    let err = |t: &str| Quantity::parse(t).unwrap_err().0;
    assert_eq!(err(""), "no digits");
    assert_eq!(err("."), "no digits");
    assert_eq!(err("Gi"), "no digits");
    assert_eq!(err("-1"), "negative");
    assert!(err("1Gb").starts_with("unknown suffix"));
    assert!(err("1 Gi").starts_with("unknown suffix"));
    assert!(err("1e").starts_with("unknown suffix"));
    assert!(err("1e3.5").starts_with("unknown suffix"));
    assert!(err("NaN").contains("no digits"));
    assert_eq!(err("8Ei"), "larger than 2^63 - 1");
    assert_eq!(err("9223372036854775808"), "larger than 2^63 - 1");
    assert_eq!(err("1e99999999999"), "larger than 2^63 - 1");
    assert_eq!(err(&"9".repeat(39)), "more than 38 significant digits");
    assert_eq!(q("9223372036854775807").units(), i64::MAX as u64);
    assert_eq!(q("-0").units(), 0);
    assert_eq!(q("1e-99999999999").millis(), 1, "a tiny positive rounds up");
}
