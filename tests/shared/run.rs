//! Running the real `chatarchive` binary on a scratch archive.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one `chatarchive` run may take before the test kills it.
const TIME_LIMIT: Duration = Duration::from_secs(180);

/// A scratch folder holding one archive, `a.db`, and the output of each run.
pub struct Workspace {
    dir: tempfile::TempDir,
    runs: usize,
}

/// What one run of the binary did.
pub struct Outcome {
    /// The command line, for messages.
    pub command: String,
    /// The exit code (-1 when killed by a signal or the time limit).
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
    /// The largest resident set size seen while polling, in KiB (Linux only).
    pub peak_rss_kib: Option<u64>,
}

impl Workspace {
    /// A fresh, empty scratch folder.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("chatarchive-shared-")
            .tempdir()
            .expect("a scratch folder");
        Self { dir, runs: 0 }
    }

    /// The scratch folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The archive file.
    pub fn db(&self) -> PathBuf {
        self.dir().join("a.db")
    }

    /// Runs `chatarchive --db a.db import <paths> --json --quiet`.
    pub fn import(&mut self, paths: &[PathBuf]) -> Outcome {
        let mut args = vec!["--db".into(), self.db().display().to_string(), "import".into()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        args.extend(["--json".to_string(), "--quiet".to_string()]);
        self.run(&args)
    }

    /// Imports `paths` and panics unless the run exits 0.
    pub fn import_ok(&mut self, paths: &[PathBuf]) -> Outcome {
        let outcome = self.import(paths);
        assert_eq!(outcome.code, 0, "{}", outcome.describe());
        outcome
    }

    /// Runs the binary with `args` in the scratch folder, stdout and stderr to files.
    pub fn run(&mut self, args: &[String]) -> Outcome {
        self.runs += 1;
        let out_path = self.dir().join(format!("run{}.stdout", self.runs));
        let err_path = self.dir().join(format!("run{}.stderr", self.runs));
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatarchive"))
            .args(args)
            .current_dir(self.dir())
            .env_remove("CHATARCHIVE_DB")
            .stdin(Stdio::null())
            .stdout(File::create(&out_path).expect("a stdout file"))
            .stderr(File::create(&err_path).expect("a stderr file"))
            .spawn()
            .expect("chatarchive starts");
        let (code, peak_rss_kib) = wait_with_limit(&mut child);
        Outcome {
            command: format!("chatarchive {}", args.join(" ")),
            code,
            stdout: std::fs::read_to_string(out_path).unwrap_or_default(),
            stderr: std::fs::read_to_string(err_path).unwrap_or_default(),
            peak_rss_kib,
        }
    }
}

impl Outcome {
    /// The command, its exit code and its output, for a failure message.
    pub fn describe(&self) -> String {
        format!(
            "`{}` exited {}\nstderr:\n{}\nstdout:\n{}",
            self.command,
            self.code,
            super::check::clip(&self.stderr, 2000),
            super::check::clip(&self.stdout, 2000)
        )
    }

    /// The `--json` report on stdout; panics when it does not parse.
    pub fn report(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("--json report does not parse ({e}): {}", self.describe()))
    }
}

/// Waits for `child`, killing it after [`TIME_LIMIT`]; returns its exit code and peak RSS.
fn wait_with_limit(child: &mut std::process::Child) -> (i32, Option<u64>) {
    let started = Instant::now();
    let mut peak = None;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for chatarchive") {
            return (status.code().unwrap_or(-1), peak);
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return (-1, peak);
        }
        peak = peak.max(high_water_mark(child.id()));
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `VmHWM` of a running process from `/proc`, in KiB.
fn high_water_mark(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
