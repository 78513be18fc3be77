//! Build script: stamps each build with an id, so a front end never talks to an engine left
//! running from an older build of the same version (the handshake compares them).

fn main() {
    let id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    println!("cargo:rustc-env=KITH_BUILD_ID={id:x}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=Cargo.toml");
}
