//! The `kg` binary: parse arguments, run, turn the outcome into an exit code.

mod cli;
mod cmd;
mod repl;
mod serve;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli::run(cli) {
        Ok(code) => code,
        // `kg query … | head` closing the pipe early is not an error.
        Err(kg::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {}", e.render());
            e.exit_code()
        }
    };
    if !kg::query::background::join_all(std::time::Duration::from_millis(500)) {
        // A cancelled read-only query is still running inside Oxigraph. Returning from main would run
        // RocksDB's static destructors under it and abort; nothing is left to write, so leave at once.
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        // SAFETY: _exit only ends the process; every write kg made is committed or was never started.
        unsafe { libc::_exit(i32::from(code)) }
    }
    ExitCode::from(code)
}
