//! `gcmc`: see `gcmc --help` and the README.

fn main() {
    std::process::exit(gcmc::cli::main_with(std::env::args().collect()));
}
