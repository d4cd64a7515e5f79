//! What the vendor may not do alone with a finding — call it a false positive, accept its
//! risk, pause its fix clock — is one approval request, for one finding or for the many a scan
//! brought. The findings are marked as under the request in the request's own transaction (a
//! finding under another pending request refuses the whole request), and freed when it is
//! decided or withdrawn. An approved move counts from the moment it was asked for.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use domain::approvals::{Approval, ApprovalKind};
use domain::vulnerabilities::{Move, VulnStatus, Vulnerability};
use domain::{Msg, Principal};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::Tx;

use crate::approvals::{Effect, NewRequest};
use crate::{App, AppError, Result};

#[derive(Debug, Serialize, Deserialize)]
struct MovePayload {
    /// Each finding with the status it was asked from.
    from: Vec<(String, VulnStatus)>,
    to: VulnStatus,
    reason: Option<String>,
    accepted_until: Option<NaiveDate>,
    asked_at: DateTime<Utc>,
}

pub(crate) fn effects() -> Vec<Arc<dyn Effect>> {
    vec![
        Arc::new(MoveRequest(ApprovalKind::VulnerabilityException)),
        Arc::new(MoveRequest(ApprovalKind::VulnerabilityPause)),
    ]
}

fn one<T: PartialEq + Clone>(items: impl Iterator<Item = T>) -> Option<T> {
    let all: Vec<T> = items.collect();
    let first = all.first()?.clone();
    all.iter().all(|x| *x == first).then_some(first)
}

impl App {
    pub(crate) async fn request_vulnerability_move(
        &self,
        p: &Principal,
        vulns: &[Vulnerability],
        mv: &Move,
    ) -> Result<Approval> {
        let kind = if mv.to == VulnStatus::Pending {
            ApprovalKind::VulnerabilityPause
        } else {
            ApprovalKind::VulnerabilityException
        };
        let ids: Vec<String> = vulns.iter().map(|v| v.id.clone()).collect();
        let label = mv.to.label();
        let title = match vulns {
            [v] => Msg::new(
                format!("漏洞“{}”申请{}", v.title, label.zh),
                format!("Finding “{}”: {} requested", v.title, label.en),
            ),
            _ => Msg::new(
                format!("{} 个漏洞申请{}", vulns.len(), label.zh),
                format!("{} findings: {} requested", vulns.len(), label.en),
            ),
        };
        let listed: Vec<serde_json::Value> = vulns
            .iter()
            .take(50)
            .map(|v| json!({"id": v.id, "title": v.title, "severity": v.severity, "host": v.host, "port": v.port, "status": v.status}))
            .collect();
        let now = self.business_now();
        let r = NewRequest {
            kind,
            subject_type: if vulns.len() == 1 { "vulnerability" } else { "vulnerabilities" },
            subject_id: (vulns.len() == 1).then(|| ids[0].clone()),
            system_id: one(vulns.iter().map(|v| v.system_id.clone())),
            unit_id: one(vulns.iter().map(|v| v.unit_id.clone())),
            vendor_id: p.vendor_id.clone(),
            title,
            proposed: json!({
                "to": mv.to, "reason": mv.reason, "accepted_until": mv.accepted_until,
                "count": vulns.len(), "findings": listed,
            }),
            current: Some(json!({"statuses": vulns.iter().map(|v| v.status).collect::<Vec<_>>()})),
            reason: mv.reason.clone(),
            payload: serde_json::to_value(MovePayload {
                from: vulns.iter().map(|v| (v.id.clone(), v.status)).collect(),
                to: mv.to,
                reason: mv.reason.clone(),
                accepted_until: mv.accepted_until,
                asked_at: now,
            })
            .unwrap_or_default(),
        };
        self.request_approval_with(p, r, async |tx, a| {
            let n = store::vulnerabilities::claim_request(tx, &ids, &a.id).await?;
            if n as usize != ids.len() {
                return Err(AppError::conflict(
                    Some("ids"),
                    "所选漏洞中已有待审批的申请，请等待审批结果或先撤回",
                    "some of these findings are already under a pending request",
                ));
            }
            Ok(())
        })
        .await
    }
}

struct MoveRequest(ApprovalKind);

#[async_trait::async_trait]
impl Effect for MoveRequest {
    fn kind(&self) -> ApprovalKind {
        self.0
    }

    async fn apply(&self, app: &App, tx: &Tx, a: &Approval, requester: &Principal, now: DateTime<Utc>) -> Result<()> {
        let p: MovePayload = serde_json::from_value(a.payload.clone())
            .map_err(|e| AppError::internal_from(format!("approval {}", a.id), e))?;
        let mv = Move { to: p.to, reason: p.reason.clone(), accepted_until: p.accepted_until };
        let data = json!({"approval_id": a.id, "approved_by": a.decided_by_name, "accepted_until": p.accepted_until});
        store::vulnerabilities::release_request(tx, &a.id).await?;
        for (id, from) in &p.from {
            app.move_in(tx, requester, id, &mv, p.asked_at, now, Some(*from), Some(data.clone())).await?;
        }
        Ok(())
    }

    async fn closed(&self, _app: &App, tx: &Tx, a: &Approval) -> Result<()> {
        store::vulnerabilities::release_request(tx, &a.id).await?;
        Ok(())
    }
}
