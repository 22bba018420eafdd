//! The library entry points of the commands (`xrplace::command`), called from code as the
//! command line and the Python package call them: a run and its replay from `meta.toml`,
//! and the exit code each kind of failure maps to.

use crate::common;

use common::fresh_dir;
use xrplace::command::{self, CommandError, RunRequest, Source};
use xrplace::report::Figures;
use xrplace::strategy::Registry;

/// A session experiment shortened to ten seconds and one run.
const SHORT: [&str; 2] = ["duration_s=10", "runs=1"];

/// Fails the test on a warning: these runs should give none.
fn no_warning(w: &str) {
    panic!("unexpected warning: {w}");
}

fn request<'a>(source: Source, registry: &'a Registry, out: &std::path::Path) -> RunRequest<'a> {
    RunRequest {
        sets: SHORT.iter().map(|s| s.to_string()).collect(),
        out: Some(out.to_path_buf()),
        ..RunRequest::new(source, registry, &no_warning)
    }
}

#[test]
fn a_run_from_code_is_replayed_byte_for_byte_from_its_meta() {
    let dir = fresh_dir("command-run");
    let registry = Registry::builtin();
    let first = dir.join("first");
    let source = Source::File("experiments/few-streams.toml".into());
    let report = command::run(request(source, &registry, &first)).unwrap();
    assert_eq!(report.kind, "sessions");
    assert_eq!(report.runs, 1);
    assert_eq!(report.dir, first);
    // The replay records no overrides of its own: the meta.toml's are applied again.
    let again = dir.join("again");
    let replay = RunRequest {
        out: Some(again.clone()),
        ..RunRequest::new(
            Source::FromMeta(first.join("meta.toml")),
            &registry,
            &no_warning,
        )
    };
    command::run(replay).unwrap();
    for file in ["runs.csv", "summary.csv", "meta.toml"] {
        assert_eq!(
            std::fs::read(first.join(file)).unwrap(),
            std::fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_without_figures_writes_the_same_tables_and_no_plots() {
    let dir = fresh_dir("command-no-figures");
    let registry = Registry::builtin();
    let source = || Source::File("experiments/few-streams.toml".into());
    let drawn = dir.join("drawn");
    command::run(request(source(), &registry, &drawn)).unwrap();
    let bare = dir.join("bare");
    command::run(RunRequest {
        figures: Figures::Skip,
        ..request(source(), &registry, &bare)
    })
    .unwrap();
    assert!(
        drawn.join("plots").is_dir(),
        "the default run draws its figures"
    );
    assert!(!bare.join("plots").exists(), "Figures::Skip drew plots/");
    for file in ["runs.csv", "summary.csv", "latency_quantiles.csv"] {
        assert_eq!(
            std::fs::read(drawn.join(file)).unwrap(),
            std::fs::read(bare.join(file)).unwrap(),
            "{file}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_and_an_unwritable_output_exits_1() {
    let dir = fresh_dir("command-errors");
    let registry = Registry::builtin();
    let source = || Source::File("experiments/few-streams.toml".into());
    let mut bad = request(source(), &registry, &dir.join("bad"));
    bad.sets.push("runs=0".into());
    let e = command::run(bad).unwrap_err();
    assert!(matches!(e, CommandError::Input(_)), "{e}");
    assert_eq!(e.exit_code(), 2);
    // An output folder under a regular file: the input is fine, the writing fails.
    let blocker = dir.join("file");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&blocker, b"x").unwrap();
    let e = command::run(request(source(), &registry, &blocker.join("sub"))).unwrap_err();
    assert!(matches!(e, CommandError::Runtime(_)), "{e}");
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().starts_with("cannot write results to"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
