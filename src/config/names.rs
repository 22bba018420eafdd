//! Names that leave xrplace: Kubernetes object names and label values made from free-text
//! site and cluster names, and shell words quoted for generated scripts.

/// ASCII spelling of the Latin letters with diacritics common in European place names.
fn ascii_of(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ă' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'ė' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'į' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        'ð' => "d",
        _ => return None,
    })
}

/// A DNS-1123 label (also a DNS-1035 label and a valid label value) made from any text:
/// lower case, accents spelled in ASCII, other characters as `-`, starting with a letter,
/// at most `max` characters (a longer one keeps a hash suffix so it stays distinct).
///
/// `Genève (CERN)` becomes `geneve-cern`, `Zürich 1` becomes `zurich-1`.
pub fn dns_label_from(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if let Some(a) = ascii_of(c) {
            out.push_str(a);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut s = out.trim_matches('-').to_string();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("x-{s}").trim_end_matches('-').to_string();
    }
    let max = max.clamp(10, 63);
    if s.len() > max {
        let suffix = format!("-{:08x}", crate::base::fnv::hash32(text));
        s.truncate(max - suffix.len());
        s = s.trim_end_matches('-').to_string() + &suffix;
    }
    s
}

/// `text` as one POSIX shell word: single-quoted unless it is made only of characters no
/// shell interprets.
pub fn sh_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@+%".contains(&b));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::check::is_dns_label;

    #[test]
    fn free_text_becomes_a_dns_label() {
        assert_eq!(dns_label_from("Genève (CERN)", 63), "geneve-cern");
        assert_eq!(dns_label_from("Zürich 1", 63), "zurich-1");
        assert_eq!(dns_label_from("$(rm -rf ~)", 63), "rm-rf");
        assert_eq!(dns_label_from("1st site", 63), "x-1st-site");
        assert_eq!(dns_label_from("Łódź Śródmieście", 63), "lodz-srodmiescie");
        for t in ["", "---", "日本", "a".repeat(200).as_str(), "A_B.C"] {
            let l = dns_label_from(t, 40);
            assert!(is_dns_label(&l) && l.len() <= 40, "{t:?} -> {l:?}");
        }
        assert_ne!(
            dns_label_from(&format!("{}x", "a".repeat(80)), 63),
            dns_label_from(&format!("{}y", "a".repeat(80)), 63)
        );
    }

    #[test]
    fn shell_words_are_quoted_unless_plain() {
        assert_eq!(sh_quote("edge-fra-1"), "edge-fra-1");
        assert_eq!(sh_quote("10.64.0.0/18"), "10.64.0.0/18");
        assert_eq!(sh_quote("Zürich 1"), "'Zürich 1'");
        assert_eq!(sh_quote("$(reboot)"), "'$(reboot)'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
    }
}
