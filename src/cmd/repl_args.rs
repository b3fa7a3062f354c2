//! Options of `kg repl`.

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// In scripted mode (stdin not a terminal), keep going after an error instead of stopping
    #[arg(long)]
    pub keep_going: bool,
}
