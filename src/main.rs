//! The `chatarchive` command.

mod cli;

/// mimalloc: imports allocate and free millions of small JSON values and strings, which the
/// system allocator handles markedly slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
