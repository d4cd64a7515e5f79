//! A position as a phone's browser reports it (inspections, arrival on site).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    /// Metres, as the browser reports it.
    pub accuracy: Option<f64>,
}

impl Location {
    /// The location if its numbers can be a place on Earth, else an error naming `field`.
    pub fn check(&self, field: &str) -> Result<Location, FieldError> {
        let ok = (-90.0..=90.0).contains(&self.latitude)
            && (-180.0..=180.0).contains(&self.longitude)
            && self.accuracy.is_none_or(|a| a.is_finite() && a >= 0.0);
        if ok { Ok(*self) } else { Err(FieldError::new(field, "位置坐标无效", "the location is not valid")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_places_on_earth() {
        let at = |latitude, longitude, accuracy| Location { latitude, longitude, accuracy }.check("location");
        assert!(at(36.0976, 114.3925, Some(15.0)).is_ok());
        assert!(at(-90.0, 180.0, None).is_ok());
        for bad in [at(91.0, 0.0, None), at(0.0, -180.5, None), at(0.0, 0.0, Some(-1.0)), at(f64::NAN, 0.0, None)] {
            assert_eq!(bad.unwrap_err().field, "location");
        }
        assert!(at(0.0, 0.0, Some(f64::INFINITY)).is_err());
    }
}
