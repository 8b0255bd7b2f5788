#include "widgets/FlameCanvas.h"

#include "models/TraceFormat.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QTextDocument>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace nexus::widgets {
namespace {

using models::FlameFrame;
using models::FlameMetric;
namespace fmt = models::tracefmt;

constexpr double kPad = 4;          // left and right margin
constexpr double kMinLabelPx = 28;  // narrower frames get no label
constexpr double kMinFramePx = 0.5; // narrower frames are not drawn

// Tableau 10: distinct, readable with dark text.
const QColor kPalette[] = {QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2),
                           QColor(0x59a14f), QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7),
                           QColor(0x9c755f), QColor(0xbab0ac)};

QColor typeColor(const std::string& type)
{
    if (type == "llm")
        return QColor(0x7aa6d6);
    if (type == "tool")
        return QColor(0x86c27a);
    if (type == "router")
        return QColor(0xc39bd3);
    if (type == "human_in_loop")
        return QColor(0xf2d16b);
    if (type == "aggregator")
        return QColor(0x8fcfc9);
    if (type == "validator")
        return QColor(0xf5ad6b);
    if (type == "transform" || type.empty())
        return QColor(0xc9c2bd);
    return QColor(0xffb3ba); // other custom types
}

// A stable colour per model name (FNV-1a, not Qt's seeded hash).
QColor modelColor(const std::string& model)
{
    if (model.empty())
        return QColor(0xd9d9d9);
    std::uint32_t h = 2166136261u;
    for (unsigned char c : model)
        h = (h ^ c) * 16777619u;
    return kPalette[h % std::size(kPalette)].lighter(125);
}

QColor textOn(const QColor& fill)
{
    return fill.lightnessF() > 0.55 ? QColor(0x1f2328) : QColor(Qt::white);
}

QString valueText(FlameMetric metric, double value)
{
    switch (metric) {
    case FlameMetric::Time:
        return fmt::duration(std::llround(value));
    case FlameMetric::Tokens:
        return fmt::count(std::llround(value)) + QStringLiteral(" tokens");
    case FlameMetric::Cost:
        return fmt::usd(value);
    }
    return {};
}

double share(double part, double whole)
{
    return whole > 0 ? part / whole : 0;
}

} // namespace

