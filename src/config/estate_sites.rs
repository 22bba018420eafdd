//! `SITES.toml` of `xrplace import k8s`: where the clusters of a live estate stand, which
//! the Kubernetes objects cannot say. Each `[[sites]]` entry is spelled as a topology
//! file's (every field of [`SiteConfig`], optional ones included) plus `clusters` (cluster
//! names: kubeconfig contexts, Liqo cluster IDs, Cluster API `Cluster` names) and/or
//! `regions` (values of the Nodes' `topology.kubernetes.io/region` label).
//!
//! Checked here, on the file alone: unknown keys, a site that maps nothing, a cluster or
//! region mapped twice. What needs the estate (a cluster mapped nowhere, a name that maps
//! no cluster of it) is checked by the import, located through [`EstateSites::error`].

use super::error::ConfigError;
use super::input::MAX_TOML_BYTES;
use super::source::Source;
use super::topology::SiteConfig;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

/// One `[[sites]]` entry: a topology site and the clusters and regions at it.
#[derive(Debug, Clone, Deserialize)]
pub struct EstateSite {
    /// The site, as a topology file spells it.
    #[serde(flatten)]
    pub site: SiteConfig,
    /// Clusters at this site, by name.
    #[serde(default)]
    pub clusters: Vec<String>,
    /// `topology.kubernetes.io/region` values whose clusters stand at this site.
    #[serde(default)]
    pub regions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SitesFile {
    sites: Vec<EstateSite>,
}

/// A read `SITES.toml`, with its source for located errors.
pub struct EstateSites {
    /// The sites, in file order.
    pub sites: Vec<EstateSite>,
    src: Source,
}

impl std::fmt::Debug for EstateSites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EstateSites")
            .field("file", &self.src.path)
            .field("sites", &self.sites)
            .finish()
    }
}

/// Keys of a `[[sites]]` entry besides [`SiteConfig`]'s.
const MAPPING_KEYS: [&str; 2] = ["clusters", "regions"];

impl EstateSites {
    /// Reads and checks `SITES.toml` at `path` (a regular file of at most
    /// [`MAX_TOML_BYTES`]).
    pub fn load(path: &Path) -> Result<EstateSites, ConfigError> {
        Self::from_source(Source::read_at_most(path, MAX_TOML_BYTES)?)
    }

    /// Parses and checks text already read.
    pub fn from_source(src: Source) -> Result<EstateSites, ConfigError> {
        let table: toml::Table = src.parse()?;
        check_keys(&src, &table)?;
        let file: SitesFile = src.parse()?;
        let sites = EstateSites {
            sites: file.sites,
            src,
        };
        sites.check_mappings()?;
        Ok(sites)
    }

    /// An error at `field` of the file (`sites[1].clusters[0]`).
    pub fn error(&self, field: &str, message: impl Into<String>) -> ConfigError {
        self.src.error(field, message)
    }

    /// The site mapping cluster `name` by name, with its field, if any.
    pub fn by_cluster(&self, name: &str) -> Option<(usize, String)> {
        self.find(|s| &s.clusters, name, "clusters")
    }

    /// The site mapping region `region`, with its field, if any.
    pub fn by_region(&self, region: &str) -> Option<(usize, String)> {
        self.find(|s| &s.regions, region, "regions")
    }

    fn find(
        &self,
        list: impl Fn(&EstateSite) -> &Vec<String>,
        name: &str,
        key: &str,
    ) -> Option<(usize, String)> {
        self.sites.iter().enumerate().find_map(|(i, s)| {
            let j = list(s).iter().position(|n| n == name)?;
            Some((i, format!("sites[{i}].{key}[{j}]")))
        })
    }

    /// Every site maps something; no cluster or region is mapped twice; site names are
    /// unique.
    fn check_mappings(&self) -> Result<(), ConfigError> {
        if self.sites.is_empty() {
            return Err(self.error("sites", "expected at least one [[sites]] entry"));
        }
        let mut names = BTreeSet::new();
        let mut clusters = std::collections::BTreeMap::new();
        let mut regions = std::collections::BTreeMap::new();
        for (i, s) in self.sites.iter().enumerate() {
            if !names.insert(s.site.name.as_str()) {
                let msg = format!("site {:?} is listed twice", s.site.name);
                return Err(self.error(&format!("sites[{i}].name"), msg));
            }
            if s.clusters.is_empty() && s.regions.is_empty() {
                let msg = format!(
                    "site {:?} maps no cluster: give `clusters = [...]` (cluster names) and/or `regions = [...]` (topology.kubernetes.io/region values)",
                    s.site.name
                );
                return Err(self.error(&format!("sites[{i}]"), msg));
            }
            self.once(&mut clusters, i, "clusters", &s.clusters, "cluster")?;
            self.once(&mut regions, i, "regions", &s.regions, "region")?;
        }
        Ok(())
    }

