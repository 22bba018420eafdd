//! Placeholder values: what a template writes where only the operator knows the real value
//! (the cloud's external network, its node image, a keypair, an alert webhook). A plan
//! carrying one still plans and exports (the shipped templates must), but the export's
//! README lists each under "Replace before applying" and `xrplace check` warns (XR16).
//!
//! The convention, recognised wherever such a value is read:
//! - a value in angle brackets, `<glance-image>`: the usual mark of "fill this in";
//! - for a UUID field, the Nil UUID `00000000-0000-0000-0000-000000000000` (RFC 9562
//!   section 5.9), the UUID that names nothing; an angle-bracketed value would not be a
//!   UUID, which CAPO's `externalNetwork.id` must be (`format: uuid`, CRD
//!   `infrastructure.cluster.x-k8s.io_openstackclusters.yaml`);
//! - an `http(s)` URL on a name reserved for documentation (RFC 2606: `example.com`,
//!   `example.net`, `example.org` and their subdomains, `.example`, `.invalid`, `.test`);
//! - the external network UUID the templates shipped before this convention, so configs
//!   copied from them are flagged too.

/// The Nil UUID (RFC 9562 section 5.9).
pub const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// The external network ID of the templates before placeholders were marked.
const SHIPPED_NETWORK_IDS: [&str; 1] = ["2f5ab8d4-4c5b-4d3e-9f1a-0b7d1c2e3f40"];

/// Domains reserved for documentation (RFC 2606 sections 2 and 3).
const DOCUMENTATION_DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];
/// Top-level domains reserved for documentation and testing (RFC 2606 section 2).
const DOCUMENTATION_TLDS: [&str; 3] = ["example", "invalid", "test"];

/// Whether `value` is a placeholder (module doc).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    (v.starts_with('<') && v.ends_with('>'))
        || v.eq_ignore_ascii_case(NIL_UUID)
        || SHIPPED_NETWORK_IDS
            .iter()
            .any(|s| v.eq_ignore_ascii_case(s))
        || is_documentation_url(v)
}

/// Whether `url` is an `http(s)` URL whose host is reserved for documentation.
pub fn is_documentation_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    DOCUMENTATION_DOMAINS
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || DOCUMENTATION_TLDS
            .iter()
            .any(|t| host == *t || host.ends_with(&format!(".{t}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_convention_marks_placeholders_and_nothing_real() {
        for p in [
            "<glance-image>",
            " <nova-keypair> ",
            NIL_UUID,
            "00000000-0000-0000-0000-000000000000",
            "2F5AB8D4-4C5B-4D3E-9F1A-0B7D1C2E3F40",
            "https://alerts.example.org/xrplace",
            "http://hooks.example:8080/x",
            "https://EXAMPLE.COM",
            "https://a.b.invalid/x?y=1",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for real in [
            "ubuntu-2404-kube-v1.33.4",
            "ops-key",
            "5f0a9b1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
            "https://alerts.example-corp.com/x",
            "https://notexample.org/x",
            "https://hooks.slack.com/services/x",
            "<unterminated",
        ] {
            assert!(!is_placeholder(real), "{real}");
        }
    }
}
