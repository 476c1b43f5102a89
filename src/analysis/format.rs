//! Text of figures, in English (`en`) or Simplified Chinese (`zh`): dates and counts the way each
//! language writes them, and headline figures as cards, tables, exports and `run` show them.

use crate::analysis::headlines::{DateDifference, date_difference_of, reached_date, show_date};
use crate::scenario::description::{Format, Headline};
use crate::scenario::{Calendar, text_in};

/// The phrases of this module in Chinese (the English is the key).
pub(crate) const ZH: &[(&str, &str)] = &[
    ("not by {}", "{}前未达到"),
    ("not reached by the end of {}", "{}年底前未达到"),
    ("{} days", "{} 天"),
    ("same as baseline", "与基准相同"),
    ("{} vs baseline", "较基准 {}"),
    ("not reached in either", "两者均未达到"),
    ("not reached (baseline reached it)", "未达到（基准已达到）"),
    ("reached (baseline did not)", "已达到（基准未达到）"),
    ("same day", "同一天"),
    ("{} days earlier", "提前 {} 天"),
    ("{} days later", "推迟 {} 天"),
    ("{} months earlier", "提前 {} 个月"),
    ("{} months later", "推迟 {} 个月"),
    ("same as A", "与A相同"),
    ("same", "相同"),
    ("neither reaches it", "两者均未达到"),
    ("not reached (A reaches it)", "未达到（A已达到）"),
    ("reached (A does not)", "已达到（A未达到）"),
];

/// A phrase of this module in `lang`.
fn say(lang: &str, en: &'static str) -> &'static str {
    if lang != "zh" {
        return en;
    }
    ZH.iter().find(|(k, _)| *k == en).map_or(en, |(_, z)| z)
}

/// `template` with each `{}` replaced by the next argument.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    for a in args {
        match rest.split_once("{}") {
            Some((before, after)) => {
                out.push_str(before);
                out.push_str(a);
                rest = after;
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An ISO date as people write it: "6 Feb 2023" or "2023年2月6日". Anything else is returned
/// unchanged.
pub fn date(lang: &str, iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return iso.to_string();
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<usize>(), d.parse::<u32>()) else {
        return iso.to_string();
    };
    if !(1..=12).contains(&m) {
        return iso.to_string();
    }
    if lang == "zh" {
        format!("{y}年{m}月{d}日")
    } else {
        format!("{d} {} {y}", MONTHS[m - 1])
    }
}

/// A year and month: "Feb 2023" or "2023年2月".
pub fn month(lang: &str, iso: &str) -> String {
    let (Some(y), Some(m)) = (
        iso.get(..4),
        iso.get(5..7).and_then(|m| m.parse::<usize>().ok()),
    ) else {
        return iso.to_string();
    };
    if !(1..=12).contains(&m) {
        return iso.to_string();
    }
    if lang == "zh" {
        format!("{y}年{m}月")
    } else {
        format!("{} {y}", MONTHS[m - 1])
    }
}

/// A count: "120,600" and "1.2 M" in English; "12.06万" and "4.72亿" in Chinese.
pub fn count(lang: &str, x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if lang == "zh" {
        if a >= 1e10 {
            // "2374亿", not "2374.00亿".
            format!("{sign}{:.0}亿", a / 1e8)
        } else if a >= 1e9 {
            format!("{sign}{:.1}亿", a / 1e8)
        } else if a >= 1e8 {
            format!("{sign}{:.2}亿", a / 1e8)
        } else if a >= 1e7 {
            // "2462万", not "2461.89万": four figures are as many as a reader takes in.
            format!("{sign}{:.0}万", a / 1e4)
        } else if a >= 1e6 {
            format!("{sign}{:.1}万", a / 1e4)
        } else if a >= 1e4 {
            format!("{sign}{:.2}万", a / 1e4)
        } else if a >= 100.0 {
            format!("{sign}{a:.0}")
        } else {
            format!("{sign}{a:.1}")
        }
    } else if a >= 1e7 {
        format!("{sign}{:.1} M", a / 1e6)
    } else if a >= 100.0 {
        format!(
            "{sign}{}",
            crate::analysis::group_digits(a.round() as u64, ',')
        )
    } else {
        format!("{sign}{a:.1}")
    }
}

/// A recovery date (or "not by <horizon>") in `lang`.
pub fn recovery_date(lang: &str, d: Option<&str>, horizon_end: &str) -> String {
    match d {
        Some(d) => date(lang, d),
        // Chinese cards are narrow for a full date: the year says it.
        None if lang == "zh" => fill(
            say(lang, "not reached by the end of {}"),
            &[horizon_end.get(..4).unwrap_or(horizon_end)],
        ),
        None => fill(say(lang, "not by {}"), &[&date(lang, horizon_end)]),
    }
}

/// How a recovery date compares with the baseline's, in `lang`.
pub fn difference_text(lang: &str, a: Option<f64>, b: Option<f64>) -> String {
    let n = |x: f64| format!("{:.0}", x.abs());
    match date_difference_of(a, b) {
        DateDifference::NeitherReached => say(lang, "not reached in either").into(),
        DateDifference::NotReached => say(lang, "not reached (baseline reached it)").into(),
        DateDifference::Reached => say(lang, "reached (baseline did not)").into(),
        DateDifference::SameDay => say(lang, "same day").into(),
        DateDifference::Days(d) if d < 0.0 => fill(say(lang, "{} days earlier"), &[&n(d)]),
        DateDifference::Days(d) => fill(say(lang, "{} days later"), &[&n(d)]),
        DateDifference::Months(m) if m < 0.0 => fill(say(lang, "{} months earlier"), &[&n(m)]),
        DateDifference::Months(m) => fill(say(lang, "{} months later"), &[&n(m)]),
    }
}

/// A recovery date against A's: like the cards' wording, with A in place of the baseline.
pub fn versus_a(lang: &str, a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (None, None) => say(lang, "neither reaches it").into(),
        (Some(_), None) => say(lang, "not reached (A reaches it)").into(),
        (None, Some(_)) => say(lang, "reached (A does not)").into(),
        _ => difference_text(lang, a, b),
    }
}

pub fn days_text(lang: &str, days: f64) -> String {
    fill(say(lang, "{} days"), &[&format!("{days:.0}")])
}

/// A headline's title in `lang`.
pub fn title<'a>(h: &'a Headline, lang: &str) -> &'a str {
    text_in(&h.title, lang)
}

