// The Knowledge tab: the entry on screen, reviewing it (keys, outcomes,
// conflicts) and the panel of reviews waiting to be sent.
#include "client/NexusClient.h"
#include "models/KnowledgeFormat.h"
#include "models/KnowledgeHistoryModel.h"
#include "models/KnowledgeQueueModel.h"
#include "models/ReviewOutbox.h"
#include "widgets/KnowledgeEntryView.h"
#include "widgets/ReviewPanel.h"

#include "KnowledgeAuditPanel.h"
#include "KnowledgePage.h"
#include "KnowledgeReviews.h"

#include <QDateTime>
#include <QGroupBox>
#include <QItemSelectionModel>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>

#include <algorithm>

namespace nexus::app {

namespace pb = ::nexus::v1;
namespace fmt = models::knowledgefmt;

namespace {

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

} // namespace

void KnowledgePage::setBulkConfirmation(std::function<bool(const QString&)> confirm)
{
    confirmBulk_ = std::move(confirm);
}

QList<int> KnowledgePage::selectedRows() const
{
    QList<int> rows;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    if (rows.isEmpty() && table_->currentIndex().isValid())
        rows.append(table_->currentIndex().row());
    return rows;
}

// One row selected and current, whatever modifier keys the platform
// believes are held (QTableView::selectRow would honour them).
void KnowledgePage::selectOnly(int row)
{
    table_->selectionModel()->setCurrentIndex(
        queue_->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->scrollTo(queue_->index(row, 0));
}

void KnowledgePage::fetchEntry(const QString& entryId)
{
    if (client_ && !entryId.isEmpty())
        entryRequests_.insert(client_->getEntry(entryId), entryId);
}

void KnowledgePage::showCurrent()
{
    const int row = table_->currentIndex().isValid() ? table_->currentIndex().row() : -1;
    const pb::KnowledgeEntry* entry = row >= 0 ? queue_->entry(row) : nullptr;
    const QString id = entry ? QString::fromStdString(entry->entry_id()) : QString();
    if (id != shownId_) {
        panel_->clearBanner();
        history_->clear();
        shownId_ = id;
        fetchEntry(id);
    }
    if (entry)
        entryView_->setEntry(*entry, nowUs());
    else
        entryView_->clear();
    rolloutButton_->setVisible(entry && entry->kind() == pb::KNOWLEDGE_KIND_PROMPT_OPTIMIZATION &&
                               entry->status() == pb::KNOWLEDGE_STATUS_APPROVED);
    updatePanel();
}

void KnowledgePage::onEntry(quint64 id, const pb::GetEntryResponse& response)
{
    const auto it = entryRequests_.find(id);
    if (it == entryRequests_.end())
        return;
    const QString entryId = it.value();
    entryRequests_.erase(it);
    queue_->upsert(response.entry()); // never goes back to an older revision
    if (entryId != currentEntryId())
        return;
    history_->setHistory(response);
    detailTabs_->setTabText(1, tr("History (%1)").arg(history_->rowCount()));
    detailTabs_->setTabToolTip(1, tr("Every revision and review of this entry"));
    if (const pb::KnowledgeEntry* shown = queue_->entry(table_->currentIndex().row()))
        entryView_->setEntry(*shown, nowUs());
    updatePanel();
}

void KnowledgePage::updatePanel()
{
    if (!reviews_ || !outbox_)
        return;
    panel_->setReviewable(canReview_, cannotReviewReason_);
    const QList<int> rows = selectedRows();
    int reviewable = 0;
    int settling = 0;
    for (int row : rows)
        if (const pb::KnowledgeEntry* e = queue_->entry(row)) {
            if (reviews_->isSettling(QString::fromStdString(e->entry_id())))
                ++settling;
            else if (e->status() == pb::KNOWLEDGE_STATUS_PENDING)
                ++reviewable;
        }
    if (rows.size() > 1) {
        panel_->setEntryState(reviewable > 0,
                              tr("%1 entries selected, %2 pending: A or R reviews the pending "
                                 "ones with one comment.")
                                  .arg(rows.size())
                                  .arg(reviewable));
        return;
    }
    const pb::KnowledgeEntry* e = rows.isEmpty() ? nullptr : queue_->entry(rows.first());
    if (!e) {
        panel_->setEntryState(false, tr("Select an entry to review it."));
        return;
    }
    if (settling > 0) {
        const auto queued = outbox_->findByEntry(QString::fromStdString(e->entry_id()));
        const bool failed = queued && queued->attempts > 0;
        panel_->setEntryState(false, failed ? tr("Your review waits to be sent (pending retry).")
                                            : tr("Sending your review…"));
        return;
    }
    if (e->status() != pb::KNOWLEDGE_STATUS_PENDING) {
        panel_->setEntryState(false, tr("%1 (revision %2): nothing to review.")
                                         .arg(fmt::statusName(e->status()))
                                         .arg(e->revision()));
        return;
    }
    panel_->setEntryState(true, QString());
}

void KnowledgePage::moveCursor(int step)
{
    const int rows = queue_->rowCount();
    if (rows == 0)
        return;
    const int from = table_->currentIndex().isValid() ? table_->currentIndex().row() : -1;
    const int row = std::clamp(from + step, 0, rows - 1);
    selectOnly(row);
    table_->scrollTo(queue_->index(row, 0));
}

void KnowledgePage::approveSelection()
{
    if (!canReview_) {
        setStatus(cannotReviewReason_);
        return;
    }
    panel_->requestApprove(); // → approveRequested with the comment
}

void KnowledgePage::rejectSelection()
{
    if (!canReview_) {
        setStatus(cannotReviewReason_);
        return;
    }
    panel_->requestReject(); // asks for the comment when there is none
}

void KnowledgePage::review(pb::ReviewDecision decision, const QString& comment)
{
    if (!canReview_) {
        setStatus(cannotReviewReason_);
        return;
    }
    std::vector<pb::KnowledgeEntry> targets;
    for (int row : selectedRows())
        if (const pb::KnowledgeEntry* e = queue_->entry(row))
            if (e->status() == pb::KNOWLEDGE_STATUS_PENDING &&
                !reviews_->isSettling(QString::fromStdString(e->entry_id())))
                targets.push_back(*e);
    if (targets.empty()) {
        setStatus(tr("Nothing to review: the selection has no pending entry."));
        return;
    }
    const QString verb = fmt::decisionVerb(decision);
    if (targets.size() > 1) {
        const QString question = tr("%1 %2 entries with the comment “%3”?")
                                     .arg(verb.at(0).toUpper() + verb.mid(1))
                                     .arg(targets.size())
                                     .arg(comment.isEmpty() ? tr("(none)") : comment);
        const bool yes = confirmBulk_ ? confirmBulk_(question)
                                      : QMessageBox::question(this, tr("Review the selection"),
                                                              question) == QMessageBox::Yes;
        if (!yes)
            return;
    }
    const int from = table_->currentIndex().isValid() ? table_->currentIndex().row() : -1;
    int sent = 0;
    QString why;
    for (const pb::KnowledgeEntry& e : targets)
        if (reviews_->send(e, decision, comment, &why))
            ++sent;
    panel_->clearComment();
    if (targets.size() == 1)
        setStatus(
            sent ? tr("Sending: %1 “%2”…").arg(verb, QString::fromStdString(targets[0].title()))
                 : why);
    else
        setStatus(tr("Sending %1 reviews (%2)…").arg(sent).arg(verb));
    // On to the next entry waiting for a decision.
    const int last = selectedRows().isEmpty() ? from : selectedRows().last();
    const int next = queue_->nextPending(std::max(from, last), +1);
    if (next >= 0)
        selectOnly(next);
    else
        updatePanel();
    table_->setFocus();
}

void KnowledgePage::onReviewed(const pb::ReviewEntryResponse& response)
{
    queue_->upsert(response.entry());
    const QString entryId = QString::fromStdString(response.entry().entry_id());
    const QString title = QString::fromStdString(response.entry().title());
    const pb::Review& review = response.review();
    QString text = tr("%1 “%2” (revision %3)")
                       .arg(fmt::decisionName(review.decision()), title)
                       .arg(review.revision());
    if (response.replayed())
        text += tr(" — Nexus had already applied this review; it was not applied twice.");
    setStatus(text);
    if (entryId == currentEntryId()) {
        panel_->clearBanner();
        showCurrent();
        fetchEntry(entryId); // the history with the new review
    }
    audit_->refreshIfVisible();
    updatePanel();
}

void KnowledgePage::onConflict(const QString& entryId, const QString& title, const QString& message)
{
    const QString text =
        tr("Not applied: someone else reviewed “%1” first. %2").arg(title, message);
    setStatus(text);
    emit notify(text);
    if (entryId == currentEntryId())
        panel_->showConflict(text);
    fetchEntry(entryId); // the entry as it is now, with the review that won
    audit_->refreshIfVisible();
    updatePanel();
}

void KnowledgePage::updateOutboxBox()
{
    if (!outbox_ || !outboxBox_)
        return;
    int waiting = 0;
    for (const models::PendingReview& review : outbox_->all())
        if (review.attempts > 0)
            ++waiting;
    outboxBox_->setVisible(waiting > 0);
    outboxBox_->setTitle(tr("Waiting to be sent (%1): re-sent with the same request id when "
                            "Nexus answers, so none is applied twice")
                             .arg(waiting));
    updatePanel();
}

} // namespace nexus::app
