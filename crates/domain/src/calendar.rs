//! Business days in Japan: the national holidays (国民の祝日に関する法律,
//! with its substitute and "citizens'" holidays and the 2020/2021 Olympic
//! moves), weekends, and the banks' year-end closure (31 December to
//! 3 January). Used for the case SLA clock and for payout dates.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc, Weekday};

/// Japan's time (UTC+9, no summer time): the one place it is written.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// The date in Japan at `at`.
pub fn date_in_japan(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&jst()).date_naive()
}

/// Today's date in Japan.
pub fn today_in_japan() -> NaiveDate {
    date_in_japan(Utc::now())
}

/// When a day in Japan starts (00:00 there), as a moment.
pub fn start_of_day_in_japan(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_local_timezone(jst())
        .single()
        .expect("a fixed offset has one reading of each time")
        .with_timezone(&Utc)
}

/// The last second of a day in Japan (23:59:59 there), as a moment.
pub fn end_of_day_in_japan(day: NaiveDate) -> DateTime<Utc> {
    start_of_day_in_japan(day) + Duration::days(1) - Duration::seconds(1)
}

/// A moment as people in Japan read it, in `format` (chrono's).
pub fn japan_time(at: DateTime<Utc>, format: &str) -> String {
    at.with_timezone(&jst()).format(format).to_string()
}

/// The `n`th `weekday` of a month (n from 1).
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n as u8)
}

/// Day of March of the vernal equinox (valid 1980-2099).
fn vernal_equinox(year: i32) -> u32 {
    let y = f64::from(year - 1980);
    (20.8431 + 0.242194 * y - (y / 4.0).floor()).floor() as u32
}

/// Day of September of the autumnal equinox (valid 1980-2099).
fn autumnal_equinox(year: i32) -> u32 {
    let y = f64::from(year - 1980);
    (23.2488 + 0.242194 * y - (y / 4.0).floor()).floor() as u32
}

/// The holidays the law names for a date itself (no substitutes).
fn named_holiday(date: NaiveDate) -> bool {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let nth_monday = |month, n| nth_weekday(y, month, Weekday::Mon, n) == Some(date);
    match m {
        1 => d == 1 || nth_monday(1, 2),
        2 => d == 11 || (y >= 2020 && d == 23),
        3 => d == vernal_equinox(y),
        4 => d == 29,
        5 => (3..=5).contains(&d),
        7 => match y {
            2020 => d == 23 || d == 24,
            2021 => d == 22 || d == 23,
            _ => nth_monday(7, 3),
        },
        8 => match y {
            2020 => d == 10,
            2021 => d == 8,
            _ => d == 11,
        },
        9 => nth_monday(9, 3) || d == autumnal_equinox(y),
        10 => !(2020..=2021).contains(&y) && nth_monday(10, 2),
        11 => d == 3 || d == 23,
        _ => false,
    }
}

/// A national holiday: a named one, a substitute for one that fell on a
/// Sunday (the next day that is not itself a holiday), or a day between
/// two holidays.
pub fn is_holiday(date: NaiveDate) -> bool {
    if named_holiday(date) {
        return true;
    }
    // Substitute: walk back over holidays to a Sunday holiday.
    let mut back = date - Duration::days(1);
    while named_holiday(back) {
        if back.weekday() == Weekday::Sun {
            return true;
        }
        back -= Duration::days(1);
    }
    // Citizens' holiday: an ordinary weekday between two named holidays.
    date.weekday() != Weekday::Sun
        && named_holiday(date - Duration::days(1))
        && named_holiday(date + Duration::days(1))
}

/// The banks' year-end closure: 31 December to 3 January.
pub fn is_year_end(date: NaiveDate) -> bool {
    (date.month() == 12 && date.day() == 31) || (date.month() == 1 && date.day() <= 3)
}

/// A day banks and the operator work: not a weekend, holiday or year-end day.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !is_holiday(date)
        && !is_year_end(date)
}

