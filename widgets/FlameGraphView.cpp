#include "widgets/FlameGraphView.h"

#include "widgets/ThemeStyle.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace nexus::widgets {
namespace {

using models::FlameMetric;

QToolButton* metricButton(const QString& text, QWidget* parent)
{
    auto* button = new QToolButton(parent);
    button->setText(text);
    button->setCheckable(true);
    button->setAutoRaise(false);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return button;
}

} // namespace

FlameGraphView::FlameGraphView(QWidget* parent) : QWidget(parent)
{
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    metrics_ = new QButtonGroup(this);
    metrics_->setExclusive(true);
    const std::pair<FlameMetric, QString> kinds[] = {{FlameMetric::Time, tr("Time")},
                                                     {FlameMetric::Tokens, tr("Tokens")},
                                                     {FlameMetric::Cost, tr("Cost")}};
    for (const auto& [metric, text] : kinds) {
        QToolButton* button = metricButton(text, this);
        button->setObjectName(
            QStringLiteral("metric-%1").arg(QString::fromLatin1(models::flameMetricName(metric))));
        metrics_->addButton(button, int(metric));
        bar->addWidget(button);
    }
    metrics_->button(int(FlameMetric::Time))->setChecked(true);
    bar->addSpacing(16);
    auto* colourLabel = new QLabel(tr("Colour by"), this);
    bar->addWidget(colourLabel);
    coloringBox_ = new QComboBox(this);
    coloringBox_->addItem(tr("Node type"), int(FlameColoring::NodeType));
    coloringBox_->addItem(tr("Model"), int(FlameColoring::Model));
    bar->addWidget(coloringBox_);
    bar->addSpacing(16);
    perVisit_ = new QCheckBox(tr("Each visit"), this);
    perVisit_->setToolTip(tr("One frame per node execution instead of one per node"));
    bar->addWidget(perVisit_);
    bar->addStretch();
    hint_ = new QLabel(tr("Click a frame to zoom in \u00b7 Esc zooms out"), this);
    setThemedStyleSheet(hint_, QStringLiteral("color: palette(placeholder-text);"));
    bar->addWidget(hint_);

    crumbs_ = new QWidget(this);
    crumbLayout_ = new QHBoxLayout(crumbs_);
    crumbLayout_->setContentsMargins(0, 0, 0, 0);
    crumbLayout_->setSpacing(0);

    canvas_ = new FlameCanvas(this); // three rows deep at most: no scrolling needed

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(crumbs_);
    layout->addWidget(canvas_, 1);

    connect(metrics_, &QButtonGroup::idClicked, this,
            [this](int id) { setMetric(FlameMetric(id)); });
    connect(coloringBox_, &QComboBox::currentIndexChanged, this, [this](int index) {
        canvas_->setColoring(FlameColoring(coloringBox_->itemData(index).toInt()));
    });
    connect(perVisit_, &QCheckBox::toggled, this, &FlameGraphView::perVisitChanged);
    connect(canvas_, &FlameCanvas::zoomChanged, this, [this](int frame) {
        rebuildBreadcrumb();
        emit zoomChanged(frame);
    });
    connect(canvas_, &FlameCanvas::frameClicked, this, [this](int frame) {
        const auto& b = canvas_->breakdown();
        if (b && frame >= 0 && !b->frames[std::size_t(frame)].node.empty())
            emit nodeActivated(QString::fromStdString(b->frames[std::size_t(frame)].node));
    });
    rebuildBreadcrumb();
}

void FlameGraphView::setBreakdown(std::shared_ptr<const models::CostBreakdown> breakdown)
{
    const bool perVisit = breakdown && breakdown->perVisit;
    if (breakdown && perVisit_->isChecked() != perVisit) {
        const QSignalBlocker block(perVisit_);
        perVisit_->setChecked(perVisit);
    }
    canvas_->setBreakdown(std::move(breakdown));
    rebuildBreadcrumb();
}

const std::shared_ptr<const models::CostBreakdown>& FlameGraphView::breakdown() const
{
    return canvas_->breakdown();
}

models::FlameMetric FlameGraphView::metric() const
{
    return canvas_->metric();
}

FlameColoring FlameGraphView::coloring() const
{
    return canvas_->coloring();
}

bool FlameGraphView::perVisit() const
{
    return perVisit_->isChecked();
}

int FlameGraphView::zoomedFrame() const
{
    return canvas_->zoomedFrame();
}

void FlameGraphView::setMetric(models::FlameMetric metric)
{
    if (auto* button = metrics_->button(int(metric)); button && !button->isChecked())
        button->setChecked(true);
    if (canvas_->metric() == metric)
        return;
    canvas_->setMetric(metric);
    emit metricChanged(metric);
}

void FlameGraphView::setColoring(FlameColoring coloring)
{
    coloringBox_->setCurrentIndex(coloringBox_->findData(int(coloring)));
}

void FlameGraphView::setPerVisit(bool perVisit)
{
    perVisit_->setChecked(perVisit);
}

void FlameGraphView::zoomTo(int frame)
{
    canvas_->zoomTo(frame);
}

void FlameGraphView::zoomOut()
{
    const auto& b = canvas_->breakdown();
    if (b && canvas_->zoomedFrame() > 0)
        canvas_->zoomTo(b->frames[std::size_t(canvas_->zoomedFrame())].parent);
}

QStringList FlameGraphView::breadcrumb() const
{
    QStringList out;
    const auto& b = canvas_->breakdown();
    if (!b || b->frames.empty())
        return out;
    for (int f : b->pathTo(canvas_->zoomedFrame()))
        out << QString::fromStdString(b->frames[std::size_t(f)].label);
    return out;
}

void FlameGraphView::rebuildBreadcrumb()
{
    while (QLayoutItem* item = crumbLayout_->takeAt(0)) {
        if (QWidget* old = item->widget()) { // a crumb may be the sender of this zoom
            old->hide();
            old->deleteLater();
        }
        delete item;
    }
    const auto& b = canvas_->breakdown();
    const std::vector<int> path =
        b && !b->frames.empty() ? b->pathTo(canvas_->zoomedFrame()) : std::vector<int>();
    for (std::size_t k = 0; k < path.size(); ++k) {
        if (k > 0) {
            auto* sep = new QLabel(QStringLiteral("\u203a"), crumbs_);
            sep->setContentsMargins(4, 0, 4, 0);
            crumbLayout_->addWidget(sep);
            sep->setVisible(true);
        }
        auto* crumb = new QToolButton(crumbs_);
        crumb->setAutoRaise(true);
        crumb->setText(QString::fromStdString(b->frames[std::size_t(path[k])].label));
        if (k + 1 == path.size()) {
            QFont bold = crumb->font();
            bold.setBold(true);
            crumb->setFont(bold);
        }
        const int frame = path[k];
        connect(crumb, &QToolButton::clicked, this, [this, frame] { canvas_->zoomTo(frame); });
        crumbLayout_->addWidget(crumb);
        crumb->setVisible(true); // now, not when the layout gets to it
    }
    crumbLayout_->addStretch();
    crumbs_->setVisible(!path.empty());
    crumbLayout_->activate(); // place the new crumbs now, not at the next layout pass
}

} // namespace nexus::widgets
