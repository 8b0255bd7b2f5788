#pragma once
// The Knowledge tab (docs/knowledge.md): the review queue of what the fleet
// learned, after a code-review queue and LangSmith's annotation queues.
//
// The queue lists Nexus's entries (pending first), filtered by kind,
// status, source instance and age, with counts per status, and follows the
// WatchKnowledge stream: a new entry appears by itself, a review by someone
// else updates its row and, when it is the one on screen, says so before a
// review of ours could conflict. Every (re)subscription re-lists, so
// nothing that happened while the stream was down is missed.
//
// Reviewing is keyboard-driven: J/K (or the arrows) move, A approves, R
// rejects (the comment is required; R puts the cursor in the comment field
// and Ctrl+Enter sends). After a decision the cursor moves to the next
// pending entry. With several rows selected, A and R review all of them
// with one comment after a confirmation. Reviews go out through
// KnowledgeReviews: request ids, the revision seen, conflicts shown with
// the review that won, undeliverable ones kept as pending-retry.

#include "nexus/v1/audit.pb.h"
#include "nexus/v1/knowledge.pb.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QTableView;
class QTimer;

namespace nexus::client {
class NexusClient;
class KnowledgeWatcher;
struct CallError;
} // namespace nexus::client
namespace nexus::models {
class KnowledgeQueueModel;
class KnowledgeHistoryModel;
class ReviewOutbox;
} // namespace nexus::models
namespace nexus::widgets {
class KnowledgeCountsBar;
class KnowledgeEntryView;
class ReviewPanel;
} // namespace nexus::widgets

namespace nexus::app {

class ConsoleSession;
class KnowledgeAuditPanel;
class KnowledgeReviews;

class KnowledgePage : public QWidget
{
    Q_OBJECT
public:
    // `outboxPath`: where undelivered reviews are kept; empty = the
    // profile's file under the application data directory.
    explicit KnowledgePage(ConsoleSession* session, QWidget* parent = nullptr);
    ~KnowledgePage() override;

    void refresh(); // the first page of the queue, with the current filters
    void loadMore();

    // Keyboard actions (also bound to J/K/A/R).
    void moveCursor(int step);
    void approveSelection();
    void rejectSelection();

    models::KnowledgeQueueModel* queue() const { return queue_; }
    QTableView* queueTable() const { return table_; }
    widgets::KnowledgeEntryView* entryView() const { return entryView_; }
    widgets::ReviewPanel* reviewPanel() const { return panel_; }
    QPushButton* rolloutButton() const { return rolloutButton_; }
    models::ReviewOutbox* outbox() const { return outbox_.get(); }
    KnowledgeReviews* reviews() const { return reviews_; }
    KnowledgeAuditPanel* auditPanel() const { return audit_; }
    QTabWidget* tabs() const { return tabs_; }
    QString currentEntryId() const;
    QString statusText() const; // the last outcome line
    QString streamText() const; // "Live", "Reconnecting…"
    bool canReview() const { return canReview_; }
    // Asked before a review of several entries; the default asks with a
    // message box. Tests answer it themselves.
    void setBulkConfirmation(std::function<bool(const QString& question)> confirm);

Q_SIGNALS:
    void openTraceRequested(const QString& threadId);
    // "Roll out…" on an approved prompt optimization.
    void rolloutRequested(const QString& entryId);
    void notify(const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildUi();
    void setClient(client::NexusClient* client);
    void openOutbox();
    void onListed(quint64 id, const nexus::v1::ListEntriesResponse& response);
    void onEntry(quint64 id, const nexus::v1::GetEntryResponse& response);
    void onFailed(quint64 id, const client::CallError& error);
    void onEvent(const nexus::v1::KnowledgeEvent& event);
    void onReviewed(const nexus::v1::ReviewEntryResponse& response);
    void onConflict(const QString& entryId, const QString& title, const QString& message);
    void showCurrent();
    void fetchEntry(const QString& entryId);
    void selectOnly(int row);
    void updatePanel();
    void updateOutboxBox();
    void review(nexus::v1::ReviewDecision decision, const QString& comment);
    void applyFilterFromUi();
    void setStatus(const QString& text);
    QList<int> selectedRows() const;

    ConsoleSession* session_;
    QPointer<client::NexusClient> client_;
    std::unique_ptr<client::KnowledgeWatcher> watcher_;
    std::unique_ptr<models::ReviewOutbox> outbox_;
    QString outboxProfile_;
    KnowledgeReviews* reviews_ = nullptr;
    models::KnowledgeQueueModel* queue_ = nullptr;
    models::KnowledgeHistoryModel* history_ = nullptr;

    QTabWidget* tabs_ = nullptr;
    QComboBox* kindCombo_ = nullptr;
    QComboBox* ageCombo_ = nullptr;
    QLineEdit* sourceEdit_ = nullptr;
    QPushButton* refreshButton_ = nullptr;
    QPushButton* moreButton_ = nullptr;
    QLabel* streamLabel_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    widgets::KnowledgeCountsBar* counts_ = nullptr;
    QTableView* table_ = nullptr;
    QTabWidget* detailTabs_ = nullptr;
    widgets::KnowledgeEntryView* entryView_ = nullptr;
    widgets::ReviewPanel* panel_ = nullptr;
    QPushButton* rolloutButton_ = nullptr;
    QTableView* historyTable_ = nullptr;
    QGroupBox* outboxBox_ = nullptr;
    QTableView* outboxTable_ = nullptr;
    KnowledgeAuditPanel* audit_ = nullptr;
    QTimer* clock_ = nullptr;

    QString statusKey_; // the counts bar's status filter, "" = all
    quint64 listRequest_ = 0;
    bool listAppends_ = false;
    QHash<quint64, QString> entryRequests_; // GetEntry calls → entry id
    QString shownId_;                       // the entry the detail shows
    QString pendingSelect_;                 // re-select after a re-list
    QString streamText_;
    QString statusText_;
    bool canReview_ = false;
    QString cannotReviewReason_;
    bool listedOnce_ = false;
    std::function<bool(const QString&)> confirmBulk_;
};

} // namespace nexus::app
