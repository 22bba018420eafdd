//! `import k8s` in one call: the dumps' identities checked, each cluster's facts, the
//! sites, the topology and the plan of record.

use super::dumps::{DumpedCluster, EstateError};
use super::facts::cluster_facts;
use super::identity::check_identities;
use super::record::{map_sites, plan_of_record, topology, ImportedEstate, PlanInputs};
use crate::config::estate_sites::EstateSites;

/// Imports the clusters `dumps` read, placed by `sites`, as topology `name`; `hub` is
/// `--hub`.
pub fn import_estate(
    dumps: &[DumpedCluster],
    sites: &EstateSites,
    name: &str,
    hub: Option<&str>,
) -> Result<ImportedEstate, EstateError> {
    check_identities(dumps)?;
    let mut warnings = Vec::new();
    let mut facts = Vec::new();
    for d in dumps {
        match cluster_facts(d, dumps) {
            Some(f) => {
                warnings.extend(f.warnings.iter().cloned());
                facts.push(f);
            }
            None => warnings.push(format!(
                "{:?} has no Nodes but virtual ones among its objects: read for its Cluster API and Liqo objects, not a cluster of the topology",
                d.name
            )),
        }
    }
    if facts.is_empty() {
        return Err(EstateError::Refused(
            "no cluster of the estate has Nodes among its objects (`kubectl get nodes -o yaml`): nothing to import".into(),
        ));
    }
    for d in dumps {
        for c in &d.estate.inventory.clusters {
            if !facts.iter().any(|f| f.name == c.name) {
                warnings.push(format!(
                    "{:?} manages cluster {:?} through Cluster API, but no Nodes of it were given (give them as {}=PATH): not imported",
                    d.name, c.name, c.name
                ));
            }
        }
    }
    let site_of = map_sites(&facts, sites)?;
    let topology = topology(name, &facts, &site_of, sites);
    let inputs = PlanInputs {
        name,
        hub,
        dumps,
        facts: &facts,
        topology: &topology,
    };
    let (plan, placeholders) = plan_of_record(&inputs, &mut warnings)?;
    Ok(ImportedEstate {
        topology,
        plan,
        facts,
        placeholders,
        warnings,
    })
}
