//! The runner's batched writes at volume: more monitors than one statement carries, monitors
//! deleted meanwhile, hour rows patched across writes and two hours in one batch, raw results
//! with a duplicate instant.

use chrono::{Duration, TimeZone, Utc};
use domain::monitoring::LastCheck;
use domain::monitoring::rollup::Minute;
use serde_json::json;
use store::monitoring::{HourMinutes, RawResult};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::fixture;

both!(batched_monitor_writes_keep_every_row, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    let mut ids = Vec::new();
    for n in 0..2 {
        let body = json!({"system_id": f.system, "kind": "tcp", "target": format!("127.0.0.1:{}", 1000 + n), "interval_seconds": 60});
        let (_, m) = t.post("/api/v1/monitors", &t.admin, body).await;
        ids.push(m["id"].as_str().unwrap().to_string());
    }
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 15).unwrap();
    // 1,200 checks: the two real monitors among monitors deleted meanwhile (no rows to update).
    let checks: Vec<LastCheck> = (0..1200)
        .map(|n| LastCheck {
            monitor_id: if n == 0 || n == 1199 { ids[n.min(1)].clone() } else { format!("gone-{n}") },
            at,
            ok: n != 0,
            latency_ms: 100 + n as u32,
            error: (n == 0).then(|| "连接超时 'x'; --".to_string()),
            cert: None,
        })
        .collect();
    let store = t.app.store();
    let tx = store.begin().await.unwrap();
    store::monitoring::record_last_checks(&tx, &checks).await.unwrap();
    tx.commit().await.unwrap();
    let (_, a) = t.get(&format!("/api/v1/monitors/{}", ids[0]), &f.pm).await;
    assert_eq!((a["last_ok"].as_bool(), a["last_latency_ms"].as_i64()), (Some(false), Some(100)), "{a}");
    assert_eq!(a["last_error"], "连接超时 'x'; --");
    assert_eq!(a["last_checked_at"].as_str().map(|s| s.parse::<chrono::DateTime<Utc>>().unwrap()), Some(at));
    let (_, b) = t.get(&format!("/api/v1/monitors/{}", ids[1]), &f.pm).await;
    assert_eq!((b["last_ok"].as_bool(), b["last_latency_ms"].as_i64()), (Some(true), Some(1299)), "{b}");

    // Minutes: 1,200 monitors in one hour and the first also in the next, written twice so the
    // second write patches the rows the first wrote.
    let hour = at.timestamp().div_euclid(3600);
    let minute = |ms: u32| Minute::from_checks(&[(true, ms), (false, ms * 2)]);
    let batch = |slot: usize, ms: u32| -> Vec<HourMinutes> {
        let mut b: Vec<HourMinutes> = (0..1200)
            .map(|n| HourMinutes {
                monitor_id: if n == 0 { ids[0].clone() } else { format!("gone-{n}") },
                hour,
                slots: vec![(slot, minute(ms))],
            })
            .collect();
        b.push(HourMinutes { monitor_id: ids[0].clone(), hour: hour + 1, slots: vec![(slot, minute(ms))] });
        b
    };
    for (slot, ms) in [(30, 10), (31, 20)] {
        let tx = store.begin().await.unwrap();
        store::monitoring::merge_minutes(&tx, &batch(slot, ms)).await.unwrap();
        tx.commit().await.unwrap();
    }
    let got = store::monitoring::minutes_between(store, &ids[0], hour, hour + 2).await.unwrap();
    let slots: Vec<(i64, u16)> = got.iter().map(|(m, r)| (m - hour * 60, r.max_ms)).collect();
    assert_eq!(slots, vec![(30, 20), (31, 40), (90, 20), (91, 40)]);
    assert_eq!(got[0].1.failures, 1);
    let other = store::monitoring::minutes_between(store, "gone-700", hour, hour + 1).await.unwrap();
    assert_eq!(other.len(), 2);

    // Raw results: 1,200 rows, one of them at an instant already written.
    let raw = |n: i64| RawResult {
        monitor_id: ids[0].clone(),
        at: at + Duration::seconds(n),
        ok: n % 2 == 0,
        latency_ms: 5,
        error: (n % 2 == 1).then(|| "HTTP 503".into()),
    };
    let tx = store.begin().await.unwrap();
    store::monitoring::insert_results(&tx, &[raw(0)]).await.unwrap();
    store::monitoring::insert_results(&tx, &(0..1200).map(raw).collect::<Vec<_>>()).await.unwrap();
    tx.commit().await.unwrap();
    let kept = store::monitoring::recent_results(store, &ids[0], 5000).await.unwrap();
    assert_eq!(kept.len(), 1200);
    assert_eq!(kept[0].error.as_deref(), Some("HTTP 503"));
});
