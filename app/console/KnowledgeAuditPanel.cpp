#include "KnowledgeAuditPanel.h"

#include "client/NexusClient.h"
#include "models/AuditLogModel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace nexus::app {

namespace pb = ::nexus::v1;

KnowledgeAuditPanel::KnowledgeAuditPanel(QWidget* parent)
    : QWidget(parent), model_(new models::AuditLogModel(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* filters = new QHBoxLayout;
    actionCombo_ = new QComboBox(this);
    actionCombo_->setAccessibleName(tr("Action"));
    actionCombo_->addItem(tr("Knowledge reviews"), QStringLiteral("knowledge."));
    actionCombo_->addItem(tr("Rollouts"), QStringLiteral("rollout."));
    actionCombo_->addItem(tr("Every action"), QString());
    actorEdit_ = new QLineEdit(this);
    actorEdit_->setPlaceholderText(tr("Who (token name)"));
    actorEdit_->setAccessibleName(tr("Actor"));
    actorEdit_->setClearButtonEnabled(true);
    targetEdit_ = new QLineEdit(this);
    targetEdit_->setPlaceholderText(tr("Target (entry id)"));
    targetEdit_->setAccessibleName(tr("Target"));
    targetEdit_->setClearButtonEnabled(true);
    refreshButton_ = new QPushButton(tr("Refresh"), this);
    filters->addWidget(actionCombo_);
    filters->addWidget(actorEdit_, 1);
    filters->addWidget(targetEdit_, 1);
    filters->addWidget(refreshButton_);
    layout->addLayout(filters);

    table_ = new QTableView(this);
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setAccessibleName(tr("Audit log"));
    layout->addWidget(table_, 1);

    auto* bottom = new QHBoxLayout;
    status_ = new QLabel(this);
    status_->setTextFormat(Qt::PlainText);
    status_->setWordWrap(true);
    moreButton_ = new QPushButton(tr("Load older"), this);
    moreButton_->hide();
    bottom->addWidget(status_, 1);
    bottom->addWidget(moreButton_);
    layout->addLayout(bottom);

    connect(actionCombo_, &QComboBox::currentIndexChanged, this, &KnowledgeAuditPanel::refresh);
    connect(actorEdit_, &QLineEdit::editingFinished, this, &KnowledgeAuditPanel::refresh);
    connect(targetEdit_, &QLineEdit::editingFinished, this, &KnowledgeAuditPanel::refresh);
    connect(refreshButton_, &QPushButton::clicked, this, &KnowledgeAuditPanel::refresh);
    connect(moreButton_, &QPushButton::clicked, this, &KnowledgeAuditPanel::loadMore);
}

void KnowledgeAuditPanel::setClient(client::NexusClient* client)
{
    if (client_)
        disconnect(client_, nullptr, this, nullptr);
    client_ = client;
    request_ = 0;
    stale_ = true;
    if (!client) {
        status_->setText(tr("Not connected to Nexus."));
        return;
    }
    connect(client, &client::NexusClient::auditListed, this, &KnowledgeAuditPanel::onListed);
    connect(client, &client::NexusClient::callFailed, this, &KnowledgeAuditPanel::onFailed);
    if (isVisible())
        refresh();
}

pb::ListAuditRequest KnowledgeAuditPanel::request() const
{
    pb::ListAuditRequest request;
    request.set_action_prefix(actionCombo_->currentData().toString().toStdString());
    request.set_actor(actorEdit_->text().trimmed().toStdString());
    request.set_target(targetEdit_->text().trimmed().toStdString());
    request.set_page_size(200);
    return request;
}

void KnowledgeAuditPanel::refresh()
{
    if (!client_)
        return;
    stale_ = false;
    appends_ = false;
    status_->setText(tr("Loading…"));
    request_ = client_->listAudit(request());
}

void KnowledgeAuditPanel::loadMore()
{
    if (!client_ || !model_->hasMore())
        return;
    auto next = request();
    next.set_page_token(model_->nextPageToken());
    appends_ = true;
    request_ = client_->listAudit(next);
}

void KnowledgeAuditPanel::refreshIfVisible()
{
    if (isVisible())
        refresh();
    else
        stale_ = true;
}

void KnowledgeAuditPanel::setTarget(const QString& entryId)
{
    targetEdit_->setText(entryId);
    refresh();
}

void KnowledgeAuditPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (stale_)
        refresh();
}

void KnowledgeAuditPanel::onListed(quint64 id, const pb::ListAuditResponse& response)
{
    if (id != request_)
        return;
    request_ = 0;
    if (appends_)
        model_->appendPage(response);
    else
        model_->reset(response);
    moreButton_->setVisible(model_->hasMore());
    status_->setText(
        model_->rowCount() == 0
            ? tr("No audit records match.")
            : tr("%1 records, newest first%2")
                  .arg(model_->rowCount())
                  .arg(model_->hasMore() ? tr("; older ones with Load older") : QString()));
}

void KnowledgeAuditPanel::onFailed(quint64 id, const client::CallError& error)
{
    if (id != request_)
        return;
    request_ = 0;
    status_->setText(
        error.code == grpc::StatusCode::PERMISSION_DENIED
            ? tr("Reading the audit log needs the operator role: %1").arg(error.serverMessage)
            : tr("Could not read the audit log: %1").arg(error.text));
}

QString KnowledgeAuditPanel::statusText() const
{
    return status_->text();
}

} // namespace nexus::app
