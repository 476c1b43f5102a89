//! English and Simplified Chinese: every UI string goes through [`tr`] (its English text is the
//! key), and dates and counts are written the way each language writes them.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::scenario::UnitsIn;

pub use crate::analysis::format::{count, date, fill, month};

/// The languages the app speaks, with their names in themselves.
pub const LANGUAGES: [(&str, &str); 2] = [("en", "English"), ("zh", "中文")];

/// UI text in `lang`: the Chinese for an English string, or the English itself.
pub fn tr(lang: &str, en: &'static str) -> &'static str {
    if lang != "zh" {
        return en;
    }
    zh().get(en).copied().unwrap_or(en)
}

fn zh() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    // The formatters' own phrases (analysis::format) and the app's.
    MAP.get_or_init(|| {
        crate::analysis::format::ZH
            .iter()
            .chain(ZH)
            .copied()
            .collect()
    })
}

/// A preset value as shown in `lang` (the lever catalogue names presets in English; the name
/// itself stays the value in files).
pub fn preset<'a>(lang: &str, name: &'a str) -> &'a str {
    if lang != "zh" {
        return name;
    }
    zh().get(name).copied().unwrap_or(name)
}

/// Whether `en` has a Chinese translation (for the test that every UI string has one).
pub fn has_zh(en: &str) -> bool {
    ZH.iter().any(|(k, _)| *k == en)
}

/// A unit as the catalogue or the plots write it, in `lang` (units not listed stay as given).
pub fn unit<'a>(lang: &str, unit: &'a str) -> &'a str {
    match unit {
        "persons/day" => tr(lang, "persons/day"),
        "vehicles/day" => tr(lang, "vehicles/day"),
        "trips/day" => tr(lang, "trips/day"),
        "days" => tr(lang, "days"),
        "hours" => tr(lang, "hours"),
        "points" => tr(lang, "points"),
        "rooms" => tr(lang, "rooms"),
        "people" => tr(lang, "people"),
        "projects" => tr(lang, "projects"),
        "share of fields" => tr(lang, "share of fields"),
        // The catalogue's identifier-style unit reads as people write it.
        "RMB_bn/day" | "RMB bn/day" => tr(lang, "RMB bn/day"),
        "index, 2019 = 100" => tr(lang, "index, 2019 = 100"),
        other => other,
    }
}

/// A unit as the app writes it in one language, and what values are multiplied by for it (10
/// for RMB bn shown as 亿元 in Chinese; a power of ten, so round values and steps stay round).
#[derive(Clone, Debug, PartialEq)]
pub struct ShownUnit {
    pub text: String,
    pub times: f64,
}

impl ShownUnit {
    /// `unit` in `lang`: the model's own unit for that language (`unit_in` of an output or a
    /// lever), else `unit` as the app translates it.
    pub fn new(lang: &str, unit: &str, unit_in: &UnitsIn) -> ShownUnit {
        match unit_in.get(lang) {
            Some(u) => ShownUnit {
                text: u.unit.clone(),
                times: u.times,
            },
            None => ShownUnit::plain(lang, unit),
        }
    }

    /// A unit translated as the app translates units, values as they are.
    pub fn plain(lang: &str, unit: &str) -> ShownUnit {
        ShownUnit {
            text: self::unit(lang, unit).to_string(),
            times: 1.0,
        }
    }

    /// A value kept with `decimals` decimals, written in this unit (52 → "520" for 亿元).
    pub fn format(&self, x: f64, decimals: usize) -> String {
        format!(
            "{:.*}",
            decimals_times(decimals, self.times),
            x * self.times
        )
    }

    /// A value typed in this unit, as kept ("520" → 52).
    pub fn parse(&self, text: &str) -> Option<f64> {
        text.trim().parse::<f64>().ok().map(|x| x / self.times)
    }
}

/// A lever's unit in `lang`.
pub fn lever_unit(lang: &str, lever: &crate::scenario::Lever) -> ShownUnit {
    ShownUnit::new(lang, &lever.unit, &lever.unit_in)
}

