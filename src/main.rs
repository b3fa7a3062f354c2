//! The `kg` binary: parse arguments, run, turn the outcome into an exit code.

mod cli;
mod cmd;
mod repl;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let outcome = cli::run(cli);
    kg::query::background::join_all();
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // `kg query … | head` closing the pipe early is not an error.
            if let kg::Error::Io { source, .. } = &e {
                if source.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            let _ = writeln!(std::io::stderr(), "error: {}", e.render());
            ExitCode::from(e.exit_code())
        }
    }
}
