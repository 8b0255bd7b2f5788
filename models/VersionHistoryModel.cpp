#include "models/VersionHistoryModel.h"

#include "models/KnowledgeFormat.h"
#include "models/PlainToolTip.h"
#include "models/RolloutFormat.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace nexus::models {

namespace pb = ::nexus::v1;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString shortId(const std::string& id)
{
    return qs(id.substr(0, 8));
}

bool newerVersion(const pb::OptimizationVersion& a, const pb::OptimizationVersion& b)
{
    if (a.created_us() != b.created_us())
        return a.created_us() > b.created_us();
    return a.version_id() > b.version_id();
}

bool newerRollout(const pb::Rollout& a, const pb::Rollout& b)
{
    if (a.created_us() != b.created_us())
        return a.created_us() > b.created_us();
    return a.rollout_id() > b.rollout_id();
}

// When a finished rollout ended: its closing history event, else its last change.
std::int64_t endedUs(const pb::Rollout& r)
{
    const char* kind = r.phase() == pb::ROLLOUT_PHASE_PROMOTED  ? "promoted"
                       : r.phase() == pb::ROLLOUT_PHASE_ABORTED ? "aborted"
                                                                : "rolled_back";
    for (auto it = r.history().rbegin(); it != r.history().rend(); ++it)
        if (it->kind() == kind)
            return it->at_us();
    return r.updated_us();
}

// The gist of a reason: up to its first colon ("quality guardrail…").
QString reasonGist(const std::string& reason)
{
    constexpr int kMax = 48;
    const QString full = qs(reason).simplified();
    QString gist = full.section(QLatin1Char(':'), 0, 0).trimmed();
    if (gist.size() > kMax)
        gist = gist.left(kMax - 1).trimmed();
    return gist.size() < full.size() ? gist + QStringLiteral("…") : gist;
}

} // namespace

VersionHistoryModel::VersionHistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void VersionHistoryModel::setVersions(const std::vector<pb::OptimizationVersion>& versions)
{
    beginResetModel();
    rows_ = versions;
    std::stable_sort(rows_.begin(), rows_.end(), newerVersion);
    endResetModel();
}

void VersionHistoryModel::setRollouts(const std::vector<pb::Rollout>& rollouts)
{
    rollouts_ = rollouts;
    std::stable_sort(rollouts_.begin(), rollouts_.end(), newerRollout);
    rolloutsByVersion_.clear();
    for (std::size_t i = 0; i < rollouts_.size(); ++i)
        rolloutsByVersion_[rollouts_[i].version_id()].push_back(i);
    rolloutsChanged();
}

void VersionHistoryModel::clear()
{
    beginResetModel();
    rows_.clear();
    rollouts_.clear();
    rolloutsByVersion_.clear();
    endResetModel();
}

void VersionHistoryModel::rolloutsChanged()
{
    if (!rows_.empty())
        emit dataChanged(index(0, Rollouts), index(rowCount() - 1, Rollouts));
}

void VersionHistoryModel::setNowUs(std::int64_t nowUs)
{
    nowUs_ = nowUs;
    rolloutsChanged();
}

std::int64_t VersionHistoryModel::currentUs() const
{
    return nowUs_ != 0 ? nowUs_ : QDateTime::currentMSecsSinceEpoch() * 1000;
}

const pb::OptimizationVersion& VersionHistoryModel::versionAt(int row) const
{
    Q_ASSERT(row >= 0 && row < rowCount());
    return rows_[std::size_t(row)];
}

int VersionHistoryModel::rowOf(const QString& versionId) const
{
    const std::string id = versionId.toStdString();
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].version_id() == id)
            return int(i);
    return -1;
}

QString VersionHistoryModel::liveVersionId() const
{
    for (const pb::OptimizationVersion& v : rows_)
        if (v.state() == pb::VERSION_STATE_LIVE)
            return qs(v.version_id());
    return {};
}

QString VersionHistoryModel::graphName() const
{
    return rows_.empty() ? QString() : qs(rows_.front().graph_name());
}

QString VersionHistoryModel::nodeId() const
{
    return rows_.empty() ? QString() : qs(rows_.front().node_id());
}

const pb::Rollout* VersionHistoryModel::activeRollout() const
{
    if (rows_.empty())
        return nullptr;
    const std::string& graph = rows_.front().graph_name();
    for (const pb::Rollout& r : rollouts_) {
        if (!rolloutfmt::isActive(r.phase()))
            continue;
        if (r.graph_name() == graph || rowOf(qs(r.version_id())) >= 0)
            return &r;
    }
    return nullptr;
}

QString VersionHistoryModel::restoreBlockedReason(int row) const
{
    if (row < 0 || row >= rowCount())
        return tr("No version is selected.");
    const pb::OptimizationVersion& v = rows_[std::size_t(row)];
    const QString id = shortId(v.version_id());
    switch (v.state()) {
    case pb::VERSION_STATE_RETIRED:
        break;
    case pb::VERSION_STATE_LIVE:
        return tr("Version %1 is already live.").arg(id);
    case pb::VERSION_STATE_CANDIDATE:
        return tr("Version %1 has never been live: launch a rollout of it instead.").arg(id);
    case pb::VERSION_STATE_CANARY:
        return tr("Version %1 is being canaried: promote or abort its rollout instead.").arg(id);
    case pb::VERSION_STATE_ROLLED_BACK:
        return tr("Version %1 was rolled back and cannot be live again: make a new version.")
            .arg(id);
    default:
        return tr("Version %1 is in an unknown state.").arg(id);
    }
    if (const pb::Rollout* active = activeRollout())
        return tr("%1 has an active rollout (%2, %3 at %4 %): restore when it has ended.")
            .arg(qs(active->graph_name()), shortId(active->rollout_id()),
                 rolloutfmt::phaseName(active->phase()).toLower())
            .arg(active->weight_percent());
    return {};
}

