//! Measured RTT matrices: a CSV of site pairs a topology names in
//! `[routing] measured_rtt_csv`, read relative to the topology file.
//!
//! ```text
//! site_a,site_b,rtt_ms,rtt_sd_ms[,bandwidth_gbps]
//! frankfurt,geneva,13.74,1.52
//! ```
//!
//! The header is required and names the columns (any order); `bandwidth_gbps` is optional,
//! and an empty cell in it means "not measured". Lines starting with `#` and blank lines are
//! skipped. Each row overrides the distance model link by link ([`apply_measured_rtts`]):
//! a pair with a `[[links]]` entry gets the row's RTT and deviation (and its bandwidth, if
//! given); a pair without one gets a new link. Every bad row is an error naming the file,
//! its line, the column and what was expected (docs/topologies.md).

use super::error::ConfigError;
use super::topology::{LinkConfig, TopologyConfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The required columns, in the order documentation and messages give them.
const REQUIRED: [&str; 4] = ["site_a", "site_b", "rtt_ms", "rtt_sd_ms"];
/// The optional column.
const BANDWIDTH: &str = "bandwidth_gbps";

/// One measured site pair, with its sites resolved to indices of the topology's sites.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredRtt {
    /// Index of one site (`site_a`) in the topology.
    pub site_a: u32,
    /// Index of the other site (`site_b`).
    pub site_b: u32,
    /// Median round-trip time, ms.
    pub rtt_ms: f64,
    /// Standard deviation of the round-trip time, ms; it becomes the link's `jitter_ms`.
    pub rtt_sd_ms: f64,
    /// Measured bandwidth, Gbit/s, if the row gives one.
    pub bandwidth_gbps: Option<f64>,
    /// 1-based line of the row in its file.
    pub line: usize,
}

/// The measured pairs of one topology and the file they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredRtts {
    /// The CSV, resolved against the topology file's folder.
    pub path: PathBuf,
    /// Its rows, in file order.
    pub rows: Vec<MeasuredRtt>,
}

/// Where a topology at `topology_path` finds the CSV it names as `rel`: relative to the
/// topology file's folder (an absolute `rel` stays as it is).
pub fn measured_rtt_path(topology_path: &Path, rel: &str) -> PathBuf {
    topology_path.parent().unwrap_or(Path::new(".")).join(rel)
}

/// Reads and checks a measured RTT CSV against the topology's site names (`sites`, name ->
/// index). Refuses, with file, line, column and field: a missing, unknown or repeated
/// column; a row with another number of cells than the header; an unknown site; a pair of
/// a site with itself; a pair listed twice (in either order); a cell that is no number, not
/// finite or beyond its unit's physical range (`src/config/ranges.rs`), an RTT that is not
/// positive, a negative deviation, a bandwidth that is not positive. The file is read as
/// every input is (`src/config/input.rs`): a regular file, at most
/// [`super::input::MAX_RTT_CSV_BYTES`], UTF-8.
pub fn load_measured_rtts(
    path: &Path,
    sites: &HashMap<&str, u32>,
) -> Result<Vec<MeasuredRtt>, ConfigError> {
    let text = super::input::read_text(path, "measured RTT CSV", super::input::MAX_RTT_CSV_BYTES)?;
    parse_measured_rtts(path, &text, sites)
}

