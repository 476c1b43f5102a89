//! Where a diagram's labels go so that none overlaps another label or touches another element:
//! each label tries below its element, then right, left and above; when all four are taken it
//! moves outward step by step, nearest places first, until it finds a free one.

use egui::{Pos2, Rect, Vec2, vec2};

/// The gap between an element and its label, and between labels.
const GAP: f32 = 2.0;
/// How far a label keeps from every other element's box.
pub const MARGIN: f32 = 3.0;
/// How many steps a label may move outward looking for room.
const REACH: i32 = 40;

/// A rectangle for each `(element, label size)`, in order: no two of them intersect, and none
/// comes within [`MARGIN`] of another item's element (or touches its own).
pub fn place(items: &[(Rect, Vec2)]) -> Vec<Rect> {
    let elements: Vec<Rect> = items.iter().map(|(e, _)| *e).collect();
    let mut placed: Vec<Rect> = Vec::with_capacity(items.len());
    let steps = outward();
    for (i, &(element, size)) in items.iter().enumerate() {
        let sides = [
            Rect::from_min_size(
                Pos2::new(element.center().x - size.x / 2.0, element.max.y + GAP),
                size,
            ),
            Rect::from_min_size(
                Pos2::new(element.max.x + GAP, element.center().y - size.y / 2.0),
                size,
            ),
            Rect::from_min_size(
                Pos2::new(
                    element.min.x - GAP - size.x,
                    element.center().y - size.y / 2.0,
                ),
                size,
            ),
            Rect::from_min_size(
                Pos2::new(
                    element.center().x - size.x / 2.0,
                    element.min.y - GAP - size.y,
                ),
                size,
            ),
        ];
        let free = |r: &Rect| {
            !placed.iter().any(|p| p.expand(GAP / 2.0).intersects(*r))
                && !elements.iter().enumerate().any(|(j, e)| {
                    let keep = if j == i { GAP / 2.0 } else { MARGIN };
                    e.expand(keep).intersects(*r)
                })
        };
        // Outward from each side in steps of half a line, nearest first.
        let step = (size.y / 2.0).max(4.0);
        let chosen = sides
            .iter()
            .copied()
            .find(|r| free(r))
            .or_else(|| {
                steps.iter().find_map(|&(dx, dy)| {
                    sides
                        .iter()
                        .map(|r| r.translate(vec2(dx as f32, dy as f32) * step))
                        .find(|r| free(r))
                })
            })
            .unwrap_or_else(|| {
                // Nothing free within reach: below the labels in the way (each move passes one
                // of them, so this ends).
                let mut r = sides[0];
                while let Some(bottom) = placed
                    .iter()
                    .filter(|p| p.intersects(r))
                    .map(|p| p.max.y)
                    .reduce(f32::max)
                {
                    r = r.translate(vec2(0.0, bottom + GAP - r.min.y));
                }
                r
            });
        placed.push(chosen);
    }
    placed
}

/// Grid steps within [`REACH`], nearest first (the origin left out).
fn outward() -> Vec<(i32, i32)> {
    let mut steps: Vec<(i32, i32)> = (-REACH..=REACH)
        .flat_map(|dx| (-REACH..=REACH).map(move |dy| (dx, dy)))
        .filter(|&d| d != (0, 0))
        .collect();
    steps.sort_by_key(|&(dx, dy)| dx * dx + dy * dy);
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlapping(rects: &[Rect]) -> Option<(usize, usize)> {
        (0..rects.len())
            .flat_map(|i| (i + 1..rects.len()).map(move |j| (i, j)))
            .find(|&(i, j)| rects[i].intersects(rects[j]))
    }

    fn dot(x: f32, y: f32) -> Rect {
        Rect::from_center_size(Pos2::new(x, y), vec2(14.0, 14.0))
    }

    #[test]
    fn a_lone_label_sits_centred_below_its_element() {
        let r = place(&[(dot(100.0, 100.0), vec2(60.0, 12.0))]);
        // Element bottom 107, gap 2: the label spans x 70..130, y 109..121.
        assert_eq!(
            r[0],
            Rect::from_min_max(Pos2::new(70.0, 109.0), Pos2::new(130.0, 121.0))
        );
    }

    #[test]
    fn labels_of_a_tight_column_and_a_crowded_cluster_never_overlap() {
        // A column at 20-unit spacing with labels 30 high (they cannot all go below), and
        // twelve elements on one spot with wide labels.
        let mut items: Vec<(Rect, Vec2)> = (0..15)
            .map(|k| (dot(100.0, 20.0 * k as f32), vec2(140.0, 30.0)))
            .collect();
        items.extend((0..12).map(|_| (dot(400.0, 100.0), vec2(120.0, 14.0))));
        let placed = place(&items);
        assert_eq!(placed.len(), items.len());
        assert_eq!(overlapping(&placed), None);
        assert_eq!(touching(&items, &placed), None);
        // Each label keeps its size.
        for (r, (_, size)) in placed.iter().zip(&items) {
            assert_eq!(r.size(), *size);
        }
    }

    #[test]
    fn the_shipped_diagram_sectors_label_without_overlap() {
        // Every sector of the SZ–HK diagram as the model view lays it out: the XMILE's own
        // positions, labels as wide as 7 px per character (wider than the view's font).
        let model = crate::engine::xml::read_file(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/models/szhk.xmile"
        )))
        .expect("the shipped model reads");
        let view = &model.views[0];
        let items: Vec<(Rect, Vec2)> = view
            .elements
            .iter()
            .filter(|e| e.kind != "group")
            .map(|e| {
                (
                    dot(e.x as f32, e.y as f32),
                    vec2(7.0 * e.name.chars().count() as f32, 14.0),
                )
            })
            .collect();
        assert!(items.len() > 100, "{} elements", items.len());
        let placed = place(&items);
        assert_eq!(overlapping(&placed), None);
        assert_eq!(touching(&items, &placed), None);
    }

    /// The first label within [`MARGIN`] of another item's element: (label, element).
    fn touching(items: &[(Rect, Vec2)], placed: &[Rect]) -> Option<(usize, usize)> {
        (0..placed.len())
            .flat_map(|i| (0..items.len()).map(move |j| (i, j)))
            .find(|&(i, j)| i != j && items[j].0.expand(MARGIN - 0.01).intersects(placed[i]))
    }

    #[test]
    fn a_label_with_every_side_taken_moves_out_clear_of_the_elements() {
        // A dot boxed in on all four sides by dots closer than its label is wide or high: each
        // side's place touches a neighbour, so its label must move further out.
        let mut items = vec![(dot(100.0, 100.0), vec2(60.0, 12.0))];
        for (x, y) in [(100.0, 122.0), (145.0, 100.0), (55.0, 100.0), (100.0, 78.0)] {
            items.push((dot(x, y), vec2(10.0, 10.0)));
        }
        let placed = place(&items);
        assert_eq!(overlapping(&placed), None);
        assert_eq!(touching(&items, &placed), None);
    }
}
