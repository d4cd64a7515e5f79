//! Password policy after common 等保 2.0 test practice: at least 8 characters and 3 of the 4
//! character classes. The numbers are policy, not law (STANDARDS.md marks them [S]).

use crate::FieldError;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

pub fn check(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(FieldError::new(
            field,
            format!("密码至少 {MIN_LEN} 位"),
            format!("must have at least {MIN_LEN} characters"),
        ));
    }
    if len > MAX_LEN {
        return Err(FieldError::too_long(field, MAX_LEN));
    }
    if classes(password) < 3 {
        return Err(FieldError::new(
            field,
            "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类",
            "must contain at least three of: upper case, lower case, digits, symbols",
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(FieldError::new(field, "密码不能包含用户名", "must not contain the user name"));
    }
    Ok(())
}

/// How many of lower case, upper case, digits and symbols a password uses.
pub fn classes(password: &str) -> usize {
    [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|c| **c)
    .count()
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn policy() {
        assert!(check("p", "Yunwei@2026", "admin").is_ok());
        assert!(check("p", "short1A", "x").is_err());
        assert!(check("p", "alllowercase", "x").is_err());
        assert!(check("p", "lower123456", "x").is_err());
        assert!(check("p", "Lower123456", "x").is_ok());
        assert!(check("p", "Admin@12345", "admin").is_err());
        assert_eq!(check("pw", "abc", "x").unwrap_err().field, "pw");
    }
}
