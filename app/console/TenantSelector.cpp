#include "TenantSelector.h"

#include "ConsoleSession.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>

namespace nexus::app {

TenantSelector::TenantSelector(ConsoleSession* session, QWidget* parent)
    : QWidget(parent), session_(session), box_(new QComboBox(this))
{
    setObjectName(QStringLiteral("tenantSelector"));
    auto* label = new QLabel(tr("&Tenant:"), this);
    label->setBuddy(box_);
    box_->setObjectName(QStringLiteral("tenantBox"));
    box_->setAccessibleName(tr("Tenant shown"));
    box_->setToolTip(tr("Show one tenant's instances, traces, knowledge and rollouts, or all the "
                        "tenants this connection may see"));
    box_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->setSpacing(4);
    layout->addWidget(label);
    layout->addWidget(box_);
    fill(session_->tenants());
    connect(session_, &ConsoleSession::tenantsChanged, this, &TenantSelector::fill);
    connect(session_, &ConsoleSession::tenantChanged, this, [this] { fill(session_->tenants()); });
    connect(box_, &QComboBox::activated, this,
            [this](int index) { session_->setTenant(box_->itemData(index).toString()); });
}

void TenantSelector::fill(const QStringList& tenants)
{
    const QSignalBlocker blocker(box_);
    box_->clear();
    box_->addItem(tr("All tenants"), QString());
    for (const QString& tenant : tenants)
        box_->addItem(tenant, tenant);
    box_->setCurrentIndex(std::max(0, box_->findData(session_->tenant())));
}

} // namespace nexus::app
