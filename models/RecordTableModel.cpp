#include "models/RecordTableModel.h"

#include "models/PlainToolTip.h"
#include "protocol/Dstrace.h"
#include "protocol/Framing.h"

#include <QBrush>
#include <QDateTime>
#include <QFile>
#include <QPalette>

#include <fstream>

namespace nexus::models {

namespace {

namespace proto = nexus::protocol;

QString detailOf(const proto::ds::DashStreamMessage& m)
{
    if (m.has_event()) {
        const auto& e = m.event();
        QString s = QString::fromLatin1(proto::eventTypeName(e.event_type()));
        if (!e.node_id().empty())
            s += QLatin1Char(' ') + QString::fromStdString(e.node_id());
        return s;
    }
    if (m.has_state_diff())
        return QObject::tr("%n operation(s)", nullptr, m.state_diff().operations_size()) +
               (m.state_diff().full_state().empty() ? QString() : QObject::tr(", full state"));
    if (m.has_event_batch())
        return QObject::tr("%n event(s)", nullptr, m.event_batch().events_size());
    if (m.has_token_chunk())
        return QString::fromStdString(m.token_chunk().text()).left(80);
    if (m.has_tool_execution())
        return QString::fromStdString(m.tool_execution().tool_name());
    if (m.has_metrics())
        return QString::fromStdString(m.metrics().scope() + ' ' + m.metrics().scope_id());
    if (m.has_error())
        return QString::fromStdString(m.error().message()).left(120);
    return {};
}

RecordRow badRow(quint64 index, const proto::Error& error, int bytes)
{
    RecordRow row;
    row.index = index;
    row.kind = QStringLiteral("error");
    row.detail = QString::fromStdString(error.message);
    row.bytes = bytes;
    row.bad = true;
    return row;
}

} // namespace

RecordTableModel::RecordTableModel(QObject* parent) : QAbstractTableModel(parent) {}

RecordFile RecordTableModel::loadFile(const QString& path, const std::atomic<bool>* cancel)
{
    RecordFile result;
    std::ifstream in(QFile::encodeName(path).toStdString(), std::ios::binary);
    if (!in) {
        result.error = tr("Cannot open %1").arg(path);
        return result;
    }
    proto::DstraceReader reader(in);
    proto::RecordDecoder decoder;
    proto::ds::DashStreamMessage message;
    quint64 index = 0;
    while (auto next = reader.next()) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            result.cancelled = true;
            break;
        }
        if (!next->ok()) {
            result.rows.push_back(badRow(index++, next->error(), 0));
            ++result.badRecords;
            continue;
        }
        const auto& record = next->value();
        const int bytes = static_cast<int>(record.value.size());
        auto info = decoder.decode(record.value, message);
        if (!info) {
            result.rows.push_back(badRow(index++, info.error(), bytes));
            ++result.badRecords;
            continue;
        }
        RecordRow row;
        row.index = index++;
        row.kind = QString::fromLatin1(proto::kindName(proto::kindOf(message)));
        if (const auto* h = proto::headerOf(message)) {
            row.timestampUs = h->timestamp_us();
            row.threadId = QString::fromStdString(h->thread_id());
            row.sequence = h->sequence();
        }
        row.detail = detailOf(message);
        row.bytes = bytes;
        result.rows.push_back(std::move(row));
    }
    return result;
}

void RecordTableModel::setRecords(QVector<RecordRow> rows)
{
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int RecordTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RecordTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecordTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RecordRow& r = rows_.at(index.row());
    if (role == Qt::ForegroundRole && r.bad)
        return QBrush(Qt::red);
    if (role == Qt::TextAlignmentRole) {
        const int c = index.column();
        return c == Index || c == Sequence || c == Bytes
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    }
    if (role == Qt::ToolTipRole)
        return plainToolTip(data(index, Qt::DisplayRole));
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Index:
        return r.index;
    case Time:
        return r.timestampUs ? QDateTime::fromMSecsSinceEpoch(r.timestampUs / 1000, Qt::UTC)
                                   .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
                             : QString();
    case Kind:
        return r.kind;
    case Thread:
        return r.threadId;
    case Sequence:
        return r.sequence ? QVariant(r.sequence) : QVariant();
    case Detail:
        return r.detail;
    case Bytes:
        return r.bytes;
    }
    return {};
}

QVariant RecordTableModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Index:
        return tr("#");
    case Time:
        return tr("Time (UTC)");
    case Kind:
        return tr("Kind");
    case Thread:
        return tr("Thread");
    case Sequence:
        return tr("Seq");
    case Detail:
        return tr("Detail");
    case Bytes:
        return tr("Bytes");
    }
    return {};
}

} // namespace nexus::models