    /// Records each name of `list` (field `sites[i].key`), refusing one seen before.
    fn once<'a>(
        &self,
        seen: &mut std::collections::BTreeMap<&'a str, String>,
        i: usize,
        key: &str,
        list: &'a [String],
        what: &str,
    ) -> Result<(), ConfigError> {
        for (j, name) in list.iter().enumerate() {
            let field = format!("sites[{i}].{key}[{j}]");
            if name.trim().is_empty() {
                return Err(self.error(&field, format!("expected a {what} name, found \"\"")));
            }
            if let Some(first) = seen.insert(name, field.clone()) {
                let msg = format!("{what} {name:?} is mapped twice (also {first})");
                return Err(self.error(&field, msg));
            }
        }
        Ok(())
    }
}

/// The keys a `[[sites]]` entry may have: [`SiteConfig`]'s, from its schema (so a field
/// added there is accepted here), and [`MAPPING_KEYS`].
fn allowed_keys() -> BTreeSet<String> {
    let schema = schemars::schema_for!(SiteConfig);
    let mut keys: BTreeSet<String> = schema
        .get("properties")
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    keys.extend(MAPPING_KEYS.iter().map(|k| k.to_string()));
    keys
}

/// Refuses a key no `[[sites]]` entry has (serde's `flatten` would drop it silently).
fn check_keys(src: &Source, table: &toml::Table) -> Result<(), ConfigError> {
    let Some(toml::Value::Array(sites)) = table.get("sites") else {
        return Ok(());
    };
    let allowed = allowed_keys();
    for (i, site) in sites.iter().enumerate() {
        let Some(site) = site.as_table() else {
            continue;
        };
        if let Some(key) = site.keys().find(|k| !allowed.contains(k.as_str())) {
            let known: Vec<&str> = allowed.iter().map(String::as_str).collect();
            return Err(src.error(
                &format!("sites[{i}].{key}"),
                format!("unknown key {key:?}; expected one of {}", known.join(", ")),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<EstateSites, ConfigError> {
        EstateSites::from_source(Source::from_text(Path::new("s.toml"), text.into()))
    }

    const ZURICH: &str = "[[sites]]\nname = \"zurich\"\nlat = 47.4\nlon = 8.5\ntier = \"edge\"\n";

    #[test]
    fn optional_site_fields_and_both_mappings_are_read() {
        let s = read(&format!(
            "{ZURICH}access_latency_ms = 3.0\nclusters = [\"a\"]\nregions = [\"zrh1\"]\n"
        ))
        .unwrap();
        assert_eq!(s.sites[0].site.access_latency_ms, 3.0);
        assert_eq!(s.by_cluster("a"), Some((0, "sites[0].clusters[0]".into())));
        assert_eq!(s.by_region("zrh1").unwrap().0, 0);
        assert!(s.by_cluster("b").is_none());
    }

    #[test]
    fn unknown_keys_empty_sites_and_repeats_are_located() {
        let e = read(&format!("{ZURICH}clusters = [\"a\"]\nregion = [\"x\"]\n")).unwrap_err();
        assert_eq!((e.field.as_str(), e.line), ("sites[0].region", 7), "{e}");
        let e = read(ZURICH).unwrap_err();
        assert!(e.message.contains("maps no cluster"), "{e}");
        let twice = format!(
            "{ZURICH}clusters = [\"a\"]\n{}clusters = [\"b\", \"a\"]\n",
            ZURICH.replace("zurich", "milan")
        );
        let e = read(&twice).unwrap_err();
        assert_eq!(e.field, "sites[1].clusters[1]", "{e}");
        assert!(e.message.contains("sites[0].clusters[0]"), "{e}");
        assert_eq!(e.line, 12, "{e}");
    }
}
