#include "models/StateDiffModel.h"

#include <QBrush>
#include <QColor>

namespace nexus::models {

namespace {

QString dumpCompact(const json& value)
{
    return QString::fromStdString(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

QString elided(const QString& text, int chars)
{
    if (text.size() <= chars)
        return text;
    return text.left(chars) + QChar(0x2026);
}

QColor kindColor(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Added:
        return QColor(0x2e, 0x7d, 0x32);
    case ChangeKind::Removed:
        return QColor(0xc6, 0x28, 0x28);
    case ChangeKind::Changed:
        break;
    }
    return QColor(0xb2, 0x6a, 0x00);
}

} // namespace

StateDiffModel::StateDiffModel(QObject* parent) : QAbstractTableModel(parent) {}

QString StateDiffModel::kindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Added:
        return QStringLiteral("added");
    case ChangeKind::Removed:
        return QStringLiteral("removed");
    case ChangeKind::Changed:
        break;
    }
    return QStringLiteral("changed");
}

void StateDiffModel::setChanges(std::vector<PathChange> changes)
{
    beginResetModel();
    changes_ = std::move(changes);
    texts_.assign(changes_.size(), std::nullopt);
    added_ = removed_ = changed_ = 0;
    for (const PathChange& c : changes_) {
        if (c.kind == ChangeKind::Added)
            ++added_;
        else if (c.kind == ChangeKind::Removed)
            ++removed_;
        else
            ++changed_;
    }
    endResetModel();
}

void StateDiffModel::clear()
{
    setChanges({});
}

QString StateDiffModel::summary() const
{
    return QStringLiteral("%1 added, %2 changed, %3 removed")
        .arg(added_)
        .arg(changed_)
        .arg(removed_);
}

const StateDiffModel::Texts& StateDiffModel::texts(int row) const
{
    auto& slot = texts_[std::size_t(row)];
    if (!slot) {
        const PathChange& c = changes_[std::size_t(row)];
        Texts t;
        if (c.kind != ChangeKind::Added)
            t.before = dumpCompact(c.before);
        if (c.kind != ChangeKind::Removed)
            t.after = dumpCompact(c.after);
        slot = std::move(t);
    }
    return *slot;
}

int StateDiffModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(changes_.size());
}

int StateDiffModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StateDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ChangeColumn:
        return QStringLiteral("Change");
    case PathColumn:
        return QStringLiteral("Path");
    case BeforeColumn:
        return QStringLiteral("Before");
    case AfterColumn:
        return QStringLiteral("After");
    default:
        return {};
    }
}

QVariant StateDiffModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PathChange& c = changes_[std::size_t(index.row())];
    const QString path = QString::fromStdString(c.path);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ChangeColumn:
            return kindName(c.kind);
        case PathColumn:
            return path.isEmpty() ? QStringLiteral("(document)") : path;
        case BeforeColumn:
            return elided(texts(index.row()).before, kDisplayChars);
        case AfterColumn:
            return elided(texts(index.row()).after, kDisplayChars);
        }
        return {};
    case Qt::ToolTipRole: {
        // Plain text; the view must not interpret it as markup.
        QString text;
        if (index.column() == BeforeColumn)
            text = texts(index.row()).before;
        else if (index.column() == AfterColumn)
            text = texts(index.row()).after;
        else
            text = path;
        if (text.size() > kToolTipChars)
            text = text.left(kToolTipChars) +
                   QStringLiteral("\n… (%1 more characters)").arg(text.size() - kToolTipChars);
        return text;
    }
    case Qt::ForegroundRole:
        if (index.column() == ChangeColumn)
            return QBrush(kindColor(c.kind));
        return {};
    case ChangeKindRole:
        return int(c.kind);
    case PathRole:
        return path;
    case BeforeJsonRole:
        return texts(index.row()).before;
    case AfterJsonRole:
        return texts(index.row()).after;
    default:
        return {};
    }
}

} // namespace nexus::models
