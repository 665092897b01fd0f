//! The export as an A4 PDF with its fonts embedded (subset by krilla) and
//! real text, so it can be searched, copied and read aloud. Laid out in two
//! passes: first every page's marks, then krilla draws them, which is also
//! what lets the footer say "page 2 of 3".

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::chart::{self, Chart};
use super::{ReintegrationExport, text};

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans-subset.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold-subset.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 50.0;
const BOTTOM: f32 = PAGE_H - 60.0;
const BODY: f32 = 10.0;
const SMALL: f32 = 8.0;

const INK: (u8, u8, u8) = (0x1b, 0x1b, 0x1b);
const BLUE: (u8, u8, u8) = (0x1d, 0x4e, 0x89);
const ORANGE: (u8, u8, u8) = (0xb3, 0x59, 0x00);
const GREY: (u8, u8, u8) = (0x50, 0x5a, 0x5f);
const PALE: (u8, u8, u8) = (0xdc, 0xdc, 0xdc);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// One mark on a page, in points from the top-left corner.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        colour: (u8, u8, u8),
        text: String,
    },
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        colour: (u8, u8, u8),
        dashed: bool,
    },
    Dot {
        x: f32,
        y: f32,
        colour: (u8, u8, u8),
    },
}

/// Widths of text in a font, from its own metrics.
struct Metrics {
    data: &'static [u8],
}

