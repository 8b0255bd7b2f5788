#include "widgets/KnowledgeCountsBar.h"

#include "models/KnowledgeFormat.h"
#include "widgets/KnowledgeBadges.h"
#include "widgets/ThemeStyle.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QToolButton>

namespace nexus::widgets {

namespace pb = nexus::v1;
namespace fmt = nexus::models::knowledgefmt;

namespace {

constexpr pb::KnowledgeStatus kStatuses[] = {
    pb::KNOWLEDGE_STATUS_PENDING, pb::KNOWLEDGE_STATUS_APPROVED, pb::KNOWLEDGE_STATUS_REJECTED,
    pb::KNOWLEDGE_STATUS_SUPERSEDED};

QString chipStyle(const knowledgeui::BadgeColors& colors)
{
    // Outlined when inactive, filled with the status colour when active.
    return QStringLiteral("QToolButton { color: %1; background: palette(base); border: 1px solid "
                          "%2; border-radius: 11px; padding: 2px 10px; }"
                          "QToolButton:hover { background: %3; }"
                          "QToolButton:checked { background: %3; border: 2px solid %1; "
                          "font-weight: bold; }")
        .arg(colors.foreground.name(), colors.foreground.lighter(250).name(),
             colors.background.name());
}

} // namespace

KnowledgeCountsBar::KnowledgeCountsBar(QWidget* parent) : QWidget(parent)
{
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);
    group_ = new QButtonGroup(this);
    group_->setExclusive(true);
    QStringList keys{QString()};
    for (auto status : kStatuses)
        keys << fmt::statusKey(status);
    for (const QString& key : keys) {
        auto* chip = new QToolButton(this);
        chip->setObjectName(key.isEmpty() ? QStringLiteral("chip_all")
                                          : QStringLiteral("chip_") + key);
        chip->setCheckable(true);
        chip->setAutoRaise(false);
        chip->setCursor(Qt::PointingHandCursor);
        setThemedStyleSheet(chip, chipStyle(knowledgeui::statusColors(key)));
        chip->setToolTip(key.isEmpty()
                             ? tr("Show entries of every status")
                             : tr("Show only %1 entries")
                                   .arg(fmt::statusName(*fmt::statusFromKey(key)).toLower()));
        group_->addButton(chip);
        connect(chip, &QToolButton::clicked, this, [this, key] { emit statusClicked(key); });
        chips_.insert(key, chip);
        row->addWidget(chip);
    }
    row->addStretch();
    setCounts({});
    setActiveStatus({});
}

void KnowledgeCountsBar::setCounts(const QMap<QString, qint64>& counts)
{
    qint64 all = 0;
    for (auto status : kStatuses) {
        const QString key = fmt::statusKey(status);
        const qint64 n = counts.value(key, 0);
        all += n;
        chips_.value(key)->setText(QStringLiteral("%1 %2").arg(fmt::statusName(status)).arg(n));
    }
    chips_.value(QString())->setText(tr("All %1").arg(all));
}

void KnowledgeCountsBar::setActiveStatus(const QString& key)
{
    if (QAbstractButton* chip = chips_.value(key))
        chip->setChecked(true);
}

QString KnowledgeCountsBar::activeStatus() const
{
    for (auto it = chips_.cbegin(); it != chips_.cend(); ++it)
        if (it.value()->isChecked())
            return it.key();
    return {};
}

QAbstractButton* KnowledgeCountsBar::chip(const QString& key) const
{
    return chips_.value(key);
}

QString KnowledgeCountsBar::chipText(const QString& key) const
{
    QAbstractButton* c = chip(key);
    return c ? c->text() : QString();
}

} // namespace nexus::widgets
