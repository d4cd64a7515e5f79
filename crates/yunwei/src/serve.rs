//! `yunwei serve`: migrate, make sure an administrator exists, start the jobs and the HTTP server,
//! and shut down cleanly on Ctrl-C or SIGTERM.

use anyhow::{Context, bail};
use app::App;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Settings;

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = App::open(&settings.database_url()?, settings.app_config()).await?;
    ensure_admin(&app).await?;
    let listener =
        TcpListener::bind(settings.listen).await.with_context(|| format!("listening on {}", settings.listen))?;
    run(app, listener, &settings).await
}

/// Creates the first administrator from the environment, or refuses to start without one.
async fn ensure_admin(app: &App) -> anyhow::Result<()> {
    if app.has_users().await? {
        return Ok(());
    }
    let Ok(password) = std::env::var("YUNWEI_ADMIN_PASSWORD") else {
        eprintln!(
            "没有任何用户。请设置 YUNWEI_ADMIN_PASSWORD（可选 YUNWEI_ADMIN_USERNAME，默认 admin）后再启动，\n\
             或运行：echo '<密码>' | yunwei admin create-user --username admin --role admin\n\
             No user exists. Set YUNWEI_ADMIN_PASSWORD (and optionally YUNWEI_ADMIN_USERNAME, default admin)\n\
             and start again, or run: echo '<password>' | yunwei admin create-user --username admin --role admin"
        );
        bail!("no administrator: refusing to start");
    };
    let username = std::env::var("YUNWEI_ADMIN_USERNAME").unwrap_or_else(|_| "admin".into());
    match app.bootstrap_admin(&username, &password).await {
        Ok(_) => {
            tracing::info!(%username, "created the first administrator");
            Ok(())
        }
        Err(app::AppError::Validation(errs)) => {
            let why: Vec<String> = errs.iter().map(|e| format!("{}: {}", e.field, e.msg.zh)).collect();
            bail!("YUNWEI_ADMIN_PASSWORD/USERNAME rejected: {}", why.join("; "))
        }
        Err(e) => Err(e.into()),
    }
}

/// Serves until a shutdown signal, then stops the jobs and drains connections.
pub async fn run(app: App, listener: TcpListener, settings: &Settings) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut jobs = app::jobs::spawn(app.clone(), stop_rx.clone());
    jobs.push(app.start_monitoring(Default::default(), stop_rx).await?);
    let mut http = settings.http_config();
    http.writes = Some(writes_runtime()?);
    let router = api::router(app.clone(), http);
    tracing::info!(addr = %listener.local_addr()?, backend = app.backend_name(), "yunwei is listening");
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop_tx.send(true);
    for j in jobs {
        let _ = j.await;
    }
    // Another server sharing the database takes over the jobs and monitors at once.
    app.release_leases().await;
    if let Err(e) = app.flush_sign_in_events().await {
        tracing::warn!(error = %e.chain(), "could not write the last aggregated sign-in records");
    }
    app.store().clone().close().await?;
    Ok(())
}

/// A one-thread runtime of its own for requests that write (`api::HttpConfig::writes`).
fn writes_runtime() -> anyhow::Result<tokio::runtime::Handle> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("yunwei-writes")
        .enable_all()
        .build()?;
    let handle = rt.handle().clone();
    std::thread::Builder::new()
        .name("yunwei-writes".into())
        .spawn(move || rt.block_on(std::future::pending::<()>()))?;
    Ok(handle)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