/// The business day `n` business days after `date` (n = 0: `date` itself
/// if it is one, else the next).
pub fn add_business_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut day = date;
    if n == 0 {
        while !is_business_day(day) {
            day += Duration::days(1);
        }
        return day;
    }
    let mut left = n;
    while left > 0 {
        day += Duration::days(1);
        if is_business_day(day) {
            left -= 1;
        }
    }
    day
}

/// Business days after `from` up to and including `to` (0 when `to` is not
/// after `from`).
pub fn business_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day += Duration::days(1);
        if is_business_day(day) {
            count += 1;
        }
    }
    count
}

/// The target from submission to decision, in business days.
pub const SLA_TARGET_DAYS: i64 = 10;

/// A case this close to its target is flagged as near.
pub const SLA_NEAR_DAYS: i64 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SlaState {
    OnTrack,
    Near,
    Past,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::OnTrack => "sla_on_track",
            SlaState::Near => "sla_near",
            SlaState::Past => "sla_past",
        }
    }
}

/// Business days a case has been on the clock since `submitted` up to
/// `today`, not counting the days it waited for the claimant (`paused`:
/// from, and until when it came back, or still waiting).
pub fn sla_elapsed(
    submitted: NaiveDate,
    paused: &[(NaiveDate, Option<NaiveDate>)],
    today: NaiveDate,
) -> i64 {
    let waiting: i64 = paused
        .iter()
        .map(|(from, until)| {
            let from = (*from).max(submitted);
            let until = until.unwrap_or(today).min(today);
            business_days_between(from, until)
        })
        .sum();
    (business_days_between(submitted, today) - waiting).max(0)
}

/// The day the clock of a case counts from: the day it was sent, moved on
/// by the business days it waited for the claimant. Ordering cases by it is
/// ordering them by their clocks.
pub fn sla_start(
    submitted: NaiveDate,
    paused: &[(NaiveDate, Option<NaiveDate>)],
    today: NaiveDate,
) -> NaiveDate {
    let elapsed_all = business_days_between(submitted, today);
    let waiting = elapsed_all - sla_elapsed(submitted, paused, today);
    add_business_days(submitted, u32::try_from(waiting.max(0)).unwrap_or(0))
}