/// Enough decimals to show every multiple of `step` exactly (0.25 needs two).
pub fn step_decimals(step: f64) -> usize {
    (0..=4)
        .find(|d| (step * 10f64.powi(*d)).fract().abs() < 1e-9)
        .unwrap_or(4) as usize
}

/// Decimals to show a value with `decimals` decimals once multiplied by `times` (a power of
/// ten): 52.5 with one decimal is 525 亿元 with none.
fn decimals_times(decimals: usize, times: f64) -> usize {
    (decimals as i32 - times.log10().round() as i32).max(0) as usize
}

/// English → Simplified Chinese.
static ZH: &[(&str, &str)] = &[
    // Menus and windows.
    ("File", "文件"),
    ("New", "新建"),
    ("Open…", "打开…"),
    ("Open recent", "最近打开"),
    ("(none)", "（无）"),
    ("Save", "保存"),
    ("Save as…", "另存为…"),
    ("Edit", "编辑"),
    ("Undo", "撤销"),
    ("Redo", "重做"),
    ("Reset to baseline", "恢复基准情景"),
    ("Analysis", "分析"),
    ("Sensitivity (tornado)…", "敏感性分析（龙卷风图）…"),
    ("View", "视图"),
    ("Language", "语言"),
    ("Help", "帮助"),
    ("Keyboard shortcuts", "键盘快捷键"),
    ("Guide", "使用指南"),
    ("Reset view", "重置视图"),
    ("Remove", "移除"),
    ("Remove this plot from the workbench", "从工作台移除此图"),
    (
        "Show every plot's whole range again (double-clicking a plot does the same)",
        "重新显示每张图的全部范围（双击图表效果相同）",
    ),
    ("Export", "导出"),
    ("Runs as CSV…", "运行结果导出为 CSV…"),
    ("Plots as PNG…", "图表导出为 PNG…"),
    ("Summary as Markdown…", "摘要导出为 Markdown…"),
    ("Presentation mode", "演示模式"),
    ("Problem", "问题"),
    ("OK", "确定"),
    ("Restore unsaved work?", "恢复未保存的工作？"),
    (
        "Borderflow did not close cleanly last time. Restore the scenario you were working on?",
        "Borderflow 上次未正常关闭。是否恢复您正在编辑的情景？",
    ),
    ("Restore", "恢复"),
    ("Discard", "丢弃"),
    ("Unsaved changes", "未保存的更改"),
    (
        "This scenario has unsaved changes. Discard them?",
        "此情景有未保存的更改。是否丢弃？",
    ),
    ("Discard changes", "丢弃更改"),
    ("Cancel", "取消"),
    ("not saved yet", "尚未保存"),
    ("run {} ms", "运行 {} 毫秒"),
    ("frame {} ms", "帧 {} 毫秒"),
    (
        "Could not open the scenario; your work is unchanged.\n\n{}",
        "无法打开该情景；您的工作未受影响。\n\n{}",
    ),
    ("Could not save: {}", "无法保存：{}"),
    ("Could not export: {}", "无法导出：{}"),
    ("Exported {}", "已导出 {}"),
    ("Autosave failed: {}", "自动保存失败：{}"),
    // Levers.
    ("Levers", "政策杠杆"),
    (
        "Every lever back to the status quo of the branch date",
        "所有杠杆恢复到分支日期的现状",
    ),
    (
        "Changes apply from {} unless a lever says otherwise.",
        "除非另有说明，更改自 {} 起生效。",
    ),
    ("changed", "已更改"),
    ("Baseline: {}", "基准：{}"),
    ("reset", "重置"),
    ("Back to the recorded history", "恢复为历史记录"),
    ("no limit", "不设上限"),
    ("from", "起始"),
    (
        "The date this lever's change applies from (YYYY-MM-DD)",
        "此杠杆更改的生效日期（YYYY-MM-DD）",
    ),
    ("persons/day", "人次/日"),
    ("vehicles/day", "车次/日"),
    ("days", "天"),
    ("hours", "小时"),
    ("points", "个口岸"),
    ("rooms", "间"),
    ("share of fields", "领域占比"),
    // Cards.
    ("central run: {}", "中心情景：{}"),
    (
        "p5–p95: {} – {} ({} members)",
        "p5–p95：{} – {}（{} 个成员）",
    ),
    ("p5–p95: {} – {}", "p5–p95：{} – {}"),
    ("p5–p95: all {} members alike", "p5–p95：{} 个成员结果相同"),
    ("{} visitors", "{} 人次"),
    // Plots.
    ("branch date", "分支日期"),
    (
        "scenario ({}-day mean, daily faint)",
        "情景（{}日均值，浅色为每日值）",
    ),
    ("status quo of {}", "{}现状"),
    ("{}, log scale", "{}，对数坐标"),
    ("% of its mean {} – {}", "占{}至{}均值的百分比"),
    ("recorded, to {}", "实际记录，至{}"),
    ("scenario, {}-day mean", "情景，{}日均值"),
    (
        "No headline figures: the model has no description beside it, or its run lacks an output they need.",
        "无主要指标：模型旁没有模型描述文件，或其运行结果缺少所需的输出。",
    ),
    (
        "The model description names no headline figures.",
        "模型描述未列出主要指标。",
    ),
    ("ensemble median", "集合中位数"),
    ("recorded", "实际记录"),
    ("status quo", "现状"),
    ("scenario", "情景"),
    ("scenario, daily", "情景，每日"),
    ("of {} ensemble members", "共 {} 个集合成员"),
    ("trips/day", "人次/日"),
    ("index, 2019 = 100", "指数，2019年 = 100"),
    ("RMB bn/day", "十亿元/日"),
    ("people", "人"),
    ("projects", "项"),
    // Uncertainty and sensitivity.
    ("Uncertainty bands", "不确定性区间"),
    (
        "Run an ensemble over the model's uncertain parameters and draw p5–p95 and p25–p75 bands",
        "对模型的不确定参数运行集合模拟，并绘制 p5–p95 和 p25–p75 区间",
    ),
    ("Ensemble: {}", "集合模拟：{}"),
    ("ensemble {} of {}", "集合模拟 {} / {}"),
    ("ensemble: {} members", "集合模拟：{} 个成员"),
    ("Sensitivity", "敏感性"),
    ("Metric:", "指标："),
    ("50% recovery date", "恢复50%日期"),
    ("90% recovery date", "恢复90%日期"),
    ("visitors lost", "访客损失"),
    ("trade lost", "贸易损失"),
    (
        "The scenario does not run; fix it to see sensitivities.",
        "该情景无法运行；请先修正再查看敏感性。",
    ),
    (
        "Central run: {}. Bars: change when a parameter goes from low to high (the others at their model values), in {}.",
        "中心情景：{}。条形：参数由低到高变化（其他参数取模型值）时的变化，单位：{}。",
    ),
    ("parameter at low end", "参数取低值"),
    ("parameter at high end", "参数取高值"),
    ("M visitors", "百万人次"),
    ("days of trade", "贸易天数"),
    // Compare.
    ("Compare scenarios", "情景比较"),
    ("Compare scenarios…", "情景比较…"),
    ("Add a scenario…", "添加情景…"),
    ("Comparison as CSV…", "比较结果导出为 CSV…"),
    ("Scenario", "情景"),
    ("Remove", "移除"),
    ("vs A: {}", "与A相比：{}"),
    ("same as A", "与 A 相同"),
    ("Difference from A:", "与 A 的差值："),
    (
        "Add a scenario to see its difference from A.",
        "添加情景以查看其与 A 的差值。",
    ),
    ("not reached (A reaches it)", "未达到（A 已达到）"),
    ("reached (A does not)", "已达到（A 未达到）"),
    ("linear", "线性"),
    ("Choose what this plot shows", "选择此图显示的内容"),
    ("log", "对数"),
    ("% of ref.", "参考期%"),
    ("How this plot's axis is drawn", "此图纵轴的刻度方式"),
    // "Why didn't it move?"
    ("What holds travel back", "出行受阻原因"),
    (
        "{}: {} ({}% of demand turned away)",
        "{}：{}（{}%的需求受阻）",
    ),
    ("{}: no limit", "{}：无限制"),
    ("blank: under {}%", "空白：低于{}%"),
    ("No headline figure moved.", "主要指标没有变化。"),
    ("What held travel back on {}: {}.", "{}出行受阻原因：{}。"),
    // Timeline editor.
    ("Timeline editor", "时间轴编辑器"),
    ("Reset layout", "重置布局"),
    // Preset values of the levers (quarantine codes such as "7+3" read the same in both).
    ("no", "否"),
    ("yes", "是"),
    ("relay", "接驳转运"),
    ("point-to-point", "点对点直达"),
    ("restricted", "受限"),
    ("pilot zones", "试点区域"),
    ("free", "自由流动"),
    ("closed", "关闭"),
    ("phase 1", "第一阶段"),
    ("Examples", "示例"),
    (
        "This scenario has unsaved changes. Save them first?",
        "此情景有未保存的更改。是否先保存？",
    ),
    ("Welcome to Borderflow", "欢迎使用 Borderflow"),
    (
        "Borderflow answers: if the border had opened differently, when would Mainland visitors and trade have recovered, and how much would have been lost?",
        "Borderflow 回答：如果口岸以不同方式开放，内地访客和贸易何时恢复，损失多少？",
    ),
    ("Three things to try:", "可以先试三件事："),
    (
        "1. Move a lever on the left (say, Hong Kong quarantine) and watch the cards.",
        "1. 拖动左侧的政策杠杆（例如香港检疫），观察上方卡片的变化。",
    ),
    (
        "2. Open an example below and compare it with the status quo.",
        "2. 打开下面的一个示例，与现状比较。",
    ),
    (
        "3. File → Examples → Workshop story presents the scenarios one slide at a time.",
        "3. 文件 → 示例 → 研讨会演示：逐页放映各情景。",
    ),
    ("Open an example", "打开示例"),
    ("Start with the status quo", "从现状开始"),
    (
        "p5–p95 when the ensemble is in",
        "集合运行完成后显示 p5–p95",
    ),
    (
        "Click a strip to add a change there; drag a handle to move it; click it to edit; right-click it to remove. Grey: recorded history before the branch.",
        "点击时间条可在该处添加变更；拖动节点可移动；点击节点可编辑；右键点击可删除。灰色：分支日期前的历史记录。",
    ),
    ("timeline of {}", "{}的时间轴"),
    ("No change selected.", "未选择变更。"),
    ("Years shown:", "显示年份："),
    ("all", "全部"),
    // Model view.
    ("Model", "模型"),
    ("stock-and-flow diagram", "存量流量图"),
    ("Fit to view", "适应窗口"),
    ("Model (diagram and variables)", "模型（存量流量图与变量）"),
    (
        "The model has no diagram (<views>).",
        "该模型没有图（<views>）。",
    ),
    ("Search:", "搜索："),
    (
        "Select a variable in the list or the diagram.",
        "在列表或图中选择一个变量。",
    ),
    ("kind:", "类型："),
    ("unit:", "单位："),
    ("equation", "方程"),
    ("initial value", "初始值"),
    ("inflows:", "流入："),
    ("outflows:", "流出："),
    ("graphical function:", "图表函数："),
    ("source:", "来源："),
    ("driven by:", "由以下杠杆驱动："),
    ("feeds:", "影响："),
    ("Plot it", "绘图"),
    ("the sum over the whole array", "整个数组之和"),
    ("What it moves when opened:", "放开时的作用："),
    (
        "Measured from the status quo (borderflow effects):",
        "自现状起测得（borderflow effects）：",
    ),
    ("measuring…", "测算中…"),
    (
        "drag or scroll to pan, Ctrl + scroll to zoom ({}%)",
        "拖动或滚轮平移，Ctrl + 滚轮缩放（{}%）",
    ),
    // Help.
    ("Shortcuts", "快捷键"),
    ("Close", "关闭"),
    ("next slide", "下一张"),
    ("previous slide", "上一张"),
    ("leave presentation mode", "退出演示模式"),
    ("Open a story (presentation)…", "打开演示故事…"),
    ("Story", "演示故事"),
    ("slide {} of {}", "第 {} / {} 张"),
    ("Switch language", "切换语言"),
    ("Toggle uncertainty bands", "显示/隐藏不确定性区间"),
    // Slides: what a slide compares with.
    ("vs {}: {}", "较{}：{}"),
    ("the status quo", "现状"),
    ("the previous slide", "上一张"),
    ("compared with the status quo", "对比：现状"),
    ("compared with the previous slide: {}", "对比上一张：{}"),
    ("previous slide: {}", "上一张：{}"),
    // The model view's sectors and "Plot it".
    ("All sectors", "全部板块"),
    ("{} variables", "{} 个变量"),
    (
        "Click a sector to open its diagram.",
        "点击板块查看其图示。",
    ),
    ("Plot it on the workbench", "在工作台绘图"),
    ("Remove this plot", "移除此图"),
    ("sector overview", "板块概览"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lever_in_rmb_bn_reads_in_yi_yuan_in_chinese() {
        let setup = crate::scenario::ModelSetup::embedded().unwrap();
        let lever = setup.catalogue.lever("connect_quota_north").unwrap();
        // The status quo's 52 RMB bn a day (row 14) is 520 亿元 (1 亿 = 0.1 bn), by hand.
        let shown = lever_unit("zh", lever);
        assert_eq!(shown.text, "亿元/日");
        assert_eq!(shown.format(52.0, step_decimals(1.0)), "520");
        assert_eq!(shown.parse(" 525 "), Some(52.5));
        assert_eq!(
            lever_unit("en", lever),
            ShownUnit {
                text: "RMB bn/day".into(),
                times: 1.0
            }
        );
        // A step of 0.25 needs two decimals; shown ten times larger, one.
        assert_eq!(step_decimals(0.25), 2);
        assert_eq!(decimals_times(2, 10.0), 1);
        assert_eq!(decimals_times(0, 10.0), 0);
        assert_eq!(decimals_times(0, 1e-4), 4);
    }

    #[test]
    fn dates_and_counts_follow_the_language() {
        assert_eq!(date("en", "2023-02-06"), "6 Feb 2023");
        assert_eq!(date("zh", "2023-02-06"), "2023年2月6日");
        assert_eq!(month("zh", "2023-02-06"), "2023年2月");
        assert_eq!(date("en", "not by 2030-12-31"), "not by 2030-12-31");
        assert_eq!(count("zh", 471_900_000.0), "4.72亿");
        assert_eq!(count("zh", 120_600.0), "12.06万");
        assert_eq!(count("zh", -24_618_900.0), "-2462万");
        assert_eq!(count("zh", 1_234_500.0), "123.5万");
        assert_eq!(preset("zh", "relay"), "接驳转运");
        assert_eq!(preset("zh", "7+3"), "7+3");
        assert_eq!(preset("en", "relay"), "relay");
        assert_eq!(count("en", 120_600.0), "120,600");
        assert_eq!(count("en", 471_900_000.0), "471.9 M");
        assert_eq!(fill("{} of {}", &["3", "5"]), "3 of 5");
        assert_eq!(tr("zh", "Levers"), "政策杠杆");
        assert_eq!(tr("en", "Levers"), "Levers");
    }

    #[test]
    fn every_ui_string_has_a_chinese_translation() {
        // Every literal passed to tr(…, "…") in the app's source has an entry.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
        let mut missing = Vec::new();
        let mut found = 0;
        // The app's files and its modules' folders (src/app/plots/).
        let mut files = Vec::new();
        let mut dirs = vec![dir];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        for path in files {
            if path.ends_with("i18n.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("tr(") {
                // `tr(` itself, not the end of another name such as `as_str(`.
                let call = !rest[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                rest = &rest[i + 3..];
                if !call {
                    continue;
                }
                let Some(comma) = rest.find(',') else { break };
                let after = rest[comma + 1..].trim_start();
                if let Some(lit) = after.strip_prefix('"') {
                    let end = lit.find('"').unwrap();
                    let key = lit[..end].replace("\\n", "\n");
                    found += 1;
                    if !has_zh(&key) {
                        missing.push(format!("{}: {key:?}", path.display()));
                    }
                }
            }
        }
        assert!(found > 50, "only {found} tr() calls found");
        assert!(missing.is_empty(), "no Chinese for: {missing:#?}");
    }
}
