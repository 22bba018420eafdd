//! `xrplace topology import` on generated Topology Zoo GraphML files of 10 k, 50 k and
//! 200 k points of presence: CPU seconds and peak memory of the import process, which
//! should grow linearly with the file (issue 30: it used to be quadratic, 10 k PoPs in 23 s).
//!
//!     cargo bench --bench graphml_import            # all three sizes
//!     cargo bench --bench graphml_import -- 10000   # chosen sizes
//!
//! Each network is a ring of PoPs on a grid over Europe with a chord from every fourth
//! PoP to one `n / 7` further on (1.25 edges per PoP), speeds in the Zoo's
//! `LinkSpeed`/`LinkSpeedUnits` form, as the Zoo's files write them. The figures are the
//! child process's own rusage (user + system CPU, peak RSS), so other load on the machine
//! changes them little.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// A Zoo-style GraphML network of `n` PoPs.
fn network(n: usize) -> String {
    let mut s = String::with_capacity(n * 300);
    s.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n\
         <key attr.name=\"label\" attr.type=\"string\" for=\"node\" id=\"d33\" />\n\
         <key attr.name=\"Longitude\" attr.type=\"double\" for=\"node\" id=\"d32\" />\n\
         <key attr.name=\"Latitude\" attr.type=\"double\" for=\"node\" id=\"d29\" />\n\
         <key attr.name=\"LinkSpeed\" attr.type=\"string\" for=\"edge\" id=\"d39\" />\n\
         <key attr.name=\"LinkSpeedUnits\" attr.type=\"string\" for=\"edge\" id=\"d41\" />\n\
         <graph edgedefault=\"undirected\">\n\
         <data key=\"d33\">Generated</data>\n",
    );
    let side = (n as f64).sqrt().ceil() as usize;
    for i in 0..n {
        let lat = 36.0 + 34.0 * (i / side) as f64 / side as f64;
        let lon = -9.0 + 40.0 * (i % side) as f64 / side as f64;
        writeln!(
            s,
            "<node id=\"{i}\"><data key=\"d29\">{lat:.5}</data><data key=\"d32\">{lon:.5}</data>\
             <data key=\"d33\">PoP {i}</data></node>"
        )
        .unwrap();
    }
    let edge = |s: &mut String, a: usize, b: usize, gbps: u32| {
        writeln!(
            s,
            "<edge source=\"{a}\" target=\"{b}\"><data key=\"d39\">{gbps}</data>\
             <data key=\"d41\">G</data></edge>"
        )
        .unwrap();
    };
    for i in 0..n {
        edge(&mut s, i, (i + 1) % n, 10);
        if i % 4 == 0 && n > 14 {
            edge(&mut s, i, (i + n / 7) % n, 100);
        }
    }
    s.push_str("</graph>\n</graphml>\n");
    s
}

/// Runs the import of `file` into `out`; (CPU s, peak RSS MiB) of the child.
#[cfg(unix)]
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its rusage
fn import(file: &Path, out: &Path) -> (f64, f64) {
    let child = Command::new(env!("CARGO_BIN_EXE_xrplace"))
        .args(["topology", "import"])
        .arg(file)
        .arg("--out")
        .arg(out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("xrplace runs");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: waits for our own child and fills the rusage struct we own.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(pid, child.id() as i32, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the import failed"
    );
    // SAFETY: wait4 returned the child, so it filled the struct.
    let u = unsafe { usage.assume_init() };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    // ru_maxrss is in KiB on Linux.
    (
        secs(u.ru_utime) + secs(u.ru_stime),
        u.ru_maxrss as f64 / 1024.0,
    )
}

#[cfg(not(unix))]
fn import(_: &Path, _: &Path) -> (f64, f64) {
    panic!("this benchmark measures the child's rusage, which needs a Unix");
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 50_000, 200_000]
    } else {
        sizes
    };
    let dir = std::env::temp_dir().join(format!("xrplace-bench-graphml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("PoPs      file MB   CPU s   peak MiB   CPU us per PoP");
    for n in sizes {
        let file = dir.join(format!("net-{n}.graphml"));
        let text = network(n);
        std::fs::write(&file, &text).unwrap();
        let (cpu_s, rss_mib) = import(&file, &dir.join(format!("net-{n}.toml")));
        println!(
            "{n:>7} {:>9.1} {cpu_s:>7.2} {rss_mib:>10.0} {:>16.2}",
            text.len() as f64 / 1e6,
            cpu_s * 1e6 / n as f64
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
