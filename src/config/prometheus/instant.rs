//! The instants of `--start` and `--end`: Unix seconds (`1700000000`, `1700000000.5`) or
//! RFC 3339 (`2026-12-07T10:00:00Z`, `2026-12-07T11:00:00.250+01:00`), the two forms the
//! Prometheus API itself takes for `start` and `end`
//! (<https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview>).

/// The Unix time, s, of `text`; refused, in words, unless it is one of the two forms, on or
/// after 1970 and before 10000.
pub fn parse_instant(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let expected = "expected Unix seconds (1700000000) or RFC 3339 (2026-12-07T10:00:00Z)";
    if let Ok(x) = t.parse::<f64>() {
        return match (0.0..MAX_UNIX_S).contains(&x) {
            true => Ok(x),
            false => Err(format!(
                "{t:?} is out of range: {expected} from 1970 to 9999"
            )),
        };
    }
    rfc3339(t).ok_or_else(|| format!("{t:?} is not an instant: {expected}"))
}

/// Unix seconds of 10000-01-01T00:00:00Z: later instants are refused.
const MAX_UNIX_S: f64 = 253_402_300_800.0;

/// An RFC 3339 date-time (`T` or a space between date and time, `Z` or `±HH:MM`).
fn rfc3339(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let s = t.get(from..to)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut fraction = 0.0;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        fraction = format!("0.{}", &f[..digits]).parse().ok()?;
        rest = &f[digits..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = (rest.get(1..3)?, rest.get(4..6)?);
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let s = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    (s >= 0).then_some(s as f64 + fraction)
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the date (H. Hinnant's `days_from_civil`, proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_give_the_same_instant() {
        // 2023-11-14T22:13:20Z is 1,700,000,000 s: 19,675 days (53 years, 13 of them leap,
        // to 2023-01-01: 19,358; then 317 days to 14 November) plus 80,000 s.
        assert_eq!(19_358 + 317, days_from_civil(2023, 11, 14));
        assert_eq!(parse_instant("2023-11-14T22:13:20Z"), Ok(1_700_000_000.0));
        assert_eq!(
            parse_instant("2023-11-14T23:13:20.5+01:00"),
            Ok(1_700_000_000.5)
        );
        assert_eq!(
            parse_instant("2023-11-14 21:13:20-01:00"),
            Ok(1_700_000_000.0)
        );
        assert_eq!(parse_instant("1700000000.25"), Ok(1_700_000_000.25));
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Ok(0.0));
    }

    #[test]
    fn malformed_and_impossible_instants_are_refused() {
        for bad in [
            "",
            "yesterday",
            "-5",
            "NaN",
            "inf",
            "1e300",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20+0100",
            "2023-11-14T22:13:20.Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad:?} accepted");
        }
    }
}
