//! Help → Guide: what the levers, cards, plots, bands and history mean, in both languages. The
//! text is written out for each language here (whole paragraphs translate badly piece by piece).

use egui::{RichText, Ui};

/// One section of the guide: a heading and its paragraphs, in English and Chinese.
pub struct Section {
    pub heading: [&'static str; 2],
    pub body: [&'static str; 2],
}

pub const SECTIONS: &[Section] = &[
    Section {
        heading: ["What Borderflow answers", "Borderflow 回答什么"],
        body: [
            "If the border between Shenzhen and Hong Kong had reopened differently, when would Mainland visitors and trade have recovered, and how much would have been lost? The model runs from 2019 to 2030; every change you make re-runs it at once.",
            "如果深港口岸以不同方式重新开放，内地旅客和贸易何时恢复、损失多少？模型从 2019 年运行到 2030 年；每次修改都会立即重新运行。",
        ],
    },
    Section {
        heading: ["Levers on the left", "左侧的政策杠杆"],
        body: [
            "The panel on the left holds the policy levers, grouped by the report's three circles (commuting, finance, innovation). A lever follows what really happened up to the branch date (10 Oct 2022 unless the scenario says otherwise); from then on it takes the value you set. Move a slider or pick a preset; the date field says from when the change applies. \"changed\" marks a lever that differs from the status quo, and \"reset\" gives it back its recorded history. Hover over a lever's name to see what it moves. View → Timeline editor sets several dated changes for one lever.",
            "左侧面板是政策杠杆，按报告的三个圈层（通勤、金融、创新）分组。杠杆在分支日期（除非情景另有规定，为 2022 年 10 月 10 日）之前按实际历史取值，此后取您设定的值。拖动滑块或选择预设值；日期栏表示变化从何时生效。“已更改”表示该杠杆与现状不同，“重置”则恢复其历史记录。将鼠标悬停在杠杆名称上可查看它影响什么。视图 → 时间轴编辑器可为一个杠杆设置多个带日期的变化。",
        ],
    },
    Section {
        heading: ["Headline cards", "主要指标卡"],
        body: [
            "The cards above the plots give the headline figures of the central run: the dates Mainland visitors reach 50% and 90% of their 2019 level (28-day mean), the visitor arrivals lost since 25 Jan 2020, and the trade lost in days of 2019 trade. Below each figure is its difference from the status quo. With uncertainty bands on and the ensemble complete, a second line gives the range in which 90% of the ensemble's runs fall (p5–p95).",
            "图表上方的指标卡给出中心运行的主要数字：内地旅客恢复到 2019 年水平 50% 和 90% 的日期（28 日平均）、自 2020 年 1 月 25 日以来损失的旅客人次，以及以 2019 年贸易日数计的贸易损失。每个数字下方是与现状的差别。开启不确定性区间且集合运行完成后，第二行给出集合中 90% 运行所落入的范围（p5–p95）。",
        ],
    },
    Section {
        heading: ["Recovery plots", "恢复曲线图"],
        body: [
            "Each plot shows one output over time: your scenario in colour, the status quo muted, the branch date as a vertical line. Visitor plots draw the 28-day mean, with the daily values faint. Drag to pan; Ctrl + scroll or pinch to zoom (the wheel alone scrolls the plots when they do not all fit); the view stays within the data, and the reset button (or a double-click) shows all of it again.",
            "每张图显示一个输出随时间的变化：您的情景为彩色，现状为浅色，分支日期为竖线。旅客图显示 28 日平均值，每日数值为淡色。拖动可平移，按住 Ctrl 滚动或双指缩放可缩放（图表放不下时，单用滚轮可上下翻动图表）；视图保持在数据范围内，重置按钮（或双击）可重新显示全部。",
        ],
    },
    Section {
        heading: ["Ensemble bands", "集合区间"],
        body: [
            "Some of the model's parameters are not known exactly. With \"Uncertainty bands\" on (status bar), Borderflow runs the scenario many times in the background with those parameters drawn from their ranges. The shaded bands show where the middle 50% and 90% of those runs lie; the dashed line is their median, drawn once every run is in. The cards keep the central run so that figures do not wander while the ensemble runs.",
            "模型的部分参数无法精确得知。开启“不确定性区间”（状态栏）后，Borderflow 会在后台将这些参数在其范围内抽样，多次运行情景。阴影区间显示这些运行中间 50% 和 90% 所在的范围；虚线为其中位数，在所有运行完成后绘出。集合运行期间，指标卡保持中心运行的数字，因此数字不会来回变动。",
        ],
    },
    Section {
        heading: ["Recorded history", "历史记录"],
        body: [
            "Points on the plots are what was recorded up to 10 Oct 2022: the daily arrivals and crossings counted by the Hong Kong Immigration Department. Before the branch date every scenario follows the same recorded policy history, so the runs agree with each other there; how closely they follow the points shows how well the model was fitted to the record.",
            "图上的点是截至 2022 年 10 月 10 日的实际记录：香港入境事务处统计的每日入境人次与口岸通关人次。在分支日期之前，所有情景都沿用同一政策历史，因此各运行在此之前彼此一致；它们与记录点的贴合程度反映了模型对历史数据的拟合程度。",
        ],
    },
];

/// The guide in `lang`: its topics down the side, the chosen one beside them.
pub fn ui(ui: &mut Ui, lang: &str) {
    let i = usize::from(lang == "zh");
    let id = egui::Id::unique("guide topic");
    let mut topic = ui.data(|d| d.get_temp::<usize>(id)).unwrap_or(0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(150.0);
            for (k, section) in SECTIONS.iter().enumerate() {
                if ui
                    .selectable_label(topic == k, section.heading[i])
                    .clicked()
                {
                    topic = k;
                }
            }
        });
        ui.separator();
        ui.vertical(|ui| {
            let section = &SECTIONS[topic.min(SECTIONS.len() - 1)];
            ui.label(RichText::new(section.heading[i]).strong().size(16.0));
            ui.add_space(4.0);
            ui.label(section.body[i]);
        });
    });
    ui.data_mut(|d| d.insert_temp(id, topic));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chinese(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn the_guide_covers_levers_cards_plots_bands_and_history_in_both_languages() {
        let headings: Vec<&str> = SECTIONS.iter().map(|s| s.heading[0]).collect();
        for topic in [
            "Levers on the left",
            "Headline cards",
            "Recovery plots",
            "Ensemble bands",
            "Recorded history",
        ] {
            assert!(headings.contains(&topic), "{topic} missing: {headings:?}");
        }
        for s in SECTIONS {
            let [en_heading, zh_heading] = s.heading;
            let [en, zh] = s.body;
            assert!(!en.chars().any(chinese), "{en_heading}: English is English");
            assert!(
                zh_heading.chars().any(chinese),
                "{en_heading}: Chinese heading"
            );
            // Chinese runs at about one character per English word or two.
            let (words, characters) = (
                en.split_whitespace().count(),
                zh.chars().filter(|c| chinese(*c)).count(),
            );
            assert!(
                characters > words / 2,
                "{en_heading}: {characters} characters for {words} words"
            );
        }
    }
}
