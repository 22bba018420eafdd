//! Internet Topology Zoo GraphML (<http://www.topology-zoo.org/>): points of presence with
//! `label`, `Latitude` and `Longitude`, links with `LinkSpeed` and `LinkSpeedUnits` (or
//! `LinkSpeedRaw` in bit/s). Read into plain data that keeps every element's line, so an
//! importer can name what it leaves out and errors point at the file, line and field.
//!
//! Attribute names are resolved through the file's `<key>` declarations, as GraphML
//! defines them (<http://graphml.graphdrawing.org/specification.html>, section 2.4).

use super::ConfigError;
use std::collections::HashMap;
use std::path::Path;

/// A Zoo network as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ZooGraph {
    /// The graph's `label` (the network's name), if it has one.
    pub label: Option<String>,
    /// Points of presence, in file order.
    pub nodes: Vec<ZooNode>,
    /// Links, in file order.
    pub edges: Vec<ZooEdge>,
}

/// One point of presence.
#[derive(Debug, Clone, PartialEq)]
pub struct ZooNode {
    /// The node's GraphML `id`.
    pub id: String,
    /// Its `label` (a city or PoP name); the id when it has none.
    pub label: String,
    /// `(Latitude, Longitude)` in degrees; `None` when the node has neither (the Zoo's
    /// external peers often carry none).
    pub position: Option<(f64, f64)>,
    /// 1-based line of its `<node>` element.
    pub line: usize,
}

/// One link between two nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct ZooEdge {
    /// `id` of one end.
    pub source: String,
    /// `id` of the other end.
    pub target: String,
    /// Capacity, Gbit/s, when the file gives one.
    pub speed_gbps: Option<f64>,
    /// 1-based line of its `<edge>` element.
    pub line: usize,
}

/// Reads a Zoo GraphML file's text. `path` names the file in errors.
pub fn parse_zoo(path: &Path, text: &str) -> Result<ZooGraph, ConfigError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        located(
            path,
            pos.row as usize,
            pos.col as usize,
            "(xml)",
            e.to_string(),
        )
    })?;
    // Lines by binary search over the newlines' offsets: roxmltree's `text_pos_at` counts
    // from the start of the text, which made an import quadratic in the file's size.
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_of = |n: roxmltree::Node| newlines.partition_point(|&at| at < n.range().start) + 1;
    let root = doc.root_element();
    if root.tag_name().name() != "graphml" {
        return Err(located(
            path,
            line_of(root),
            1,
            "(xml)",
            format!(
                "expected a <graphml> document, found <{}>",
                root.tag_name().name()
            ),
        ));
    }
    let keys: HashMap<&str, (&str, &str)> = root
        .children()
        .filter(|n| n.tag_name().name() == "key")
        .filter_map(|k| {
            Some((
                k.attribute("id")?,
                (
                    k.attribute("for").unwrap_or("all"),
                    k.attribute("attr.name")?,
                ),
            ))
        })
        .collect();
    let Some(graph) = root.children().find(|n| n.tag_name().name() == "graph") else {
        return Err(located(
            path,
            line_of(root),
            1,
            "graph",
            "no <graph> element",
        ));
    };
    // The value of attribute `name` on element `el` (declared for `kind` or for all).
    let data = |el: roxmltree::Node, kind: &str, name: &str| -> Option<(String, usize)> {
        el.children()
            .filter(|d| d.tag_name().name() == "data")
            .find(|d| {
                d.attribute("key")
                    .and_then(|k| keys.get(k))
                    .is_some_and(|(f, n)| *n == name && (*f == kind || *f == "all"))
            })
            .map(|d| (d.text().unwrap_or("").trim().to_string(), line_of(d)))
    };
    let mut out = ZooGraph {
        label: data(graph, "graph", "label").map(|(v, _)| v),
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for el in graph.children().filter(|n| n.is_element()) {
        match el.tag_name().name() {
            "node" => {
                let node = read_node(path, el, line_of(el), &data)?;
                if let Some(first) = first_line.insert(node.id.clone(), node.line) {
                    return Err(located(
                        path,
                        node.line,
                        1,
                        &format!("node {:?}.id", node.id),
                        format!("a second node with this id (the first is on line {first})"),
                    ));
                }
                out.nodes.push(node);
            }
            "edge" => out.edges.push(read_edge(path, el, line_of(el), &data)?),
            _ => {}
        }
    }
    Ok(out)
}

/// A data lookup: `(element, for, attr.name)` to `(text, line)`.
type Data<'a> = dyn Fn(roxmltree::Node, &str, &str) -> Option<(String, usize)> + 'a;