/// [`load_measured_rtts`] on text already read; `path` names it in messages.
pub fn parse_measured_rtts(
    path: &Path,
    text: &str,
    sites: &HashMap<&str, u32>,
) -> Result<Vec<MeasuredRtt>, ConfigError> {
    let err = |line: usize, column: usize, field: &str, message: String| ConfigError {
        file: path.to_path_buf(),
        line,
        column,
        field: field.to_string(),
        message,
    };
    let mut lines = text.lines().enumerate().filter(|(_, l)| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    });
    let Some((h, header)) = lines.next() else {
        return Err(ConfigError::whole_file(
            path,
            format!(
                "empty measured RTT CSV: expected the header {}",
                header_text()
            ),
        ));
    };
    let columns = header_columns(header, &|column, field, m| err(h + 1, column, field, m))?;
    let mut out = Vec::new();
    let mut first: HashMap<(u32, u32), usize> = HashMap::new();
    for (i, line) in lines {
        let n = i + 1;
        let cells = cells(line);
        if cells.len() != columns.width {
            return Err(err(
                n,
                1,
                "(row)",
                format!(
                    "expected {} columns as in the header at line {}, found {}",
                    columns.width,
                    h + 1,
                    cells.len()
                ),
            ));
        }
        let cell = |c: usize| cells[c];
        let site = |c: usize, field: &str| -> Result<u32, ConfigError> {
            let (col, name) = cell(c);
            sites
                .get(name)
                .copied()
                .ok_or_else(|| err(n, col, field, unknown_site(name, sites)))
        };
        let a = site(columns.site_a, "site_a")?;
        let b = site(columns.site_b, "site_b")?;
        let (b_col, b_name) = cell(columns.site_b);
        if a == b {
            return Err(err(
                n,
                b_col,
                "site_b",
                format!("a measured pair must join two different sites, found {b_name:?} twice"),
            ));
        }
        let key = (a.min(b), a.max(b));
        if let Some(prev) = first.get(&key) {
            return Err(err(
                n,
                b_col,
                "site_b",
                format!(
                    "the pair {:?}-{b_name:?} is listed twice (also line {prev}, in either order); each pair must be measured once",
                    cell(columns.site_a).1
                ),
            ));
        }
        first.insert(key, n);
        let number = |c: usize, field: &str, positive: bool| -> Result<f64, ConfigError> {
            let (col, v) = cell(c);
            let x: f64 = v
                .parse()
                .map_err(|_| err(n, col, field, format!("expected a number, found {v:?}")))?;
            if let Some(m) = super::ranges::out_of_range(field, x) {
                return Err(err(n, col, field, m));
            }
            let ok = if positive { x > 0.0 } else { x >= 0.0 };
            if ok {
                Ok(x)
            } else if positive {
                Err(err(
                    n,
                    col,
                    field,
                    format!("expected a positive number, found {v}"),
                ))
            } else {
                Err(err(
                    n,
                    col,
                    field,
                    format!("expected a number >= 0, found {v}"),
                ))
            }
        };
        let rtt_ms = number(columns.rtt_ms, "rtt_ms", true)?;
        let rtt_sd_ms = number(columns.rtt_sd_ms, "rtt_sd_ms", false)?;
        let bandwidth_gbps = match columns.bandwidth {
            Some(c) if !cell(c).1.is_empty() => Some(number(c, BANDWIDTH, true)?),
            _ => None,
        };
        out.push(MeasuredRtt {
            site_a: a,
            site_b: b,
            rtt_ms,
            rtt_sd_ms,
            bandwidth_gbps,
            line: n,
        });
    }
    if out.is_empty() {
        return Err(err(
            h + 1,
            1,
            "(header)",
            "a header and no rows: expected at least one measured site pair".into(),
        ));
    }
    Ok(out)
}

/// Folds measured pairs into a topology's links: a pair with a `[[links]]` entry gets the
/// row's `rtt_ms`, its `rtt_sd_ms` as `jitter_ms` and, if the row has one, its
/// `bandwidth_gbps`; a pair without one gets a new link with those values, the bandwidth
/// `routing.derived_bandwidth_gbps` unless the row gives one, no loss and no background
/// traffic. Rows must come from [`load_measured_rtts`] against the same topology.
pub fn apply_measured_rtts(t: &mut TopologyConfig, rows: &[MeasuredRtt]) {
    let site_ix = t.site_indices();
    let pair = |a: u32, b: u32| (a.min(b), a.max(b));
    let mut link_of: HashMap<(u32, u32), usize> = t
        .links
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let (a, b) = (site_ix.get(l.a.as_str())?, site_ix.get(l.b.as_str())?);
            Some((pair(*a, *b), i))
        })
        .collect();
    let mut added = Vec::new();
    for r in rows {
        let key = pair(r.site_a, r.site_b);
        match link_of.get(&key) {
            Some(&i) => {
                let l = &mut t.links[i];
                l.rtt_ms = r.rtt_ms;
                l.jitter_ms = r.rtt_sd_ms;
                if let Some(g) = r.bandwidth_gbps {
                    l.bandwidth_gbps = g;
                }
            }
            None => {
                link_of.insert(key, t.links.len() + added.len());
                added.push(LinkConfig {
                    a: t.sites[r.site_a as usize].name.clone(),
                    b: t.sites[r.site_b as usize].name.clone(),
                    rtt_ms: r.rtt_ms,
                    jitter_ms: r.rtt_sd_ms,
                    bandwidth_gbps: r.bandwidth_gbps.unwrap_or(t.routing.derived_bandwidth_gbps),
                    loss_pct: 0.0,
                    background_util: 0.0,
                    background_packet_bytes: 1500,
                });
            }
        }
    }
    t.links.extend(added);
}

