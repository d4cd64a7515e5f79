//! Rebuilds the crate when the built UI changes, so a release binary always embeds the current
//! `web/dist` (Vite's file names change with every build).

fn main() {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    let dist = web.join("dist");
    if dist.exists() {
        println!("cargo:rerun-if-changed={}", dist.display());
    } else {
        // Watching a missing path would rerun on every build; watch for the UI's source changing
        // instead (a build creates `dist` after touching it).
        println!("cargo:rerun-if-changed={}", web.join("index.html").display());
        println!("cargo:rerun-if-changed={}", web.join("src").display());
    }
}