fn read_node(
    path: &Path,
    el: roxmltree::Node,
    line: usize,
    data: &Data,
) -> Result<ZooNode, ConfigError> {
    let Some(id) = el.attribute("id") else {
        return Err(located(path, line, 1, "node.id", "a <node> without an id"));
    };
    let field = |name: &str| format!("node {id:?}.{name}");
    let coordinate = |name: &str, limit: f64| -> Result<Option<f64>, ConfigError> {
        let Some((text, at)) = data(el, "node", name) else {
            return Ok(None);
        };
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some(v)),
            _ => Err(located(
                path,
                at,
                1,
                &field(name),
                format!("expected degrees within ±{limit}, found {text:?}"),
            )),
        }
    };
    let lat = coordinate("Latitude", 90.0)?;
    let lon = coordinate("Longitude", 180.0)?;
    let position = match (lat, lon) {
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            let missing = if lat.is_none() {
                "Latitude"
            } else {
                "Longitude"
            };
            return Err(located(
                path,
                line,
                1,
                &field(missing),
                format!(
                    "the node has one coordinate but no {missing}: give both or neither \
                     (a node with neither is left out)"
                ),
            ));
        }
    };
    let label = data(el, "node", "label")
        .map(|(v, _)| v)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| id.to_string());
    Ok(ZooNode {
        id: id.to_string(),
        label,
        position,
        line,
    })
}

fn read_edge(
    path: &Path,
    el: roxmltree::Node,
    line: usize,
    data: &Data,
) -> Result<ZooEdge, ConfigError> {
    let (Some(source), Some(target)) = (el.attribute("source"), el.attribute("target")) else {
        return Err(located(
            path,
            line,
            1,
            "edge",
            "an <edge> needs both source and target",
        ));
    };
    let field = |name: &str| format!("edge {source:?}-{target:?}.{name}");
    let unreadable = |name: &str, text: &str, at: usize, expected: &str| {
        located(
            path,
            at,
            1,
            &field(name),
            format!("expected {expected}, found {text:?}"),
        )
    };
    let speed_gbps = match (
        data(el, "edge", "LinkSpeed"),
        data(el, "edge", "LinkSpeedUnits"),
        data(el, "edge", "LinkSpeedRaw"),
    ) {
        (Some((text, at)), units, _) if !text.is_empty() => {
            let value = text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| unreadable("LinkSpeed", &text, at, "a positive number"))?;
            let (unit, unit_line) = units.unwrap_or_default();
            let scale = unit_scale(&unit).ok_or_else(|| {
                unreadable(
                    "LinkSpeedUnits",
                    &unit,
                    unit_line.max(at),
                    "one of K, M, G, T (bit/s prefixes)",
                )
            })?;
            Some(value * scale)
        }
        (_, _, Some((text, at))) if !text.is_empty() => Some(
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| unreadable("LinkSpeedRaw", &text, at, "bit/s, a positive number"))?
                / 1e9,
        ),
        _ => None,
    };
    // The range a topology's link bandwidth must be in, checked here where the edge's
    // line is known.
    if let Some(why) = speed_gbps.and_then(|g| super::ranges::out_of_range("bandwidth_gbps", g)) {
        return Err(located(path, line, 1, &field("LinkSpeed"), why));
    }
    Ok(ZooEdge {
        source: source.to_string(),
        target: target.to_string(),
        speed_gbps,
        line,
    })
}

/// Gbit/s per unit of `LinkSpeed` for a `LinkSpeedUnits` prefix.
fn unit_scale(unit: &str) -> Option<f64> {
    match unit.trim() {
        "K" | "k" => Some(1e-6),
        "M" | "m" => Some(1e-3),
        "G" | "g" => Some(1.0),
        "T" | "t" => Some(1e3),
        _ => None,
    }
}