FlameCanvas::FlameCanvas(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(tr("Flame graph"));
    setToolTip(tr("Cost or time per node, nested by call; click a block to zoom into it"));
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void FlameCanvas::setBreakdown(std::shared_ptr<const models::CostBreakdown> breakdown)
{
    breakdown_ = std::move(breakdown);
    zoom_ = 0;
    hover_ = -1;
    maxDepth_ = 0;
    if (breakdown_)
        for (const FlameFrame& f : breakdown_->frames)
            maxDepth_ = std::max(maxDepth_, f.depth);
    layout();
    updateGeometry();
    update();
    emit zoomChanged(zoom_);
}

void FlameCanvas::setMetric(FlameMetric metric)
{
    if (metric_ == metric)
        return;
    metric_ = metric;
    layout();
    update();
}

void FlameCanvas::setColoring(FlameColoring coloring)
{
    if (coloring_ == coloring)
        return;
    coloring_ = coloring;
    update();
}

void FlameCanvas::zoomTo(int frame)
{
    if (!breakdown_ || frame < 0 || frame >= int(breakdown_->frames.size()))
        frame = 0;
    if (frame == zoom_)
        return;
    zoom_ = frame;
    layout();
    update();
    emit zoomChanged(zoom_);
}

int FlameCanvas::rowHeight() const
{
    return fontMetrics().height() + 8;
}

QRectF FlameCanvas::frameRect(int frame) const
{
    return frame >= 0 && frame < int(rects_.size()) ? rects_[std::size_t(frame)] : QRectF();
}

int FlameCanvas::frameAt(const QPointF& pos) const
{
    for (std::size_t i = 0; i < rects_.size(); ++i)
        if (!rects_[i].isEmpty() && rects_[i].contains(pos))
            return int(i);
    return -1;
}

void FlameCanvas::layout()
{
    rects_.clear();
    if (!breakdown_ || breakdown_->frames.empty())
        return;
    rects_.assign(breakdown_->frames.size(), QRectF());
    const double width = std::max(0.0, double(this->width()) - 2 * kPad);
    const double h = rowHeight();
    const auto& frames = breakdown_->frames;
    // The zoomed frame's ancestors and itself span the whole width.
    for (int f : breakdown_->pathTo(zoom_))
        rects_[std::size_t(f)] = QRectF(kPad, frames[std::size_t(f)].depth * h, width, h - 1);
    if (frames[std::size_t(zoom_)].value(metric_) > 0)
        layoutChildren(zoom_, kPad, width);
}

void FlameCanvas::layoutChildren(int frame, double x, double width)
{
    const auto& frames = breakdown_->frames;
    const FlameFrame& parent = frames[std::size_t(frame)];
    double sum = 0;
    for (int child : parent.children)
        sum += std::max(0.0, frames[std::size_t(child)].value(metric_));
    // Children that add up to more than their parent (overlapping tool
    // calls) are scaled down to fit under it.
    const double total = std::max(parent.value(metric_), sum);
    if (total <= 0)
        return;
    const double h = rowHeight();
    for (int child : parent.children) {
        const double w = width * std::max(0.0, frames[std::size_t(child)].value(metric_)) / total;
        if (w >= kMinFramePx) {
            rects_[std::size_t(child)] = QRectF(x, frames[std::size_t(child)].depth * h, w, h - 1);
            layoutChildren(child, x, w);
        }
        x += w;
    }
}

QColor FlameCanvas::frameColor(int frame) const
{
    if (!breakdown_ || frame < 0 || frame >= int(breakdown_->frames.size()))
        return {};
    const FlameFrame& f = breakdown_->frames[std::size_t(frame)];
    if (f.kind == FlameFrame::Kind::Run)
        return QColor(0xaeb6bf);
    if (coloring_ == FlameColoring::Model)
        return modelColor(f.model);
    switch (f.kind) {
    case FlameFrame::Kind::Tool:
        return typeColor("tool").lighter(112);
    case FlameFrame::Kind::Llm:
        return typeColor("llm").lighter(112);
    default:
        return typeColor(f.nodeType);
    }
}

void FlameCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const QString empty = !breakdown_ || breakdown_->frames.size() <= 1
                              ? tr("No node executions to break down yet.")
                          : breakdown_->root().value(metric_) > 0 ? QString()
                          : metric_ == FlameMetric::Tokens ? tr("This run reported no tokens.")
                          : metric_ == FlameMetric::Cost   ? tr("This run reported no cost.")
                                                           : tr("This run took no time.");
    const QFontMetricsF fm(font());
    if (breakdown_ && !rects_.empty()) {
        const int zoomDepth = breakdown_->frames[std::size_t(zoom_)].depth;
        for (std::size_t i = 0; i < rects_.size(); ++i) {
            QRectF r = rects_[i];
            if (r.isEmpty())
                continue;
            if (r.width() > 3) // a gap between neighbours of the same colour
                r.setRight(r.right() - 1);
            const FlameFrame& f = breakdown_->frames[i];
            QColor fill = frameColor(int(i));
            if (f.depth < zoomDepth) // ancestors of the zoomed frame: context only
                fill = fill.lighter(118);
            p.fillRect(r, fill);
            if (int(i) == hover_ || int(i) == zoom_) {
                p.setPen(QPen(fill.darker(int(i) == hover_ ? 190 : 150), 1.5));
                p.drawRect(r.adjusted(0.75, 0.75, -0.75, -0.75));
            }
            if (r.width() < kMinLabelPx)
                continue;
            const QString label = QString::fromStdString(f.label);
            const QString full =
                label + QStringLiteral("  ") + valueText(metric_, f.value(metric_));
            const double room = r.width() - 8;
            const QString text = fm.horizontalAdvance(full) <= room
                                     ? full
                                     : fm.elidedText(label, Qt::ElideRight, room);
            p.setPen(f.depth < zoomDepth ? textOn(fill).lighter(140) : textOn(fill));
            p.drawText(r.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
        }
    }
    if (!empty.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        const QRect below(0, rowHeight() + 8, width(), height() - rowHeight() - 8);
        p.drawText(rects_.empty() ? rect() : below, Qt::AlignHCenter | Qt::AlignTop, empty);
    }
}

QString FlameCanvas::frameToolTip(int frame) const
{
    if (!breakdown_ || frame < 0 || frame >= int(breakdown_->frames.size()))
        return {};
    const auto& frames = breakdown_->frames;
    const FlameFrame& f = frames[std::size_t(frame)];
    const FlameFrame& root = breakdown_->root();
    const QString label = QString::fromStdString(f.label);
    const QString node = QString::fromStdString(f.node);
    QStringList lines;
    switch (f.kind) {
    case FlameFrame::Kind::Run:
        lines << tr("%1 (run)").arg(label);
        break;
    case FlameFrame::Kind::Node:
        lines << (f.nodeType.empty()
                      ? label
                      : QStringLiteral("%1 (%2)").arg(label, QString::fromStdString(f.nodeType)));
        lines << (f.count == 1 ? tr("1 visit") : tr("%1 visits").arg(f.count)) +
                     (f.errors ? tr(" \u00b7 %1 failed").arg(f.errors) : QString());
        break;
    case FlameFrame::Kind::Tool:
        lines << tr("%1 (tool call in %2)").arg(label, node);
        lines << (f.count == 1 ? tr("1 call") : tr("%1 calls").arg(f.count)) +
                     (f.errors ? tr(" \u00b7 %1 failed").arg(f.errors) : QString());
        break;
    case FlameFrame::Kind::Llm:
        lines << tr("%1 (LLM call in %2)").arg(label, node);
        lines << (f.count == 1 ? tr("1 call") : tr("%1 calls").arg(f.count));
        break;
    }
    const QString ofRun = tr("of the run");
    lines << tr("Time %1 \u00b7 %2 %3")
                 .arg(fmt::duration(f.timeUs),
                      fmt::percent(share(double(f.timeUs), double(root.timeUs))), ofRun);
    if (f.kind == FlameFrame::Kind::Run && f.timeUs != breakdown_->runDurationUs)
        lines.back() = tr("Node time %1 (wall clock %2: parallel branches overlap)")
                           .arg(fmt::duration(f.timeUs), fmt::duration(breakdown_->runDurationUs));
    if (f.kind == FlameFrame::Kind::Llm)
        lines.back() += tr(" (the node's time outside tool calls)");
    if (f.tokens > 0 || root.tokens > 0)
        lines << tr("Tokens %1 \u00b7 %2 %3")
                     .arg(fmt::count(f.tokens),
                          fmt::percent(share(double(f.tokens), double(root.tokens))), ofRun);
    if (f.costUsd > 0 || root.costUsd > 0)
        lines << tr("Cost %1 \u00b7 %2 %3")
                     .arg(fmt::usd(f.costUsd), fmt::percent(share(f.costUsd, root.costUsd)), ofRun);
    if (!f.model.empty() && f.kind != FlameFrame::Kind::Llm)
        lines << tr("Model %1").arg(QString::fromStdString(f.model));
    return lines.join(QLatin1Char('\n'));
}

QString FlameCanvas::toolTipText(const QPointF& pos) const
{
    return frameToolTip(frameAt(pos));
}

QSize FlameCanvas::sizeHint() const
{
    return {720, (std::max(maxDepth_, 2) + 1) * rowHeight() + 12}; // run, nodes, calls
}

QSize FlameCanvas::minimumSizeHint() const
{
    return {240, 3 * rowHeight()};
}

void FlameCanvas::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    layout();
}

void FlameCanvas::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape && breakdown_ && zoom_ > 0) {
        zoomTo(breakdown_->frames[std::size_t(zoom_)].parent);
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void FlameCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    const int frame = frameAt(event->position());
    if (frame < 0)
        return;
    emit frameClicked(frame);
    zoomTo(frame);
}

void FlameCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const int frame = frameAt(event->position());
    if (frame != hover_) {
        hover_ = frame;
        update();
    }
    QWidget::mouseMoveEvent(event);
}

void FlameCanvas::leaveEvent(QEvent* event)
{
    if (hover_ >= 0) {
        hover_ = -1;
        update();
    }
    QWidget::leaveEvent(event);
}

bool FlameCanvas::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipText(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else // node and model names come from the wire: shown as plain text
            QToolTip::showText(help->globalPos(),
                               Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal), this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace nexus::widgets