impl Metrics {
    fn font(&self) -> Option<FontRef<'static>> {
        FontRef::new(self.data).ok()
    }

    /// Glyphs for `text` (advance in ems) and the total width in ems.
    fn glyphs(&self, text: &str) -> (Vec<KrillaGlyph>, f32) {
        let Some(font) = self.font() else {
            return (Vec::new(), 0.0);
        };
        let upem = f32::from(font.head().map_or(2048, |h| h.units_per_em()));
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let mut width = 0.0;
        let glyphs = text
            .char_indices()
            .map(|(i, c)| {
                let id = charmap.map(c).unwrap_or_default();
                let advance = metrics.advance_width(id).unwrap_or(0.0) / upem;
                width += advance;
                KrillaGlyph::new(
                    GlyphId::new(id.to_u32()),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect();
        (glyphs, width)
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.glyphs(text).1 * size
    }
}

use skrifa::raw::TableProvider;

struct Layout {
    regular: Metrics,
    bold: Metrics,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            regular: Metrics { data: REGULAR },
            bold: Metrics { data: BOLD },
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn metrics(&self, weight: Weight) -> &Metrics {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Starts a new page unless `height` more still fits on this one.
    fn room_for(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    /// Breaks `text` into lines no wider than `width`.
    fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let m = self.metrics(weight);
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if m.width(&candidate, size) > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn text_at(&mut self, x: f32, text: &str, size: f32, weight: Weight, colour: (u8, u8, u8)) {
        let y = self.y + size;
        self.push(Op::Text {
            x,
            y,
            size,
            weight,
            colour,
            text: text.to_owned(),
        });
    }

    fn paragraph(&mut self, text: &str, size: f32, weight: Weight, indent: f32) {
        let width = PAGE_W - 2.0 * MARGIN - indent;
        for line in self.wrap(text, size, weight, width) {
            self.room_for(size * 1.4);
            self.text_at(MARGIN + indent, &line, size, weight, INK);
            self.y += size * 1.4;
        }
    }

    fn heading(&mut self, text: &str) {
        // Keep a heading with at least a few lines of what follows.
        self.room_for(14.0 * 1.4 + 60.0);
        self.y += 8.0;
        self.text_at(MARGIN, text, 14.0, Weight::Bold, BLUE);
        self.y += 14.0 * 1.3;
        let y = self.y;
        self.push(Op::Line {
            points: vec![(MARGIN, y), (PAGE_W - MARGIN, y)],
            width: 1.0,
            colour: BLUE,
            dashed: false,
        });
        self.y += 6.0;
    }

    /// Rows of cells; `columns` gives each column's left edge (from the
    /// margin); a cell wraps within its column.
    fn table(&mut self, columns: &[f32], header: &[&str], rows: &[Vec<String>]) {
        let right = PAGE_W - 2.0 * MARGIN;
        let widths: Vec<f32> = columns
            .iter()
            .enumerate()
            .map(|(i, left)| columns.get(i + 1).unwrap_or(&right) - left - 6.0)
            .collect();
        let draw = |layout: &mut Layout, cells: &[String], weight: Weight| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| layout.wrap(c, BODY, weight, *w))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            let height = lines as f32 * BODY * 1.35 + 4.0;
            layout.room_for(height);
            for (cell, left) in wrapped.iter().zip(columns) {
                for (n, line) in cell.iter().enumerate() {
                    let y = layout.y + n as f32 * BODY * 1.35;
                    layout.push(Op::Text {
                        x: MARGIN + left,
                        y: y + BODY,
                        size: BODY,
                        weight,
                        colour: INK,
                        text: line.clone(),
                    });
                }
            }
            layout.y += height;
            let y = layout.y - 2.0;
            layout.push(Op::Line {
                points: vec![(MARGIN, y), (PAGE_W - MARGIN, y)],
                width: 0.5,
                colour: PALE,
                dashed: false,
            });
        };
        let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
        if header.iter().any(|h| !h.is_empty()) {
            draw(self, &header, Weight::Bold);
        }
        for row in rows {
            draw(self, row, Weight::Regular);
        }
        self.y += 4.0;
    }

    /// A section that opens with a chart's heading and figures: the heading
    /// moves to the next page with its chart rather than be left behind.
    fn chart_section(&mut self, heading: &str, lines: &[String], c: &Chart) {
        self.room_for(chart::HEIGHT + 70.0 + lines.len() as f32 * BODY * 1.4);
        self.heading(heading);
        for line in lines {
            self.paragraph(line, BODY, Weight::Regular, 0.0);
        }
        self.chart(c);
    }

    fn chart(&mut self, c: &Chart) {
        self.room_for(chart::HEIGHT + 40.0);
        self.text_at(MARGIN, &c.title, 11.0, Weight::Bold, INK);
        self.y += 18.0;
        let (ox, oy) = (MARGIN, self.y);
        let at = |(x, y): (f32, f32)| (ox + x, oy + y);
        let (l, t, r, b) = c.area;
        for tick in &c.y_ticks {
            self.push(Op::Line {
                points: vec![at((l, tick.at)), at((r, tick.at))],
                width: 0.5,
                colour: PALE,
                dashed: false,
            });
            let w = self.regular.width(&tick.label, SMALL);
            let (x, y) = at((l - 4.0 - w, tick.at + 3.0));
            self.push(Op::Text {
                x,
                y,
                size: SMALL,
                weight: Weight::Regular,
                colour: INK,
                text: tick.label.clone(),
            });
        }
        for tick in &c.x_ticks {
            let w = self.regular.width(&tick.label, SMALL);
            let (x, y) = at((tick.at - w / 2.0, b + 14.0));
            self.push(Op::Text {
                x,
                y,
                size: SMALL,
                weight: Weight::Regular,
                colour: INK,
                text: tick.label.clone(),
            });
        }
        self.push(Op::Line {
            points: vec![at((l, t)), at((l, b)), at((r, b))],
            width: 1.0,
            colour: GREY,
            dashed: false,
        });
        if let Some([p, q]) = c.trend {
            self.push(Op::Line {
                points: vec![at(p), at(q)],
                width: 1.5,
                colour: ORANGE,
                dashed: true,
            });
        }
        for run in &c.lines {
            self.push(Op::Line {
                points: run.iter().map(|p| at(*p)).collect(),
                width: 2.0,
                colour: BLUE,
                dashed: false,
            });
        }
        for p in &c.points {
            let (x, y) = at(*p);
            self.push(Op::Dot { x, y, colour: BLUE });
        }
        self.y += chart::HEIGHT + 4.0;
        self.paragraph(
            &format!("{} {}", c.description, chart::LEGEND),
            SMALL,
            Weight::Regular,
            0.0,
        );
        self.y += 6.0;
    }
}

fn lay_out(e: &ReintegrationExport) -> Vec<Vec<Op>> {
    let mut l = Layout::new();
    l.paragraph(&text::title(e), 18.0, Weight::Bold, 0.0);
    l.y += 6.0;
    let summary: Vec<Vec<String>> = text::summary(e)
        .into_iter()
        .map(|(k, v)| vec![k.to_owned(), v])
        .collect();
    l.table(&[0.0, 120.0], &["", ""], &summary);
    let [attendance, incidents, engagement] = chart::charts(e);
    l.chart_section("Attendance", &text::attendance(e), &attendance);
    l.chart_section("Behaviour incidents", &text::incidents(e), &incidents);
    l.chart_section("Engagement", &text::engagement(e), &engagement);
    l.heading("Strategies that worked");
    if e.strategies.is_empty() {
        l.paragraph(text::NO_STRATEGIES, BODY, Weight::Regular, 0.0);
    } else {
        l.paragraph(
            "Ranked by evidence: the mean effect (1 to 5) less a margin that shrinks as uses grow, so a strategy tried once does not outrank one tried many times.",
            BODY,
            Weight::Regular,
            0.0,
        );
        let rows: Vec<Vec<String>> = e
            .strategies
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    (i + 1).to_string(),
                    s.strategy.clone(),
                    s.uses.to_string(),
                    format!("{:.2}", s.mean_effect),
                ]
            })
            .collect();
        l.table(
            &[0.0, 36.0, 360.0, 420.0],
            &["Rank", "Strategy", "Uses (n)", "Mean effect"],
            &rows,
        );
    }
    l.heading("Triggers to avoid");
    if e.triggers.is_empty() && e.approaches_to_avoid.is_empty() {
        l.paragraph(text::NO_TRIGGERS, BODY, Weight::Regular, 0.0);
    }
    for t in &e.triggers {
        let line = format!(
            "• {} ({})",
            t.trigger,
            text::trigger_source(t.in_baseline, t.incidents)
        );
        l.paragraph(&line, BODY, Weight::Regular, 0.0);
    }
    if !e.approaches_to_avoid.is_empty() {
        l.y += 4.0;
        l.paragraph("Approaches to avoid", 11.0, Weight::Bold, 0.0);
        for a in &e.approaches_to_avoid {
            l.paragraph(&format!("• {a}"), BODY, Weight::Regular, 0.0);
        }
    }
    l.heading("Then and now");
    let rows: Vec<Vec<String>> = e
        .levels
        .iter()
        .map(|lv| {
            let now = match (&lv.now, lv.assessed_on) {
                (Some(v), Some(d)) => format!("{v} ({})", text::date(d)),
                (Some(v), None) => v.clone(),
                (None, _) => text::NOT_ASSESSED.to_owned(),
            };
            vec![
                lv.measure.clone(),
                lv.at_start
                    .clone()
                    .unwrap_or_else(|| text::NOT_ASSESSED.to_owned()),
                now,
            ]
        })
        .collect();
    l.table(
        &[0.0, 130.0, 310.0],
        &["Measure", "At the start", "Now"],
        &rows,
    );
    l.heading("Staff commentary");
    if e.commentary.is_empty() {
        l.paragraph(text::NO_COMMENTARY, BODY, Weight::Regular, 0.0);
    }
    for c in &e.commentary {
        l.paragraph(&c.text, BODY, Weight::Regular, 10.0);
        l.paragraph(
            &format!("{}, {}", c.written_by, text::date(c.written_on)),
            SMALL,
            Weight::Regular,
            10.0,
        );
        l.y += 6.0;
    }
    l.y += 10.0;
    l.paragraph(&text::footer(e), SMALL, Weight::Regular, 0.0);
    let total = l.pages.len();
    let name = format!("{} {}", e.pupil.first_name, e.pupil.last_name);
    for (n, page) in l.pages.iter_mut().enumerate() {
        page.push(Op::Text {
            x: MARGIN,
            y: PAGE_H - 30.0,
            size: SMALL,
            weight: Weight::Regular,
            colour: GREY,
            text: format!("{name} · Reintegration Export · page {} of {total}", n + 1),
        });
    }
    l.pages
}

