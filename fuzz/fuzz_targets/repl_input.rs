//! What a REPL user types, on arbitrary text: the statement splitter, the lexer behind highlighting and
//! completion, and the completer at every cursor position. None may panic, and each keeps its promises.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kg_fuzz::repl_input(data));
