//! XR16: the export still carries a placeholder ([`crate::config::placeholder`]): the
//! OpenStack external network, image or keypair of a new cluster's manifests, or the alert
//! webhook in the hub's kube-prometheus-stack values. A warning, not an error: the shipped
//! templates export with placeholders on purpose, and the README lists what to replace.

use super::monitoring_rules::stack_values_of;
use super::{str_at, ExportSet, Findings};
use crate::config::placeholder::is_placeholder;

/// The fields of the OpenStack kinds that name things in the cloud (CAPO v1beta1 and
/// v1beta2 alike: `OpenStackCluster.spec.externalNetwork.id`,
/// `OpenStackMachineTemplate.spec.template.spec.image.filter.name`, `.sshKeyName`).
const CLOUD_FIELDS: [(&str, &str, &str); 3] = [
    (
        "OpenStackCluster",
        "spec.externalNetwork.id",
        "openstack.external_network_id",
    ),
    (
        "OpenStackMachineTemplate",
        "spec.template.spec.image.filter.name",
        "openstack.image",
    ),
    (
        "OpenStackMachineTemplate",
        "spec.template.spec.sshKeyName",
        "openstack.ssh_key_name",
    ),
];

pub(super) fn placeholders(set: &ExportSet, f: &mut Findings) {
    for (kind, path, setting) in CLOUD_FIELDS {
        let holding: Vec<_> = set
            .of_kind(kind)
            .filter_map(|d| {
                str_at(&d.value, path)
                    .filter(|v| is_placeholder(v))
                    .map(|v| (d, v))
            })
            .collect();
        if let Some((d, v)) = holding.first() {
            let others = match holding.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more {kind}s)"),
            };
            f.warn(
                &d.file,
                &d.object(),
                format!("{path} is the placeholder {v:?}{others}: set deploy.{setting} to your cloud's value and export again (README.md, \"Replace before applying\")"),
            );
        }
    }
    webhook_placeholder(set, f);
}

/// The hub's alert webhook, when it is on a documentation domain.
fn webhook_placeholder(set: &ExportSet, f: &mut Findings) {
    let Some(plan) = &set.plan else { return };
    let Some(hub) = plan.cluster(&plan.hub) else {
        return;
    };
    let Ok((file, object, values)) = stack_values_of(set, hub) else {
        return;
    };
    let receivers = &values["alertmanager"]["config"]["receivers"];
    for r in receivers.as_array().into_iter().flatten() {
        for hook in r["webhook_configs"].as_array().into_iter().flatten() {
            if let Some(url) = hook["url"].as_str().filter(|u| is_placeholder(u)) {
                f.warn(&file, &object, format!("the alert webhook {url:?} is a placeholder (a documentation domain): set deploy.monitoring.alert_receiver to your receiver and export again"));
            }
        }
    }
}
