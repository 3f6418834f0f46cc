// The default theme is compiled into the binary (include_dir): rebuild when
// any of its files change.
fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