pub fn sla_state(elapsed: i64) -> SlaState {
    if elapsed > SLA_TARGET_DAYS {
        SlaState::Past
    } else if elapsed >= SLA_NEAR_DAYS {
        SlaState::Near
    } else {
        SlaState::OnTrack
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japan_time_is_one_offset_and_its_days_turn_at_midnight_there() {
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        let day = NaiveDate::from_ymd_opt(2020, 9, 4).unwrap();
        assert_eq!(
            date_in_japan(at("2020-09-03T14:59:59Z")),
            day.pred_opt().unwrap()
        );
        assert_eq!(date_in_japan(at("2020-09-03T15:00:00Z")), day);
        assert_eq!(start_of_day_in_japan(day), at("2020-09-03T15:00:00Z"));
        assert_eq!(end_of_day_in_japan(day), at("2020-09-04T14:59:59Z"));
        assert_eq!(
            japan_time(at("2020-09-03T15:05:00Z"), "%Y-%m-%d %H:%M"),
            "2020-09-04 00:05"
        );
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn holidays(year: i32) -> Vec<String> {
        let mut out = Vec::new();
        let mut d = day(year, 1, 1);
        while d.year() == year {
            if is_holiday(d) {
                out.push(d.format("%m-%d").to_string());
            }
            d += Duration::days(1);
        }
        out
    }

    #[test]
    fn the_holidays_of_2026_are_the_cabinet_offices_list() {
        // 内閣府「令和8年（2026年）の国民の祝日」, with 振替休日 and 国民の休日.
        assert_eq!(
            holidays(2026),
            [
                "01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05",
                "05-06", "07-20", "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23",
            ]
        );
    }

    #[test]
    fn the_holidays_of_2020_follow_the_olympic_moves() {
        assert_eq!(
            holidays(2020),
            [
                "01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04",
                "05-05", "05-06", "07-23", "07-24", "08-10", "09-21", "09-22", "11-03", "11-23",
            ]
        );
        assert!(is_holiday(day(2021, 8, 9)), "substitute for 8 August 2021");
        assert!(!is_holiday(day(2021, 10, 11)));
    }

    #[test]
    fn business_days_skip_golden_week() {
        // 2026: 29 Apr (Wed) holiday; 3 May a Sunday, so 6 May is the substitute.
        let tue = day(2026, 4, 28);
        assert_eq!(add_business_days(tue, 1), day(2026, 4, 30));
        assert_eq!(add_business_days(tue, 2), day(2026, 5, 1));
        assert_eq!(add_business_days(tue, 3), day(2026, 5, 7));
        assert_eq!(business_days_between(tue, day(2026, 5, 7)), 3);
        for d in 2..=6 {
            assert!(!is_business_day(day(2026, 5, d)), "May {d}");
        }
        // Ten business days from 24 April 2026 (a Friday).
        assert_eq!(add_business_days(day(2026, 4, 24), 10), day(2026, 5, 14));
    }

    #[test]
    fn business_days_skip_the_year_end_closure() {
        let wed = day(2026, 12, 30);
        assert!(is_business_day(wed));
        for d in [
            day(2026, 12, 31),
            day(2027, 1, 1),
            day(2027, 1, 2),
            day(2027, 1, 3),
        ] {
            assert!(!is_business_day(d), "{d}");
        }
        assert_eq!(add_business_days(wed, 1), day(2027, 1, 4));
        // 11 January 2027 is Coming of Age Day.
        assert_eq!(add_business_days(day(2027, 1, 8), 1), day(2027, 1, 12));
        assert_eq!(add_business_days(day(2027, 1, 2), 0), day(2027, 1, 4));
        assert_eq!(business_days_between(day(2026, 12, 25), day(2027, 1, 8)), 8);
    }

    #[test]
    fn the_sla_clock_stops_while_the_claimant_is_asked() {
        let submitted = day(2026, 4, 24);
        let today = day(2026, 5, 15);
        assert_eq!(sla_elapsed(submitted, &[], today), 11);
        assert_eq!(sla_state(11), SlaState::Past);
        assert_eq!(sla_state(10), SlaState::Near);
        // Waiting for the claimant from 7 to 12 May (3 business days).
        let paused = [(day(2026, 5, 7), Some(day(2026, 5, 12)))];
        assert_eq!(sla_elapsed(submitted, &paused, today), 8);
        assert_eq!(sla_state(8), SlaState::Near);
        // Still waiting: the clock stands still from the day it stopped.
        let waiting = [(day(2026, 5, 7), None)];
        assert_eq!(sla_elapsed(submitted, &waiting, today), 5);
        assert_eq!(sla_state(5), SlaState::OnTrack);
    }

    #[test]
    fn the_clock_start_moves_by_the_days_waited() {
        // Sent Friday 24 April 2026; waited 7 to 12 May (3 business days,
        // across the end of Golden Week): the clock counts from 30 April,
        // and from there to 15 May it shows the same 8 days as the clock.
        let submitted = day(2026, 4, 24);
        let today = day(2026, 5, 15);
        let paused = [(day(2026, 5, 7), Some(day(2026, 5, 12)))];
        let start = sla_start(submitted, &paused, today);
        assert_eq!(start, day(2026, 4, 30));
        assert_eq!(
            business_days_between(start, today),
            sla_elapsed(submitted, &paused, today)
        );
        assert_eq!(sla_start(submitted, &[], today), submitted);
    }

    proptest::proptest! {
        #[test]
        fn adding_business_days_lands_on_one_and_counts_back(
            offset in 0i64..4000, n in 1u32..40
        ) {
            let start = day(2020, 1, 1) + Duration::days(offset);
            let end = add_business_days(start, n);
            proptest::prop_assert!(is_business_day(end));
            proptest::prop_assert_eq!(business_days_between(start, end), i64::from(n));
        }
    }
}
