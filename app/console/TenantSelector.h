#pragma once
// "Tenant: [All tenants ▾]" at the right of the menu bar: the tenant every
// view shows (ConsoleSession::setTenant). Lists the tenants the fleet and the
// token know; a token limited to tenants sees only those (the server filters).

#include <QWidget>

class QComboBox;

namespace nexus::app {

class ConsoleSession;

class TenantSelector : public QWidget
{
    Q_OBJECT
public:
    explicit TenantSelector(ConsoleSession* session, QWidget* parent = nullptr);
    QComboBox* box() const { return box_; }

private:
    void fill(const QStringList& tenants);

    ConsoleSession* session_;
    QComboBox* box_;
};

} // namespace nexus::app
