//! Logical-type values in words, for the byte layout (Avro specification 1.11, "Logical
//! Types"): a `date` is days since 1970-01-01, `timestamp-millis`/`-micros` are UTC instants since
//! the Unix epoch, `time-*` are times after midnight, and a `decimal` is the two's-complement
//! big-endian unscaled integer times 10^-scale. Pure arithmetic: no clock, no time zone.

use crate::schema::Decimal;

/// `YYYY-MM-DD` of a day number (days since 1970-01-01, proleptic Gregorian calendar).
pub fn date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDThh:mm:ss.fffZ` (`fff` has 3 digits for millis, 6 for micros).
pub fn timestamp(value: i64, units_per_second: i64) -> String {
    let units_per_day = 86_400 * units_per_second;
    let days = value.div_euclid(units_per_day);
    let in_day = value.rem_euclid(units_per_day);
    format!("{}T{}Z", date(days), time_of_day(in_day, units_per_second))
}

/// `hh:mm:ss.fff` of a time after midnight.
pub fn time_of_day(value: i64, units_per_second: i64) -> String {
    let secs = value.div_euclid(units_per_second);
    let frac = value.rem_euclid(units_per_second);
    let width = if units_per_second == 1000 { 3 } else { 6 };
    format!(
        "{:02}:{:02}:{:02}.{frac:0width$}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The timestamp of a `timestamp-millis` value.
pub fn timestamp_millis(ms: i64) -> String {
    timestamp(ms, 1000)
}

/// A decimal's value, e.g. `12.50` for unscaled `1250` with scale 2. Values wider than 16 bytes
/// are described by their size instead.
pub fn decimal(unscaled: &[u8], d: Decimal) -> String {
    if unscaled.is_empty() {
        return "0".into();
    }
    if unscaled.len() > 16 {
        return format!("{}-byte unscaled value, scale {}", unscaled.len(), d.scale);
    }
    let mut v: i128 = if unscaled[0] & 0x80 != 0 { -1 } else { 0 };
    for &b in unscaled {
        v = (v << 8) | b as i128;
    }
    let digits = v.unsigned_abs().to_string();
    let scale = d.scale as usize;
    let sign = if v < 0 { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day number.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_match_known_instants() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(19_675), "2023-11-14");
        assert_eq!(
            timestamp_millis(1_700_000_000_000),
            "2023-11-14T22:13:20.000Z"
        );
        assert_eq!(timestamp(-1, 1_000_000), "1969-12-31T23:59:59.999999Z");
        assert_eq!(time_of_day(3_723_004, 1000), "01:02:03.004");
    }

    #[test]
    fn decimals_apply_scale_and_sign() {
        let d = Decimal {
            precision: 10,
            scale: 2,
        };
        assert_eq!(decimal(&[0x04, 0xe2], d), "12.50");
        assert_eq!(decimal(&[0xff, 0x38], d), "-2.00");
        assert_eq!(decimal(&[0x05], d), "0.05");
        assert_eq!(
            decimal(
                &[0x05],
                Decimal {
                    precision: 3,
                    scale: 0
                }
            ),
            "5"
        );
    }
}