/// Where each column of a file is.
struct Columns {
    site_a: usize,
    site_b: usize,
    rtt_ms: usize,
    rtt_sd_ms: usize,
    bandwidth: Option<usize>,
    /// Cells per row.
    width: usize,
}

/// The header as messages give it.
fn header_text() -> String {
    format!("{}[,{BANDWIDTH}]", REQUIRED.join(","))
}

/// Reads the header: each required column once, the optional one at most once, no other.
fn header_columns(
    header: &str,
    err: &dyn Fn(usize, &str, String) -> ConfigError,
) -> Result<Columns, ConfigError> {
    let names = cells(header);
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, &(col, name)) in names.iter().enumerate() {
        if !REQUIRED.contains(&name) && name != BANDWIDTH {
            return Err(err(
                col,
                "(header)",
                format!(
                    "unknown column {name:?}; expected the header {}",
                    header_text()
                ),
            ));
        }
        if at.insert(name, i).is_some() {
            return Err(err(
                col,
                "(header)",
                format!("column {name:?} is named twice"),
            ));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !at.contains_key(*c)) {
        return Err(err(
            1,
            "(header)",
            format!(
                "missing column {missing:?}; expected the header {}",
                header_text()
            ),
        ));
    }
    Ok(Columns {
        site_a: at["site_a"],
        site_b: at["site_b"],
        rtt_ms: at["rtt_ms"],
        rtt_sd_ms: at["rtt_sd_ms"],
        bandwidth: at.get(BANDWIDTH).copied(),
        width: names.len(),
    })
}

/// The comma-separated cells of `line`, trimmed, each with its 1-based column.
fn cells(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in line.split(',') {
        let lead = part.len() - part.trim_start().len();
        out.push((line[..start + lead].chars().count() + 1, part.trim()));
        start += part.len() + 1;
    }
    out
}

