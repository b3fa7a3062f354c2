//! Killing kg mid-write loses nothing that was committed and keeps nothing of the interrupted write.

use crate::util::{shared, TestDir, SMALL_TTL};
use std::process::{Command, Stdio};
use std::time::Duration;

fn kill_after(mut cmd: Command, delay: Duration) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    // SIGKILL: no handler runs, nothing is flushed.
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the write finished before it could be killed; make it bigger"
    );
}

fn kg_command(t: &TestDir) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kg"));
    cmd.arg("--store").arg(t.store()).env_remove("KG_STORE");
    cmd
}

#[test]
fn a_killed_load_leaves_the_committed_store() {
    let lubm = shared().join("datasets/lubm10-inferred.nt.gz");
    assert!(
        lubm.exists(),
        "{} is needed for the kill test",
        lubm.display()
    );
    let t = TestDir::new();
    let f = t.create("base.ttl", SMALL_TTL);
    t.kg().arg("load").arg(&f).assert().success();
    let before = t.nquads();
    for millis in [300, 1200, 2500] {
        let mut cmd = kg_command(&t);
        cmd.arg("load").arg(&lubm);
        kill_after(cmd, Duration::from_millis(millis));
        assert_eq!(t.nquads(), before, "killed after {millis} ms");
    }
}

#[test]
fn a_killed_update_leaves_the_committed_store() {
    let lubm = shared().join("datasets/lubm1.nt.gz");
    let t = TestDir::new();
    t.kg().arg("load").arg(&lubm).assert().success();
    let count = || {
        t.run(&[
            "query",
            "--format",
            "tsv",
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        ])
    };
    let before = count();
    for millis in [200, 1000] {
        let mut cmd = kg_command(&t);
        cmd.args([
            "update",
            "INSERT { ?a <http://example.org/pair> ?b } WHERE { ?a a <http://swat.cse.lehigh.edu/onto/univ-bench.owl#Course> . ?b a <http://swat.cse.lehigh.edu/onto/univ-bench.owl#Course> }",
        ]);
        kill_after(cmd, Duration::from_millis(millis));
        assert_eq!(count(), before, "killed after {millis} ms");
    }
}
