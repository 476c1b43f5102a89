//! Where a diagram's labels go so that no two overlap: each label tries below its element, then
//! right, left and above, first clear of every element and then clear of labels only; failing
//! all, it moves down below the labels in its way.

use egui::{Pos2, Rect, Vec2, vec2};

/// The gap between an element and its label, and between labels.
const GAP: f32 = 2.0;

/// A rectangle for each `(element, label size)`, in order, no two of them intersecting.
pub fn place(items: &[(Rect, Vec2)]) -> Vec<Rect> {
    let elements: Vec<Rect> = items.iter().map(|(e, _)| *e).collect();
    let mut placed: Vec<Rect> = Vec::with_capacity(items.len());
    for (i, &(element, size)) in items.iter().enumerate() {
        let candidates = [
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
        let free_of_labels = |r: &Rect| !placed.iter().any(|p| p.intersects(*r));
        let free_of_elements = |r: &Rect| {
            !elements
                .iter()
                .enumerate()
                .any(|(j, e)| j != i && e.intersects(*r))
        };
        let chosen = candidates
            .iter()
            .find(|r| free_of_labels(r) && free_of_elements(r))
            .or_else(|| candidates.iter().find(|r| free_of_labels(r)))
            .copied()
            .unwrap_or_else(|| {
                // Below the labels in the way: each move passes one of them, so this ends.
                let mut r = candidates[0];
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
        assert_eq!(overlapping(&place(&items)), None);
    }
}
