//! The `trede` binary: all work happens in the library.

fn main() {
    trede::avoid_huge_pages();
    std::process::exit(trede::cli::main());
}
