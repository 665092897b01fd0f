//! The export as an A4 PDF with its fonts embedded (subset by krilla) and
//! real text, so it can be searched, copied and read aloud. Laid out in two
//! passes: first every page's marks, then krilla draws them, which is also
//! what lets the footer say "page 2 of 3". Tagged: every mark belongs to a
//! heading, paragraph, figure (with the chart's description as its
//! alternative text) or table cell in reading order, or is an artifact
//! (rules, page footers), so a screen reader reads it as the HTML reads;
//! bookmarks lead to each section, and krilla's PDF/UA-1 validator must
//! pass before a byte is returned.

use krilla::color::rgb;
use krilla::configure::ConfigurationBuilder;
use krilla::configure::validate::Accessibility;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagTree,
};
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

/// What a mark is part of, in the document's logical structure.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    /// A heading's level and words.
    Heading(u16, String),
    Paragraph,
    /// A chart, with its description as the alternative text.
    Figure(String),
    Cell {
        table: usize,
        row: usize,
        header: bool,
    },
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
    /// Each page's marks, each with the block it belongs to (None: an artifact).
    pages: Pages,
    blocks: Vec<Block>,
    /// The block marks go to as they are made.
    current: Option<usize>,
    /// Each section heading's words, page and height, for the outline.
    outline: Vec<(String, usize, f32)>,
    tables: usize,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            regular: Metrics { data: REGULAR },
            bold: Metrics { data: BOLD },
            pages: vec![Vec::new()],
            blocks: Vec::new(),
            current: None,
            outline: Vec::new(),
            tables: 0,
            y: MARGIN,
        }
    }

    /// Starts a block: marks made until the next one belong to it.
    fn begin(&mut self, block: Block) {
        self.blocks.push(block);
        self.current = Some(self.blocks.len() - 1);
    }

    /// Marks that only decorate (rules, footers) belong to no block.
    fn artifact(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push((None, op));
        }
    }

    fn metrics(&self, weight: Weight) -> &Metrics {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    fn push(&mut self, op: Op) {
        let block = self.current;
        if let Some(page) = self.pages.last_mut() {
            page.push((block, op));
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
        self.begin(Block::Paragraph);
        self.lines(text, size, weight, indent);
    }

    fn title(&mut self, text: &str) {
        self.begin(Block::Heading(1, text.to_owned()));
        self.lines(text, 18.0, Weight::Bold, 0.0);
    }

    fn lines(&mut self, text: &str, size: f32, weight: Weight, indent: f32) {
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
        self.begin(Block::Heading(2, text.to_owned()));
        self.outline
            .push((text.to_owned(), self.pages.len() - 1, self.y));
        self.text_at(MARGIN, text, 14.0, Weight::Bold, BLUE);
        self.y += 14.0 * 1.3;
        let y = self.y;
        self.artifact(Op::Line {
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
        let table = self.tables;
        self.tables += 1;
        let mut row = 0;
        let mut draw = |layout: &mut Layout, cells: &[String], weight: Weight| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| layout.wrap(c, BODY, weight, *w))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            let height = lines as f32 * BODY * 1.35 + 4.0;
            layout.room_for(height);
            for (cell, left) in wrapped.iter().zip(columns) {
                layout.begin(Block::Cell {
                    table,
                    row,
                    header: weight == Weight::Bold,
                });
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
            layout.artifact(Op::Line {
                points: vec![(MARGIN, y), (PAGE_W - MARGIN, y)],
                width: 0.5,
                colour: PALE,
                dashed: false,
            });
            row += 1;
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
        self.begin(Block::Paragraph);
        self.text_at(MARGIN, &c.title, 11.0, Weight::Bold, INK);
        self.y += 18.0;
        self.begin(Block::Figure(c.description.clone()));
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

/// Every page's marks with the block each belongs to, and the blocks.
type Pages = Vec<Vec<(Option<usize>, Op)>>;

/// The laid-out pages, their blocks and the outline's entries.
type Laid = (Pages, Vec<Block>, Vec<(String, usize, f32)>);

fn lay_out(e: &ReintegrationExport) -> Laid {
    let mut l = Layout::new();
    l.title(&text::title(e));
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
        l.begin(Block::Heading(3, "Approaches to avoid".to_owned()));
        l.lines("Approaches to avoid", 11.0, Weight::Bold, 0.0);
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
        page.push((
            None,
            Op::Text {
                x: MARGIN,
                y: PAGE_H - 30.0,
                size: SMALL,
                weight: Weight::Regular,
                colour: GREY,
                text: format!("{name} · Reintegration Export · page {} of {total}", n + 1),
            },
        ));
    }
    (l.pages, l.blocks, l.outline)
}

/// A table's tag group being filled, with its open row.
struct OpenTable {
    number: usize,
    group: TagGroup,
    row: Option<(usize, TagGroup)>,
}

impl OpenTable {
    fn close(mut self) -> TagGroup {
        if let Some((_, row)) = self.row.take() {
            self.group.push(row);
        }
        self.group
    }

    fn cell(&mut self, row: usize, cell: TagGroup) {
        if self.row.as_ref().is_some_and(|(r, _)| *r != row)
            && let Some((_, done)) = self.row.take()
        {
            self.group.push(done);
        }
        self.row
            .get_or_insert_with(|| (row, TagGroup::new(Tag::TR)))
            .1
            .push(cell);
    }
}

/// The tag tree: each block's marks under its tag, in reading order, with
/// table cells gathered into rows and tables.
fn tag_tree(blocks: &[Block], mut marks: Vec<Vec<Identifier>>) -> TagTree {
    let mut tree = TagTree::new().with_lang(Some("en-GB".to_owned()));
    let mut open: Option<OpenTable> = None;
    for (i, block) in blocks.iter().enumerate() {
        let mut group = match block {
            Block::Heading(level, title) => TagGroup::new(Tag::Hn(
                std::num::NonZeroU16::new(*level).unwrap_or(std::num::NonZeroU16::MIN),
                Some(title.clone()),
            )),
            Block::Paragraph => TagGroup::new(Tag::P),
            Block::Figure(alt) => TagGroup::new(Tag::Figure(Some(alt.clone()))),
            Block::Cell { header: true, .. } => TagGroup::new(Tag::TH(TableHeaderScope::Column)),
            Block::Cell { .. } => TagGroup::new(Tag::TD),
        };
        for id in std::mem::take(&mut marks[i]) {
            group.push(id);
        }
        let table = match block {
            Block::Cell { table, .. } => Some(*table),
            _ => None,
        };
        // Leaving a table (or starting another) closes it.
        if open.as_ref().is_some_and(|t| Some(t.number) != table)
            && let Some(done) = open.take()
        {
            tree.push(done.close());
        }
        match (block, table) {
            (Block::Cell { row, .. }, Some(number)) => open
                .get_or_insert_with(|| OpenTable {
                    number,
                    group: TagGroup::new(Tag::Table),
                    row: None,
                })
                .cell(*row, group),
            _ => tree.push(group),
        }
    }
    if let Some(done) = open.take() {
        tree.push(done.close());
    }
    tree
}

fn paint((r, g, b): (u8, u8, u8)) -> krilla::paint::Paint {
    rgb::Color::new(r, g, b).into()
}

/// The PDF's bytes.
pub fn render(e: &ReintegrationExport) -> Result<Vec<u8>, PdfError> {
    let (pages, blocks, sections) = lay_out(e);
    let mut marks: Vec<Vec<Identifier>> = vec![Vec::new(); blocks.len()];
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
    let metrics = (Metrics { data: REGULAR }, Metrics { data: BOLD });
    // krilla checks the PDF/UA-1 rules it can (tagging, language, title,
    // alternative text, fonts) and refuses to write a document that breaks one.
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
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
        for (block, op) in ops {
            // One tagged stretch per mark: a line of text is a span, a
            // drawing part of its figure, a rule or footer an artifact.
            let tag = match (&block, &op) {
                (None, Op::Text { .. }) => {
                    ContentTag::Artifact(Artifact::with_kind(ArtifactType::Footer))
                }
                (None, _) => ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)),
                (Some(_), Op::Text { .. }) => ContentTag::Span(SpanTag::empty()),
                (Some(_), _) => ContentTag::Other,
            };
            let id = surface.start_tagged(tag);
            if let Some(list) = block.and_then(|b| marks.get_mut(b)) {
                list.push(id);
            }
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
                    surface.end_tagged();
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
                    let Some(path) = pb.finish() else {
                        surface.end_tagged();
                        continue;
                    };
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
                    surface.end_tagged();
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
                    let Some(path) = pb.finish() else {
                        surface.end_tagged();
                        continue;
                    };
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: paint(colour),
                        opacity: NormalizedF32::ONE,
                        ..Fill::default()
                    }));
                    surface.draw_path(&path);
                    surface.end_tagged();
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.set_tag_tree(tag_tree(&blocks, marks));
    // Bookmarks to each section, as PDF/UA asks of a document with headings.
    let mut outline = Outline::new();
    for (title, page, y) in sections {
        outline.push_child(OutlineNode::new(
            title,
            XyzDestination::new(page, Point::from_xy(MARGIN, y)),
        ));
    }
    document.set_outline(outline);
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}