fn paint((r, g, b): (u8, u8, u8)) -> krilla::paint::Paint {
    rgb::Color::new(r, g, b).into()
}

/// The PDF's bytes.
pub fn render(e: &ReintegrationExport) -> Result<Vec<u8>, PdfError> {
    let pages = lay_out(e);
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
    let metrics = (Metrics { data: REGULAR }, Metrics { data: BOLD });
    let mut document = Document::new_with(SerializeSettings::default());
    document.set_metadata(
        Metadata::new()
            .title(text::title(e))
            .language("en-GB".to_owned())
            .creator("LearnTrek".to_owned()),
    );
    for ops in pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Font)?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    weight,
                    colour,
                    text,
                } => {
                    let (font, m) = match weight {
                        Weight::Regular => (regular.clone(), &metrics.0),
                        Weight::Bold => (bold.clone(), &metrics.1),
                    };
                    surface.set_fill(Some(Fill {
                        paint: paint(colour),
                        ..Fill::default()
                    }));
                    surface.set_stroke(None);
                    let (glyphs, _) = m.glyphs(&text);
                    surface.draw_glyphs(Point::from_xy(x, y), &glyphs, font, &text, size, false);
                }
                Op::Line {
                    points,
                    width,
                    colour,
                    dashed,
                } => {
                    let mut pb = PathBuilder::new();
                    for (i, (x, y)) in points.iter().enumerate() {
                        if i == 0 {
                            pb.move_to(*x, *y);
                        } else {
                            pb.line_to(*x, *y);
                        }
                    }
                    // A single point is no line; nothing to draw.
                    let Some(path) = pb.finish() else { continue };
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: paint(colour),
                        width,
                        dash: dashed.then(|| StrokeDash {
                            array: vec![6.0, 4.0],
                            offset: 0.0,
                        }),
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                }
                Op::Dot { x, y, colour } => {
                    // A circle of radius 2.5 from four Bézier quarters.
                    let (r, k) = (2.5f32, 2.5f32 * 0.552_284_8);
                    let mut pb = PathBuilder::new();
                    pb.move_to(x + r, y);
                    pb.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
                    pb.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
                    pb.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
                    pb.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
                    pb.close();
                    let Some(path) = pb.finish() else { continue };
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: paint(colour),
                        opacity: NormalizedF32::ONE,
                        ..Fill::default()
                    }));
                    surface.draw_path(&path);
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}
