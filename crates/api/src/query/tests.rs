use domain::FieldError;
use serde::Deserialize;
use utoipa::IntoParams;

use super::*;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Sample {
    #[param(value_type = String)]
    from: Day,
    #[param(value_type = Option<String>)]
    to: Option<Moment>,
    n: Option<u64>,
    flag: Option<bool>,
    #[serde(rename = "type")]
    #[param(value_type = Option<String>)]
    kind: Option<domain::tickets::TicketType>,
    text: Option<String>,
}
as_decoded!(Sample);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Filter {
    system_id: Option<String>,
    breached: Option<bool>,
}

impl ListFilter for Filter {
    const SORT_KEYS: &'static [&'static str] = &["name", "created_at"];
    type Filter = (Option<String>, Option<bool>);
    fn check(self) -> Result<Self::Filter, Vec<FieldError>> {
        Ok((self.system_id, self.breached))
    }
}

fn fields(e: &[FieldError]) -> Vec<&str> {
    e.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn values_decode_by_their_types() {
    let s =
        parse::<Sample>("from=2026-03-01&to=2026-03-02T10:00:00%2B08:00&n=7&flag=1&type=incident&text=+a+b+").unwrap();
    assert_eq!(s.from.0.to_string(), "2026-03-01");
    let to = s.to.unwrap();
    assert_eq!((to.at.to_rfc3339(), to.is_day), ("2026-03-02T02:00:00+00:00".to_string(), false));
    assert_eq!((s.n, s.flag, s.kind), (Some(7), Some(true), Some(domain::tickets::TicketType::Incident)));
    assert_eq!(s.text.as_deref(), Some("a b"), "values are trimmed");
    // A day is the bureau's (UTC+8) and, as the end of a period, includes itself.
    let s = parse::<Sample>("from=2026-03-01&to=2026-03-02&flag=false").unwrap();
    let to = s.to.unwrap();
    assert_eq!(to.at.to_rfc3339(), "2026-03-01T16:00:00+00:00");
    assert_eq!(to.end_including_day().to_rfc3339(), "2026-03-02T16:00:00+00:00");
    assert_eq!(s.flag, Some(false));
}

#[test]
fn empty_values_are_absent_and_unknown_names_are_ignored() {
    let s = parse::<Sample>("from=2026-03-01&to=&n=%20&text=&_=1700000000&utm_source=x").unwrap();
    assert_eq!((s.to, s.n, s.text), (None, None, None));
    // A repeated name keeps its last value.
    assert_eq!(parse::<Sample>("from=2026-13-01&from=2026-03-01").unwrap().from.0.to_string(), "2026-03-01");
}

#[test]
fn every_bad_value_is_named_at_once_in_documented_order() {
    let e = parse::<Sample>("flag=maybe&n=-1&type=outage&to=yesterday").unwrap_err();
    assert_eq!(fields(&e), ["from", "to", "n", "flag", "type"]);
    let msg = |f: &str| e.iter().find(|x| x.field == f).map(|x| (x.msg.zh.clone(), x.msg.en.clone())).unwrap();
    assert_eq!(msg("from"), ("必填".into(), "is required".into()));
    assert_eq!(msg("to").1, "must be RFC 3339 or YYYY-MM-DD");
    assert_eq!(msg("n"), ("须为整数".into(), "must be an integer".into()));
    assert_eq!(msg("flag"), ("须为 true 或 false".into(), "must be true or false".into()));
    assert!(msg("type").0.starts_with("可选值：incident、request"), "{:?}", msg("type"));
    // A required value that is bad is named once, for what is wrong with it.
    let e = parse::<Sample>("from=2026-02-30").unwrap_err();
    assert_eq!(fields(&e), ["from"]);
    assert_eq!(e[0].msg.en, "must be a date in the form YYYY-MM-DD");
    let e = parse::<Sample>("from=1899-12-31").unwrap_err();
    assert_eq!(e[0].msg.en, "the year must be between 2000 and 2099");
}

#[test]
fn control_characters_are_refused_in_any_parameter() {
    let e = parse::<Sample>("from=2026-03-01&text=a%00b&other=%1B%5B31m").unwrap_err();
    assert_eq!(fields(&e), ["other", "text"]);
    assert_eq!(e[0].msg.en, "contains control characters");
}

#[test]
fn lists_check_paging_and_sort_keys_after_the_types() {
    let (q, f) = parse::<Listed<Filter>>("page=2&page_size=5&sort=name&order=desc&q=%E5%B1%80&system_id=s1").unwrap();
    assert_eq!((q.page, q.page_size, q.sort.as_deref(), q.q.as_deref()), (2, 5, Some("name"), Some("局")));
    assert_eq!(q.order, domain::list::Order::Desc);
    assert_eq!(f, (Some("s1".to_string()), None));
    let e = parse::<Listed<Filter>>("page=0&page_size=x&sort=password&order=sideways&breached=yes").unwrap_err();
    assert_eq!(fields(&e), ["page_size", "breached", "page", "sort", "order"]);
    assert!(e.iter().any(|x| x.msg.en == "unknown sort key; one of: name, created_at"));
}

#[test]
fn a_list_documents_the_shared_parameters_then_its_own() {
    let params = Listed::<Filter>::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query));
    let names: Vec<_> = params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["page", "page_size", "sort", "order", "q", "system_id", "breached"]);
    assert_eq!(params[2].description.as_deref(), Some("Sort key, one of: name, created_at."));
}
