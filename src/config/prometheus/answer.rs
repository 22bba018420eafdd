//! The JSON a Prometheus HTTP API answers, as typed series. The envelope is
//! `{"status": "success"|"error", "data": ..., "errorType": ..., "error": ...}` and a range
//! query's data is `{"resultType": "matrix", "result": [{"metric": {labels}, "values":
//! [[unix_s, "value"], ...]}]}` (<https://prometheus.io/docs/prometheus/latest/querying/api/>,
//! "Format overview", "Range vectors"); sample values are strings so that `NaN` and `+Inf`
//! survive JSON. Thanos Query answers the same envelope.

use serde::Deserialize;
use std::collections::BTreeMap;

/// One series of a range query: its labels and its points, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Label name -> value (`__name__` is absent after a function or an aggregation).
    pub labels: BTreeMap<String, String>,
    /// (Unix time s, value), every value a finite number.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// The value of label `name`, or "" when the series has none (PromQL's own rule: an
    /// absent label equals the empty one).
    pub fn label(&self, name: &str) -> &str {
        self.labels.get(name).map_or("", String::as_str)
    }
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    data: Option<Data>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<RawSeries>,
}

#[derive(Deserialize)]
struct RawSeries {
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

/// Most characters of a server's own text quoted in a message.
const QUOTE_CHARS: usize = 200;

/// `text` cut to [`QUOTE_CHARS`] characters for a message.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{:?}...", &text[..at]),
        None => format!("{text:?}"),
    }
}

/// The message of a non-200 answer: Prometheus's own error when the body is its JSON
/// envelope (it answers 400 for bad parameters, 422 for a query it cannot execute, 503
/// on timeout), else the start of the body.
pub fn status_message(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope {
            error: Some(e),
            error_type,
            ..
        }) => format!(
            "HTTP {status}, {}: {}",
            error_type.as_deref().unwrap_or("error"),
            quote(&e)
        ),
        _ => format!(
            "HTTP {status} (expected 200); the answer starts {}",
            quote(text.trim())
        ),
    }
}

/// The series of a range query's 200 answer; refused, in words, when it is no JSON
/// envelope, its status is `error`, it holds no matrix, or a value is not a finite number.
pub fn parse_matrix(body: &[u8]) -> Result<Vec<Series>, String> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| {
        format!(
            "the answer is not the JSON of a Prometheus API ({e}); it starts {}",
            quote(String::from_utf8_lossy(body).trim())
        )
    })?;
    if env.status != "success" {
        return Err(format!(
            "the server answered status {:?}, {}: {}",
            env.status,
            env.error_type.as_deref().unwrap_or("(no errorType)"),
            quote(env.error.as_deref().unwrap_or("(no error message)"))
        ));
    }
    let data = env
        .data
        .ok_or("the answer has status \"success\" but no data")?;
    if data.result_type != "matrix" {
        return Err(format!(
            "expected a range query's resultType \"matrix\", found {:?}",
            data.result_type
        ));
    }
    data.result.into_iter().map(series).collect()
}

/// A raw series with its values read as finite numbers.
fn series(raw: RawSeries) -> Result<Series, String> {
    let points = raw
        .values
        .iter()
        .map(|(t, v)| match v.parse::<f64>() {
            Ok(x) if x.is_finite() && t.is_finite() => Ok((*t, x)),
            _ => Err(format!(
                "series {} has the value {v:?} at {t}: expected a finite number",
                selector(&raw.metric)
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Series {
        labels: raw.metric,
        points,
    })
}

/// A series' labels as PromQL writes a selector: `name{a="x",b="y"}`.
pub fn selector(labels: &BTreeMap<String, String>) -> String {
    let name = labels.get("__name__").map_or("", String::as_str);
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    quote_free(format!("{name}{{{}}}", rest.join(",")))
}

/// `s` cut to [`QUOTE_CHARS`] characters, unquoted.
fn quote_free(s: String) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}...", &s[..at]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matrix_is_read_with_its_labels_and_points() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"up","cluster":"a"},"values":[[1700000000,"1"],[1700000015.5,"0.25"]]}]}}"#;
        let s = parse_matrix(body).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].label("cluster"), "a");
        assert_eq!(s[0].label("node"), "");
        assert_eq!(s[0].points, vec![(1700000000.0, 1.0), (1700000015.5, 0.25)]);
    }

    #[test]
    fn errors_non_numbers_and_other_shapes_are_refused() {
        let e = parse_matrix(br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#);
        assert!(e.unwrap_err().contains("bad_data: \"parse error\""));
        let e = parse_matrix(br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
        assert!(e.unwrap_err().contains("\"vector\""));
        for v in ["NaN", "+Inf", "-Inf", "x"] {
            let body = format!(
                r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"__name__":"m"}},"values":[[1,"{v}"]]}}]}}}}"#
            );
            let e = parse_matrix(body.as_bytes()).unwrap_err();
            assert!(e.contains(&format!("{v:?}")) && e.contains("m{}"), "{e}");
        }
        assert!(parse_matrix(b"<html>")
            .unwrap_err()
            .contains("not the JSON"));
    }

    #[test]
    fn a_non_200_answer_gives_the_servers_own_error() {
        let m = status_message(
            422,
            br#"{"status":"error","errorType":"execution","error":"too many samples"}"#,
        );
        assert_eq!(m, "HTTP 422, execution: \"too many samples\"");
        let m = status_message(502, &[b'x'; 1000]);
        assert!(
            m.starts_with("HTTP 502 (expected 200)") && m.len() < 300,
            "{m}"
        );
    }
}
