//! The parts of the export's README that hand the plan over to its operator: the
//! placeholders still to replace, the credentials kept outside the export folder, and
//! where the plan's SLO alerts go.
//!
//! - Placeholders ([`crate::config::placeholder`]): listed under "Replace before
//!   applying"; `export` still writes the folder (the shipped templates must export) and
//!   warns, and `xrplace check` warns (XR16) while any remains.
//! - Credentials: `clouds.yaml`, `cloud.conf` and the wrapped `cloud-config.yaml` live in
//!   `$CREDENTIALS_DIR` (default `${XDG_CONFIG_HOME:-~/.config}/xrplace/<experiment>`, the
//!   XDG Base Directory specification's configuration home), made with `umask 077`, as the
//!   kubeconfigs live in `$KUBECONFIG_DIR` ([`super::liqo::kubeconfig_dir`]): a file
//!   written into the export folder is foreign to it (XR11) and a re-export would not keep
//!   it. `kubectl create secret --from-file=key=path` names each key as before (kubectl
//!   `create secret generic --help`).
//! - Alerts: without `deploy.monitoring.alert_receiver`, kube-prometheus-stack's
//!   Alertmanager routes them to its `null` receiver ([`super::stack_values`]); the
//!   README says so plainly and `xrplace check` warns (XR17).

use super::prom::{SLO_ALERTS, STACK_NAMESPACE};
use super::stack_values::{secret_mount, SLO_RECEIVER};
use crate::config::deploy::DeploySettings;
use crate::config::names::sh_quote;
use crate::config::placeholder::is_placeholder;
use crate::config::plan_file::PlanFile;

/// Where the README's commands keep OpenStack credentials unless `$CREDENTIALS_DIR` says
/// otherwise, as the README and XR11 name it.
pub const CREDENTIALS_DEFAULT_DOC: &str =
    "default ${XDG_CONFIG_HOME:-~/.config}/xrplace/<experiment>";

/// The files the README keeps in `$CREDENTIALS_DIR`; XR11 names any of them found in the
/// export folder as the credential it is.
pub const CREDENTIAL_FILES: [&str; 3] = ["clouds.yaml", "cloud.conf", "cloud-config.yaml"];

/// A deploy setting that still holds a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Its field under `deploy` (`openstack.external_network_id`).
    pub field: &'static str,
    /// The value it holds.
    pub value: String,
    /// How the operator finds the real value.
    pub find_with: &'static str,
}

/// The OpenStack settings still holding placeholders: they matter only to the clusters
/// the export creates.
pub fn openstack_placeholders(d: &DeploySettings) -> Vec<Placeholder> {
    let o = &d.openstack;
    [
        (
            "openstack.external_network_id",
            &o.external_network_id,
            "`openstack network list --external -c ID -c Name`",
        ),
        (
            "openstack.image",
            &o.image,
            "`openstack image list` (an image with kubeadm or k3s prerequisites of the plan's Kubernetes version, e.g. from image-builder)",
        ),
        (
            "openstack.ssh_key_name",
            &o.ssh_key_name,
            "`openstack keypair list` (or `openstack keypair create`)",
        ),
    ]
    .into_iter()
    .filter(|(_, v, _)| is_placeholder(v))
    .map(|(field, v, find_with)| Placeholder {
        field,
        value: v.clone(),
        find_with,
    })
    .collect()
}

/// The monitoring settings still holding placeholders (the alert webhook's URL).
pub fn monitoring_placeholders(d: &DeploySettings) -> Vec<Placeholder> {
    d.monitoring
        .alert_receiver
        .iter()
        .filter(|r| is_placeholder(&r.webhook_url))
        .map(|r| Placeholder {
            field: "monitoring.alert_receiver.webhook_url",
            value: r.webhook_url.clone(),
            find_with: "your alerting service's webhook URL (or a Secret named by `url_secret`)",
        })
        .collect()
}

/// Every placeholder that reaches this export: the OpenStack ones when it creates
/// clusters, the alert webhook's.
pub fn placeholders(plan: &PlanFile) -> Vec<Placeholder> {
    let mut out = Vec::new();
    if plan.new_clusters().next().is_some() {
        out.extend(openstack_placeholders(&plan.deploy));
    }
    out.extend(monitoring_placeholders(&plan.deploy));
    out
}