/// "unknown site" with up to eight known names, as [`super::check::Checker::resolve`] says
/// it.
fn unknown_site(name: &str, sites: &HashMap<&str, u32>) -> String {
    let mut known: Vec<&str> = sites.keys().copied().collect();
    known.sort_unstable();
    known.truncate(8);
    format!(
        "unknown site {name:?}; expected one of: {}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites() -> HashMap<&'static str, u32> {
        [("fra", 0), ("gva", 1), ("mil", 2)].into_iter().collect()
    }

    fn parse(text: &str) -> Result<Vec<MeasuredRtt>, ConfigError> {
        parse_measured_rtts(Path::new("m.csv"), text, &sites())
    }

    /// (line, column, field) of the error `text` gives, with its message.
    fn at(text: &str) -> (usize, usize, String, String) {
        let e = parse(text).unwrap_err();
        assert_eq!(e.file, Path::new("m.csv"));
        (e.line, e.column, e.field, e.message)
    }

    #[test]
    fn rows_are_read_in_any_column_order_with_comments_and_an_optional_bandwidth() {
        let rows = parse(
            "# measured 2024\nrtt_sd_ms, site_b ,site_a,rtt_ms,bandwidth_gbps\r\n\n1.5,gva,fra,13.74,\n0,mil,gva,6.2,2.5\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            MeasuredRtt {
                site_a: 0,
                site_b: 1,
                rtt_ms: 13.74,
                rtt_sd_ms: 1.5,
                bandwidth_gbps: None,
                line: 4,
            }
        );
        assert_eq!((rows[1].bandwidth_gbps, rows[1].line), (Some(2.5), 5));
    }

    #[test]
    fn every_bad_row_names_its_line_column_and_field() {
        let h = "site_a,site_b,rtt_ms,rtt_sd_ms\n";
        let (l, c, f, m) = at(&format!("{h}fra,ber,10,1\n"));
        assert_eq!((l, c, f.as_str()), (2, 5, "site_b"));
        assert!(
            m.contains("unknown site \"ber\"") && m.contains("fra, gva, mil"),
            "{m}"
        );
        let (l, c, f, m) = at(&format!("{h}fra,fra,10,1\n"));
        assert_eq!((l, c, f.as_str()), (2, 5, "site_b"));
        assert!(m.contains("two different sites"), "{m}");
        let (l, _, f, m) = at(&format!("{h}fra,gva,10,1\n# x\ngva,fra,11,1\n"));
        assert_eq!((l, f.as_str()), (4, "site_b"));
        assert!(m.contains("listed twice (also line 2"), "{m}");
        let (l, c, f, m) = at(&format!("{h}fra,gva,NaN,1\n"));
        assert_eq!((l, c, f.as_str()), (2, 9, "rtt_ms"));
        assert!(m.contains("finite"), "{m}");
        let (_, _, f, m) = at(&format!("{h}fra,gva,1e6,1\n"));
        assert_eq!(f, "rtt_ms");
        assert!(
            m.contains("physical range") && m.contains("10000 ms"),
            "{m}"
        );
        let (_, _, f, m) = at(&format!("{h}fra,gva,0,1\n"));
        assert!(f == "rtt_ms" && m.contains("positive"), "{m}");
        let (_, _, f, m) = at(&format!("{h}fra,gva,10,-1\n"));
        assert!(f == "rtt_sd_ms" && m.contains(">= 0"), "{m}");
        let (_, _, f, m) = at(&format!("{h}fra,gva,10,inf\n"));
        assert!(f == "rtt_sd_ms" && m.contains("finite"), "{m}");
        let (_, _, f, m) = at(&format!("{h}fra,gva,ten,1\n"));
        assert!(
            f == "rtt_ms" && m.contains("expected a number, found \"ten\""),
            "{m}"
        );
        let (l, _, f, m) = at(&format!("{h}fra,gva,10\n"));
        assert!(
            l == 2 && f == "(row)" && m.contains("expected 4 columns"),
            "{m}"
        );
        let (_, _, f, m) = at("site_a,site_b,rtt_ms,rtt_sd_ms,bandwidth_gbps\nfra,gva,10,1,0\n");
        assert!(f == "bandwidth_gbps" && m.contains("positive"), "{m}");
    }

    #[test]
    fn the_header_is_required_whole_and_without_strangers() {
        let (l, _, f, m) = at("fra,gva,10,1\n");
        assert!(
            l == 1 && f == "(header)" && m.contains("unknown column \"fra\""),
            "{m}"
        );
        let (_, _, _, m) = at("site_a,site_b,rtt_ms\nfra,gva,10\n");
        assert!(m.contains("missing column \"rtt_sd_ms\""), "{m}");
        let (_, c, _, m) = at("site_a,site_b,rtt_ms,rtt_ms,rtt_sd_ms\n");
        assert!(c == 22 && m.contains("named twice"), "{c} {m}");
        let (l, _, _, m) = at("# only a comment\nsite_a,site_b,rtt_ms,rtt_sd_ms\n");
        assert!(l == 2 && m.contains("no rows"), "{m}");
        let e = parse("# nothing\n\n").unwrap_err();
        assert!(e.line == 0 && e.message.contains("empty"), "{e}");
    }

    #[test]
    fn a_relative_csv_is_found_beside_its_topology() {
        assert_eq!(
            measured_rtt_path(Path::new("topologies/eu.toml"), "eu-rtt.csv"),
            Path::new("topologies/eu-rtt.csv")
        );
        assert_eq!(
            measured_rtt_path(Path::new("eu.toml"), "data/rtt.csv"),
            Path::new("data/rtt.csv")
        );
        assert_eq!(
            measured_rtt_path(Path::new("t/eu.toml"), "/srv/rtt.csv"),
            Path::new("/srv/rtt.csv")
        );
    }
}