/// A figure's value as cards and tables show it. Dates are model times (None: not reached).
pub fn value(lang: &str, h: &Headline, v: Option<f64>, calendar: &Calendar) -> String {
    let horizon_end = &calendar.horizon_end;
    match (&h.format, v) {
        (Format::Date, t) => {
            recovery_date(lang, t.map(|t| calendar.date_of(t)).as_deref(), horizon_end)
        }
        (_, None) => "–".into(),
        (Format::Count { .. }, Some(v)) => count(lang, v * h.format.times(lang)),
        (Format::Days, Some(v)) => days_text(lang, v),
    }
}

/// An ensemble percentile of a figure (dates past the horizon are "not by …").
pub fn percentile_value(lang: &str, h: &Headline, v: f64, calendar: &Calendar) -> String {
    match h.format {
        Format::Date => recovery_date(
            lang,
            reached_date(calendar, v).as_deref(),
            &calendar.horizon_end,
        ),
        _ => value(lang, h, Some(v), calendar),
    }
}

/// A number's magnitude as a figure of `h` (no sign): for differences.
fn magnitude(lang: &str, h: &Headline, x: f64, noun: bool) -> String {
    match &h.format {
        Format::Count { noun: n, .. } => {
            let c = count(lang, x.abs() * h.format.times(lang));
            match text_in(n, lang) {
                t if noun && !t.is_empty() => fill(t, &[&c]),
                _ => c,
            }
        }
        _ => days_text(lang, x.abs()),
    }
}

/// A figure against the baseline's, as a card's second line says it ("3 months earlier",
/// "+24.6 M visitors vs baseline").
pub fn versus_baseline(
    lang: &str,
    h: &Headline,
    current: Option<f64>,
    baseline: Option<f64>,
) -> String {
    if h.format == Format::Date {
        return difference_text(lang, baseline, current);
    }
    match signed_change(lang, h, current, baseline) {
        Some(c) => fill(say(lang, "{} vs baseline"), &[&c]),
        None => say(lang, "same as baseline").into(),
    }
}

/// A figure's change from a reference's, with no word for the reference ("3 months earlier",
/// "+24.6 M visitors", "same"): the caller names what it is measured against.
pub fn change(lang: &str, h: &Headline, current: Option<f64>, reference: Option<f64>) -> String {
    if h.format == Format::Date {
        return difference_text(lang, reference, current);
    }
    signed_change(lang, h, current, reference).unwrap_or_else(|| say(lang, "same").into())
}

/// A number's change from a reference's with its sign and noun ("+24.6 M visitors"); None when
/// it is below half the last decimal `run` shows, where the figures read the same.
fn signed_change(
    lang: &str,
    h: &Headline,
    current: Option<f64>,
    reference: Option<f64>,
) -> Option<String> {
    let d = current.unwrap_or(f64::NAN) - reference.unwrap_or(f64::NAN);
    let decimals = match &h.format {
        Format::Count { decimals, .. } => *decimals as i32,
        _ => 0,
    };
    if d.is_nan() || d.abs() < 0.5 * 10f64.powi(-decimals) {
        return None;
    }
    Some(format!(
        "{}{}",
        if d < 0.0 { "-" } else { "+" },
        magnitude(lang, h, d, true)
    ))
}

