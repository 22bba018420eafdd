//! The monitoring settings of `[deploy.monitoring]`: the hub's monitoring namespace, the
//! XR components' metrics port, and where the hub's Alertmanager sends the plan's SLO
//! alerts. Without a receiver the alerts fire into kube-prometheus-stack's default `null`
//! receiver (chart `values.yaml`, `alertmanager.config.receivers`), so nobody is told; the
//! export's README and `xrplace check` (XR17) say so.
//!
//! A receiver is an Alertmanager webhook (Alertmanager v0.34.0, the chart's
//! `alertmanager.alertmanagerSpec.image.tag`; `docs/configuration.md`, `<webhook_config>`).
//! Credentials never enter the plan or the export: a URL that is itself a credential is
//! read from a Secret (`url_file`), a bearer token too (`http_config.authorization.
//! credentials_file`); the Secrets are mounted by `alertmanagerSpec.secrets` at
//! `/etc/alertmanager/secrets/<name>/` (chart `values.yaml`).

use super::check::{is_host, Checker};
use super::error::ConfigError;
use serde::{Deserialize, Serialize};

/// The monitoring the export deploys (docs/monitoring.md, "In the export").
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MonitoringSettings {
    /// Namespace of Thanos Query, Thanos Receive and the SLO rules on the hub, offloaded
    /// to every other cluster so their Prometheus reaches the hub's Receive.
    pub namespace: String,
    /// Port on which every XR component serves its Prometheus metrics (`/metrics`), the
    /// named container port `metrics` the PodMonitor scrapes.
    pub metrics_port: u16,
    /// Where the hub's Alertmanager sends the SLO alerts; none: they reach nobody (the
    /// export's README and `xrplace check` warn).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert_receiver: Option<AlertReceiver>,
}

impl Default for MonitoringSettings {
    fn default() -> Self {
        MonitoringSettings {
            namespace: "xr-monitoring".into(),
            // An unassigned port of the Prometheus exporter registry's range (9100-9999,
            // prometheus/prometheus wiki "Default port allocations"): the application's
            // to choose; change it to the port its components use.
            metrics_port: 9400,
            alert_receiver: None,
        }
    }
}

/// A webhook that receives the plan's SLO alerts (Alertmanager `webhook_config`): its URL
/// in the plan, or in a Secret when the URL is itself a credential; optionally a bearer
/// token from a Secret. The Secrets live in the hub's `monitoring` namespace (the stack's)
/// and are never exported.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AlertReceiver {
    /// The webhook's `http://` or `https://` URL, when it carries no credential.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub webhook_url: String,
    /// Instead of `webhook_url`: the Secret whose key `url` holds the URL (Slack-style
    /// URLs that embed a token).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url_secret: String,
    /// The Secret whose key `token` Alertmanager sends as `Authorization: Bearer`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token_secret: String,
}

impl AlertReceiver {
    /// The Secrets the receiver reads, each once, in the order named.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in [&self.url_secret, &self.token_secret] {
            if !s.is_empty() && !out.contains(&s.as_str()) {
                out.push(s);
            }
        }
        out
    }
}

/// Longest webhook URL accepted, bytes (far above any real one; keeps values readable).
const MAX_URL_BYTES: usize = 2048;

/// Why `url` is not an `http(s)` URL Alertmanager can post to and the export can carry
/// safely, if it is not: scheme, host (DNS name or IPv4), optional port, then path and
/// query of RFC 3986 characters only (no space, control character, quote, brace or
/// fragment), and no `user:password@`.
pub fn url_problem(url: &str) -> Option<String> {
    if url.len() > MAX_URL_BYTES {
        return Some(format!("expected a URL of at most {MAX_URL_BYTES} bytes"));
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || !c.is_ascii())
    {
        return Some(format!(
            "expected a URL without spaces, control or non-ASCII characters, found {c:?}"
        ));
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Some(format!(
            "expected an http:// or https:// URL, found {url:?}"
        ));
    };
    let cut = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(cut);
    if authority.contains('@') {
        return Some("the URL carries credentials (user:password@): put the URL in a Secret and name it in url_secret instead".into());
    }
    if let Some(p) = authority_problem(authority) {
        return Some(p);
    }
    tail_problem(tail)
}

