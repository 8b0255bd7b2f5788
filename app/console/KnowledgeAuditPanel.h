#pragma once
// The Knowledge tab's audit log: Nexus's append-only record of who did
// what, when, with which outcome — knowledge reviews by default, any
// action on request. Newest first, a page at a time; filters by actor,
// action and target. Reading it needs the operator role; below that the
// panel says so.

#include "nexus/v1/audit.pb.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace nexus::client {
class NexusClient;
struct CallError;
} // namespace nexus::client
namespace nexus::models {
class AuditLogModel;
}

namespace nexus::app {

class KnowledgeAuditPanel : public QWidget
{
    Q_OBJECT
public:
    explicit KnowledgeAuditPanel(QWidget* parent = nullptr);

    void setClient(client::NexusClient* client);
    void refresh();
    void loadMore();
    void refreshIfVisible();                // after a review: the table follows while shown
    void setTarget(const QString& entryId); // "" = every target

    models::AuditLogModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    QString statusText() const;

protected:
    void showEvent(QShowEvent* event) override;

private:
    nexus::v1::ListAuditRequest request() const;
    void onListed(quint64 id, const nexus::v1::ListAuditResponse& response);
    void onFailed(quint64 id, const client::CallError& error);

    QPointer<client::NexusClient> client_;
    models::AuditLogModel* model_;
    QComboBox* actionCombo_;
    QLineEdit* actorEdit_;
    QLineEdit* targetEdit_;
    QPushButton* refreshButton_;
    QPushButton* moreButton_;
    QLabel* status_;
    QTableView* table_;
    quint64 request_ = 0;
    bool appends_ = false;
    bool stale_ = true; // refresh when next shown
};

} // namespace nexus::app