/// A figure of B against A's, as the comparison table says it.
pub fn versus_a_text(lang: &str, h: &Headline, a: Option<f64>, b: Option<f64>) -> String {
    if h.format == Format::Date {
        return versus_a(lang, a, b);
    }
    let x = b.unwrap_or(f64::NAN) - a.unwrap_or(f64::NAN);
    if x.abs() < 1e-9 {
        say(lang, "same as A").into()
    } else {
        format!(
            "{}{}",
            if x < 0.0 { "-" } else { "+" },
            magnitude(lang, h, x, false)
        )
    }
}

/// A signed difference (scenario − status quo) as the exported summary writes it.
pub fn signed_difference(
    lang: &str,
    h: &Headline,
    current: Option<f64>,
    baseline: Option<f64>,
) -> String {
    match &h.format {
        Format::Date => difference_text(lang, baseline, current),
        Format::Count { .. } => count(
            lang,
            (current.unwrap_or(f64::NAN) - baseline.unwrap_or(f64::NAN)) * h.format.times(lang),
        ),
        Format::Days => days_text(
            lang,
            current.unwrap_or(f64::NAN) - baseline.unwrap_or(f64::NAN),
        ),
    }
}

/// `run`'s line for a figure: the description's `line` (or "TITLE: {}") with the value in
/// plain English ("2023-04-12", "not by 2030-12-31", "471.9", "2203").
pub fn line(h: &Headline, v: Option<f64>, calendar: &Calendar) -> String {
    let value = match (&h.format, v) {
        (Format::Date, t) => show_date(&t.map(|t| calendar.date_of(t)), &calendar.horizon_end),
        (_, None) => "–".into(),
        (Format::Count { decimals, .. }, Some(v)) => format!("{:.*}", *decimals, v),
        (Format::Days, Some(v)) => format!("{v:.0}"),
    };
    match &h.line {
        Some(template) => fill(template, &[&value]),
        None => format!("{}: {value}", title(h, "en")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_differences_read_as_planners_say_them() {
        assert_eq!(
            difference_text("en", Some(100.0), Some(10.0)),
            "3 months earlier"
        );
        assert_eq!(
            difference_text("en", Some(100.0), Some(112.0)),
            "12 days later"
        );
        assert_eq!(
            difference_text("en", Some(100.0), None),
            "not reached (baseline reached it)"
        );
        assert_eq!(
            difference_text("en", None, Some(1.0)),
            "reached (baseline did not)"
        );
        assert_eq!(difference_text("zh", Some(5.0), Some(5.0)), "同一天");
        assert_eq!(
            versus_a("en", Some(1.0), None),
            "not reached (A reaches it)"
        );
    }

    #[test]
    fn dates_and_counts_follow_the_language() {
        assert_eq!(date("en", "2023-02-06"), "6 Feb 2023");
        assert_eq!(date("zh", "2023-02-06"), "2023年2月6日");
        assert_eq!(count("zh", 471_900_000.0), "4.72亿");
        assert_eq!(count("en", 471_900_000.0), "471.9 M");
        assert_eq!(
            recovery_date("en", None, "2030-12-31"),
            "not by 31 Dec 2030"
        );
        assert_eq!(recovery_date("zh", None, "2030-12-31"), "2030年底前未达到");
        assert_eq!(days_text("zh", 2203.4), "2203 天");
    }

    #[test]
    fn a_figure_is_written_in_each_languages_own_unit() {
        use crate::scenario::description::HeadlineKind;
        // RMB 237.4 bn a day is 2374 亿元 (1 亿 = 0.1 bn), by hand.
        let h = Headline {
            id: "connect".into(),
            title: Default::default(),
            unit: "RMB bn a day".into(),
            kind: HeadlineKind::ValueAt {
                output: "Connect".into(),
                from: "2030-01-01".into(),
                to: None,
            },
            format: Format::Count {
                times: 1.0,
                decimals: 1,
                noun: [
                    ("en".to_string(), "RMB {} bn a day".to_string()),
                    ("zh".to_string(), "日均{}元".to_string()),
                ]
                .into(),
                times_in: [("zh".to_string(), 1e9)].into(),
            },
            line: None,
        };
        let calendar = Calendar {
            origin: "2019-01-01".into(),
            horizon_end: "2030-12-31".into(),
            record_end: "2022-10-10".into(),
        };
        assert_eq!(value("en", &h, Some(237.4), &calendar), "237");
        assert_eq!(value("zh", &h, Some(237.4), &calendar), "2374亿");
        assert_eq!(change("zh", &h, Some(237.4), Some(109.0)), "+日均1284亿元");
        assert_eq!(
            change("en", &h, Some(237.4), Some(109.0)),
            "+RMB 128 bn a day"
        );
        // Between 10 and 100 亿 one decimal, under 10 亿 two.
        assert_eq!(count("zh", 5.55e9), "55.5亿");
        assert_eq!(count("zh", 5.55e8), "5.55亿");
    }
}
