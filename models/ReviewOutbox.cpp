#include "models/ReviewOutbox.h"

#include "models/KnowledgeFormat.h"
#include "models/PlainToolTip.h"

#include <QColor>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace nexus::models {

namespace pb = ::nexus::v1;

namespace {

const QString kFormat = QStringLiteral("nexus-review-outbox");
constexpr int kVersion = 1;

QJsonObject toJson(const PendingReview& r)
{
    return QJsonObject{
        {QStringLiteral("requestId"), r.requestId},
        {QStringLiteral("entryId"), r.entryId},
        {QStringLiteral("title"), r.title},
        {QStringLiteral("seenRevision"), r.seenRevision},
        {QStringLiteral("decision"), r.decision},
        {QStringLiteral("comment"), r.comment},
        {QStringLiteral("queuedAtUs"), r.queuedAtUs},
        {QStringLiteral("attempts"), r.attempts},
        {QStringLiteral("lastError"), r.lastError},
        {QStringLiteral("lastAttemptUs"), r.lastAttemptUs},
    };
}

std::optional<PendingReview> fromJson(const QJsonValue& value)
{
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject o = value.toObject();
    PendingReview r;
    r.requestId = o.value(QStringLiteral("requestId")).toString();
    r.entryId = o.value(QStringLiteral("entryId")).toString();
    r.title = o.value(QStringLiteral("title")).toString();
    r.seenRevision = o.value(QStringLiteral("seenRevision")).toInteger();
    r.decision = int(o.value(QStringLiteral("decision")).toInteger());
    r.comment = o.value(QStringLiteral("comment")).toString();
    r.queuedAtUs = o.value(QStringLiteral("queuedAtUs")).toInteger();
    r.attempts = int(o.value(QStringLiteral("attempts")).toInteger());
    r.lastError = o.value(QStringLiteral("lastError")).toString();
    r.lastAttemptUs = o.value(QStringLiteral("lastAttemptUs")).toInteger();
    const bool decided =
        r.decision == pb::REVIEW_DECISION_APPROVE || r.decision == pb::REVIEW_DECISION_REJECT;
    if (r.requestId.isEmpty() || r.entryId.isEmpty() || r.seenRevision <= 0 || !decided)
        return std::nullopt;
    return r;
}

} // namespace

ReviewOutbox::ReviewOutbox(QString filePath, QObject* parent)
    : QAbstractTableModel(parent), filePath_(std::move(filePath))
{
    load();
}

void ReviewOutbox::load()
{
    QFile file(filePath_);
    if (!file.exists())
        return;
    if (!file.open(QIODevice::ReadOnly)) {
        loadProblem_ = moveAside(tr("it could not be opened: %1").arg(file.errorString()));
        return;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    file.close();
    if (error.error != QJsonParseError::NoError) {
        loadProblem_ = moveAside(
            tr("it is not valid JSON (%1 at byte %2)").arg(error.errorString()).arg(error.offset));
        return;
    }
    const QJsonObject root = doc.object();
    if (!doc.isObject() || root.value(QStringLiteral("format")).toString() != kFormat ||
        !root.value(QStringLiteral("reviews")).isArray()) {
        loadProblem_ = moveAside(tr("it is not a list of reviews"));
        return;
    }
    if (const qint64 version = root.value(QStringLiteral("version")).toInteger();
        version != kVersion) {
        loadProblem_ =
            moveAside(tr("it has version %1, this console reads %2").arg(version).arg(kVersion));
        return;
    }
    const QJsonArray items = root.value(QStringLiteral("reviews")).toArray();
    int unreadable = 0;
    for (const QJsonValue& item : items) {
        const auto review = fromJson(item);
        if (!review || find(review->requestId) || findByEntry(review->entryId)) {
            ++unreadable;
            continue;
        }
        reviews_.push_back(*review);
    }
    if (unreadable > 0) {
        loadProblem_ = moveAside(tr("%1 of its %2 reviews could not be read; the other %3 are kept")
                                     .arg(unreadable)
                                     .arg(items.size())
                                     .arg(items.size() - unreadable));
        save(); // the readable ones, in place of the file moved aside
    }
}

// Keeps an unreadable file for a person to look at; returns the sentence
// for loadProblem().
QString ReviewOutbox::moveAside(const QString& why)
{
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString aside = filePath_ + QStringLiteral(".damaged-") + stamp;
    for (int n = 2; QFile::exists(aside); ++n)
        aside = filePath_ + QStringLiteral(".damaged-%1-%2").arg(stamp).arg(n);
    if (QFile::rename(filePath_, aside) || QFile::copy(filePath_, aside))
        return tr("The reviews waiting to be sent (%1) could not be read: %2. The file was "
                  "moved to %3; reviews not listed were not sent.")
            .arg(filePath_, why, aside);
    keepFile_ = true;
    return tr("The reviews waiting to be sent (%1) could not be read: %2. It could not be "
              "moved aside either, so it is left untouched and new reviews are not saved "
              "until it is moved or removed.")
        .arg(filePath_, why);
}

void ReviewOutbox::save()
{
    if (keepFile_) {
        saveProblem_ = tr("Reviews waiting to be sent are not saved: %1 could not be read and "
                          "is kept as it is. They are kept until the console closes.")
                           .arg(filePath_);
        return;
    }
    QJsonArray items;
    for (const PendingReview& r : reviews_)
        items.append(toJson(r));
    const QJsonObject root{{QStringLiteral("format"), kFormat},
                           {QStringLiteral("version"), kVersion},
                           {QStringLiteral("reviews"), items}};
    QDir().mkpath(QFileInfo(filePath_).absolutePath());
    QSaveFile file(filePath_);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
        if (file.commit()) {
            saveProblem_.clear();
            return;
        }
    }
    saveProblem_ = tr("Could not save the reviews waiting to be sent to %1: %2. They are kept "
                      "until the console closes.")
                       .arg(filePath_, file.errorString());
}

