//! Charts drawn as SVG on the server: readable without JavaScript, each an
//! image with a title and a description for screen readers, and the page
//! puts a table of the same numbers beside it.

use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const LABEL: f64 = 200.0;
const ROW: f64 = 30.0;
/// Blue and amber with at least 3:1 against white (WCAG 1.4.11), darker
/// shades for the inner bars.
pub const COLORS: [&str; 4] = ["#93c5fd", "#3b82f6", "#1d4ed8", "#1e3a8a"];
const SECOND: &str = "#b45309";

fn scale(value: i64, max: i64, room: f64) -> f64 {
    if max <= 0 {
        0.0
    } else {
        (value.max(0) as f64 / max as f64) * room
    }
}

/// Horizontal bars, one per item, with the value at the end of each.
#[component]
pub fn BarChart(
    id: &'static str,
    title: String,
    description: String,
    items: Vec<(String, i64, String)>,
) -> impl IntoView {
    let max = items.iter().map(|(_, v, _)| *v).max().unwrap_or(0);
    let height = ROW * items.len().max(1) as f64 + 10.0;
    let room = WIDTH - LABEL - 110.0;
    // Drawn at a readable size: on a phone the chart scrolls in its own box.
    let region = title.clone();
    view! {
        <div class="chart-wrap" tabindex="0" role="region" aria-label=region>
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby=format!("{id}-t {id}-d")
            xmlns="http://www.w3.org/2000/svg"
        >
            <title id=format!("{id}-t")>{title}</title>
            <desc id=format!("{id}-d")>{description}</desc>
            {items
                .into_iter()
                .enumerate()
                .map(|(i, (label, value, shown))| {
                    let y = 5.0 + ROW * i as f64;
                    let w = scale(value, max, room);
                    view! {
                        <text x=LABEL - 8.0 y=y + 19.0 text-anchor="end" class="chart-label">{label}</text>
                        <rect x=LABEL y=y + 4.0 width=format!("{w:.1}") height=ROW - 8.0 fill=COLORS[2] />
                        <text x=LABEL + w + 6.0 y=y + 19.0 class="chart-value">{shown}</text>
                    }
                })
                .collect_view()}
        </svg>
        </div>
    }
}

/// Bars drawn over one another per row (e.g. claimed, then confirmed,
/// approved and paid inside it: each amount is part of the one before).
#[component]
pub fn NestedBars(
    id: &'static str,
    title: String,
    description: String,
    legend: Vec<String>,
    rows: Vec<(String, Vec<i64>)>,
) -> impl IntoView {
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0);
    let height = ROW * rows.len().max(1) as f64 + 40.0;
    let room = WIDTH - LABEL - 20.0;
    // Drawn at a readable size: on a phone the chart scrolls in its own box.
    let region = title.clone();
    view! {
        <div class="chart-wrap" tabindex="0" role="region" aria-label=region>
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby=format!("{id}-t {id}-d")
            xmlns="http://www.w3.org/2000/svg"
        >
            <title id=format!("{id}-t")>{title}</title>
            <desc id=format!("{id}-d")>{description}</desc>
            {legend
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    let x = 10.0 + 155.0 * i as f64;
                    view! {
                        <rect x=x y=8.0 width=14.0 height=14.0 fill=COLORS[i % 4] />
                        <text x=x + 20.0 y=20.0 class="chart-label">{name}</text>
                    }
                })
                .collect_view()}
            {rows
                .into_iter()
                .enumerate()
                .map(|(i, (label, values))| {
                    let y = 35.0 + ROW * i as f64;
                    view! {
                        <text x=LABEL - 8.0 y=y + 19.0 text-anchor="end" class="chart-label">{label}</text>
                        {values
                            .into_iter()
                            .enumerate()
                            .map(|(k, v)| {
                                let inset = 2.0 * k as f64;
                                view! {
                                    <rect
                                        x=LABEL
                                        y=y + 4.0 + inset
                                        width=format!("{:.1}", scale(v, max, room))
                                        height=ROW - 8.0 - 2.0 * inset
                                        fill=COLORS[k % 4]
                                    />
                                }
                            })
                            .collect_view()}
                    }
                })
                .collect_view()}
        </svg>
        </div>
    }
}

/// Two series over days (a line each), with the largest value and the
/// first, middle and last day marked.
#[component]
pub fn LineChart(
    id: &'static str,
    title: String,
    description: String,
    names: (String, String),
    days: Vec<(String, i64, i64)>,
) -> impl IntoView {
    let (top, left, plot_w, plot_h) = (30.0, 50.0, WIDTH - 70.0, 180.0);
    let max = days
        .iter()
        .map(|(_, a, b)| (*a).max(*b))
        .max()
        .unwrap_or(0)
        .max(1);
    let n = days.len().max(2) as f64 - 1.0;
    let point = |i: usize, v: i64| {
        (
            left + plot_w * i as f64 / n,
            top + plot_h - scale(v, max, plot_h),
        )
    };
    let line = |pick: fn(&(String, i64, i64)) -> i64| {
        days.iter()
            .enumerate()
            .map(|(i, d)| {
                let (x, y) = point(i, pick(d));
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let first = line(|d| d.1);
    let second = line(|d| d.2);
    // The first day's label starts at the axis, the last ends at the edge.
    let marks: Vec<(f64, String, &'static str)> = [
        (0, "start"),
        (days.len() / 2, "middle"),
        (days.len().saturating_sub(1), "end"),
    ]
    .iter()
    .filter_map(|&(i, anchor)| days.get(i).map(|d| (point(i, 0).0, d.0.clone(), anchor)))
    .collect();
    // Drawn at a readable size: on a phone the chart scrolls in its own box.
    let region = title.clone();
    view! {
        <div class="chart-wrap" tabindex="0" role="region" aria-label=region>
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} 250")
            role="img"
            aria-labelledby=format!("{id}-t {id}-d")
            xmlns="http://www.w3.org/2000/svg"
        >
            <title id=format!("{id}-t")>{title}</title>
            <desc id=format!("{id}-d")>{description}</desc>
            <rect x=10.0 y=6.0 width=14.0 height=4.0 fill=COLORS[2] />
            <text x=30.0 y=14.0 class="chart-label">{names.0}</text>
            <rect x=230.0 y=6.0 width=14.0 height=4.0 fill=SECOND />
            <text x=250.0 y=14.0 class="chart-label">{names.1}</text>
            <line x1=left y1=top + plot_h x2=left + plot_w y2=top + plot_h stroke="#6b7280" />
            <line x1=left y1=top x2=left y2=top + plot_h stroke="#6b7280" />
            <text x=left - 6.0 y=top + 5.0 text-anchor="end" class="chart-label">{max}</text>
            <text x=left - 6.0 y=top + plot_h text-anchor="end" class="chart-label">"0"</text>
            <polyline points=first fill="none" stroke=COLORS[2] stroke-width="2" />
            <polyline points=second fill="none" stroke=SECOND stroke-width="2" stroke-dasharray="5 3" />
            {marks
                .into_iter()
                .map(|(x, day, anchor)| {
                    view! { <text x=x y=top + plot_h + 20.0 text-anchor=anchor class="chart-label">{day}</text> }
                })
                .collect_view()}
        </svg>
        </div>
    }
}
