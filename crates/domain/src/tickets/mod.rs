//! Tickets (工单): their kinds, the lifecycle and who may move it, and the SLA clocks computed
//! from a ticket's history.

pub mod clocks;
pub mod filter;
pub mod indicators;
pub mod input;
pub mod view;

#[cfg(test)]
mod tests;

use crate::{Msg, Role};

text_enum!(
    /// What the reporter asks for.
    TicketType {
        Incident = "incident" / "故障" / "incident",
        Request = "request" / "需求" / "service request",
        Consultation = "consultation" / "咨询" / "consultation",
        DataRequest = "data_request" / "数据提取" / "data request",
        AccessRequest = "access_request" / "账号权限" / "account or permission request",
    }
);

text_enum!(
    /// How the ticket reached the vendor.
    Channel {
        Phone = "phone" / "电话" / "phone",
        Wechat = "wechat" / "微信群" / "WeChat group",
        Qq = "qq" / "QQ 群" / "QQ group",
        Email = "email" / "邮件" / "email",
        Web = "web" / "网页" / "web",
        Hotline = "hotline" / "服务热线" / "hotline",
        Monitoring = "monitoring" / "监控告警" / "monitoring",
        Inspection = "inspection" / "巡检发现" / "inspection",
        Backup = "backup" / "备份检查" / "backup check",
        Change = "change" / "变更失败" / "failed change",
    }
);

text_enum!(
    /// Where a ticket is in its lifecycle.
    Status {
        New = "new" / "新建" / "new",
        Responded = "responded" / "已响应" / "responded",
        Arrived = "arrived" / "已到场" / "arrived on site",
        InProgress = "in_progress" / "处理中" / "in progress",
        Pending = "pending" / "挂起" / "pending",
        Restored = "restored" / "已恢复" / "service restored",
        Resolved = "resolved" / "已解决" / "resolved",
        Closed = "closed" / "已关闭" / "closed",
        Reopened = "reopened" / "已重开" / "reopened",
    }
);

text_enum!(
    /// Why a service was interrupted; the contract item says which causes count against the vendor.
    Cause {
        Vendor = "vendor" / "运维方原因" / "the vendor",
        Carrier = "carrier" / "运营商/网络" / "carrier or network operator",
        Infrastructure = "infrastructure" / "基础设施/电力" / "infrastructure or power",
        ThirdParty = "third_party" / "第三方系统" / "a third-party system",
        User = "user" / "用户操作" / "user operation",
        Unknown = "unknown" / "原因不明" / "unknown",
    }
);

/// Support levels a ticket escalates through.
pub const SUPPORT_LEVELS: [&str; 4] = ["L1", "L2", "L3", "L4"];

pub fn support_level_label(level: &str) -> Msg {
    match level {
        "L1" => Msg::new("一线运维", "first line"),
        "L2" => Msg::new("驻场高级工程师", "on-site senior engineer"),
        "L3" => Msg::new("供应商专家", "vendor expert"),
        "L4" => Msg::new("原厂", "original manufacturer"),
        other => Msg::new(other, other),
    }
}

/// Causes counted against the vendor when a contract item says nothing.
pub const DEFAULT_COUNTED_CAUSES: [Cause; 2] = [Cause::Vendor, Cause::Unknown];

impl Status {
    /// The states a ticket may move to from this one.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Responded, Arrived, InProgress, Pending, Restored, Resolved],
            Responded | Reopened => &[Arrived, InProgress, Pending, Restored, Resolved],
            Arrived => &[InProgress, Pending, Restored, Resolved],
            InProgress => &[Arrived, Pending, Restored, Resolved],
            Pending => &[InProgress, Arrived, Restored, Resolved],
            Restored => &[InProgress, Pending, Resolved],
            Resolved => &[Closed, Reopened],
            Closed => &[Reopened],
        }
    }

    /// Still needs work from the vendor.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    /// Work states are the vendor's (and the bureau's); confirming and reopening belong to the
    /// reporter's side (and the bureau).
    pub fn may_enter(self, role: Role) -> bool {
        match role {
            Role::Admin => true,
            Role::VendorPm | Role::Engineer => !matches!(self, Status::Closed | Status::Reopened),
            Role::UnitUser => matches!(self, Status::Closed | Status::Reopened),
            Role::Auditor | Role::SecurityAdmin => false,
        }
    }
}
