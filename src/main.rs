fn main() {
    std::process::exit(borderflow::cli::main());
}
