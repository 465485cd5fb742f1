//! Resource limits on policy text, checked before and while parsing so that no
//! input can exhaust the stack or memory. Documented in `docs/limits.md`.

/// Largest policy file, in bytes.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting of `(`, `[` and `{`.
pub const MAX_BRACKET_DEPTH: usize = 64;
/// Deepest expression tree (operators chained or nested).
pub const MAX_EXPR_DEPTH: usize = 256;
/// Longest name, in bytes.
pub const MAX_IDENT_LEN: usize = 256;
/// Longest string literal, in bytes.
pub const MAX_STRING_LEN: usize = 64 * 1024;
/// Most `let`, `rule` and `test` items in one file.
pub const MAX_ITEMS: usize = 100_000;
