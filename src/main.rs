//! The `trede` binary: all work happens in the library.

fn main() {
    std::process::exit(trede::cli::main());
}