/// `value` in backticks, marked when it is a placeholder.
pub fn shown(value: &str) -> String {
    if is_placeholder(value) {
        format!("`{value}` (placeholder)")
    } else {
        format!("`{value}`")
    }
}

/// "Replace before applying", or nothing when the plan holds no placeholder.
pub fn placeholders_section(plan: &PlanFile) -> String {
    let found = placeholders(plan);
    if found.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "## Replace before applying\n\nThese settings still hold placeholders (a `<...>` value, the nil UUID, a documentation\ndomain such as `example.org`). The manifests carry them as they are, so nothing that uses them\nwill work until they name real things: set each in the plan's `[deploy]` (the experiment's\n`[plan.deploy]`) and export again. `xrplace check` warns (XR16) while any remains.\n\n| setting | placeholder | the real value |\n|---|---|---|\n",
    );
    for p in &found {
        s += &format!(
            "| `deploy.{}` | `{}` | {} |\n",
            p.field, p.value, p.find_with
        );
    }
    s + "\n"
}

/// The README's item on the management cluster's two Secrets: the credentials outside the
/// folder, and the commands that make the Secrets from them.
pub fn credentials_item(plan: &PlanFile) -> String {
    let d = &plan.deploy;
    format!(
        "- On the management cluster, namespace `{ns}`, two Secrets this export never contains:\n  `{id}` (OpenStack's `clouds.yaml`, labelled for `clusterctl move`) and `{ccm}`\n  (the cloud controller's `cloud.conf`, wrapped for the ClusterResourceSet). Keep `clouds.yaml`\n  and `cloud.conf` in `$CREDENTIALS_DIR` (default `${{XDG_CONFIG_HOME:-~/.config}}/xrplace/{plan_name}`),\n  outside this folder: they are credentials, and `xrplace check` and a re-export own every file\n  here. Then, from this folder:\n\n  ```sh\n{block}  ```\n\n",
        ns = d.management_namespace,
        id = d.openstack.identity_secret,
        ccm = d.openstack.ccm_secret,
        plan_name = super::liqo::kubeconfig_folder(plan),
        block = indent(&credentials_script(plan), "  "),
    )
}

/// The shell lines that name this plan's credentials folder `$CRED` (made for the owner
/// alone) and its kubeconfig folder `$KDIR`.
fn credential_dirs(plan: &PlanFile) -> String {
    format!(
        "PLAN_NAME={}\nCRED=\"${{CREDENTIALS_DIR:-${{XDG_CONFIG_HOME:-$HOME/.config}}/xrplace/$PLAN_NAME}}\"\nKDIR=\"${{KUBECONFIG_DIR:-$HOME/.kube/xrplace/$PLAN_NAME}}\"\n(umask 077 && mkdir -p \"$CRED\")\n",
        sh_quote(&super::liqo::kubeconfig_folder(plan)),
    )
}