fn located(
    path: &Path,
    line: usize,
    column: usize,
    field: &str,
    message: impl Into<String>,
) -> ConfigError {
    ConfigError {
        file: path.to_path_buf(),
        line: line.max(1),
        column: column.max(1),
        field: field.to_string(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key attr.name="LinkSpeedUnits" attr.type="string" for="edge" id="d41" />
  <key attr.name="LinkSpeed" attr.type="string" for="edge" id="d39" />
  <key attr.name="LinkSpeedRaw" attr.type="double" for="edge" id="d42" />
  <key attr.name="label" attr.type="string" for="node" id="d33" />
  <key attr.name="Longitude" attr.type="double" for="node" id="d32" />
  <key attr.name="Latitude" attr.type="double" for="node" id="d29" />
  <key attr.name="label" attr.type="string" for="graph" id="d12" />
  <graph edgedefault="undirected">
    <data key="d12">Tiny</data>
"#;

    fn parse(body: &str) -> Result<ZooGraph, ConfigError> {
        parse_zoo(
            Path::new("t.graphml"),
            &format!("{HEAD}{body}  </graph>\n</graphml>\n"),
        )
    }

    fn node(id: &str, data: &str) -> String {
        format!("    <node id=\"{id}\">\n{data}    </node>\n")
    }

    #[test]
    fn every_element_has_the_line_roxmltree_counts() {
        // Lines by binary search must equal roxmltree's own count from the start.
        let body: String = (0..50)
            .map(|i| node(&i.to_string(), &"      <data key=\"d33\">x</data>\n".repeat(i % 3)))
            .collect::<String>()
            + "    <edge source=\"0\" target=\"1\" />\n\n\n    <edge source=\"1\" target=\"2\" />\n";
        let text = format!("{HEAD}{body}  </graph>\n</graphml>\n");
        let g = parse_zoo(Path::new("t.graphml"), &text).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let lines = |tag: &str| -> Vec<usize> {
            doc.descendants()
                .filter(|n| n.tag_name().name() == tag)
                .map(|n| doc.text_pos_at(n.range().start).row as usize)
                .collect()
        };
        let got: Vec<usize> = g.nodes.iter().map(|n| n.line).collect();
        assert_eq!(got, lines("node"));
        let got: Vec<usize> = g.edges.iter().map(|e| e.line).collect();
        assert_eq!(got, lines("edge"));
    }

    #[test]
    fn reads_nodes_edges_and_speeds_by_their_declared_keys() {
        let g = parse(&format!(
            "{}{}{}    <edge source=\"0\" target=\"1\">\n      <data key=\"d39\">2.5</data>\n      <data key=\"d41\">G</data>\n    </edge>\n    <edge source=\"1\" target=\"2\">\n      <data key=\"d42\">155000000.0</data>\n    </edge>\n    <edge source=\"0\" target=\"2\" />\n",
            node("0", "      <data key=\"d29\">52.37</data>\n      <data key=\"d32\">4.89</data>\n      <data key=\"d33\">Amsterdam</data>\n"),
            node("1", "      <data key=\"d29\">50.85</data>\n      <data key=\"d32\">4.35</data>\n"),
            node("2", "      <data key=\"d33\">Peer</data>\n"),
        ))
        .unwrap();
        assert_eq!(g.label.as_deref(), Some("Tiny"));
        assert_eq!(g.nodes.len(), 3);
        assert_eq!(g.nodes[0].label, "Amsterdam");
        assert_eq!(g.nodes[0].position, Some((52.37, 4.89)));
        assert_eq!(g.nodes[1].label, "1", "no label: the id");
        assert_eq!(g.nodes[2].position, None);
        assert_eq!(g.edges[0].speed_gbps, Some(2.5));
        assert!((g.edges[1].speed_gbps.unwrap() - 0.155).abs() < 1e-12);
        assert_eq!(g.edges[2].speed_gbps, None);
        assert_eq!(g.nodes[1].line, 16, "the line of <node id=\"1\">");
    }

    #[test]
    fn one_coordinate_without_the_other_names_the_node_and_its_line() {
        let e = parse(&node("7", "      <data key=\"d32\">4.89</data>\n")).unwrap_err();
        assert_eq!(e.line, 11);
        assert!(
            e.field.contains("\"7\"") && e.field.contains("Latitude"),
            "{e}"
        );
    }

    #[test]
    fn unreadable_numbers_and_speeds_are_located() {
        let e = parse(&node(
            "3",
            "      <data key=\"d29\">north</data>\n      <data key=\"d32\">4</data>\n",
        ))
        .unwrap_err();
        assert_eq!(
            (e.line, e.field.as_str()),
            (12, "node \"3\".Latitude"),
            "{e}"
        );
        let e = parse("    <edge source=\"0\" target=\"1\">\n      <data key=\"d39\">fast</data>\n    </edge>\n").unwrap_err();
        assert_eq!(e.line, 12);
        assert!(e.field.ends_with("LinkSpeed"), "{e}");
        let e = parse("    <edge source=\"0\" target=\"1\">\n      <data key=\"d39\">10</data>\n      <data key=\"d41\">Q</data>\n    </edge>\n").unwrap_err();
        assert!(e.field.ends_with("LinkSpeedUnits") && e.line == 13, "{e}");
    }

    #[test]
    fn broken_xml_is_located() {
        let e = parse_zoo(
            Path::new("t.graphml"),
            "<graphml>\n<graph>\n<node id=\"1\">\n</graphml>",
        )
        .unwrap_err();
        assert!(e.line >= 3, "{e}");
    }
}