QString VersionHistoryModel::rolloutSummary(const pb::Rollout& r) const
{
    auto when = [this](std::int64_t us) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(us / 1000);
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(currentUs() / 1000);
        return at.date() == now.date() ? at.toString(QStringLiteral("HH:mm"))
                                       : at.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    };
    switch (r.phase()) {
    case pb::ROLLOUT_PHASE_PROGRESSING:
        return tr("canary at %1 % now").arg(r.weight_percent());
    case pb::ROLLOUT_PHASE_PAUSED:
        return tr("canary at %1 % now (paused)").arg(r.weight_percent());
    case pb::ROLLOUT_PHASE_PROMOTED:
        return tr("promoted %1").arg(when(endedUs(r)));
    case pb::ROLLOUT_PHASE_ABORTED:
    case pb::ROLLOUT_PHASE_ROLLED_BACK: {
        const QString verb =
            r.phase() == pb::ROLLOUT_PHASE_ABORTED ? tr("aborted") : tr("rolled back");
        const QString head = QStringLiteral("%1 %2").arg(verb, when(endedUs(r)));
        return r.reason().empty() ? head
                                  : QStringLiteral("%1: %2").arg(head, reasonGist(r.reason()));
    }
    default:
        return rolloutfmt::phaseName(r.phase()).toLower();
    }
}

QString VersionHistoryModel::rolloutsToolTip(const std::string& versionId) const
{
    const auto it = rolloutsByVersion_.find(versionId);
    if (it == rolloutsByVersion_.end())
        return tr("Never rolled out.");
    QStringList lines;
    for (std::size_t i : it->second) {
        const pb::Rollout& r = rollouts_[i];
        QString line = QStringLiteral("%1  %2, launched %3")
                           .arg(shortId(r.rollout_id()), rolloutfmt::phaseName(r.phase()),
                                knowledgefmt::timestamp(r.created_us()));
        if (rolloutfmt::isActive(r.phase()))
            line += tr(", now at %1 %").arg(r.weight_percent());
        else
            line += tr(", ended %1").arg(knowledgefmt::timestamp(endedUs(r)));
        if (!r.reason().empty() && !rolloutfmt::isActive(r.phase()))
            line += QStringLiteral(": ") + qs(r.reason());
        lines << line;
    }
    return lines.join(QLatin1Char('\n'));
}

int VersionHistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int VersionHistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VersionHistoryModel::display(const pb::OptimizationVersion& v, int column) const
{
    switch (column) {
    case Version:
        return shortId(v.version_id());
    case State:
        return rolloutfmt::versionStateName(v.state());
    case Description:
        return qs(v.description());
    case FromEntry:
        return shortId(v.source_entry_id());
    case Created:
        return knowledgefmt::timestamp(v.created_us());
    case Rollouts: {
        const auto it = rolloutsByVersion_.find(v.version_id());
        return it == rolloutsByVersion_.end() ? QString()
                                              : rolloutSummary(rollouts_[it->second.front()]);
    }
    default:
        return {};
    }
}

QVariant VersionHistoryModel::toolTip(const pb::OptimizationVersion& v, int column) const
{
    switch (column) {
    case Version:
        return v.content().empty()
                   ? qs(v.version_id())
                   : QStringLiteral("%1\n\n%2").arg(qs(v.version_id()), qs(v.content()));
    case FromEntry:
        return v.source_entry_id().empty() ? tr("Not made from a knowledge entry")
                                           : qs(v.source_entry_id());
    case Rollouts:
        return rolloutsToolTip(v.version_id());
    default:
        return display(v, column);
    }
}

QVariant VersionHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const pb::OptimizationVersion& v = rows_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return display(v, index.column());
    case Qt::ToolTipRole:
        return plainToolTip(toolTip(v, index.column()));
    case Qt::FontRole:
        if (v.state() == pb::VERSION_STATE_LIVE) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::BackgroundRole:
        if (v.state() == pb::VERSION_STATE_LIVE)
            return rolloutfmt::phaseColor(pb::ROLLOUT_PHASE_PROMOTED); // green
        if (v.state() == pb::VERSION_STATE_CANARY)
            return rolloutfmt::phaseColor(pb::ROLLOUT_PHASE_PROGRESSING); // blue
        return {};
    case Qt::ForegroundRole:
        if (v.state() == pb::VERSION_STATE_LIVE || v.state() == pb::VERSION_STATE_CANARY)
            return QColor(0x20, 0x21, 0x24);
        return {};
    case VersionIdRole:
        return qs(v.version_id());
    case StateRole:
        return int(v.state());
    case CreatedUsRole:
        return qint64(v.created_us());
    default:
        return {};
    }
}

QVariant VersionHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Version:
        return tr("Version");
    case State:
        return tr("State");
    case Description:
        return tr("Description");
    case FromEntry:
        return tr("From entry");
    case Created:
        return tr("Created");
    case Rollouts:
        return tr("Rollouts");
    default:
        return {};
    }
}

} // namespace nexus::models
