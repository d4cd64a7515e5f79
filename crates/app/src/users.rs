//! Users of every role, and vendor staff certificates.

use domain::list::{ListQuery, Page};
pub use domain::registry::lists::users::{SORT_KEYS, UserFilter};
use domain::registry::{Certificate, CertificateInput, User, UserFields, UserInput};
use domain::{FieldError, Principal, Role, Scope};
use store::Tx;

use crate::{App, AppError, Result, audit, require_registry_write_to, wall_now};

fn duplicate(e: store::StoreError) -> AppError {
    AppError::unique("username", "用户名已被使用", "this user name is taken")(e)
}

async fn check_bindings(tx: &Tx, f: &UserFields) -> Result<()> {
    if let Some(u) = &f.unit_id
        && store::units::get(tx, &Scope::All, u).await?.is_none()
    {
        return Err(FieldError::new("unit_id", "单位不存在", "no such unit").into());
    }
    if let Some(v) = &f.vendor_id
        && store::vendors::get(tx, &Scope::All, v).await?.is_none()
    {
        return Err(FieldError::new("vendor_id", "供应商不存在", "no such vendor").into());
    }
    Ok(())
}

/// The last active administrator cannot be demoted, deactivated or removed: nobody could undo it.
async fn keep_an_admin(tx: &Tx, before: &User, after: Option<&UserFields>) -> Result<()> {
    let was_admin = before.role == Role::Admin && before.active;
    let stays_admin = after.is_some_and(|f| f.role == Role::Admin && f.active);
    if was_admin && !stays_admin && store::users::count_active_admins(tx).await? <= 1 {
        return Err(AppError::conflict(
            None,
            "不能移除最后一个有效的管理员",
            "cannot remove the last active administrator",
        ));
    }
    Ok(())
}

/// The accounts a caller reads: the security administrator's are everyone's.
fn user_scope(p: &Principal) -> Scope {
    if p.role == Role::SecurityAdmin { Scope::All } else { p.scope() }
}

impl App {
    /// Accounts and roles are the security administrator's, and the system administrator's while
    /// duties are not separated; anyone else learns no more than a reader (404 for what they
    /// cannot see, else 403).
    async fn require_accounts(&self, p: &Principal, id: Option<&str>) -> Result<()> {
        let policy = self.security_policy().await?;
        if self.may_manage_security(p, &policy) {
            return Ok(());
        }
        if let Some(id) = id {
            self.get_user(p, id).await?;
        }
        Err(AppError::Forbidden)
    }

    pub async fn list_users(&self, p: &Principal, q: &ListQuery, f: &UserFilter) -> Result<Page<User>> {
        Ok(store::users::list(&self.store, &user_scope(p), q, f).await?)
    }

    pub async fn get_user(&self, p: &Principal, id: &str) -> Result<User> {
        store::users::get(&self.store, &user_scope(p), id).await?.ok_or(AppError::NotFound)
    }

    pub async fn create_user(&self, p: &Principal, input: UserInput) -> Result<User> {
        self.require_accounts(p, None).await?;
        let f = input.validate(true)?;
        let hash = self.hash_password(f.password.clone().unwrap_or_default()).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        check_bindings(&tx, &f).await?;
        let u = store::users::insert(&tx, &f, &hash, t).await.map_err(duplicate)?;
        audit::<(), _>(&tx, p, "create", "user", &u.id, None, Some(&u), t).await?;
        tx.commit().await?;
        Ok(u)
    }

    /// Updates a user; a new password, a role change or deactivation ends their sessions.
    pub async fn update_user(&self, p: &Principal, id: &str, input: UserInput) -> Result<User> {
        self.require_accounts(p, Some(id)).await?;
        let f = input.validate(false)?;
        let hash = match &f.password {
            Some(pw) => Some(self.hash_password(pw.clone()).await?),
            None => None,
        };
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::users::get(&tx, &user_scope(p), id).await?.ok_or(AppError::NotFound)?;
        check_bindings(&tx, &f).await?;
        keep_an_admin(&tx, &before, Some(&f)).await?;
        let u = store::users::update(&tx, id, &f, hash.as_deref(), t).await.map_err(duplicate)?;
        if hash.is_some()
            || before.role != u.role
            || !u.active
            || before.unit_id != u.unit_id
            || before.vendor_id != u.vendor_id
        {
            store::sessions::delete_for_user(&tx, id).await?;
        }
        let mut after = serde_json::to_value(&u).unwrap_or_default();
        if hash.is_some() {
            after["password_changed"] = serde_json::Value::Bool(true);
        }
        audit(&tx, p, "update", "user", id, Some(&before), Some(&after), t).await?;
        tx.commit().await?;
        if before.role != u.role {
            let text = format!(
                "{} 将 {} 的角色由 {} 改为 {}",
                p.username,
                u.username,
                before.role.label_zh(),
                u.role.label_zh()
            );
            self.tell_security_admins("role_changed", &text).await?;
        }
        Ok(u)
    }

    pub async fn delete_user(&self, p: &Principal, id: &str) -> Result<()> {
        self.require_accounts(p, Some(id)).await?;
        if p.user_id == id {
            return Err(AppError::conflict(None, "不能删除自己的账户", "you cannot delete your own account"));
        }
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::users::get(&tx, &user_scope(p), id).await?.ok_or(AppError::NotFound)?;
        keep_an_admin(&tx, &before, None).await?;
        // Certificates go with their holder; each leaves its own record.
        for c in store::users::certificates(&tx, id).await? {
            audit::<_, ()>(&tx, p, "delete", "certificate", &c.id, Some(&c), None, t).await?;
        }
        store::users::delete(&tx, id).await?;
        audit::<_, ()>(&tx, p, "delete", "user", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_certificates(&self, p: &Principal, user_id: &str) -> Result<Vec<Certificate>> {
        self.get_user(p, user_id).await?;
        Ok(store::users::certificates(&self.store, user_id).await?)
    }

    /// Creates (`id` = None) or replaces a certificate of a user.
    pub async fn put_certificate(
        &self,
        p: &Principal,
        user_id: &str,
        id: Option<&str>,
        input: CertificateInput,
    ) -> Result<Certificate> {
        require_registry_write_to(p, self.get_user(p, user_id)).await?;
        let f = input.validate()?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        store::users::get(&tx, &p.scope(), user_id).await?.ok_or(AppError::NotFound)?;
        let before = match id {
            Some(id) => Some(store::users::certificate(&tx, user_id, id).await?.ok_or(AppError::NotFound)?),
            None => None,
        };
        let c = store::users::put_certificate(&tx, user_id, id, &f).await?;
        let action = if before.is_some() { "update" } else { "create" };
        audit(&tx, p, action, "certificate", &c.id, before.as_ref(), Some(&c), t).await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn delete_certificate(&self, p: &Principal, user_id: &str, id: &str) -> Result<()> {
        require_registry_write_to(p, self.get_user(p, user_id)).await?;
        let t = wall_now();
        let tx = self.store.begin().await?;
        let before = store::users::certificate(&tx, user_id, id).await?.ok_or(AppError::NotFound)?;
        store::users::delete_certificate(&tx, user_id, id).await?;
        audit::<_, ()>(&tx, p, "delete", "certificate", id, Some(&before), None, t).await?;
        tx.commit().await?;
        Ok(())
    }
}
