//! `xrplace import k8s` and `xrplace import prometheus`: their arguments mapped to the
//! requests of `xrplace::command::import_estate` and `import_prometheus`, and what they
//! found printed.

use super::import_args::{ImportCommand, ImportK8sArgs, ImportPrometheusArgs};
use xrplace::command::{self, CommandError};
use xrplace::config::prometheus::client::Limits;
use xrplace::config::prometheus::metrics::Labels;

/// Runs one `import` subcommand.
pub fn import(command: ImportCommand) -> Result<(), CommandError> {
    match command {
        ImportCommand::K8s(args) => k8s(args),
        ImportCommand::Prometheus(args) => prometheus(args),
    }
}

fn k8s(a: ImportK8sArgs) -> Result<(), CommandError> {
    let req = command::ImportRequest::K8s(command::K8sImport {
        sites: a.sites,
        paths: a.paths,
        out: a.out,
        hub: a.hub,
        plan: a.plan,
    });
    let report = command::import_estate(&req, &crate::warn)?;
    print!("{}", report.summary);
    println!(
        "wrote topology.toml and plan.toml to {}",
        report.dir.display()
    );
    Ok(())
}

/// Checks a timeout flag: finite and positive.
fn seconds(flag: &str, s: f64) -> Result<f64, CommandError> {
    match s.is_finite() && s > 0.0 && s <= 86_400.0 {
        true => Ok(s),
        false => Err(CommandError::Refused(format!(
            "import prometheus: {flag}: {s}: expected seconds in (0, 86400]"
        ))),
    }
}

fn prometheus(a: ImportPrometheusArgs) -> Result<(), CommandError> {
    let req = command::ImportPrometheusRequest {
        url: a.url,
        topology: a.topology,
        start: a.start,
        end: a.end,
        step_s: a.step_s,
        out: a.out,
        labels: Labels {
            cluster: a.cluster_label,
            node: a.node_label,
            application: a.application_label,
            site: a.site_label,
        },
        cluster_ids: a.cluster_ids,
        duration_s: a.duration_s,
        limits: Limits {
            connect_timeout_s: seconds("--connect-timeout-s", a.connect_timeout_s)?,
            query_timeout_s: seconds("--timeout-s", a.timeout_s)?,
            max_body_bytes: a.max_response_bytes,
        },
    };
    let r = command::import_prometheus(&req)?;
    for q in &r.empty_queries {
        crate::warn(&format!(
            "query `{q}` gave no series over the range (docs/import.md: metric names and labels)"
        ));
    }
    println!(
        "{} peerings measured ({} site pairs in rtt.csv), {} usage rows, {} arrivals in trace.csv",
        r.peerings, r.site_pairs, r.usage_rows, r.arrivals
    );
    if let Some((subject, d)) = &r.worst_rtt_drift {
        println!(
            "largest RTT drift: {subject}, {:+.1} % against the topology",
            d * 100.0
        );
    }
    println!("written to {}", r.dir.display());
    Ok(())
}
