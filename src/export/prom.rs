//! Names and Prometheus formats shared by the monitoring files ([`super::monitoring`]) and
//! kube-prometheus-stack's values ([`super::stack_values`]): the stack's release,
//! namespace and object names, the Receive the other clusters write to, the SLO's alerts,
//! and Prometheus durations.

use crate::base::units::ms_from_s;
use crate::config::plan_file::PlanMonitoring;

/// Release and namespace of kube-prometheus-stack on every cluster.
pub const STACK_RELEASE: &str = "kube-prometheus-stack";
/// Namespace of the stack.
pub const STACK_NAMESPACE: &str = "monitoring";
/// `fullnameOverride` of the stack, so its object names are known here: the sidecar's
/// Service is `<fullname>-thanos-discovery` (`templates/prometheus/serviceThanosSidecar.yaml`).
pub(super) const STACK_FULLNAME: &str = "xr-prom";

/// Thanos Receive's remote-write port (default 19291).
pub(super) const REMOTE_WRITE_PORT: u16 = 19291;
/// Name of Thanos Receive's objects on the hub.
pub(super) const RECEIVE: &str = "thanos-receive";

/// The SLO's alerts: session time over the latency budget, sessions refused at arrival.
pub const SLO_ALERTS: [&str; 2] = ["XrSessionTimeOverBudget", "XrSessionsRejected"];

/// A Prometheus duration (`1h30m`, `15s`, `250ms`: millisecond resolution) of `s` seconds, at
/// least 1 ms.
pub fn prom_duration(s: f64) -> String {
    let ms = ms_from_s(s).max(1);
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let secs = ms / 1000;
    let mut out = String::new();
    for (unit, n) in [("h", secs / 3600), ("m", secs / 60 % 60), ("s", secs % 60)] {
        if n > 0 {
            out += &format!("{n}{unit}");
        }
    }
    out
}

/// How long every Prometheus and the Receive keep samples: twice the SLO window, at least
/// a day, in whole hours (the window must be in storage for the rule to see it whole).
pub fn retention(m: &PlanMonitoring) -> String {
    let hours = (2.0 * m.slo_window_s / 3600.0).ceil().max(24.0);
    format!("{hours}h")
}

/// In-cluster DNS name of Service `name` in namespace `ns`.
pub(super) fn service_host(name: &str, ns: &str) -> String {
    format!("{name}.{ns}.svc.cluster.local")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_millisecond_resolution() {
        assert_eq!(prom_duration(15.0), "15s");
        assert_eq!(prom_duration(0.25), "250ms");
        assert_eq!(prom_duration(0.0), "1ms");
        assert_eq!(prom_duration(3600.0), "1h");
        assert_eq!(prom_duration(5430.0), "1h30m30s");
    }

    #[test]
    fn retention_holds_two_windows_and_a_day() {
        let mut m = PlanMonitoring::default();
        assert_eq!(retention(&m), "24h");
        m.slo_window_s = 86_400.0 * 3.0;
        assert_eq!(retention(&m), "144h");
    }
}