/// The commands of [`credentials_item`]: every value quoted, the folder and the wrapped
/// Secret made for the owner alone.
pub fn credentials_script(plan: &PlanFile) -> String {
    let d = &plan.deploy;
    let ns = sh_quote(&d.management_namespace);
    let id = sh_quote(&d.openstack.identity_secret);
    let ccm = sh_quote(&d.openstack.ccm_secret);
    format!(
        "{dirs}MGMT=\"${{MANAGEMENT_KUBECONFIG:-$KDIR/management.kubeconfig}}\"\n# Put clouds.yaml and cloud.conf into \"$CRED\", then:\nkubectl --kubeconfig \"$MGMT\" apply -f management/00-namespace.yaml\nkubectl --kubeconfig \"$MGMT\" -n {ns} create secret generic {id} --from-file=clouds.yaml=\"$CRED/clouds.yaml\"\nkubectl --kubeconfig \"$MGMT\" -n {ns} label secret {id} clusterctl.cluster.x-k8s.io/move=true\n(umask 077 && kubectl -n kube-system create secret generic cloud-config --from-file=cloud.conf=\"$CRED/cloud.conf\" --dry-run=client -o yaml > \"$CRED/cloud-config.yaml\")\nkubectl --kubeconfig \"$MGMT\" -n {ns} create secret generic {ccm} --type=addons.cluster.x-k8s.io/resource-set --from-file=cloud-config.yaml=\"$CRED/cloud-config.yaml\"\n",
        dirs = credential_dirs(plan),
    )
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// The README's item on the alert receiver's Secrets, or nothing when it reads none.
pub fn alert_secrets_item(plan: &PlanFile) -> String {
    let Some(r) = &plan.deploy.monitoring.alert_receiver else {
        return String::new();
    };
    let wanted = [
        (
            &r.url_secret,
            "url",
            "alert-webhook-url",
            "the webhook's URL",
        ),
        (
            &r.token_secret,
            "token",
            "alert-webhook-token",
            "the bearer token",
        ),
    ];
    let wanted: Vec<_> = wanted.iter().filter(|w| !w.0.is_empty()).collect();
    if wanted.is_empty() {
        return String::new();
    }
    let mut script = credential_dirs(plan);
    script += &format!(
        "HUB=\"$KDIR/{hub}.kubeconfig\"\n# Put {what} into \"$CRED\", then:\nkubectl --kubeconfig \"$HUB\" create namespace {STACK_NAMESPACE} --dry-run=client -o yaml | kubectl --kubeconfig \"$HUB\" apply -f -\n",
        hub = plan.hub,
        what = wanted
            .iter()
            .map(|(_, _, file, what)| format!("{what} ({file})"))
            .collect::<Vec<_>>()
            .join(" and "),
    );
    for (secret, key, file, _) in &wanted {
        script += &format!(
            "kubectl --kubeconfig \"$HUB\" -n {STACK_NAMESPACE} create secret generic {} --from-file={key}=\"$CRED/{file}\"\n",
            sh_quote(secret)
        );
    }
    format!(
        "- On the hub `{hub}`, namespace `{STACK_NAMESPACE}` (kube-prometheus-stack's), the alert receiver's\n  Secrets: {list}. Neither the plan nor this export holds them; the Alertmanager pod waits\n  until they exist:\n\n  ```sh\n{block}  ```\n",
        hub = plan.hub,
        list = wanted
            .iter()
            .map(|(secret, key, _, what)| format!("`{secret}` (key `{key}`: {what})"))
            .collect::<Vec<_>>()
            .join(", "),
        block = indent(&script, "  "),
    )
}

/// "Alerts": where the SLO alerts go, or plainly that they go nowhere.
pub fn alerts_section(plan: &PlanFile) -> String {
    let names = SLO_ALERTS.map(|a| format!("`{a}`")).join(" and ");
    let head = format!(
        "\n## Alerts\n\nThe hub's Prometheus evaluates the SLO rules (`{hub}/monitoring/rules.yaml`) and sends {names}\nto the hub's Alertmanager (kube-prometheus-stack, namespace `{STACK_NAMESPACE}`).",
        hub = plan.hub
    );
    match &plan.deploy.monitoring.alert_receiver {
        None => head + " **No alert receiver is configured, so these alerts go nowhere**: the chart routes every\nalert to its `null` receiver, which notifies nobody. Set `[deploy.monitoring.alert_receiver]`\n(`webhook_url`, or `url_secret` naming a Secret that holds it) and export again; `xrplace check`\nwarns (XR17) until then.\n",
        Some(r) => {
            let target = if r.webhook_url.is_empty() {
                format!(
                    "the webhook whose URL Secret `{}` holds (mounted at `{}/url`)",
                    r.url_secret,
                    secret_mount(&r.url_secret)
                )
            } else {
                format!("the webhook {}", shown(&r.webhook_url))
            };
            let token = if r.token_secret.is_empty() {
                String::new()
            } else {
                format!(
                    ", with the bearer token of Secret `{}`",
                    r.token_secret
                )
            };
            head + &format!(" Its values route them to the receiver `{SLO_RECEIVER}`:\n{target}{token}. Every other alert keeps the chart's route.\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indent_prefixes_every_line() {
        assert_eq!(indent("a\nb\n", "  "), "  a\n  b\n");
    }
}