/// Why `host[:port]` is not a DNS name or IPv4 address with an optional port 1-65535.
fn authority_problem(authority: &str) -> Option<String> {
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if !is_host(host) {
        return Some(format!(
            "expected the URL's host to be a DNS name or an IPv4 address, found {host:?}"
        ));
    }
    match port.map(str::parse::<u16>) {
        Some(Ok(0)) | Some(Err(_)) => Some(format!(
            "expected the URL's port to be 1 to 65535, found {:?}",
            port.unwrap_or("")
        )),
        _ => None,
    }
}

/// Why the path and query are not RFC 3986 characters (unreserved, sub-delimiters but
/// the single quote, `:@/?`, and `%` escapes).
fn tail_problem(tail: &str) -> Option<String> {
    let b = tail.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return Some("expected % in the URL to start an escape like %2F".into());
            }
            i += 3;
            continue;
        }
        let ok = c.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@/?".contains(&c);
        if !ok {
            return Some(format!(
                "expected only URL characters (RFC 3986) in the path and query, found {:?}{}",
                c as char,
                if c == b'#' {
                    " (a fragment is never sent)"
                } else {
                    ""
                }
            ));
        }
        i += 1;
    }
    None
}

/// Checks `[<p>.monitoring]` (`m`) of the deploy settings found at `p`; that its namespace
/// is one of its own is the deploy settings' check.
pub fn validate_monitoring(
    c: &Checker,
    p: &str,
    m: &MonitoringSettings,
) -> Result<(), ConfigError> {
    c.dns_label(&format!("{p}.monitoring.namespace"), &m.namespace)?;
    if m.metrics_port == 0 {
        return Err(c.src.error(
            &format!("{p}.monitoring.metrics_port"),
            "expected a port from 1 to 65535, found 0",
        ));
    }
    match &m.alert_receiver {
        Some(r) => validate_receiver(c, &format!("{p}.monitoring.alert_receiver"), r),
        None => Ok(()),
    }
}

fn validate_receiver(c: &Checker, q: &str, r: &AlertReceiver) -> Result<(), ConfigError> {
    match (r.webhook_url.is_empty(), r.url_secret.is_empty()) {
        (true, true) => {
            return Err(c.src.error(
                q,
                "expected webhook_url (the webhook's URL) or url_secret (a Secret whose key `url` holds it)",
            ))
        }
        (false, false) => {
            return Err(c.src.error(
                &format!("{q}.url_secret"),
                "expected webhook_url or url_secret, not both (Alertmanager's url and url_file are mutually exclusive)",
            ))
        }
        (false, true) => {
            if let Some(why) = url_problem(&r.webhook_url) {
                return Err(c.src.error(&format!("{q}.webhook_url"), why));
            }
        }
        (true, false) => c.dns_label(&format!("{q}.url_secret"), &r.url_secret)?,
    }
    if !r.token_secret.is_empty() {
        c.dns_label(&format!("{q}.token_secret"), &r.token_secret)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_are_http_urls_without_credentials_or_hostile_characters() {
        for ok in [
            "https://alerts.ops.eu/hooks/xrplace",
            "http://10.0.0.7:9095/alert?team=xr&sev=warning",
            "https://hooks.ops.eu/a%2Fb/(x)",
        ] {
            assert_eq!(url_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("ftp://alerts.ops.eu/x", "http:// or https://"),
            ("https://user:pw@alerts.ops.eu/x", "credentials"),
            ("https://alerts.ops.eu/x\nrm -rf /", "control"),
            ("https://alerts.ops.eu/a b", "spaces"),
            ("https://alerts.ops.eu/{{.Values}}", "RFC 3986"),
            ("https://alerts.ops.eu/x'y", "RFC 3986"),
            ("https://alerts.ops.eu/x#frag", "fragment"),
            ("https://alerts.ops.eu:0/x", "port"),
            ("https://alerts.ops.eu:99999/x", "port"),
            ("https://$(reboot)/x", "host"),
            ("https://alerts.ops.eu/%zz", "escape"),
            ("https://zürich.ops.eu/x", "non-ASCII"),
        ] {
            let got = url_problem(bad).unwrap_or_default();
            assert!(got.contains(why), "{bad}: {got}");
        }
    }

    #[test]
    fn a_receiver_names_each_secret_once() {
        let r = AlertReceiver {
            webhook_url: String::new(),
            url_secret: "hook".into(),
            token_secret: "hook".into(),
        };
        assert_eq!(r.secrets(), vec!["hook"]);
    }
}
