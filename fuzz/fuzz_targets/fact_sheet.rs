//! The fact-sheet loader on arbitrary text: it must never panic, every mistake must point at a line and
//! column inside the sheet, and whatever it accepts must be RDF that Oxigraph stores and reads back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kg_fuzz::fact_sheet(data));
