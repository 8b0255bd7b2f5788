#include "ShortcutsDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nexus::widgets {

ShortcutsDialog::ShortcutsDialog(const QList<models::PaletteEntry>& entries, QWidget* parent)
    : QDialog(parent), search_(new QLineEdit(this)), tree_(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    resize(620, 640);

    auto* intro =
        new QLabel(tr("Every command is also in the command palette: press %1 and "
                      "type its name.")
                       .arg(QKeySequence(Qt::CTRL | Qt::Key_K).toString(QKeySequence::NativeText)),
                   this);
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::PlainText);

    search_->setObjectName(QStringLiteral("shortcutsSearch"));
    search_->setPlaceholderText(
        tr("Search by action or key, e.g. \u201ctrace\u201d or \u201cCtrl+4\u201d"));
    search_->setAccessibleName(tr("Search shortcuts"));
    search_->setToolTip(tr("Filters the list by action name, group or key"));
    search_->setClearButtonEnabled(true);

    tree_->setObjectName(QStringLiteral("shortcutsTree"));
    tree_->setAccessibleName(tr("Keyboard shortcuts"));
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Action"), tr("Shortcut")});
    tree_->setRootIsDecorated(false);
    tree_->setAlternatingRowColors(true);
    tree_->setSelectionMode(QAbstractItemView::NoSelection);
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree_->header()->setStretchLastSection(false);

    QHash<QString, QTreeWidgetItem*> groups;
    QSet<QString> seen;
    for (const models::PaletteEntry& e : entries) {
        if (e.shortcut.isEmpty())
            continue;
        const QString keys = e.shortcut.toString(QKeySequence::NativeText);
        if (seen.contains(e.category + e.text + keys))
            continue;
        seen.insert(e.category + e.text + keys);
        QTreeWidgetItem*& group = groups[e.category];
        if (!group) {
            group = new QTreeWidgetItem(tree_, {e.category});
            QFont bold = group->font(0);
            bold.setBold(true);
            group->setFont(0, bold);
            group->setFirstColumnSpanned(true);
            group->setFlags(Qt::ItemIsEnabled);
        }
        auto* row = new QTreeWidgetItem(group, {e.text, keys});
        row->setToolTip(0, e.path);
        row->setFlags(Qt::ItemIsEnabled);
    }
    tree_->expandAll();

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(search_);
    layout->addWidget(tree_, 1);
    layout->addWidget(buttons);

    connect(search_, &QLineEdit::textChanged, this, &ShortcutsDialog::filter);
    search_->setFocus();
}

void ShortcutsDialog::filter(const QString& text)
{
    const QString needle = text.trimmed();
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = tree_->topLevelItem(g);
        const bool groupMatches = group->text(0).contains(needle, Qt::CaseInsensitive);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem* row = group->child(i);
            const bool match = needle.isEmpty() || groupMatches ||
                               row->text(0).contains(needle, Qt::CaseInsensitive) ||
                               row->text(1).contains(needle, Qt::CaseInsensitive);
            row->setHidden(!match);
            shown += match ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
}

QStringList ShortcutsDialog::shownRows() const
{
    QStringList rows;
    for (int g = 0; g < tree_->topLevelItemCount(); ++g) {
        const QTreeWidgetItem* group = tree_->topLevelItem(g);
        if (group->isHidden())
            continue;
        for (int i = 0; i < group->childCount(); ++i)
            if (!group->child(i)->isHidden())
                rows << group->text(0) + u'|' + group->child(i)->text(0) + u'|' +
                            group->child(i)->text(1);
    }
    return rows;
}

} // namespace nexus::widgets
