//! kg's fuzz targets; the checks live in `checks.rs`, shared with the regression tests.

mod checks;
pub use checks::{fact_sheet, repl_input};
