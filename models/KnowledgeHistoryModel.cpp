#include "models/KnowledgeHistoryModel.h"

#include "models/KnowledgeFormat.h"
#include "models/PlainToolTip.h"

#include <QColor>
#include <QFont>

#include <algorithm>
#include <google/protobuf/util/message_differencer.h>

namespace nexus::models {

namespace pb = ::nexus::v1;
namespace fmt = knowledgefmt;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

// Collects the names of the changed leaf fields, each once, in the order the
// differencer visits them (field number order).
class FieldNames : public MessageDifferencer::Reporter
{
public:
    void ReportAdded(const Message&, const Message&,
                     const std::vector<MessageDifferencer::SpecificField>& path) override
    {
        note(path, true);
    }
    void ReportDeleted(const Message&, const Message&,
                       const std::vector<MessageDifferencer::SpecificField>& path) override
    {
        note(path, true);
    }
    void ReportModified(const Message&, const Message&,
                        const std::vector<MessageDifferencer::SpecificField>& path) override
    {
        note(path, false);
    }

    std::vector<const FieldDescriptor*> fields;

private:
    void note(const std::vector<MessageDifferencer::SpecificField>& path, bool whole)
    {
        if (path.empty() || !path.back().field)
            return;
        const FieldDescriptor* field = path.back().field;
        // A modified message is reported after its changed fields: those
        // say more. An added or removed one (the detail's kind changed) is named.
        if (!whole && field->type() == FieldDescriptor::TYPE_MESSAGE)
            return;
        if (std::find(fields.begin(), fields.end(), field) == fields.end())
            fields.push_back(field);
    }
};

QString fieldLabel(const FieldDescriptor* field)
{
    return qs(field->name()).replace(QLatin1Char('_'), QLatin1Char(' '));
}

QColor decisionColor(int decision)
{
    return decision == pb::REVIEW_DECISION_REJECT ? QColor(0xc6, 0x28, 0x28)
                                                  : QColor(0x1e, 0x7e, 0x34);
}

} // namespace

KnowledgeHistoryModel::KnowledgeHistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

QStringList KnowledgeHistoryModel::changedFields(const pb::KnowledgeEntry& before,
                                                 const pb::KnowledgeEntry& after)
{
    const auto* descriptor = pb::KnowledgeEntry::descriptor();
    MessageDifferencer differencer;
    for (const char* ignored : {"entry_id", "revision", "created_us", "updated_us"})
        differencer.IgnoreField(descriptor->FindFieldByName(ignored));
    FieldNames names;
    differencer.ReportDifferencesTo(&names);
    differencer.Compare(before, after);

    QStringList out;
    const FieldDescriptor* status = descriptor->FindFieldByName("status");
    for (const FieldDescriptor* field : names.fields) {
        if (field == status)
            out << QStringLiteral("status (%1 \u2192 %2)")
                       .arg(fmt::statusName(before.status()), fmt::statusName(after.status()));
        else
            out << fieldLabel(field);
    }
    return out;
}

void KnowledgeHistoryModel::setHistory(const pb::GetEntryResponse& response)
{
    beginResetModel();
    rows_.clear();
    entryId_ = qs(response.entry().entry_id());

    std::vector<const pb::KnowledgeEntry*> revisions;
    for (const pb::KnowledgeEntry& r : response.revisions())
        if (r.revision() < response.entry().revision())
            revisions.push_back(&r);
    revisions.push_back(&response.entry());

    auto reviewerOf = [&](qint64 revision) -> QString {
        for (const pb::Review& review : response.reviews())
            if (review.revision() == revision)
                return qs(review.reviewer());
        return {};
    };

    for (std::size_t i = 0; i < revisions.size(); ++i) {
        const pb::KnowledgeEntry& rev = *revisions[i];
        Row row;
        row.revision = rev.revision();
        row.isCurrent = i + 1 == revisions.size();
        const QString name = row.isCurrent ? tr("Revision %1 (current)").arg(rev.revision())
                                           : tr("Revision %1").arg(rev.revision());
        if (i == 0 && rev.revision() <= 1) {
            row.whenUs = rev.created_us();
            row.who = fmt::sourceOf(rev);
            row.what = tr("%1 \u2014 created").arg(name);
        } else {
            row.whenUs = rev.updated_us() > 0 ? rev.updated_us() : rev.created_us();
            row.who = reviewerOf(rev.revision() - 1);
            const QStringList changed =
                i == 0 ? QStringList() : changedFields(*revisions[i - 1], rev);
            row.what = changed.isEmpty() ? name : tr("%1 \u2014 %2").arg(name, changed.join(", "));
        }
        rows_.push_back(std::move(row));
    }
    for (const pb::Review& review : response.reviews()) {
        Row row;
        row.whenUs = review.reviewed_us();
        row.who = qs(review.reviewer());
        row.what = tr("%1 %2 revision %3")
                       .arg(qs(review.reviewer()), fmt::decisionName(review.decision()).toLower())
                       .arg(review.revision());
        row.comment = qs(review.comment());
        row.revision = review.revision();
        row.isReview = true;
        row.decision = review.decision();
        rows_.push_back(std::move(row));
    }
    // Time order; a review comes before the revision it produced.
    std::stable_sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
        if (a.whenUs != b.whenUs)
            return a.whenUs < b.whenUs;
        return a.revision * 2 + (a.isReview ? 1 : 0) < b.revision * 2 + (b.isReview ? 1 : 0);
    });
    endResetModel();
}

void KnowledgeHistoryModel::clear()
{
    beginResetModel();
    rows_.clear();
    entryId_.clear();
    endResetModel();
}

int KnowledgeHistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int KnowledgeHistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KnowledgeHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = rows_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case When:
            return fmt::timestamp(row.whenUs);
        case Who:
            return row.who;
        case What:
            return row.what;
        case Comment:
            return row.comment;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return plainToolTip(row.comment.isEmpty()
                                ? row.what
                                : QStringLiteral("%1\n\n%2").arg(row.what, row.comment));
    case Qt::ForegroundRole:
        if (row.isReview && index.column() == What)
            return decisionColor(row.decision);
        return {};
    case Qt::FontRole:
        if (row.isCurrent && index.column() == What) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case RevisionRole:
        return row.revision;
    case IsReviewRole:
        return row.isReview;
    case WhenUsRole:
        return row.whenUs;
    default:
        return {};
    }
}

QVariant KnowledgeHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case When:
        return tr("When");
    case Who:
        return tr("Who");
    case What:
        return tr("What");
    case Comment:
        return tr("Comment");
    default:
        return {};
    }
}

} // namespace nexus::models
