#include "widgets/InstanceChips.h"

#include "models/ComparisonModel.h"
#include "widgets/ThemeStyle.h"

#include <QContextMenuEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPixmap>
#include <QToolButton>
#include <QVBoxLayout>

namespace nexus::widgets {
namespace {

// Tooltips are rich text when they look like it; an instance id must not be.
QString plainToolTip(const QString& text)
{
    return QStringLiteral("<p style='white-space:pre'>") + text.toHtmlEscaped() +
           QStringLiteral("</p>");
}

// A chip that offers its own context menu.
class Chip : public QFrame
{
public:
    Chip(const QString& id, bool baseline, InstanceChips* owner)
        : QFrame(owner), id_(id), baseline_(baseline), owner_(owner)
    {}

protected:
    void contextMenuEvent(QContextMenuEvent* event) override
    {
        QMenu menu(this);
        QAction* makeBaseline = menu.addAction(InstanceChips::tr("Use as baseline"));
        makeBaseline->setEnabled(!baseline_);
        QAction* remove = menu.addAction(InstanceChips::tr("Remove from comparison"));
        QAction* chosen = menu.exec(event->globalPos());
        if (chosen == makeBaseline)
            emit owner_->baselineRequested(id_);
        else if (chosen == remove)
            emit owner_->removeRequested(id_);
    }

private:
    QString id_;
    bool baseline_;
    InstanceChips* owner_;
};

} // namespace

InstanceChips::InstanceChips(QWidget* parent) : QWidget(parent)
{
    layout_ = new QVBoxLayout(this);
    layout_->setContentsMargins(0, 0, 0, 0);
    layout_->setSpacing(4);
}

void InstanceChips::setInstances(const QStringList& ids)
{
    if (ids == ids_ && !ids.isEmpty() == (layout_->count() > 0))
        return;
    ids_ = ids;
    // Rows of chips: take every row layout apart, chips included.
    while (QLayoutItem* row = layout_->takeAt(0)) {
        if (QLayout* chips = row->layout())
            while (QLayoutItem* chip = chips->takeAt(0)) {
                delete chip->widget();
                delete chip;
            }
        delete row;
    }
    // More than five chips take two rows, so eight fit a laptop's width.
    const int perRow = ids_.size() > 5 ? int(ids_.size() + 1) / 2 : int(ids_.size());
    QHBoxLayout* row = nullptr;
    for (int i = 0; i < ids_.size(); ++i) {
        if (i % perRow == 0) {
            if (row)
                row->addStretch();
            row = new QHBoxLayout;
            row->setSpacing(6);
            layout_->addLayout(row);
        }
        row->addWidget(makeChip(i));
    }
    if (row)
        row->addStretch();
}

QWidget* InstanceChips::makeChip(int index)
{
    const QString id = ids_[index];
    const bool baseline = index == 0;
    const QColor color = nexus::models::ComparisonModel::instanceColor(index);
    auto* chip = new Chip(id, baseline, this);
    chip->setObjectName(QStringLiteral("comparisonChip"));
    setThemedStyleSheet(chip,
                        QStringLiteral("#comparisonChip { border: 1px solid %1; border-radius: "
                                       "11px; background: palette(base); }")
                            .arg(baseline ? color.name() : QStringLiteral("#c4c7cc")));
    chip->setToolTip(baseline ? tr("Baseline: every delta is against this instance")
                              : tr("Right-click to make this the baseline"));
    auto* row = new QHBoxLayout(chip);
    row->setContentsMargins(8, 2, 2, 2);
    row->setSpacing(5);

    // Drawn at the screen's pixel density: sharp at 200 % scaling too.
    const qreal dpr = chip->devicePixelRatioF();
    QPixmap swatch(QSize(12, 12) * dpr);
    swatch.setDevicePixelRatio(dpr);
    swatch.fill(color);
    auto* sw = new QLabel(chip);
    sw->setPixmap(swatch);
    row->addWidget(sw);

    auto* name = new QLabel(id, chip);
    name->setTextFormat(Qt::PlainText);
    if (baseline) {
        QFont bold = name->font();
        bold.setBold(true);
        name->setFont(bold);
    }
    row->addWidget(name);
    if (baseline) {
        auto* tag = new QLabel(tr("baseline"), chip);
        tag->setTextFormat(Qt::PlainText);
        setThemedStyleSheet(tag, QStringLiteral("color: #5f6368; font-style: italic;"));
        row->addWidget(tag);
    }
    auto* remove = new QToolButton(chip);
    remove->setObjectName(QStringLiteral("removeInstance"));
    remove->setText(QStringLiteral("\u2715"));
    remove->setAutoRaise(true);
    remove->setToolTip(plainToolTip(tr("Remove %1 from the comparison").arg(id)));
    remove->setAccessibleName(tr("Remove %1").arg(id));
    remove->setProperty("instanceId", id);
    connect(remove, &QToolButton::clicked, this, [this, id] { emit removeRequested(id); });
    row->addWidget(remove);
    return chip;
}

} // namespace nexus::widgets