int ReviewOutbox::rowOf(const QString& requestId) const
{
    for (std::size_t i = 0; i < reviews_.size(); ++i)
        if (reviews_[i].requestId == requestId)
            return int(i);
    return -1;
}

bool ReviewOutbox::add(const PendingReview& review)
{
    if (review.requestId.isEmpty() || review.entryId.isEmpty() || find(review.requestId) ||
        findByEntry(review.entryId))
        return false;
    const int row = size();
    beginInsertRows({}, row, row);
    reviews_.push_back(review);
    endInsertRows();
    save();
    emit changed();
    return true;
}

bool ReviewOutbox::remove(const QString& requestId)
{
    const int row = rowOf(requestId);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    reviews_.erase(reviews_.begin() + row);
    endRemoveRows();
    save();
    emit changed();
    return true;
}

bool ReviewOutbox::markAttempt(const QString& requestId, const QString& error, qint64 nowUs)
{
    const int row = rowOf(requestId);
    if (row < 0)
        return false;
    PendingReview& r = reviews_[std::size_t(row)];
    ++r.attempts;
    r.lastError = error;
    r.lastAttemptUs = nowUs;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    save();
    emit changed();
    return true;
}

std::optional<PendingReview> ReviewOutbox::find(const QString& requestId) const
{
    const int row = rowOf(requestId);
    return row < 0 ? std::nullopt : std::optional(reviews_[std::size_t(row)]);
}

std::optional<PendingReview> ReviewOutbox::findByEntry(const QString& entryId) const
{
    for (const PendingReview& r : reviews_)
        if (r.entryId == entryId)
            return r;
    return std::nullopt;
}

int ReviewOutbox::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : size();
}

int ReviewOutbox::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReviewOutbox::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PendingReview& r = reviews_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Entry:
            return r.title.isEmpty() ? r.entryId : r.title;
        case Decision:
            return knowledgefmt::decisionName(pb::ReviewDecision(r.decision));
        case Comment:
            return r.comment;
        case Queued:
            return knowledgefmt::timestamp(r.queuedAtUs);
        case Attempts:
            return r.attempts;
        case LastError:
            return r.lastError;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == LastError && r.attempts > 0)
            return plainToolTip(tr("Attempt %1 at %2: %3")
                                    .arg(r.attempts)
                                    .arg(knowledgefmt::timestamp(r.lastAttemptUs), r.lastError));
        return tr("Entry %1, revision %2; request id %3")
            .arg(r.entryId)
            .arg(r.seenRevision)
            .arg(r.requestId);
    case Qt::ForegroundRole:
        if (index.column() == LastError && r.attempts > 0)
            return QColor(0xb3, 0x6b, 0x00);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Attempts)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RequestIdRole:
        return r.requestId;
    case EntryIdRole:
        return r.entryId;
    default:
        return {};
    }
}

QVariant ReviewOutbox::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Entry:
        return tr("Entry");
    case Decision:
        return tr("Decision");
    case Comment:
        return tr("Comment");
    case Queued:
        return tr("Queued");
    case Attempts:
        return tr("Attempts");
    case LastError:
        return tr("Last error");
    default:
        return {};
    }
}

} // namespace nexus::models
