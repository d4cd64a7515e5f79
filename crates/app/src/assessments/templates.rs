//! 考核表 templates: the built-ins (read-only) and the bureau's copies.

use domain::assessments::{AssessmentTemplate, BUILTIN_KEYS, CopyInput, TemplateSpec, builtins, check_key};
use domain::{FieldError, Principal};

use crate::{App, AppError, Result, audit};

fn builtin_refused() -> AppError {
    AppError::conflict(
        None,
        "预置考核表不能修改或删除，可复制后修改",
        "built-in templates cannot be changed; copy one instead",
    )
}

impl App {
    /// Writes the shipped templates (reference data, not audited).
    pub(crate) async fn ensure_builtin_assessment_templates(&self) -> Result<()> {
        let tx = self.store.begin().await?;
        for (key, spec) in builtins() {
            store::assessments::templates::upsert_builtin(&tx, key, &spec, crate::wall_now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    fn indicator_keys(&self) -> Vec<String> {
        self.indicator_catalogue().into_iter().map(|d| d.key).collect()
    }

    /// Everyone who may read assessments reads the templates they are made from.
    pub async fn list_assessment_templates(&self, p: &Principal) -> Result<Vec<AssessmentTemplate>> {
        super::reader_scope(p)?;
        Ok(store::assessments::templates::list(&self.store).await?)
    }

    pub async fn get_assessment_template(&self, p: &Principal, id: &str) -> Result<AssessmentTemplate> {
        super::reader_scope(p)?;
        store::assessments::templates::get(&self.store, id).await?.ok_or(AppError::NotFound)
    }

    /// A copy of a template under a new key, to change.
    pub async fn copy_assessment_template(
        &self,
        p: &Principal,
        id: &str,
        input: CopyInput,
    ) -> Result<AssessmentTemplate> {
        super::require_assessor(p)?;
        let from = self.get_assessment_template(p, id).await?;
        let key = input.key.as_deref().map(str::trim).unwrap_or_default().to_string();
        check_key(&key)?;
        if BUILTIN_KEYS.contains(&key.as_str()) {
            return Err(FieldError::new("key", "该编码为预置考核表保留", "reserved for a built-in template").into());
        }
        let mut spec = from.spec.clone();
        if let Some(name) = input.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            spec.name = name.to_string();
        } else {
            spec.name = format!("{}（副本）", spec.name);
        }
        spec.validate(&self.indicator_keys())?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        let t = store::assessments::templates::insert(&tx, &key, &spec, now).await.map_err(AppError::unique(
            "key",
            "编码已被其他考核表使用",
            "the key is taken by another template",
        ))?;
        audit::<(), _>(&tx, p, "create", "assessment_template", &t.id, None, Some(&t), now).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Changes a copy; assessments already drafted keep the template as it was.
    pub async fn update_assessment_template(
        &self,
        p: &Principal,
        id: &str,
        spec: TemplateSpec,
    ) -> Result<AssessmentTemplate> {
        super::require_assessor(p)?;
        let before = self.get_assessment_template(p, id).await?;
        if before.builtin {
            return Err(builtin_refused());
        }
        spec.validate(&self.indicator_keys())?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::assessments::templates::update(&tx, id, &spec, now).await? {
            return Err(AppError::NotFound);
        }
        let after = store::assessments::templates::get(&tx, id).await?.ok_or(AppError::NotFound)?;
        audit(&tx, p, "update", "assessment_template", id, Some(&before), Some(&after), now).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_assessment_template(&self, p: &Principal, id: &str) -> Result<()> {
        super::require_assessor(p)?;
        let before = self.get_assessment_template(p, id).await?;
        if before.builtin {
            return Err(builtin_refused());
        }
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::assessments::templates::delete(&tx, id).await? {
            return Err(AppError::NotFound);
        }
        audit::<_, ()>(&tx, p, "delete", "assessment_template", id, Some(&before), None, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
