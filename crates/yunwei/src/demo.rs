//! `yunwei demo`: a server on a fresh temporary data directory with the demo dataset.

use std::net::SocketAddr;

use app::App;
use tokio::net::TcpListener;

use crate::config::Settings;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("yunwei-demo-").tempdir()?;
    let settings = settings.with_data_dir(dir.path());
    let app = App::open(&settings.database_url()?, settings.app_config()).await?;
    let accounts = app.load_demo().await?;
    let listener = match TcpListener::bind(settings.listen).await {
        Ok(l) => l,
        // The usual port is taken (another demo, another service): any free port will do.
        Err(_) => TcpListener::bind(SocketAddr::new(settings.listen.ip(), 0)).await?,
    };
    let addr = listener.local_addr()?;
    println!();
    println!("Yunwei 演示环境已启动 / demo is running:  http://{addr}/");
    println!("API 文档 / API page:                      http://{addr}/api/docs");
    println!("数据目录 / data directory (removed on exit): {}", dir.path().display());
    println!();
    println!(
        "演示账户（密码均为 {}）/ demo accounts (password {}):",
        app::demo::DEMO_PASSWORD,
        app::demo::DEMO_PASSWORD
    );
    for a in &accounts {
        println!("  {:<10} {:<10} {}", a.username, a.role.as_str(), a.label);
    }
    println!();
    println!("按 Ctrl-C 退出 / press Ctrl-C to stop.");
    crate::serve::run(app, listener, &settings).await?;
    drop(dir);
    Ok(())
}
